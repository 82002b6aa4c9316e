"""Letter rules: when each kind falls due, the pluggable lapse predicate, and why a guest is left out."""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, or_

from guestbook.admin.settings import get_setting
from guestbook.guests.models import Guest


@dataclass(frozen=True)
class RuleSettings:
    """The editable letter settings, read once per run."""

    birthday_days_before: int
    birthday_min_lead_days: int
    anniversary_days_before: int
    lapse_rule: str
    lapse_months: int
    lapse_min_visits: int
    cool_down_days: int
    inactive_years: int
    thank_you_delay_days: int
    thank_you_window_days: int
    default_language: str
    concierge_name: str

    @classmethod
    def load(cls) -> RuleSettings:
        """Read every letter setting (or its default)."""
        return cls(
            birthday_days_before=int(get_setting("letters_birthday_days_before")),
            birthday_min_lead_days=int(get_setting("letters_birthday_min_lead_days")),
            anniversary_days_before=int(get_setting("letters_anniversary_days_before")),
            lapse_rule=str(get_setting("letters_lapse_rule")),
            lapse_months=int(get_setting("letters_lapse_months")),
            lapse_min_visits=int(get_setting("letters_lapse_min_visits")),
            cool_down_days=int(get_setting("letters_cool_down_days")),
            inactive_years=int(get_setting("letters_inactive_years")),
            thank_you_delay_days=int(get_setting("letters_thank_you_delay_days")),
            thank_you_window_days=int(get_setting("letters_thank_you_window_days")),
            default_language=str(get_setting("letters_default_language")),
            concierge_name=str(get_setting("letters_concierge_name")),
        )


def occurrence(month: int, day: int, year: int) -> date:
    """The day an annual date falls on in ``year`` (29 February → 28 February in common years)."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, 2, 28)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 - months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of a stored UTC moment at the property."""
    return moment.astimezone(tz).date()


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment a local day begins at the property."""
    return datetime.combine(day, time(0, 0), tz).astimezone(UTC)


def annual_due(month: int | None, day: int | None, run_date: date, days_before: int, min_lead: int) -> date | None:
    """The occurrence whose letter may go in the batch of ``run_date``, or None.

    A letter belongs to the batch ``days_before`` days ahead of the occasion; a missed day is caught up
    as long as at least ``min_lead`` days remain, so it still arrives on time.
    """
    if not month or not day:
        return None
    for year in (run_date.year, run_date.year + 1):
        when = occurrence(month, day, year)
        if when - timedelta(days=days_before) <= run_date <= when - timedelta(days=min_lead):
            return when
    return None


def next_annual_occurrence(month: int | None, day: int | None, run_date: date, min_lead: int) -> date | None:
    """The next occurrence whose letter could still go out on or after ``run_date``."""
    if not month or not day:
        return None
    for year in (run_date.year, run_date.year + 1):
        when = occurrence(month, day, year)
        if run_date <= when - timedelta(days=min_lead):
            return when
    return None


def annual_filter(month_col: Any, day_col: Any, run_date: date, days_before: int, min_lead: int) -> ColumnElement[bool]:
    """SQL condition: the annual date falls within the catch-up window of ``run_date``."""
    pairs: set[tuple[int, int]] = set()
    for offset in range(min_lead, days_before + 1):
        when = run_date + timedelta(days=offset)
        pairs.add((when.month, when.day))
        if when.month == 2 and when.day == 28 and not is_leap(when.year):
            pairs.add((2, 29))
    return or_(*[and_(month_col == m, day_col == d) for m, d in sorted(pairs)])


def is_leap(year: int) -> bool:
    """True in a leap year."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


class LapseRule:
    """A pluggable "has this guest lapsed?" predicate, with a cheap SQL pre-filter for candidates."""

    def prefilter(self, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> ColumnElement[bool]:
        """SQL condition every lapsed guest meets (may let some non-lapsed guests through)."""
        raise NotImplementedError

    def is_lapsed(self, guest: Guest, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> bool:
        """True when the guest has been away long enough to be missed."""
        raise NotImplementedError


class FixedMonthsLapse(LapseRule):
    """Lapsed: at least N visits, and none in the last M months (the settings' fixed threshold)."""

    def _cutoff(self, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> datetime:
        return start_of(months_before(run_date, settings.lapse_months) + timedelta(days=1), tz)

    def prefilter(self, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> ColumnElement[bool]:
        """Enough visits and a last visit before the cut-off."""
        return and_(
            Guest.visit_count >= settings.lapse_min_visits,
            Guest.last_visit_at.is_not(None),
            Guest.last_visit_at < self._cutoff(run_date, settings, tz),
        )

    def is_lapsed(self, guest: Guest, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> bool:
        """Same rule in Python."""
        return (
            guest.visit_count >= settings.lapse_min_visits
            and guest.last_visit_at is not None
            and guest.last_visit_at < self._cutoff(run_date, settings, tz)
        )


FIXED_MONTHS = FixedMonthsLapse()
LAPSE_RULES_KEY = "guestbook.lapse_rules"


def register_lapse_rule(app: Flask, name: str, rule: LapseRule) -> None:
    """Make another lapse predicate selectable in this app's settings (e.g. each guest's own visit rhythm)."""
    app.extensions.setdefault(LAPSE_RULES_KEY, {})[name] = rule


def lapse_rule(settings: RuleSettings) -> LapseRule:
    """The configured lapse predicate (the fixed threshold, ``fixed_months``, when the name is unknown)."""
    registered: dict[str, LapseRule] = current_app.extensions.get(LAPSE_RULES_KEY, {})
    return registered.get(settings.lapse_rule, FIXED_MONTHS)


def lapse_key(guest: Guest, tz: ZoneInfo) -> str:
    """One key per lapse episode: the day of the last visit (a new visit starts a new episode)."""
    assert guest.last_visit_at is not None
    return f"lapse-{local_date(guest.last_visit_at, tz).isoformat()}"


def address_fingerprint(guest: Guest) -> str:
    """A short hash of the postal address, so a returned-letter flag lapses when the address changes."""
    parts = (
        guest.address_line1,
        guest.address_line2,
        guest.address_city,
        guest.address_region,
        guest.address_postal_code,
        guest.address_country,
    )
    return hashlib.sha256("\x1f".join(p.strip().casefold() for p in parts).encode()).hexdigest()[:32]


def has_postal_address(guest: Guest) -> bool:
    """A street line and a city or postcode: enough for the post to deliver."""
    return bool(guest.address_line1.strip() and (guest.address_city.strip() or guest.address_postal_code.strip()))


def is_erased(guest: Guest) -> bool:
    """Erased or anonymised: a privacy marker set, or no name left to write to."""
    for marker in ("erased_at", "anonymised_at", "anonymized_at"):
        if getattr(guest, marker, None) is not None:
            return True
    return not (guest.given_name.strip() or guest.family_name.strip() or guest.preferred_name.strip())


def is_inactive(guest: Guest, run_date: date, settings: RuleSettings, tz: ZoneInfo) -> bool:
    """No visit (or, never having visited, no profile change) for more than the inactive limit."""
    last = guest.last_visit_at or guest.created_at
    return local_date(last, tz) < months_before(run_date, 12 * settings.inactive_years)
