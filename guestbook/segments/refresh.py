"""The refresh: each guest's figures from their visits, then RFM, tier, lifecycle and the lapse model's answers.

A full refresh (the nightly job, ``flask segments refresh --date``) reads every visit once, in guest order,
and rewrites every guest's row; the windows (12 months, the pyramid's 24) end on ``as_of``. An incremental
refresh (``flask segments refresh`` again the same day) re-reads only the guests whose visits changed since
and then re-scores everyone from the stored figures: quintiles and the pyramid depend on all guests, but
re-scoring needs no visit. The lapse model is fitted by the full refresh only; an incremental one reuses
the day's fit.

Days are the model's unit, in the property's timezone, and several visits on one day count as one.
"""

from __future__ import annotations

import calendar
import itertools
import statistics
import time as clock
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, insert, select, update

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import property_tz
from guestbook.admin.settings import get_setting
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.segments import lapse_model, scoring, summary
from guestbook.segments.models import GuestSegment, SegmentModelRun

CHUNK = 5_000
# Core, not the ORM's bulk insert: that one splits a chunk into a statement per pattern of None values.
SEGMENT_TABLE = cast(Table, GuestSegment.__table__)
SCORE_KEYS = ("r", "f", "m", "rfm_name", "tier", "lifecycle")
MONEY = Decimal("0.01")


@dataclass
class Figures:
    """One guest's figures from their visits (days in the property's timezone)."""

    guest_id: int
    first_visit_at: datetime | None = None
    last_visit_at: datetime | None = None
    visits: int = 0
    visits_12m: int = 0
    spend_total: Decimal = Decimal(0)
    spend_window: Decimal = Decimal(0)
    day_spend: dict[date, Decimal] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        """The guest's visit days, in order."""
        return sorted(self.day_spend)


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


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _stream_figures(
    as_of: date, tz: ZoneInfo, window_months: int, guest_ids: Sequence[int] | None
) -> Iterator[Figures]:
    """Each guest's figures from their visits up to the end of ``as_of``, one guest at a time."""
    end = _end_of_day(as_of, tz)
    start_12m = _end_of_day(_months_before(as_of, 12), tz)
    start_window = _end_of_day(_months_before(as_of, window_months), tz)
    query = (
        select(Visit.guest_id, Visit.visited_at, Visit.spend)
        .where(Visit.visited_at < end)
        .order_by(Visit.guest_id, Visit.visited_at)
    )
    chunks: list[Sequence[int] | None] = [None]
    if guest_ids is not None:
        ordered = sorted(set(guest_ids))
        chunks = [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]
    for chunk in chunks:
        stmt = query if chunk is None else query.where(Visit.guest_id.in_(chunk))
        current: Figures | None = None
        for guest_id, visited_at, spend in db.session.execute(stmt.execution_options(yield_per=20_000)):
            if current is None or current.guest_id != guest_id:
                if current is not None:
                    yield current
                current = Figures(guest_id=guest_id, first_visit_at=visited_at)
            amount = spend if spend is not None else Decimal(0)
            current.last_visit_at = visited_at
            current.visits += 1
            current.spend_total += amount
            if visited_at >= start_12m:
                current.visits_12m += 1
            if visited_at >= start_window:
                current.spend_window += amount
            day = visited_at.astimezone(tz).date()
            current.day_spend[day] = current.day_spend.get(day, Decimal(0)) + amount
        if current is not None:
            yield current


def _row(fig: Figures, as_of: date, tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The stored row of one guest's figures (scores and model answers are filled in by the scoring pass)."""
    days = fig.days
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    last_day = days[-1] if days else None
    return {
        "guest_id": fig.guest_id,
        "as_of": as_of,
        "first_visit_at": fig.first_visit_at,
        "last_visit_at": fig.last_visit_at,
        "visits": fig.visits,
        "visit_days": len(days),
        "visits_12m": fig.visits_12m,
        "spend_total": fig.spend_total.quantize(MONEY),
        "spend_window": fig.spend_window.quantize(MONEY),
        "average_spend": (fig.spend_total / fig.visits).quantize(MONEY) if fig.visits else None,
        "days_since_last": (as_of - last_day).days if last_day else None,
        "typical_gap_days": float(statistics.median(gaps)) if gaps else None,
        # For the model: mean spend of the repeat visit days (the first day excluded, as the paper does).
        "_repeat_spend": (float(sum(fig.day_spend[d] for d in days[1:]) / (len(days) - 1)) if len(days) > 1 else 0.0),
        "_first_day": days[0] if days else None,
        "_last_day": last_day,
        "refreshed_at": now,
    }


def _empty_row(guest_id: int, as_of: date, now: datetime) -> dict[str, Any]:
    fig = Figures(guest_id=guest_id)
    return _row(fig, as_of, ZoneInfo("UTC"), now)


def _stored_rows() -> list[dict[str, Any]]:
    """Every stored row, as plain dicts (for re-scoring after an incremental refresh)."""
    cols = [c for c in GuestSegment.__table__.columns]
    return [dict(r._mapping) for r in db.session.execute(select(*cols))]


def fit_model(rows: Sequence[dict[str, Any]], as_of: date, settings: RefreshSettings) -> SegmentModelRun:
    """Fit BG/NBD (and Gamma-Gamma on repeat guests' spend) on the guests with visits, days as the unit."""
    started = clock.perf_counter()
    seen = [r for r in rows if r["visit_days"] > 0]
    run = SegmentModelRun(as_of=as_of, customers=len(seen))
    if len(seen) < settings.min_guests_for_model:
        run.note = "too_few_guests"
        return run
    frequency, recency, age = _model_inputs(seen, as_of)
    bg = lapse_model.fit_bgnbd(frequency, recency, age)
    run.r, run.alpha, run.a, run.b, run.log_likelihood = bg.r, bg.alpha, bg.a, bg.b, bg.log_likelihood
    repeat = [(r["visit_days"] - 1, r["_repeat_spend"]) for r in seen if r["visit_days"] > 1 and r["_repeat_spend"] > 0]
    if len(repeat) >= settings.min_guests_for_model:
        import numpy as np

        gg = lapse_model.fit_gamma_gamma(
            np.array([x for x, _ in repeat], dtype=float), np.array([m for _, m in repeat], dtype=float)
        )
        run.p, run.q, run.v = gg.p, gg.q, gg.v
    run.seconds = clock.perf_counter() - started
    return run


def bgnbd_of(run: SegmentModelRun | None) -> lapse_model.BgNbdFit | None:
    """The BG/NBD parameters of a stored fit, or None when it was not fitted."""
    if run is None or run.r is None:
        return None
    return lapse_model.BgNbdFit(
        r=run.r,
        alpha=run.alpha or 0.0,
        a=run.a or 0.0,
        b=run.b or 0.0,
        log_likelihood=run.log_likelihood or 0.0,
        customers=run.customers,
    )


def _model_inputs(rows: Sequence[dict[str, Any]], as_of: date) -> tuple[Any, Any, Any]:
    import numpy as np

    frequency = np.array([r["visit_days"] - 1 for r in rows], dtype=float)
    recency = np.array([(r["_last_day"] - r["_first_day"]).days for r in rows], dtype=float)
    age = np.array([(as_of - r["_first_day"]).days for r in rows], dtype=float)
    return frequency, recency, age


def _apply_model(rows: Sequence[dict[str, Any]], run: SegmentModelRun | None, as_of: date) -> None:
    """Fill p_active, expected_visits_90d and value_12m (null, with the reason, when the model is not fitted)."""
    import numpy as np

    seen = [r for r in rows if r["visit_days"] > 0]
    for r in rows:
        r["p_active"] = r["expected_visits_90d"] = r["value_12m"] = None
        r["model_note"] = "no_visits" if r["visit_days"] == 0 else ""
    bg = bgnbd_of(run)
    if run is None or bg is None or not seen:
        for r in seen:
            r["model_note"] = run.note if run is not None and run.note else "not_fitted"
        return
    frequency, recency, age = _model_inputs(seen, as_of)
    alive = lapse_model.p_alive(bg, frequency, recency, age)
    expected_90 = lapse_model.expected_visits(bg, 90.0, frequency, recency, age)
    expected_365 = lapse_model.expected_visits(bg, 365.0, frequency, recency, age)
    spend = np.full(len(seen), np.nan)
    if run.p is not None:
        gg = lapse_model.GammaGammaFit(
            p=run.p, q=run.q or 0.0, v=run.v or 0.0, log_likelihood=0.0, customers=run.customers
        )
        monetary = np.array([r["_repeat_spend"] for r in seen], dtype=float)
        spend = lapse_model.expected_spend_per_visit(gg, frequency, monetary)
    for i, r in enumerate(seen):
        r["p_active"] = round(float(alive[i]), 6)
        r["expected_visits_90d"] = round(float(expected_90[i]), 4)
        if not np.isnan(spend[i]):
            r["value_12m"] = Decimal(str(float(expected_365[i]) * float(spend[i]))).quantize(MONEY)


def _is_at_risk(r: dict[str, Any], as_of: date, settings: RefreshSettings) -> bool:
    """The rhythm rule for guests with enough history, the fixed rule for the others (see segments.rhythm)."""
    days = r["days_since_last"]
    if days is None:
        return False
    if r["p_active"] is not None and r["visit_days"] >= settings.rhythm_min_visit_days:
        return bool(r["p_active"] < settings.rhythm_p_active and days >= settings.rhythm_min_days)
    cutoff = _months_before(as_of, settings.fixed_lapse_months)
    return bool(
        r["visits"] >= settings.fixed_lapse_min_visits and r["_last_day"] is not None and r["_last_day"] < cutoff
    )


def score(rows: list[dict[str, Any]], as_of: date, settings: RefreshSettings) -> None:
    """RFM, tier and lifecycle for every row (in place)."""
    seen = [r for r in rows if r["visit_days"] > 0]
    rfm = scoring.rfm_scores(
        [scoring.RfmInput(r["guest_id"], r["days_since_last"], r["visits"], r["spend_total"]) for r in seen]
    )
    tiers = scoring.pyramid_tiers(
        [scoring.TierInput(r["guest_id"], Decimal(r["spend_window"] or 0), r["_last_day"]) for r in rows]
    )
    for r in rows:
        s = rfm.get(r["guest_id"])
        r["r"], r["f"], r["m"], r["rfm_name"] = (s.r, s.f, s.m, s.name) if s else (None, None, None, None)
        r["tier"] = tiers[r["guest_id"]]
        r["lifecycle"] = scoring.lifecycle_stage(
            r["visits"], r["visits_12m"], r["days_since_last"], _is_at_risk(r, as_of, settings), settings.lifecycle
        )


def _stored_columns(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if not k.startswith("_")}


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
        figures = {
            f.guest_id: _row(f, as_of, tz, now)
            for f in _stream_figures(as_of, tz, settings.tier_window_months, changed)
        }
        run: SegmentModelRun | None
        if full:
            all_ids = list(db.session.scalars(select(Guest.id)))
            rows = [figures.get(gid) or _empty_row(gid, as_of, now) for gid in all_ids]
            run = fit_model(rows, as_of, settings)
            db.session.add(run)
        else:
            assert changed is not None
            for gid in changed:
                figures.setdefault(gid, _empty_row(gid, as_of, now))
            rows = [_with_days(r, tz) for r in _stored_rows() if r["guest_id"] not in figures] + list(figures.values())
            run = db.session.scalars(
                select(SegmentModelRun).where(SegmentModelRun.as_of == as_of).order_by(SegmentModelRun.id.desc())
            ).first()
        _apply_model(rows if full else list(figures.values()), run, as_of)
        before: dict[int, tuple[Any, ...]] = {}
        if not full:
            before = {r["guest_id"]: tuple(r[k] for k in SCORE_KEYS) for r in rows if r["guest_id"] not in figures}
        score(rows, as_of, settings)
        if full:
            db.session.execute(delete(GuestSegment))
            for i in range(0, len(rows), CHUNK):
                db.session.execute(insert(SEGMENT_TABLE), [_stored_columns(r) for r in rows[i : i + CHUNK]])
        else:
            db.session.execute(delete(GuestSegment).where(GuestSegment.guest_id.in_(list(figures))))
            fresh = [_stored_columns(r) for r in figures.values()]
            for i in range(0, len(fresh), CHUNK):
                db.session.execute(insert(SEGMENT_TABLE), fresh[i : i + CHUNK])
            # Everyone else keeps their figures; only scores that moved (quintiles, the pyramid) are written.
            moved = [
                {"guest_id": r["guest_id"], **{k: r[k] for k in SCORE_KEYS}}
                for r in rows
                if r["guest_id"] not in figures and tuple(r[k] for k in SCORE_KEYS) != before[r["guest_id"]]
            ]
            for i in range(0, len(moved), CHUNK):
                db.session.execute(update(GuestSegment), moved[i : i + CHUNK])
        db.session.flush()
        summary.store(as_of, tz, full)  # the dashboard's counts, weeks and months
        audit.record(actor, "segments_refresh", detail=f"{as_of.isoformat()} {'full' if full else 'incremental'}")
    return RefreshResult(
        as_of=as_of,
        full=full,
        guests=len(rows),
        recomputed=len(figures) if not full else len(rows),
        model_fitted=run is not None and run.r is not None,
        seconds=clock.perf_counter() - started,
    )


def _with_days(r: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """A stored row with the private fields the model and the rules need (first and last visit day)."""
    r["_first_day"] = r["first_visit_at"].astimezone(tz).date() if r["first_visit_at"] else None
    r["_last_day"] = r["last_visit_at"].astimezone(tz).date() if r["last_visit_at"] else None
    r["_repeat_spend"] = 0.0
    return r


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
