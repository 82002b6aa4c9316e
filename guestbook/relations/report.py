"""The recovery report: how complaints were handled in a window of property-local dates, and whether the guests
who complained came back, against the guests who never complained.

The window is ``date_from``..``date_to`` inclusive, property-local (default: the 90 days ending today); a
feedback belongs to it when its ``reported_at`` falls between local midnight of ``date_from`` and local midnight
after ``date_to``. The figures (``report_to_dict`` gives them as JSON, the API and the page show the same):

- ``complaints``: complaints reported in the window (anonymous ones included).
- ``by_category``: those complaints per category, every category listed (0 when none).
- ``by_outlet``: per outlet code, ``"none"`` for complaints without an outlet; only codes that occur.
- ``by_month``: per property-local month ``"YYYY-MM"`` of ``reported_at``, every month of the window (0 when none).
- ``acknowledge_hours``: over the window's complaints that were acknowledged, the hours from ``reported_at`` to
  ``acknowledged_at``: ``median`` and ``p90`` (90th percentile, linear interpolation between the two nearest
  values, numpy's default), rounded to 2 decimals; both null when none was acknowledged.
- ``resolve_hours``: the same from ``reported_at`` to ``resolved_at`` over the resolved ones.
- ``acknowledged_before_sundown``: of the window's complaints, the share acknowledged at or before ``due_by``
  (never acknowledged counts as not).
- ``followed_up``: of the window's complaints that were resolved (``resolved_at`` set: resolved, followed up, or
  closed after resolving), the share that were followed up.
- ``recovery_rate``: of the guests with a complaint in the window, the share who visited again within 180 days
  after their first complaint in the window: a visit on a later property-local day, at most 180 days after the
  complaint's day (so the evening of the complaint itself never counts).
- ``baseline_return_rate``: of the guests without any complaint on record who visited in the window, the share
  who visited again within 180 days after their first visit in the window (a later local day, at most 180 days on).
- ``compliments_by_staff``: compliments reported in the window per name in ``staff_involved`` (comma-separated,
  trimmed, empty names skipped).

Shares are fractions from 0 to 1 rounded to 4 decimals, null when there is nothing to divide by. A return is looked
for after the window too (up to 180 days after its last day): a window ending today undercounts both rates alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from guestbook.admin.models import Outlet
from guestbook.admin.outlets import property_today, property_tz
from guestbook.extensions import db
from guestbook.guests.models import Visit
from guestbook.relations.feedback import overdue_clause
from guestbook.relations.models import CATEGORIES, Feedback

DEFAULT_DAYS = 90
RETURN_DAYS = 180
# The dates one may ask for (the OpenAPI pattern says the same): at most a century of months in one answer.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class ReportError(ValueError):
    """A window the report cannot be made for; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Spread:
    """The median and 90th percentile of a duration in hours (None without any)."""

    median: float | None
    p90: float | None


@dataclass(frozen=True)
class RecoveryReport:
    """The recovery figures of one window (see the module docstring for each)."""

    date_from: date
    date_to: date
    complaints: int
    by_category: dict[str, int]
    by_outlet: dict[str, int]
    by_month: dict[str, int]
    acknowledge_hours: Spread
    resolve_hours: Spread
    acknowledged_before_sundown: float | None
    followed_up: float | None
    recovery_rate: float | None
    baseline_return_rate: float | None
    compliments_by_staff: dict[str, int] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation between the nearest ranks, as ``numpy.percentile``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def _spread(hours: Sequence[float]) -> Spread:
    median, p90 = percentile(hours, 0.5), percentile(hours, 0.9)
    return Spread(
        None if median is None else round(median, 2),
        None if p90 is None else round(p90, 2),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(start: datetime, end: datetime) -> float:
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def count_overdue(now: datetime) -> int:
    """How many complaints are past their sundown deadline and still open (the header badge: one indexed COUNT)."""
    return db.session.scalar(select(func.count()).select_from(Feedback).where(overdue_clause(now))) or 0


def window(date_from: date | None, date_to: date | None, now: datetime | None = None) -> tuple[date, date]:
    """The window asked for, with its defaults: ``date_to`` today, ``date_from`` 89 days before it (90 days)."""
    for name, value in (("from", date_from), ("to", date_to)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ReportError(name, f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}")
    end = date_to or (date_from + timedelta(days=DEFAULT_DAYS - 1) if date_from else property_today(now))
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ReportError("from", "from is after to")
    return start, end


def _months(start: date, end: date) -> list[str]:
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def staff_names(staff_involved: str) -> list[str]:
    """The names in a ``staff_involved`` field: comma-separated, trimmed, empty ones skipped."""
    return [name.strip() for name in staff_involved.split(",") if name.strip()]


def _returned(firsts: dict[int, date], visits: Iterable[tuple[int, datetime]], tz: ZoneInfo) -> int:
    """How many of the guests came on a later local day at most RETURN_DAYS after their day in ``firsts``."""
    back: set[int] = set()
    for guest_id, visited_at in visits:
        first = firsts.get(guest_id)
        if first is None or guest_id in back:
            continue
        day = visited_at.astimezone(tz).date()
        if first < day <= first + timedelta(days=RETURN_DAYS):
            back.add(guest_id)
    return len(back)


def _recovery(complaints: list[Feedback], start: datetime, end: datetime, tz: ZoneInfo) -> float | None:
    firsts: dict[int, date] = {}
    for item in sorted(complaints, key=lambda f: f.reported_at):
        if item.guest_id is not None:
            firsts.setdefault(item.guest_id, item.reported_at.astimezone(tz).date())
    if not firsts:
        return None
    stmt = select(Visit.guest_id, Visit.visited_at).where(
        Visit.guest_id.in_(list(firsts)),
        Visit.visited_at >= start,
        Visit.visited_at < end + timedelta(days=RETURN_DAYS + 2),
    )
    visits = ((guest_id, visited_at) for guest_id, visited_at in db.session.execute(stmt))
    return _share(_returned(firsts, visits, tz), len(firsts))


def _baseline(start: datetime, end: datetime, tz: ZoneInfo) -> float | None:
    complainers = select(Feedback.guest_id).where(Feedback.kind == "complaint", Feedback.guest_id.is_not(None))
    stmt = (
        select(Visit.guest_id, Visit.visited_at)
        .where(
            Visit.visited_at >= start,
            Visit.visited_at < end + timedelta(days=RETURN_DAYS + 2),
            Visit.guest_id.not_in(complainers),
        )
        .order_by(Visit.guest_id, Visit.visited_at)
    )
    firsts: dict[int, date] = {}
    later: list[tuple[int, datetime]] = []
    for guest_id, visited_at in db.session.execute(stmt):
        if guest_id not in firsts and visited_at < end:
            firsts[guest_id] = visited_at.astimezone(tz).date()
        elif guest_id in firsts:
            later.append((guest_id, visited_at))
    if not firsts:
        return None
    return _share(_returned(firsts, later, tz), len(firsts))


def build_report(
    date_from: date | None = None, date_to: date | None = None, now: datetime | None = None
) -> RecoveryReport:
    """The recovery figures for the window (defaults: the last 90 days ending today); ReportError for a bad one."""
    first_day, last_day = window(date_from, date_to, now)
    tz = property_tz()
    start, end = _midnight(first_day, tz), _midnight(last_day + timedelta(days=1), tz)
    stmt = select(Feedback).where(Feedback.reported_at >= start, Feedback.reported_at < end).order_by(Feedback.id)
    feedback = list(db.session.scalars(stmt))
    complaints = [f for f in feedback if f.kind == "complaint"]
    codes = {oid: code for oid, code in db.session.execute(select(Outlet.id, Outlet.code))}

    by_category = {category: 0 for category in CATEGORIES}
    by_category.update(Counter(f.category for f in complaints))
    by_outlet = dict(Counter(codes.get(f.outlet_id, "none") if f.outlet_id else "none" for f in complaints))
    by_month = {month: 0 for month in _months(first_day, last_day)}
    by_month.update(Counter(f.reported_at.astimezone(tz).strftime("%Y-%m") for f in complaints))

    acknowledge_hours: list[float] = []
    resolve_hours: list[float] = []
    in_time = followed = 0
    for item in complaints:
        if item.acknowledged_at is not None:
            acknowledge_hours.append(_hours(item.reported_at, item.acknowledged_at))
            in_time += item.due_by is not None and item.acknowledged_at <= item.due_by
        if item.resolved_at is not None:
            resolve_hours.append(_hours(item.reported_at, item.resolved_at))
            followed += item.followed_up_at is not None
    staff: Counter[str] = Counter()
    for item in feedback:
        if item.kind == "compliment":
            staff.update(staff_names(item.staff_involved or ""))

    return RecoveryReport(
        date_from=first_day,
        date_to=last_day,
        complaints=len(complaints),
        by_category=by_category,
        by_outlet=dict(sorted(by_outlet.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_month=by_month,
        acknowledge_hours=_spread(acknowledge_hours),
        resolve_hours=_spread(resolve_hours),
        acknowledged_before_sundown=_share(in_time, len(complaints)),
        followed_up=_share(followed, len(resolve_hours)),
        recovery_rate=_recovery(complaints, start, end, tz),
        baseline_return_rate=_baseline(start, end, tz),
        compliments_by_staff=dict(sorted(staff.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def report_to_dict(report: RecoveryReport) -> dict[str, Any]:
    """The report as the API's JSON."""
    return {
        "complaints": report.complaints,
        "by_category": report.by_category,
        "by_outlet": report.by_outlet,
        "by_month": report.by_month,
        "acknowledge_hours": {"median": report.acknowledge_hours.median, "p90": report.acknowledge_hours.p90},
        "resolve_hours": {"median": report.resolve_hours.median, "p90": report.resolve_hours.p90},
        "acknowledged_before_sundown": report.acknowledged_before_sundown,
        "followed_up": report.followed_up,
        "recovery_rate": report.recovery_rate,
        "baseline_return_rate": report.baseline_return_rate,
        "compliments_by_staff": report.compliments_by_staff,
    }
