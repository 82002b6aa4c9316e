"""The guest's record at a glance: visits and spend (12 months and all time), no-shows and late cancellations.

Visits and spend come from this domain's visits. No-shows and late cancellations are reservations, a
domain above this one, so they arrive through a hook (``register_attendance_source``) that the
reservations domain fills when the app is built; without it both count 0. Money is summed in the
property's currency only (a visit logged in another currency is counted as a visit, not as spend).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, func, select

from guestbook.admin.outlets import property_currency, property_today
from guestbook.admin.settings import get_setting
from guestbook.extensions import db
from guestbook.guests.labels import attendance_parts
from guestbook.guests.models import Visit
from guestbook.i18n import format_money, gettext, ngettext

EXTENSION_KEY = "guestbook.attendance_source"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Attendance:
    """What a guest's bookings say since a day: no-shows, late cancellations and the last no-show (any time)."""

    no_shows: int
    late_cancellations: int
    last_no_show: date | None


# (guest ids, since day) -> Attendance of each guest with any (the others count 0): one query for a day of arrivals.
AttendanceSource = Callable[[Collection[int], date], dict[int, Attendance]]
NO_ATTENDANCE = Attendance(0, 0, None)


def register_attendance_source(app: Any, source: AttendanceSource) -> None:
    """Make ``source`` this app's attendance source (called once per app by the reservations domain)."""
    app.extensions[EXTENSION_KEY] = source


def attendance_of(guest_ids: Collection[int], since: date) -> dict[int, Attendance]:
    """Each guest's no-shows and late cancellations since ``since`` (none without a registered source)."""
    source = current_app.extensions.get(EXTENSION_KEY)
    if source is None or not guest_ids:
        return {}
    found: dict[int, Attendance] = source(guest_ids, since)
    return found


def _money(value: Decimal | None) -> str | None:
    return str(value.quantize(CENT)) if value is not None else None


@functools.cache
def _visit_totals_stmt() -> Select[int, int, Any, int, int, Any]:
    """Per guest: visits, spend in the property's currency and the visits priced in it, the same for the last
    year. Built once (every card and briefing runs it)."""
    in_currency = Visit.currency == bindparam("currency")
    recent = Visit.visited_at >= bindparam("year_ago")
    return (
        select(
            Visit.guest_id,
            func.count(Visit.id),
            func.sum(Visit.spend).filter(in_currency),
            func.count(Visit.spend).filter(in_currency),
            func.count(Visit.id).filter(recent),
            func.sum(Visit.spend).filter(in_currency, recent),
        )
        .where(Visit.guest_id.in_(bindparam("ids", expanding=True)))
        .group_by(Visit.guest_id)
    )


def guest_histories(guest_ids: Collection[int], now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """Each guest's record as JSON-ready values (counts as integers, money as decimal strings,
    ``last_no_show`` ISO), in one query for the visits and one for the bookings however many guests."""
    ids = sorted(set(guest_ids))
    if not ids:
        return {}
    now = now or datetime.now(UTC)
    year_ago = now - timedelta(days=365)
    currency = property_currency()
    rows = db.session.execute(_visit_totals_stmt(), {"ids": ids, "currency": currency, "year_ago": year_ago})
    visits = {row[0]: row[1:] for row in rows}
    attendance = attendance_of(ids, property_today(now) - timedelta(days=365))
    records: dict[int, dict[str, Any]] = {}
    for gid in ids:
        visits_total, spend_total, priced_visits, visits_12m, spend_12m = visits.get(gid, (0, None, 0, 0, None))
        total = Decimal(spend_total) if spend_total is not None else None
        average = total / priced_visits if total is not None and priced_visits else None
        booked = attendance.get(gid, NO_ATTENDANCE)
        records[gid] = {
            "visits_12m": int(visits_12m or 0),
            "spend_12m": _money(Decimal(spend_12m) if spend_12m is not None else Decimal(0)),
            "visits_total": int(visits_total or 0),
            "spend_total": _money(total if total is not None else Decimal(0)),
            "average_spend": _money(average),
            "currency": currency,
            "no_shows_12m": booked.no_shows,
            "late_cancellations_12m": booked.late_cancellations,
            "last_no_show": booked.last_no_show.isoformat() if booked.last_no_show else None,
        }
    return records


def guest_history(guest_id: int, now: datetime | None = None) -> dict[str, Any]:
    """One guest's record (see ``guest_histories``)."""
    return guest_histories([guest_id], now)[guest_id]


SPEND_KEYS = ("spend_12m", "spend_total", "average_spend")


def can_see_spend(role: str) -> bool:
    """Whether ``role`` sees what a guest spends (setting ``card_spend_roles``; the floor does not by default)."""
    roles = get_setting("card_spend_roles")
    return isinstance(roles, list) and role in roles


def histories_for(guest_ids: Collection[int], role: str, now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """Each guest's record as ``role`` may see it: spend is null for roles that do not see spend."""
    records = guest_histories(guest_ids, now)
    if not can_see_spend(role):
        for record in records.values():
            record.update(dict.fromkeys(SPEND_KEYS))
    return records


def history_for(guest_id: int, role: str) -> dict[str, Any]:
    """One guest's record as ``role`` may see it (see ``histories_for``)."""
    return histories_for([guest_id], role)[guest_id]


def history_line(record: dict[str, Any]) -> str:
    """The record as one line for the briefing and the card: ``8 visits in 12 months · ฿12,400 · 1 no-show``."""
    parts = [ngettext("%(num)d visit in 12 months", "%(num)d visits in 12 months", record["visits_12m"])]
    if record["visits_total"] > record["visits_12m"]:
        parts.append(ngettext("%(num)d in all", "%(num)d in all", record["visits_total"]))
    if record.get("spend_12m") is not None and Decimal(record["spend_12m"]):
        parts.append(gettext("%(money)s in 12 months", money=format_money(record["spend_12m"], record["currency"])))
    if record.get("average_spend") is not None:
        parts.append(gettext("%(money)s a visit", money=format_money(record["average_spend"], record["currency"])))
    return " · ".join([*parts, *attendance_parts(record)])
