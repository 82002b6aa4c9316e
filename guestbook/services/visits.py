"""Logging visits: what each guest had, where and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from ..db import begin_write
from ..extensions import db
from ..models import Guest, StaffUser, Visit
from . import audit, search
from .actor import Actor
from .outlets import default_property, outlet_by_code
from .schemas import VisitCreate


class UnknownOutlet(ValueError):
    """The visit names an outlet code that does not exist."""


def log_visit(guest_id: int, data: VisitCreate, actor: Actor) -> Visit:
    """Record a visit and refresh the guest's visit count, last visit and search order.

    The guest's counters are written with a plain UPDATE so logging a visit never bumps the
    profile's version: a host logging tonight's visit must not make a manager's edit conflict.
    """
    outlet = outlet_by_code(data.outlet)
    if outlet is None:
        raise UnknownOutlet(data.outlet)
    currency = default_property().currency
    begin_write()
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        db.session.rollback()
        from .guests import GuestNotFound

        raise GuestNotFound(guest_id)
    served_by = db.session.get(StaffUser, actor.staff_user_id) if actor.staff_user_id else None
    visit = Visit(
        guest_id=guest.id,
        outlet_id=outlet.id,
        visited_at=data.visited_at,
        party_size=data.party_size,
        table=data.table,
        items=list(data.items),
        spend=data.spend_decimal(),
        currency=currency,
        served_by_id=served_by.id if served_by else None,
        served_by_name=served_by.name if served_by else actor.label,
        notes=data.notes,
    )
    db.session.add(visit)
    db.session.flush()
    refresh_visit_stats(guest.id)
    audit.record(actor, "visit_log", guest.id, f"outlet={outlet.code} table={data.table}")
    db.session.commit()
    return visit


def refresh_visit_stats(guest_id: int) -> None:
    """Recompute a guest's visit count and last visit from the visits table (inside a write)."""
    count, last = db.session.execute(
        select(func.count(Visit.id), func.max(Visit.visited_at)).where(Visit.guest_id == guest_id)
    ).one()
    db.session.execute(
        update(Guest)
        .where(Guest.id == guest_id)
        .values(visit_count=count, last_visit_at=last)
        .execution_options(synchronize_session=False)
    )
    guest = db.session.get(Guest, guest_id)
    if guest is not None:
        db.session.refresh(guest, ["visit_count", "last_visit_at"])
        search.touch_recency(guest)


def visit_to_dict(visit: Visit) -> dict[str, Any]:
    """A visit as JSON."""
    return {
        "id": visit.id,
        "guest_id": visit.guest_id,
        "outlet": visit.outlet.code,
        "outlet_name": visit.outlet.name,
        "visited_at": visit.visited_at.isoformat(),
        "table": visit.table,
        "party_size": visit.party_size,
        "items": list(visit.items or []),
        "spend": str(visit.spend) if visit.spend is not None else None,
        "currency": visit.currency,
        "served_by": visit.served_by_name,
        "notes": visit.notes,
    }
