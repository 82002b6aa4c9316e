"""Retention: guests with no visit for more than ``retention_years`` (setting; 0 = off) are erased.

A guest's last sign of life is their last visit, else when the profile was made; a booking on or after
the cut-off also counts (a guest booked for next week is not forgotten). Each guest is erased in its own
transaction (``erasure.erase_guest`` with kind ``retention``), so a long run never holds the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import exists, func, select

from guestbook.actor import Actor
from guestbook.admin.outlets import property_today, property_tz
from guestbook.admin.settings import get_setting
from guestbook.data import erasure
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.reservations.models import Reservation


@dataclass(frozen=True)
class RetentionCandidate:
    """A guest the retention rule would erase, shown without their name in full."""

    guest_id: int
    last_visit: datetime | None
    created_at: datetime
    masked_name: str


def retention_years() -> int:
    """The setting as a whole number of years (0, or anything not a positive number: off)."""
    value: Any = get_setting("retention_years")
    try:
        years = int(value)
    except (TypeError, ValueError):
        return 0
    return max(0, years)


def cutoff_for(today: date, years: int) -> date:
    """``today`` less ``years`` (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _due_query(today: date, years: int) -> Any:
    cutoff_day = cutoff_for(today, years)
    cutoff = datetime.combine(cutoff_day, time(0, 0), tzinfo=property_tz())
    booked_since = exists().where(Reservation.guest_id == Guest.id, Reservation.arrival_date >= cutoff_day)
    return (
        select(Guest)
        .where(
            Guest.erased_at.is_(None),
            func.coalesce(Guest.last_visit_at, Guest.created_at) < cutoff,
            ~booked_since,
        )
        .order_by(Guest.id)
    )


def due_for_retention(today: date | None = None) -> list[int]:
    """Ids of the guests the rule would erase today (empty when the setting is off)."""
    years = retention_years()
    if years <= 0:
        return []
    query = _due_query(today or property_today(), years).with_only_columns(Guest.id)
    return list(db.session.scalars(query))


def mask_name(guest: Guest) -> str:
    """``N••• S•••``: enough for an admin to recognise a list, not to read it out."""
    parts = [p for p in (guest.given_name, guest.family_name) if p] or [guest.preferred_name]
    return " ".join(f"{p[:1]}•••" for p in parts if p) or "—"


def retention_preview(today: date | None = None) -> list[RetentionCandidate]:
    """The guests the rule would erase, for a dry run (nothing is changed, nothing audited per guest)."""
    years = retention_years()
    if years <= 0:
        return []
    return [
        RetentionCandidate(g.id, g.last_visit_at, g.created_at, mask_name(g))
        for g in db.session.scalars(_due_query(today or property_today(), years))
    ]


def apply_retention(actor: Actor, today: date | None = None) -> list[int]:
    """Erase every guest due (kind ``retention``); returns their ids. Safe to run again: erased guests are not due."""
    years = retention_years()
    if years <= 0:
        return []
    reason = f"retention: no visit for more than {years} years"
    done: list[int] = []
    for guest_id in due_for_retention(today):
        try:
            erasure.erase_guest(guest_id, reason, actor, kind="retention")
        except (erasure.AlreadyErased, erasure.GuestNotFound):
            continue  # erased or merged away by someone else meanwhile
        done.append(guest_id)
    return done
