"""The dashboard's figures, computed by each refresh and kept in one row, so the dashboard reads them in a blink.

Counting 200,000 guests by tier, lifecycle and RFM cell, and a year of visits by week and by month, takes
seconds; the dashboard must answer in a fraction of one. So each segments refresh stores:

- ``tiers``, ``lifecycle``: guests per computed tier (A, B, C) and per lifecycle stage;
- ``rfm``: guests per R×F cell, keyed ``"r,f"``;
- ``days``: visits and covers per local day over the last 53 weeks (the dashboard folds them into weeks);
- ``months``: per month of the last 12 (``"YYYY-MM"``), the guests who came and how many of them had come
  before that month (the returning-guest rate).

The counts come from the refresh's own score columns (no query). For the weeks and months a full refresh reads
the year's visits; an incremental one (the same day, some guests changed) only the visit days and month since
the start of the current week or month, whichever is earlier (the covering index on ``visit.visited_at`` makes
that a short range).

Days are local to the property. PostgreSQL converts each visit with the property's timezone; SQLite has no
timezones, so there each visit is shifted by the offset in force at its instant: the zone's changes over the
dashboard's window (summer time, or a country moving its clock) are found from ``zoneinfo`` and written into the
statement as one ``CASE`` (a zone without changes is a single offset).
"""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, case, delete, func, select

from guestbook.extensions import db
from guestbook.guests.models import Visit
from guestbook.segments.models import GuestSegment, SegmentSummary

WEEKS = 53  # the year on the dashboard, plus the current week
MONTHS = 12


def _local(column: Any, tz: ZoneInfo, as_of: date, fmt: str) -> ColumnElement[str]:
    """A UTC timestamp column as local text: ``fmt`` is ``day`` (YYYY-MM-DD) or ``month`` (YYYY-MM)."""
    if db.engine.dialect.name == "postgresql":
        pattern = "YYYY-MM-DD" if fmt == "day" else "YYYY-MM"
        return func.to_char(func.timezone(tz.key, column), pattern)
    periods = offset_periods(tz, _utc_start(as_of, tz) - WINDOW, _utc_start(as_of, tz) + timedelta(days=3))
    shift: Any = _minutes(periods[-1][1])
    if len(periods) > 1:  # each offset holds until the next change; the last one from there on
        changes = [(column < until, _minutes(offset)) for (_, offset), (until, _) in itertools.pairwise(periods)]
        shift = case(*changes, else_=shift)
    return func.strftime("%Y-%m-%d" if fmt == "day" else "%Y-%m", column, shift)


WINDOW = timedelta(days=WEEKS * 7 + 40)  # back from the refresh date: the 53 weeks and the 12 months, with room


def _minutes(offset: timedelta) -> str:
    return f"{int(offset.total_seconds() // 60):+d} minutes"


@functools.lru_cache(maxsize=16)
def offset_periods(tz: ZoneInfo, start: datetime, end: datetime) -> tuple[tuple[datetime, timedelta], ...]:
    """The zone's UTC offsets from ``start`` to ``end`` (UTC): ((from when, offset), …), the first from ``start``.

    Kept per zone and window: a refresh asks for the same window for its days, its months and first visits.

    Each change is found to the second: days are stepped through, and a day whose offset differs is halved
    until the instant of the change (zones change at most a few times a year, so ~400 steps and a few dozen
    halvings).
    """

    def at(moment: datetime) -> timedelta:
        return moment.astimezone(tz).utcoffset() or timedelta(0)

    periods = [(start, at(start))]
    moment = start
    while moment < end:
        later = min(moment + timedelta(days=1), end)
        if at(later) != periods[-1][1]:
            low, high = moment, later  # the offset changes after low, at or before high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if at(middle) == periods[-1][1] else (low, middle)
            periods.append((high.replace(microsecond=0), at(high)))
        moment = later
    return tuple(periods)


def _utc_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)


def first_day(as_of: date) -> date:
    """The first day the dashboard's weeks cover: the Monday ``WEEKS - 1`` weeks before the current week's."""
    return as_of - timedelta(days=as_of.weekday()) - timedelta(weeks=WEEKS - 1)


def month_keys(as_of: date) -> list[str]:
    """The last ``MONTHS`` months as ``YYYY-MM``, oldest first, the current month last."""
    keys = []
    year, month = as_of.year, as_of.month
    for _ in range(MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def counts_of(tiers: Any, stages: Any, r: Any, f: Any) -> dict[str, Any]:
    """Guests per computed tier, lifecycle stage and R×F cell, from the refresh's score columns (numpy arrays;
    a stage of None and an R or F of 0 mean "none")."""
    tier_keys, tier_counts = np.unique(tiers.astype(str), return_counts=True)
    staged = stages[stages != None]  # noqa: E711  (element-wise: numpy object array)
    stage_keys, stage_counts = np.unique(staged.astype(str), return_counts=True)
    scored = r > 0
    cells, cell_counts = np.unique(r[scored] * 10 + f[scored], return_counts=True)
    return {
        "tiers": {str(k): int(n) for k, n in zip(tier_keys, tier_counts, strict=True)},
        "lifecycle": {str(k): int(n) for k, n in zip(stage_keys, stage_counts, strict=True)},
        "rfm": {f"{int(c) // 10},{int(c) % 10}": int(n) for c, n in zip(cells, cell_counts, strict=True)},
    }


def _days(since: date, as_of: date, tz: ZoneInfo) -> dict[str, list[int]]:
    """Visits and covers per local day from ``since`` to ``as_of``, both included."""
    day = _local(Visit.visited_at, tz, as_of, "day")
    rows = db.session.execute(
        select(day, func.count(), func.coalesce(func.sum(Visit.party_size), 0))
        .where(
            Visit.visited_at >= _utc_start(since, tz) - timedelta(days=1),
            Visit.visited_at < _utc_start(as_of + timedelta(days=2), tz),
        )
        .group_by(day)
    ).all()
    first, last = since.isoformat(), as_of.isoformat()
    return {str(d): [int(n), int(c)] for d, n, c in rows if first <= str(d) <= last}


def _months(keys: list[str], as_of: date, tz: ZoneInfo) -> dict[str, list[int]]:
    """Per month key: guests who came that month, and how many of them first came in an earlier month.

    A guest who came in a month and is not returning came for the first time that month, so returning =
    guests that month minus guests whose first visit was that month (no join of visits to guests needed).
    """
    first_month = date(int(keys[0][:4]), int(keys[0][5:]), 1)
    start = _utc_start(first_month, tz) - timedelta(days=1)
    end = _utc_start(as_of + timedelta(days=2), tz)
    month = _local(Visit.visited_at, tz, as_of, "month")
    came = db.session.execute(
        select(month, func.count(func.distinct(Visit.guest_id)))
        .where(Visit.visited_at >= start, Visit.visited_at < end)
        .group_by(month)
    ).all()
    first = _local(GuestSegment.first_visit_at, tz, as_of, "month")
    new = dict(
        db.session.execute(
            select(first, func.count())
            .where(GuestSegment.first_visit_at >= start, GuestSegment.first_visit_at < end)
            .group_by(first)
        ).all()
    )
    wanted = set(keys)
    return {str(m): [int(g), int(g) - int(new.get(m, 0))] for m, g in came if str(m) in wanted}


def compute(
    as_of: date, tz: ZoneInfo, counts: dict[str, Any], previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The summary as of ``as_of`` with the refresh's ``counts`` (``counts_of``); with ``previous`` (the same
    day's stored summary) only the visits of the current week and month are re-read."""
    keys = month_keys(as_of)
    start = first_day(as_of)
    if previous is not None and previous.get("as_of") == as_of.isoformat():
        since = min(as_of - timedelta(days=as_of.weekday()), as_of.replace(day=1))
        days = {d: v for d, v in previous.get("days", {}).items() if d < since.isoformat()}
        days.update(_days(since, as_of, tz))
        months = {k: v for k, v in previous.get("months", {}).items() if k != keys[-1]}
        months.update(_months(keys[-1:], as_of, tz))
    else:
        days = _days(start, as_of, tz)
        months = _months(keys, as_of, tz)
    return {"as_of": as_of.isoformat(), **counts, "days": days, "months": months}


def store(as_of: date, tz: ZoneInfo, full: bool, counts: dict[str, Any]) -> SegmentSummary:
    """Recompute and replace the stored summary (inside the refresh's write transaction)."""
    previous = None if full else latest_data()
    data = compute(as_of, tz, counts, previous)
    db.session.execute(delete(SegmentSummary))
    row = SegmentSummary(as_of=as_of, data=data)
    db.session.add(row)
    return row


def latest() -> SegmentSummary | None:
    """The stored summary, or None before the first refresh."""
    return db.session.scalars(select(SegmentSummary).order_by(SegmentSummary.id.desc()).limit(1)).first()


def latest_data() -> dict[str, Any] | None:
    """The stored summary's figures, or None."""
    row = latest()
    return dict(row.data) if row is not None else None
