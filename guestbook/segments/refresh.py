"""The refresh: each guest's figures from their visits, then RFM, tier, lifecycle and the lapse model's answers.

A full refresh (the nightly job, ``flask segments refresh --date``) reads every visit once and rewrites every
guest's row; the windows (12 months, the pyramid's 24) end on ``as_of``. An incremental refresh (``flask segments
refresh`` again the same day) re-reads only the guests whose visits changed since and then re-scores everyone from
the stored figures: quintiles and the pyramid depend on all guests, but re-scoring needs no visit, and only the
scores that moved are written. The lapse model is fitted by the full refresh only; an incremental one reuses the
day's fit.

Everything runs over columns (numpy), never a Python object per visit: ``refresh_figures`` turns the visits into
per-guest figures, ``fast_scoring`` applies the rules of ``scoring`` (the plain functions stay the reference, and
tests check the two agree), ``refresh_store`` writes and reads the rows. Money is integer cents until it is stored.

Days are the model's unit, in the property's timezone, and several visits on one day count as one.
"""

from __future__ import annotations

import calendar
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select, update

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import property_tz
from guestbook.admin.settings import get_setting
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.segments import fast_scoring, refresh_figures, refresh_store, scoring, summary
from guestbook.segments.models import GuestSegment, SegmentModelRun
from guestbook.segments.refresh_figures import Population
from guestbook.segments.refresh_model import ModelAnswers, fit_model, model_answers
from guestbook.segments.refresh_model import bgnbd_of as bgnbd_of  # rhythm reads the day's fit from here

CHUNK = 5_000
SCORE_KEYS = ("r", "f", "m", "rfm_name", "tier", "lifecycle")
MONEY = Decimal("0.01")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class RefreshSettings:
    """The settings a refresh reads once."""

    tier_window_months: int
    lifecycle: scoring.LifecycleRules
    min_guests_for_model: int
    rhythm_p_active: float
    rhythm_min_days: int
    rhythm_min_visit_days: int
    fixed_lapse_months: int
    fixed_lapse_min_visits: int

    @classmethod
    def load(cls) -> RefreshSettings:
        """Read the segment settings (or their defaults)."""
        return cls(
            tier_window_months=int(get_setting("segments_tier_window_months")),
            lifecycle=scoring.LifecycleRules(
                regular_visits_12m=int(get_setting("segments_regular_visits_12m")),
                lapsed_days=int(get_setting("segments_lapsed_days")),
                lost_days=int(get_setting("segments_lost_days")),
            ),
            min_guests_for_model=int(get_setting("segments_min_guests_for_model")),
            rhythm_p_active=float(get_setting("segments_rhythm_p_active")),
            rhythm_min_days=int(get_setting("segments_rhythm_min_days")),
            rhythm_min_visit_days=int(get_setting("segments_rhythm_min_visit_days")),
            fixed_lapse_months=int(get_setting("letters_lapse_months")),
            fixed_lapse_min_visits=int(get_setting("letters_lapse_min_visits")),
        )


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did."""

    as_of: date
    full: bool
    guests: int
    recomputed: int
    model_fitted: bool
    seconds: float


@dataclass(frozen=True)
class Scores:
    """RFM (0: no score), segment name, tier and lifecycle stage per guest (None where the rule gives none)."""

    r: IntArray
    f: IntArray
    m: IntArray
    rfm_name: ObjectArray
    tier: ObjectArray
    lifecycle: ObjectArray


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def read_population(
    as_of: date, tz: ZoneInfo, window_months: int, guest_ids: Sequence[int] | None = None
) -> Population:
    """Every guest's figures from their visits up to the end of ``as_of`` (only ``guest_ids``' when given)."""
    end = _end_of_day(as_of, tz)
    start_12m = _end_of_day(_months_before(as_of, 12), tz)
    start_window = _end_of_day(_months_before(as_of, window_months), tz)
    found = refresh_figures.figures(*refresh_figures.read_visits(end, guest_ids), tz, start_12m, start_window)
    if guest_ids is None:
        ids = np.fromiter(db.session.scalars(select(Guest.id)), dtype=np.int64)
    else:
        ids = np.array(sorted(set(guest_ids)), dtype=np.int64)
    return Population.of(ids, found, as_of)


def _at_risk(
    visits: IntArray,
    visit_days: IntArray,
    days_since_last: IntArray,
    last_day: IntArray,
    p_active: FloatArray,
    as_of: date,
    settings: RefreshSettings,
) -> BoolArray:
    """The rhythm rule for guests with enough history, the fixed rule for the others (see segments.rhythm)."""
    rhythm = ~np.isnan(p_active) & (visit_days >= settings.rhythm_min_visit_days)
    by_rhythm = (p_active < settings.rhythm_p_active) & (days_since_last >= settings.rhythm_min_days)
    cutoff = _months_before(as_of, settings.fixed_lapse_months).toordinal()
    by_fixed = (visits >= settings.fixed_lapse_min_visits) & (last_day > 0) & (last_day < cutoff)
    at_risk: BoolArray = (days_since_last >= 0) & np.where(rhythm, by_rhythm, by_fixed)
    return at_risk


def score(
    guest_id: IntArray,
    visits: IntArray,
    visit_days: IntArray,
    visits_12m: IntArray,
    days_since_last: IntArray,
    spend_total: IntArray,
    spend_window: IntArray,
    p_active: FloatArray,
    as_of: date,
    settings: RefreshSettings,
) -> Scores:
    """RFM, tier and lifecycle for every guest given, with the rules of ``scoring`` (see ``fast_scoring``)."""
    n = guest_id.size
    seen = np.flatnonzero(visit_days > 0)
    r, f, m = (np.zeros(n, dtype=np.int64) for _ in range(3))
    names = np.full(n, None, dtype=object)
    r[seen], f[seen], m[seen] = fast_scoring.rfm_scores(days_since_last[seen], visits[seen], spend_total[seen])
    names[seen] = fast_scoring.segment_names(r[seen], f[seen])
    last_day = np.where(days_since_last >= 0, as_of.toordinal() - days_since_last, 0)
    tiers = fast_scoring.pyramid_tiers(guest_id, spend_window, last_day)
    at_risk = _at_risk(visits, visit_days, days_since_last, last_day, p_active, as_of, settings)
    stages = fast_scoring.lifecycle_stages(visits, visits_12m, days_since_last, at_risk, settings.lifecycle)
    return Scores(r, f, m, names, fast_scoring.TIER_CODES[tiers], fast_scoring.LIFECYCLE_CODES[stages])


def _score_population(population: Population, answers: ModelAnswers, as_of: date, settings: RefreshSettings) -> Scores:
    p = population
    return score(
        p.guest_id, p.visits, p.visit_days, p.visits_12m, p.days_since_last, p.spend_total, p.spend_window,
        answers.p_active, as_of, settings,
    )  # fmt: skip


def _optional(values: Any, present: Any, convert: Any = None) -> list[Any]:
    """A column as Python values, None where ``present`` is False."""
    items = values.tolist()
    return [(convert(v) if convert else v) if ok else None for v, ok in zip(items, present.tolist(), strict=True)]


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _write_rows(population: Population, answers: ModelAnswers, scores: Scores, as_of: date, now: datetime) -> None:
    """Insert the stored rows of a population, ``refresh_store.CHUNK`` rows at a time."""
    for start in range(0, population.guest_id.size, refresh_store.CHUNK):
        part = slice(start, start + refresh_store.CHUNK)
        refresh_store.insert_rows(
            _row_columns(population, answers, scores, part), {"as_of": as_of, "refreshed_at": now}
        )


def _row_columns(population: Population, answers: ModelAnswers, scores: Scores, part: slice) -> dict[str, list[Any]]:
    """The stored rows ``part`` of a population, column by column (Python values, as the table takes them)."""
    p = population
    visits = p.visits[part]
    came = visits > 0
    spend_total = p.spend_total[part].tolist()
    average = [
        (_money(total) / count).quantize(MONEY) if count else None
        for total, count in zip(spend_total, visits.tolist(), strict=True)
    ]
    r = scores.r[part]
    p_active = answers.p_active[part]
    expected_90 = answers.expected_visits_90d[part]
    gaps = p.typical_gap_days[part]
    return {
        "guest_id": p.guest_id[part].tolist(),
        "first_visit_at": _optional(p.first_visit[part], came, refresh_figures.from_micros),
        "last_visit_at": _optional(p.last_visit[part], came, refresh_figures.from_micros),
        "visits": visits.tolist(),
        "visit_days": p.visit_days[part].tolist(),
        "visits_12m": p.visits_12m[part].tolist(),
        "spend_total": [_money(c) for c in spend_total],
        "spend_window": [_money(c) for c in p.spend_window[part].tolist()],
        "average_spend": average,
        "days_since_last": _optional(p.days_since_last[part], came),
        "typical_gap_days": _optional(gaps, ~np.isnan(gaps)),
        "r": _optional(r, r > 0),
        "f": _optional(scores.f[part], r > 0),
        "m": _optional(scores.m[part], r > 0),
        "rfm_name": scores.rfm_name[part].tolist(),
        "tier": scores.tier[part].tolist(),
        "lifecycle": scores.lifecycle[part].tolist(),
        "p_active": _optional(p_active, ~np.isnan(p_active)),
        "expected_visits_90d": _optional(expected_90, ~np.isnan(expected_90)),
        "value_12m": answers.value_12m[part],
        "model_note": answers.model_note[part],
    }


def refresh(actor: Actor, as_of: date, full: bool = True) -> RefreshResult:
    """Recompute every guest's segment row as of ``as_of`` (full), or only the changed guests' (incremental)."""
    started = clock.perf_counter()
    settings = RefreshSettings.load()
    tz = property_tz()
    now = datetime.now(UTC)
    stored_as_of = db.session.scalar(select(func.max(GuestSegment.as_of)))
    if stored_as_of != as_of:
        full = True
    with write_transaction():
        changed = None if full else _changed_guests()
        population = read_population(as_of, tz, settings.tier_window_months, changed)
        run: SegmentModelRun | None
        if full:
            run = fit_model(population, as_of, settings.min_guests_for_model)
            db.session.add(run)
        else:
            run = db.session.scalars(
                select(SegmentModelRun).where(SegmentModelRun.as_of == as_of).order_by(SegmentModelRun.id.desc())
            ).first()
        answers = model_answers(population, run, as_of)
        if full:
            scores = _score_population(population, answers, as_of, settings)
            db.session.execute(delete(GuestSegment))
            _write_rows(population, answers, scores, as_of, now)
        else:
            scores = _write_incremental(population, answers, as_of, now, settings)
        guests = int(scores.tier.size)
        db.session.flush()
        # The dashboard's counts (from the scores in hand), weeks and months.
        summary.store(as_of, tz, full, summary.counts_of(scores.tier, scores.lifecycle, scores.r, scores.f))
        audit.record(actor, "segments_refresh", detail=f"{as_of.isoformat()} {'full' if full else 'incremental'}")
    return RefreshResult(
        as_of=as_of,
        full=full,
        guests=guests,
        recomputed=int(population.guest_id.size),
        model_fitted=run is not None and run.r is not None,
        seconds=clock.perf_counter() - started,
    )


def _write_incremental(
    fresh: Population, answers: ModelAnswers, as_of: date, now: datetime, settings: RefreshSettings
) -> Scores:
    """Re-score everyone from the stored figures and the changed guests' fresh ones; write what moved.

    The changed guests' rows are replaced; everyone else keeps their figures, and only the scores that moved
    (quintiles, the pyramid) are written. Returns everyone's scores.
    """
    stored = refresh_store.read_stored(fresh.guest_id.tolist())

    def both(old: Any, new: Any) -> Any:
        return np.concatenate([old, new])

    scores = score(
        both(stored.guest_id, fresh.guest_id),
        both(stored.visits, fresh.visits),
        both(stored.visit_days, fresh.visit_days),
        both(stored.visits_12m, fresh.visits_12m),
        both(stored.days_since_last, fresh.days_since_last),
        both(stored.spend_total, fresh.spend_total),
        both(stored.spend_window, fresh.spend_window),
        both(stored.p_active, answers.p_active),
        as_of,
        settings,
    )
    k = len(stored)
    fresh_scores = Scores(*(np.asarray(getattr(scores, name))[k:] for name in SCORE_KEYS))
    changed = fresh.guest_id.tolist()
    for i in range(0, len(changed), CHUNK):
        db.session.execute(delete(GuestSegment).where(GuestSegment.guest_id.in_(changed[i : i + CHUNK])))
    _write_rows(fresh, answers, fresh_scores, as_of, now)
    before = (stored.r, stored.f, stored.m, stored.rfm_name, stored.tier, stored.lifecycle)
    after = [np.asarray(getattr(scores, name))[:k] for name in SCORE_KEYS]
    moved = np.zeros(k, dtype=bool)
    for old, new in zip(before, after, strict=True):
        moved |= old != new
    rows = [
        {
            "guest_id": gid,
            "r": r or None,
            "f": f or None,
            "m": m or None,
            "rfm_name": name,
            "tier": tier,
            "lifecycle": stage,
        }
        for gid, r, f, m, name, tier, stage in zip(
            stored.guest_id[moved].tolist(), *(a[moved].tolist() for a in after), strict=True
        )
    ]
    for i in range(0, len(rows), CHUNK):
        db.session.execute(update(GuestSegment), rows[i : i + CHUNK])
    return scores


def _changed_guests() -> list[int]:
    """Guests whose visits changed since their row was written (or who have no row yet)."""
    stmt = (
        select(Guest.id)
        .outerjoin(GuestSegment, GuestSegment.guest_id == Guest.id)
        .where(
            (GuestSegment.guest_id.is_(None))
            | (GuestSegment.visits != Guest.visit_count)
            | (GuestSegment.last_visit_at.is_distinct_from(Guest.last_visit_at))
        )
    )
    return list(db.session.scalars(stmt))
