"""The guest's record at a glance for a whole day of arrivals: history, tags and photos in a few batched queries.

``guests.history.history_for`` reads one guest (two queries each); a briefing of 500 arrivals would run a
thousand. ``records_for`` computes the same dictionary for every guest of the day in two queries (visits
grouped by guest, no-shows grouped by guest); a test keeps it equal to ``history_for`` guest by guest.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from guestbook.admin.outlets import default_property, property_today
from guestbook.extensions import db
from guestbook.guests.history import CENT, SPEND_KEYS, can_see_spend
from guestbook.guests.models import GuestPhoto, Visit
from guestbook.guests.photos import photos_enabled
from guestbook.guests.tags import tags_of_guests
from guestbook.reservations.attendance import late_cancellations
from guestbook.reservations.models import Reservation

TagFact = tuple[int, str, str]  # (tag id, name, colour): plain data for the screen, the JSON and the PDF


def _money(value: Decimal | None) -> str | None:
    return str(Decimal(value).quantize(CENT)) if value is not None else None


def _no_shows(guest_ids: Collection[int], since: date) -> dict[int, tuple[int, date | None]]:
    """Per guest: no-shows from ``since`` on and the last no-show ever (as ``reservations.attendance``)."""
    rows = db.session.execute(
        select(
            Reservation.guest_id,
            func.count(Reservation.id).filter(Reservation.arrival_date >= since),
            func.max(Reservation.arrival_date),
        )
        .where(Reservation.guest_id.in_(guest_ids), Reservation.status == "no-show")
        .group_by(Reservation.guest_id)
    )
    return {gid: (int(count or 0), last) for gid, count, last in rows}


def records_for(guest_ids: Collection[int], role: str, now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """Each guest's record as ``role`` may see it, the same values as ``history.history_for`` (spend null
    for roles the setting ``card_spend_roles`` does not name)."""
    ids = sorted(set(guest_ids))
    if not ids:
        return {}
    now = now or datetime.now(UTC)
    year_ago = now - timedelta(days=365)
    currency = default_property().currency
    in_currency = Visit.currency == currency
    rows = db.session.execute(
        select(
            Visit.guest_id,
            func.count(Visit.id),
            func.sum(Visit.spend).filter(in_currency),
            func.count(Visit.spend).filter(in_currency),
            func.count(Visit.id).filter(Visit.visited_at >= year_ago),
            func.sum(Visit.spend).filter(in_currency, Visit.visited_at >= year_ago),
        )
        .where(Visit.guest_id.in_(ids))
        .group_by(Visit.guest_id)
    )
    visits = {row[0]: row[1:] for row in rows}
    attendance = _no_shows(ids, property_today(now) - timedelta(days=365))
    late = late_cancellations(ids, property_today(now) - timedelta(days=365))
    hide_spend = not can_see_spend(role)
    out: dict[int, dict[str, Any]] = {}
    for gid in ids:
        visits_total, spend_total, priced, visits_12m, spend_12m = visits.get(gid, (0, None, 0, 0, None))
        total = Decimal(spend_total) if spend_total is not None else None
        average = total / priced if total is not None and priced else None
        no_shows, last_no_show = attendance.get(gid, (0, None))
        record: dict[str, Any] = {
            "visits_12m": int(visits_12m or 0),
            "spend_12m": _money(Decimal(spend_12m) if spend_12m is not None else Decimal(0)),
            "visits_total": int(visits_total or 0),
            "spend_total": _money(total if total is not None else Decimal(0)),
            "average_spend": _money(average),
            "currency": currency,
            "no_shows_12m": no_shows,
            "late_cancellations_12m": late.get(gid, 0),
            "last_no_show": last_no_show.isoformat() if last_no_show else None,
        }
        if hide_spend:
            record.update(dict.fromkeys(SPEND_KEYS))
        out[gid] = record
    return out


def tags_for(guest_ids: Collection[int]) -> dict[int, list[TagFact]]:
    """Each guest's tags by name as ``(id, name, colour)``, in one query."""
    return {gid: [(t.id, t.name, t.color) for t in tags] for gid, tags in tags_of_guests(list(guest_ids)).items()}


def with_photo(guest_ids: Collection[int]) -> set[int]:
    """The guests with a photo on file (none when the property turned photos off), without loading the bytes."""
    if not guest_ids or not photos_enabled():
        return set()
    stmt = select(GuestPhoto.guest_id).where(GuestPhoto.guest_id.in_(list(guest_ids)), GuestPhoto.data.is_not(None))
    return set(db.session.scalars(stmt))


def photo_data(guest_ids: Collection[int]) -> dict[int, bytes]:
    """The photos themselves for the printed sheet, in one query (empty when photos are off)."""
    if not guest_ids or not photos_enabled():
        return {}
    stmt = select(GuestPhoto.guest_id, GuestPhoto.data).where(
        GuestPhoto.guest_id.in_(list(guest_ids)), GuestPhoto.data.is_not(None)
    )
    return {gid: data for gid, data in db.session.execute(stmt) if data}
