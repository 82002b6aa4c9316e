"""Logging visits: what each guest had, where and when; today's bookings they are logged against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import outlet_id_for_code, property_currency, property_tz
from guestbook.db import rows, write_transaction
from guestbook.db_rows import statement
from guestbook.extensions import db
from guestbook.guests import search_index, tonight
from guestbook.guests.models import Guest, Visit
from guestbook.guests.notes import NeedsConfirmation, sensitive_words_in
from guestbook.guests.schemas import VisitCreate
from guestbook.staff.models import StaffUser

LATE_GRACE = timedelta(hours=2)  # a booking this long past its time is still "tonight's" if nothing comes later
LAST_SAID_WITHIN = timedelta(days=180)  # what a guest told us last time is briefed while this recent


class UnknownOutlet(ValueError):
    """The visit names an outlet code that does not exist."""


class UnknownReservation(ValueError):
    """The visit names a reservation that does not exist or belongs to another guest."""


@dataclass(frozen=True)
class TodaysBookings:
    """A guest's bookings for today (property time), in time order, and the one a visit is logged against."""

    bookings: list[Any]  # reservations, as guests.tonight supplies them
    current: Any | None


def bookings_today(guest_id: int, now: datetime | None = None, chosen_id: int | None = None) -> TodaysBookings:
    """Today's bookings of a guest (every status) and the next upcoming one still booked.

    "Next upcoming": the first booking still ``booked`` whose time is not more than ``LATE_GRACE``
    past; failing that, the latest one already past (a late table logged at the end of the night).
    ``chosen_id`` (one of today's, still booked) overrides the choice.
    """
    tz = property_tz()
    local_now = (now or datetime.now(UTC)).astimezone(tz)
    bookings = tonight.bookings_on(guest_id, local_now.date())
    open_ = [r for r in bookings if r.status == "booked"]
    chosen = next((r for r in open_ if r.id == chosen_id), None) if chosen_id else None
    if chosen is not None:
        return TodaysBookings(bookings, chosen)

    def starts(r: Any) -> datetime:
        return datetime.combine(local_now.date(), r.arrival_time or time(23, 59), tzinfo=tz)

    upcoming = [r for r in open_ if r.arrival_time is None or starts(r) >= local_now - LATE_GRACE]
    current = upcoming[0] if upcoming else (open_[-1] if open_ else None)
    return TodaysBookings(bookings, current)


def log_visit(guest_id: int, data: VisitCreate, actor: Actor) -> Visit:
    """Record a visit and refresh the guest's visit count, last visit and search order.

    A note with sensitive words needs ``data.confirm_sensitive`` (NeedsConfirmation names the words).

    The guest's counters are written with a plain UPDATE so logging a visit never bumps the
    profile's version: a host logging tonight's visit must not make a manager's edit conflict.
    """
    words = sensitive_words_in(data.notes) if data.notes else []
    if words and not data.confirm_sensitive:
        raise NeedsConfirmation(words)
    outlet_id = outlet_id_for_code(data.outlet)
    if outlet_id is None:
        raise UnknownOutlet(data.outlet)
    currency = property_currency()
    with write_transaction():
        guest = db.session.get(Guest, guest_id)
        if guest is None:
            from guestbook.guests.profiles import GuestNotFound

            raise GuestNotFound(guest_id)
        reservation = None
        if data.reservation_id is not None:
            reservation = tonight.booking_by_id(data.reservation_id)
            if reservation is None or reservation.guest_id != guest.id:
                raise UnknownReservation(data.reservation_id)
        served_by = _staff_name(actor.staff_user_id) if actor.staff_user_id else None
        visit = Visit(
            guest_id=guest.id,
            outlet_id=outlet_id,
            visited_at=data.visited_at,
            party_size=data.party_size,
            table=data.table,
            items=list(data.items),
            spend=data.spend_decimal(),
            currency=currency,
            served_by_id=actor.staff_user_id if served_by is not None else None,
            served_by_name=served_by if served_by is not None else actor.label,
            notes=data.notes,
        )
        db.session.add(visit)
        db.session.flush()
        refresh_visit_stats(guest.id)
        detail = f"outlet={data.outlet} table={data.table}"
        if reservation is not None:
            detail += f" reservation={reservation.id}"
            # Only a live booking becomes "arrived": a cancelled or no-show one keeps its status.
            if reservation.status == "booked":
                reservation.status = "arrived"
                detail += " arrived"
        audit.record(actor, "visit_log", guest.id, detail)
    return visit


def _staff_name(staff_user_id: int) -> str | None:
    """The name of a staff account (the visit keeps who served), or None."""
    names = rows(_staff_name_stmt(), {"id": staff_user_id}).scalars()
    return str(names[0]) if names else None


@statement
def _staff_name_stmt() -> Select[str]:
    return select(StaffUser.name).where(StaffUser.id == bindparam("id"))


def refresh_visit_stats(guest_id: int) -> None:
    """Recompute a guest's visit count and last visit from the visits table (inside a write).

    One UPDATE that counts and returns what it wrote, which the loaded guest takes as its own (no read back).
    """
    of_guest = Visit.guest_id == guest_id
    stmt = (
        update(Guest)
        .where(Guest.id == guest_id)
        .values(
            visit_count=select(func.count(Visit.id)).where(of_guest).scalar_subquery(),
            last_visit_at=select(func.max(Visit.visited_at)).where(of_guest).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        db.session.execute(stmt)
    elif db.session.get_bind().dialect.update_returning:
        written = db.session.execute(stmt.returning(Guest.visit_count, Guest.last_visit_at)).one()
        set_committed_value(guest, "visit_count", written.visit_count)
        set_committed_value(guest, "last_visit_at", written.last_visit_at)
    else:  # SQLite before 3.35: read the values back
        db.session.execute(stmt)
        db.session.refresh(guest, ["visit_count", "last_visit_at"])
    if guest is not None:
        search_index.touch_recency(guest)


def last_said(guest_ids: Iterable[int], before: datetime) -> dict[int, str]:
    """The note on each guest's last visit before ``before``, when that visit is within ``LAST_SAID_WITHIN``.

    Only the last visit counts: "Last time they said" about an older visit would mislead.
    """
    ids = sorted(set(guest_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        newest = (
            select(Visit.guest_id, func.max(Visit.visited_at).label("at"))
            .where(Visit.guest_id.in_(chunk), Visit.visited_at < before)
            .group_by(Visit.guest_id)
            .subquery()
        )
        stmt = (
            select(Visit.guest_id, Visit.notes)
            .join(newest, (newest.c.guest_id == Visit.guest_id) & (newest.c.at == Visit.visited_at))
            .where(Visit.visited_at >= before - LAST_SAID_WITHIN)
            .order_by(Visit.guest_id, Visit.id.desc())
        )
        for guest_id, notes in db.session.execute(stmt):
            if guest_id not in found and notes and notes.strip():
                found[guest_id] = notes.strip()
    return found


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
