"""Each guest's figures from their visits, computed over numpy columns (the refresh's reading half).

The database hands over three integers per visit: the guest, the time in microseconds since 1970 (UTC) and the
spend in cents (a visit without a bill counts 0). They come as comma-separated text, one text per column and range
of visits, which numpy parses in C: fetched row by row, two million visits cost seconds of Python tuples.

Days are the property's: a visit's local day is found among the UTC instants at which each local day
begins (``datetime.combine(day, midnight, tz)``, the same instants the refresh's windows end on), so a change of
UTC offset (summer time) moves the boundaries as it should. Then one sort by guest and time, and every figure is a
group sum, count, minimum or maximum (``np.add.reduceat`` and friends); money stays in integer cents, exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, ColumnElement, Select, String, cast, func, literal_column, select

from guestbook.extensions import db
from guestbook.guests.models import Visit

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
FETCH = 250_000  # visit ids per read: each column comes back as one text of a few MB
IN_CHUNK = 5_000  # guest ids per IN (...) list


def to_micros(moment: datetime) -> int:
    """A timezone-aware datetime as microseconds since 1970-01-01 UTC."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    """Microseconds since 1970-01-01 UTC as an aware UTC datetime (the inverse of ``to_micros``)."""
    return EPOCH + timedelta(microseconds=micros)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz``."""
    return datetime.combine(day, time.min, tz).astimezone(UTC)


def local_day_ordinals(micros: IntArray, tz: ZoneInfo) -> IntArray:
    """Each instant's local date in ``tz`` as a proleptic ordinal (``date.toordinal``), vectorised.

    The boundaries are the instants each local day begins, from the first instant's day to the last's; an
    instant belongs to the last boundary at or before it. Zones whose days do not begin in order (never seen
    in practice) are converted one instant at a time.
    """
    if micros.size == 0:
        return np.zeros(0, dtype=np.int64)
    first = from_micros(int(micros.min())).astimezone(tz).date().toordinal()
    last = from_micros(int(micros.max())).astimezone(tz).date().toordinal()
    starts = np.array([to_micros(day_start(date.fromordinal(d), tz)) for d in range(first, last + 2)], dtype=np.int64)
    index = np.searchsorted(starts, micros, side="right") - 1
    if np.all(np.diff(starts) > 0) and index.min() >= 0 and index.max() < starts.size - 1:
        result: IntArray = first + index
        return result
    return np.array([from_micros(int(m)).astimezone(tz).date().toordinal() for m in micros], dtype=np.int64)


def _sqlite_columns(where: ColumnElement[bool]) -> Select[str, str, str]:
    """SQLite: the raw columns of the visits, each folded into one comma-separated text (parsed by numpy).

    One scan computes the three ``group_concat`` side by side, so their items come in the same row order.
    SQLAlchemy stores a timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) and a Numeric as a REAL, whose text has
    15 significant digits: more than enough to get each amount's cents back exactly.
    """
    return select(
        func.group_concat(Visit.guest_id, type_=String),
        func.group_concat(Visit.visited_at, type_=String),
        func.group_concat(func.coalesce(Visit.spend, literal_column("0")), type_=String),
    ).where(where)


def _postgresql_columns(where: ColumnElement[bool]) -> Select[str]:
    """PostgreSQL: 'guest,microseconds,cents' per visit, all folded into one text by a single ``string_agg``."""
    micros = cast(func.round(func.extract("epoch", Visit.visited_at) * 1_000_000), BigInteger)
    cents = cast(func.round(func.coalesce(Visit.spend, literal_column("0")) * 100), BigInteger)
    triple = func.concat_ws(",", Visit.guest_id, micros, cents, type_=String)
    return select(func.string_agg(triple, literal_column("','"), type_=String)).where(where)


def _integers(text: str) -> IntArray:
    values: IntArray = np.fromstring(text, dtype=np.int64, sep=",")
    return values


def _read(where: ColumnElement[bool]) -> IntArray:
    """The visits matching ``where`` as a (3, n) int64 array: guests, microseconds since 1970 UTC, cents."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        guests, moments, amounts = db.session.execute(_sqlite_columns(where)).one()
        if guests is None:
            return np.zeros((3, 0), dtype=np.int64)
        ids = _integers(guests)
        micros = np.array(moments.split(","), dtype="datetime64[us]").astype(np.int64)
        cents = np.rint(np.fromstring(amounts, dtype=np.float64, sep=",") * 100).astype(np.int64)
        if not ids.size == micros.size == cents.size:
            raise ValueError("visits read back in pieces of different lengths")
        return np.stack([ids, micros, cents])
    if dialect == "postgresql":
        text = db.session.execute(_postgresql_columns(where)).scalar_one()
        return np.zeros((3, 0), dtype=np.int64) if text is None else _integers(text).reshape(-1, 3).T
    # Any other database: Python values per visit (slower, the same answers).
    rows = db.session.execute(select(Visit.guest_id, Visit.visited_at, Visit.spend).where(where)).all()
    plain = [(g, to_micros(at), round(spend * 100) if spend is not None else 0) for g, at, spend in rows]
    return np.array(plain, dtype=np.int64).reshape(-1, 3).T


def read_visits(end: datetime, guest_ids: Sequence[int] | None = None) -> tuple[IntArray, IntArray, IntArray]:
    """Guest ids, microseconds (UTC) and cents of the visits before ``end`` (of ``guest_ids`` only, when given).

    Every visit is read in ranges of ``FETCH`` ids (or ``IN_CHUNK`` guests); visits at or after ``end`` are
    dropped here rather than in SQL, so that the scan follows the table and uses no index.
    """
    parts = [np.zeros((3, 0), dtype=np.int64)]
    if guest_ids is None:
        low, high = db.session.execute(select(func.min(Visit.id), func.max(Visit.id))).one()
        if low is not None:
            for first in range(low - 1, high, FETCH):
                parts.append(_read((Visit.id > first) & (Visit.id <= first + FETCH)))
    else:
        ordered = sorted(set(guest_ids))
        for i in range(0, len(ordered), IN_CHUNK):
            parts.append(_read(Visit.guest_id.in_(ordered[i : i + IN_CHUNK])))
    table = np.concatenate(parts, axis=1)  # one block, each row contiguous: no copy per column
    del parts
    before_end = table[1] < to_micros(end)
    if not before_end.all():
        table = table[:, before_end]
    return table[0], table[1], table[2]


@dataclass(frozen=True)
class VisitFigures:
    """Per guest with at least one visit (ascending id): the figures the stored row and the model need.

    Times are microseconds since 1970 (UTC), days are local ordinals, money is cents; ``typical_gap_days`` is
    NaN for a guest with one visit day, ``repeat_spend`` (mean spend of the visit days after the first, in
    currency units, as the Gamma-Gamma model reads it) 0.0.
    """

    guest_id: IntArray
    first_visit: IntArray
    last_visit: IntArray
    visits: IntArray
    visits_12m: IntArray
    spend_total: IntArray
    spend_window: IntArray
    visit_days: IntArray
    first_day: IntArray
    last_day: IntArray
    typical_gap_days: FloatArray
    repeat_spend: FloatArray


def figures(
    guest: IntArray, micros: IntArray, cents: IntArray, tz: ZoneInfo, start_12m: datetime, start_window: datetime
) -> VisitFigures:
    """Each guest's figures from their visits (any order); the 12-month and pyramid windows start at these instants."""
    order = np.lexsort((micros, guest))
    guest, micros, cents = guest[order], micros[order], cents[order]
    n = guest.size
    if n == 0:
        none = np.zeros(0, dtype=np.int64)
        return VisitFigures(none, none, none, none, none, none, none, none, none, none, np.zeros(0), np.zeros(0))
    new_guest = np.ones(n, dtype=bool)
    new_guest[1:] = guest[1:] != guest[:-1]
    starts = np.flatnonzero(new_guest)
    ends = np.append(starts[1:], n) - 1
    day = local_day_ordinals(micros, tz)
    # Several visits on one local day make one visit day (their spend added up).
    new_day = new_guest.copy()
    new_day[1:] |= day[1:] != day[:-1]
    day_starts = np.flatnonzero(new_day)
    day_spend = np.add.reduceat(cents, day_starts)
    visit_days = np.add.reduceat(new_day.astype(np.int64), starts)
    first_day_index = np.cumsum(visit_days) - visit_days  # each guest's first visit day among all visit days
    spend_total = np.add.reduceat(cents, starts)
    repeats = visit_days - 1
    repeat_spend = np.divide(
        (spend_total - day_spend[first_day_index]).astype(np.float64),
        repeats * 100.0,
        out=np.zeros(starts.size),
        where=repeats > 0,
    )
    in_12m = (micros >= to_micros(start_12m)).astype(np.int64)
    in_window = np.where(micros >= to_micros(start_window), cents, 0)
    return VisitFigures(
        guest_id=guest[starts],
        first_visit=micros[starts],
        last_visit=micros[ends],
        visits=(ends - starts + 1).astype(np.int64),
        visits_12m=np.add.reduceat(in_12m, starts),
        spend_total=spend_total,
        spend_window=np.add.reduceat(in_window, starts),
        visit_days=visit_days,
        first_day=day[starts],
        last_day=day[ends],
        typical_gap_days=_median_gaps(guest[day_starts], day[day_starts], visit_days),
        repeat_spend=repeat_spend,
    )


def _median_gaps(day_guest: IntArray, day_of: IntArray, visit_days: IntArray) -> FloatArray:
    """Per guest, the median of the days between consecutive visit days (``statistics.median``); NaN without a gap."""
    medians = np.full(visit_days.size, np.nan)
    count = visit_days - 1
    if not np.any(count > 0):
        return medians
    same = day_guest[1:] == day_guest[:-1]
    gaps = (day_of[1:] - day_of[:-1])[same]  # grouped by guest, in guest order
    owner = np.repeat(np.arange(visit_days.size), count)
    gaps = gaps[np.lexsort((gaps, owner))]
    has = count > 0
    group_start = (np.cumsum(count) - count)[has]
    low = gaps[group_start + (count[has] - 1) // 2]
    high = gaps[group_start + count[has] // 2]
    medians[has] = (low + high) / 2.0
    return medians


@dataclass(frozen=True)
class Population:
    """The guests of one refresh as columns aligned by position: their figures from visits (see ``figures``).

    A guest who never came has zeros (no first or last day: ordinal 0), ``days_since_last`` -1, and NaN for the
    typical gap; money is in cents, times in microseconds since 1970 (UTC), days local ordinals.
    """

    guest_id: IntArray
    first_visit: IntArray
    last_visit: IntArray
    visits: IntArray
    visits_12m: IntArray
    spend_total: IntArray
    spend_window: IntArray
    visit_days: IntArray
    first_day: IntArray
    last_day: IntArray
    days_since_last: IntArray
    typical_gap_days: FloatArray
    repeat_spend: FloatArray

    @classmethod
    def of(cls, guest_ids: IntArray, found: VisitFigures, as_of: date) -> Population:
        """The guests ``guest_ids`` (in that order) with their figures where they have visits."""
        at = np.searchsorted(found.guest_id, guest_ids).clip(max=max(found.guest_id.size - 1, 0))
        has = found.guest_id[at] == guest_ids if found.guest_id.size else np.zeros(guest_ids.size, dtype=bool)

        def take(values: Any, default: float) -> Any:
            out = np.full(guest_ids.size, default, dtype=values.dtype)
            out[has] = values[at[has]]
            return out

        last_day = take(found.last_day, 0)
        return cls(
            guest_id=guest_ids,
            first_visit=take(found.first_visit, 0),
            last_visit=take(found.last_visit, 0),
            visits=take(found.visits, 0),
            visits_12m=take(found.visits_12m, 0),
            spend_total=take(found.spend_total, 0),
            spend_window=take(found.spend_window, 0),
            visit_days=take(found.visit_days, 0),
            first_day=take(found.first_day, 0),
            last_day=last_day,
            days_since_last=np.where(has, as_of.toordinal() - last_day, -1),
            typical_gap_days=take(found.typical_gap_days, np.nan),
            repeat_spend=take(found.repeat_spend, 0.0),
        )
