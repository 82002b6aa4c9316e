"""The guest's record at a glance: visits and spend (12 months and all time), no-shows and late cancellations.

Visits and spend come from this domain's visits. No-shows and late cancellations are reservations, a
domain above this one, so they arrive through a hook (``register_attendance_source``) that the
reservations domain fills when the app is built; without it both count 0. Money is summed in the
property's currency only (a visit logged in another currency is counted as a visit, not as spend).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from guestbook.admin.outlets import default_property, property_today
from guestbook.admin.settings import get_setting
from guestbook.extensions import db
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


AttendanceSource = Callable[[int, date], Attendance]  # (guest id, since day) -> Attendance


def register_attendance_source(app: Any, source: AttendanceSource) -> None:
    """Make ``source`` this app's attendance source (called once per app by the reservations domain)."""
    app.extensions[EXTENSION_KEY] = source


def attendance_of(guest_id: int, since: date) -> Attendance:
    """A guest's no-shows and late cancellations since ``since`` (zero without a registered source)."""
    source = current_app.extensions.get(EXTENSION_KEY)
    if source is None:
        return Attendance(0, 0, None)
    found: Attendance = source(guest_id, since)
    return found


def _money(value: Decimal | None) -> str | None:
    return str(value.quantize(CENT)) if value is not None else None


def guest_history(guest_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The record as JSON-ready values: counts as integers, money as decimal strings, ``last_no_show`` ISO."""
    now = now or datetime.now(UTC)
    year_ago = now - timedelta(days=365)
    currency = default_property().currency
    in_currency = Visit.currency == currency
    spent = func.sum(Visit.spend).filter(in_currency)
    priced = func.count(Visit.spend).filter(in_currency)
    row = db.session.execute(
        select(
            func.count(Visit.id),
            spent,
            priced,
            func.count(Visit.id).filter(Visit.visited_at >= year_ago),
            func.sum(Visit.spend).filter(in_currency, Visit.visited_at >= year_ago),
        ).where(Visit.guest_id == guest_id)
    ).one()
    visits_total, spend_total, priced_visits, visits_12m, spend_12m = row
    total = Decimal(spend_total) if spend_total is not None else None
    average = total / priced_visits if total is not None and priced_visits else None
    attendance = attendance_of(guest_id, property_today(now) - timedelta(days=365))
    return {
        "visits_12m": int(visits_12m or 0),
        "spend_12m": _money(Decimal(spend_12m) if spend_12m is not None else Decimal(0)),
        "visits_total": int(visits_total or 0),
        "spend_total": _money(total if total is not None else Decimal(0)),
        "average_spend": _money(average),
        "currency": currency,
        "no_shows_12m": attendance.no_shows,
        "late_cancellations_12m": attendance.late_cancellations,
        "last_no_show": attendance.last_no_show.isoformat() if attendance.last_no_show else None,
    }


SPEND_KEYS = ("spend_12m", "spend_total", "average_spend")


def can_see_spend(role: str) -> bool:
    """Whether ``role`` sees what a guest spends (setting ``card_spend_roles``; the floor does not by default)."""
    roles = get_setting("card_spend_roles")
    return isinstance(roles, list) and role in roles


def history_for(guest_id: int, role: str) -> dict[str, Any]:
    """The record as ``role`` may see it: spend is null for roles that do not see spend."""
    record = guest_history(guest_id)
    if not can_see_spend(role):
        record.update(dict.fromkeys(SPEND_KEYS))
    return record


def history_line(record: dict[str, Any]) -> str:
    """The record as one line for the briefing and the card: ``8 visits in 12 months · ฿12,400 · 1 no-show``."""
    parts = [ngettext("%(num)d visit in 12 months", "%(num)d visits in 12 months", record["visits_12m"])]
    if record["visits_total"] > record["visits_12m"]:
        parts.append(ngettext("%(num)d in all", "%(num)d in all", record["visits_total"]))
    if record.get("spend_12m") is not None and Decimal(record["spend_12m"]):
        parts.append(gettext("%(money)s in 12 months", money=format_money(record["spend_12m"], record["currency"])))
    if record.get("average_spend") is not None:
        parts.append(gettext("%(money)s a visit", money=format_money(record["average_spend"], record["currency"])))
    if record["no_shows_12m"]:
        parts.append(ngettext("%(num)d no-show", "%(num)d no-shows", record["no_shows_12m"]))
    if record["late_cancellations_12m"]:
        parts.append(
            ngettext("%(num)d late cancellation", "%(num)d late cancellations", record["late_cancellations_12m"])
        )
    return " · ".join(parts)
