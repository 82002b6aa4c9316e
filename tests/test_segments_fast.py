"""The refresh's column-wise path gives exactly the answers of the plain rules: scoring (quintiles with ties, the
pyramid around its 80% and 95% lines, lifecycle), local days across summer-time changes, and every stored figure
against a plain Python reading of the visits, on real SQLite; a same-day incremental refresh leaves the rows a full
one would write."""

from __future__ import annotations

import itertools
import random
import statistics
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from guestbook.admin.outlets import outlet_by_code, update_property
from guestbook.admin.settings import set_setting
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Visit
from guestbook.guests.visits import refresh_visit_stats
from guestbook.segments import fast_scoring, refresh_figures, scoring
from guestbook.segments import refresh as segment_refresh
from guestbook.segments.models import GuestSegment

from .factories import ACTOR, make_guest

RULES = scoring.LifecycleRules(regular_visits_12m=4, lapsed_days=365, lost_days=730)


def _fast_quintiles(values: dict[int, int]) -> dict[int, int]:
    keys = list(values)
    scores = fast_scoring.quintile_scores(np.array([values[k] for k in keys], dtype=np.int64))
    return dict(zip(keys, scores.tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=6), max_size=40))
def test_quintiles_match_the_plain_function_with_ties(values: list[int]) -> None:
    by_key = dict(enumerate(values))
    assert _fast_quintiles(by_key) == scoring.quintile_scores(by_key)


def _random_population(rng: random.Random, n: int) -> list[tuple[int, int, int, int]]:
    """(guest id, days since last, visits, spend cents) with many ties: few distinct values of each."""
    ids = rng.sample(range(1, 10 * n + 1), n)
    return [
        (
            gid,
            rng.choice([0, 1, 7, 30, 30, 90, 400, 800]),
            rng.choice([1, 1, 1, 2, 3, 5, 12]),
            rng.choice([0, 150_00, 150_00, 999_99, 12_345_67]),
        )
        for gid in ids
    ]  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_rfm_scores_and_names_match_the_plain_function(seed: int) -> None:
    rng = random.Random(seed)
    population = _random_population(rng, rng.choice([1, 2, 5, 11, 250, 3001]))
    plain = scoring.rfm_scores(
        [scoring.RfmInput(g, days, visits, Decimal(cents) / 100) for g, days, visits, cents in population]
    )
    ids, days, visits, cents = (np.array(c, dtype=np.int64) for c in zip(*population, strict=True))
    r, f, m = fast_scoring.rfm_scores(days, visits, cents)
    names = fast_scoring.segment_names(r, f)
    fast = {gid: scoring.Rfm(int(r[i]), int(f[i]), int(m[i]), str(names[i])) for i, gid in enumerate(ids.tolist())}
    assert fast == plain


def _tiers_both_ways(guests: list[tuple[int, int, date | None]]) -> tuple[dict[int, str], dict[int, str]]:
    plain = scoring.pyramid_tiers([scoring.TierInput(g, Decimal(c) / 100, last) for g, c, last in guests])
    ids = np.array([g for g, _, _ in guests], dtype=np.int64)
    cents = np.array([c for _, c, _ in guests], dtype=np.int64)
    last = np.array([d.toordinal() if d else 0 for _, _, d in guests], dtype=np.int64)
    codes = fast_scoring.pyramid_tiers(ids, cents, last)
    return dict(zip(ids.tolist(), fast_scoring.TIER_CODES[codes].tolist(), strict=True)), plain


@pytest.mark.parametrize("seed", range(8))
def test_pyramid_matches_the_plain_function(seed: int) -> None:
    rng = random.Random(100 + seed)
    days = [None, date(2026, 1, 1), date(2026, 5, 2), date(2026, 5, 3)]
    guests = [
        (gid, rng.choice([0, 0, -500, 100, 100, 250, 1_000, 7_777]), rng.choice(days))
        for gid in rng.sample(range(1, 100_000), rng.choice([1, 3, 40, 2_000]))
    ]
    fast, plain = _tiers_both_ways(guests)
    assert fast == plain


def test_pyramid_exactly_on_the_80_and_95_percent_lines() -> None:
    # 80 + 15 + 5 = 100: the guest after the first 80% starts B, the one after 95% is C; ties go by recency, then id.
    guests = [
        (1, 40_00, date(2026, 1, 1)),
        (2, 40_00, date(2026, 2, 1)),
        (3, 15_00, None),
        (4, 5_00, date(2026, 3, 1)),
        (5, 0, date(2026, 3, 1)),
    ]
    fast, plain = _tiers_both_ways(guests)
    assert fast == plain == {1: "A", 2: "A", 3: "B", 4: "C", 5: "C"}
    fast, plain = _tiers_both_ways([(7, 1, None), (3, 1, None), (5, 2, None)])
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 8), st.one_of(st.none(), st.integers(0, 1000)), st.booleans()),
        max_size=30,
    )
)
def test_lifecycle_matches_the_plain_function(rows: list[tuple[int, int, int | None, bool]]) -> None:
    plain = [scoring.lifecycle_stage(v, v12, days, risk, RULES) for v, v12, days, risk in rows]
    codes = fast_scoring.lifecycle_stages(
        np.array([v for v, _, _, _ in rows], dtype=np.int64),
        np.array([v12 for _, v12, _, _ in rows], dtype=np.int64),
        np.array([-1 if d is None else d for _, _, d, _ in rows], dtype=np.int64),
        np.array([risk for _, _, _, risk in rows], dtype=bool),
        RULES,
    )
    assert fast_scoring.LIFECYCLE_CODES[codes].tolist() == plain


@pytest.mark.parametrize(
    "zone", ["Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "UTC"]
)
def test_local_days_match_astimezone_across_offset_changes(zone: str) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    start = datetime(2010, 1, 1, tzinfo=UTC)
    # random instants over 16 years, and every minute of the hours around each summer-time change
    moments = [start + timedelta(seconds=rng.randrange(16 * 365 * 86400)) for _ in range(20_000)]
    hour = start
    while hour < start + timedelta(days=16 * 365):
        if (hour + timedelta(hours=1)).astimezone(tz).utcoffset() != hour.astimezone(tz).utcoffset():
            moments += [hour + timedelta(minutes=k) for k in range(-120, 180)]
        hour += timedelta(hours=1)
    micros = np.array([refresh_figures.to_micros(m) for m in moments], dtype=np.int64)
    days = refresh_figures.local_day_ordinals(micros, tz)
    assert days.tolist() == [m.astimezone(tz).date().toordinal() for m in moments]


def _plain_figures(
    visits: list[tuple[int, datetime, Decimal | None]], as_of: date, tz: ZoneInfo, window_months: int
) -> dict[int, dict[str, Any]]:
    """The figures as the refresh computed them visit by visit in Python, before it worked on columns."""
    end = datetime.combine(as_of + timedelta(days=1), time.min, tz).astimezone(UTC)
    start_12m = segment_refresh._end_of_day(segment_refresh._months_before(as_of, 12), tz)
    start_window = segment_refresh._end_of_day(segment_refresh._months_before(as_of, window_months), tz)
    result: dict[int, dict[str, Any]] = {}
    for gid, group in itertools.groupby(sorted(v for v in visits if v[1] < end), key=lambda v: v[0]):
        rows = list(group)
        day_spend: dict[date, Decimal] = {}
        for _, at, spend in rows:
            day = at.astimezone(tz).date()
            day_spend[day] = day_spend.get(day, Decimal(0)) + (spend or Decimal(0))
        days = sorted(day_spend)
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        total = sum((s or Decimal(0) for _, _, s in rows), Decimal(0))
        result[gid] = {
            "first_visit_at": rows[0][1],
            "last_visit_at": rows[-1][1],
            "visits": len(rows),
            "visit_days": len(days),
            "visits_12m": sum(1 for _, at, _ in rows if at >= start_12m),
            "spend_total": total,
            "spend_window": sum((s or Decimal(0) for _, at, s in rows if at >= start_window), Decimal(0)),
            "average_spend": (total / len(rows)).quantize(Decimal("0.01")),
            "days_since_last": (as_of - days[-1]).days,
            "typical_gap_days": float(statistics.median(gaps)) if gaps else None,
            "repeat_spend": float(sum(day_spend[d] for d in days[1:]) / (len(days) - 1)) if len(days) > 1 else 0.0,
        }
    return result


def _random_visits(
    rng: random.Random, guest_ids: list[int], tz: ZoneInfo, as_of: date
) -> list[tuple[int, datetime, Decimal | None]]:
    """Visits over three years and a few days after ``as_of``, many at night around midnight and on the days the
    clocks change, some on the same day, some without a bill, with microseconds."""
    visits = []
    changes = [date(y, 3, d) for y in (2024, 2025, 2026) for d in range(25, 32)]
    changes += [date(y, 10, d) for y in (2024, 2025, 2026) for d in range(24, 32)]
    for gid in guest_ids:
        for _ in range(rng.choice([1, 1, 2, 3, 5, 12])):
            day = rng.choice(changes) if rng.random() < 0.3 else as_of - timedelta(days=rng.randrange(-3, 3 * 365))
            local = datetime.combine(day, time(rng.choice([0, 1, 2, 12, 19, 23]), rng.randrange(60)), tz)
            at = local.astimezone(UTC) + timedelta(microseconds=rng.randrange(1_000_000))
            spend = None if rng.random() < 0.1 else Decimal(rng.randrange(1, 2_000_000)) / 100
            visits.append((gid, at, spend))
    return visits


def test_figures_match_a_plain_reading_of_the_visits() -> None:
    tz = ZoneInfo("Europe/London")
    rng = random.Random(14)
    as_of = date(2026, 10, 25)  # the clocks went back that night
    visits = _random_visits(rng, list(range(1, 400)), tz, as_of)
    end = segment_refresh._end_of_day(as_of, tz)
    kept = [v for v in visits if v[1] < end]
    found = refresh_figures.figures(
        np.array([g for g, _, _ in kept], dtype=np.int64),
        np.array([refresh_figures.to_micros(at) for _, at, _ in kept], dtype=np.int64),
        np.array([round((s or 0) * 100) for _, _, s in kept], dtype=np.int64),
        tz,
        segment_refresh._end_of_day(segment_refresh._months_before(as_of, 12), tz),
        segment_refresh._end_of_day(segment_refresh._months_before(as_of, 24), tz),
    )
    plain = _plain_figures(visits, as_of, tz, 24)
    assert found.guest_id.tolist() == sorted(plain)
    for i, gid in enumerate(found.guest_id.tolist()):
        want = plain[gid]
        assert refresh_figures.from_micros(int(found.first_visit[i])) == want["first_visit_at"]
        assert refresh_figures.from_micros(int(found.last_visit[i])) == want["last_visit_at"]
        assert (int(found.visits[i]), int(found.visit_days[i]), int(found.visits_12m[i])) == (
            want["visits"], want["visit_days"], want["visits_12m"],
        )  # fmt: skip
        assert Decimal(int(found.spend_total[i])) / 100 == want["spend_total"]
        assert Decimal(int(found.spend_window[i])) / 100 == want["spend_window"]
        assert as_of.toordinal() - int(found.last_day[i]) == want["days_since_last"]
        gap = float(found.typical_gap_days[i])
        assert (None if np.isnan(gap) else gap) == want["typical_gap_days"]
        assert float(found.repeat_spend[i]) == want["repeat_spend"]


def _store_visits(visits: list[tuple[int, datetime, Decimal | None]]) -> None:
    outlet = outlet_by_code("terrace")
    assert outlet is not None
    with write_transaction():
        db.session.execute(
            insert(Visit),
            [{"guest_id": g, "outlet_id": outlet.id, "visited_at": at, "spend": s} for g, at, s in visits],
        )
        for gid in sorted({g for g, _, _ in visits}):
            refresh_visit_stats(gid)


def _stored_rows() -> dict[int, dict[str, Any]]:
    db.session.expire_all()
    rows = db.session.scalars(select(GuestSegment)).all()
    return {
        r.guest_id: {c.name: getattr(r, c.name) for c in GuestSegment.__table__.columns if c.name != "refreshed_at"}
        for r in rows
    }


def test_a_full_refresh_stores_the_plain_figures_in_a_zone_with_summer_time(app: Flask) -> None:
    update_property("Test", "", "Europe/London", "GBP", ACTOR)
    tz = ZoneInfo("Europe/London")
    as_of = date(2026, 10, 25)
    rng = random.Random(7)
    guests = [make_guest(given_name=f"Guest {n}").id for n in range(60)]
    never = guests.pop()  # a profile without visits
    visits = _random_visits(rng, guests, tz, as_of)
    _store_visits(visits)
    result = segment_refresh.refresh(ACTOR, as_of)
    assert result.full and result.guests == 60 and result.recomputed == 60
    stored = _stored_rows()
    plain = _plain_figures(visits, as_of, tz, 24)
    for gid, want in plain.items():
        row = stored[gid]
        for key in ("first_visit_at", "last_visit_at", "visits", "visit_days", "visits_12m", "days_since_last"):
            assert row[key] == want[key], (gid, key)
        for key in ("spend_total", "spend_window", "average_spend"):
            assert row[key] == want[key].quantize(Decimal("0.01")), (gid, key)
        assert row["typical_gap_days"] == want["typical_gap_days"]
    assert stored[never]["visits"] == 0 and stored[never]["first_visit_at"] is None
    assert stored[never]["days_since_last"] is None and stored[never]["tier"] == "C"
    # the scores are the plain rules' on the stored figures
    seen = [r for r in stored.values() if r["visit_days"] > 0]
    rfm = scoring.rfm_scores(
        [scoring.RfmInput(r["guest_id"], r["days_since_last"], r["visits"], r["spend_total"]) for r in seen]
    )
    tiers = scoring.pyramid_tiers(
        [
            scoring.TierInput(
                gid, r["spend_window"], as_of - timedelta(days=r["days_since_last"]) if r["visits"] else None
            )
            for gid, r in stored.items()
        ]
    )
    for gid, r in stored.items():
        s = rfm.get(gid)
        assert (r["r"], r["f"], r["m"], r["rfm_name"]) == ((s.r, s.f, s.m, s.name) if s else (None, None, None, None))
        assert r["tier"] == tiers[gid]


def test_an_incremental_refresh_writes_what_a_full_one_would(app: Flask) -> None:
    set_setting("segments_min_guests_for_model", 1_000, ACTOR)  # no model: a full refresh would refit it
    tz = ZoneInfo("Asia/Bangkok")
    as_of = date(2026, 6, 30)
    rng = random.Random(21)
    guests = [make_guest(given_name=f"Guest {n}").id for n in range(80)]
    end = datetime.combine(as_of + timedelta(days=1), time.min, tz).astimezone(UTC)
    _store_visits([v for v in _random_visits(rng, guests[:70], tz, as_of) if v[1] < end])  # none after the day
    segment_refresh.refresh(ACTOR, as_of)
    # the same day: new visits for a few guests (one who never came before), and a new profile
    later = [
        (gid, datetime.combine(as_of, time(20), tz).astimezone(UTC), Decimal("4321.00"))
        for gid in (guests[3], guests[75])
    ]
    later.append((guests[5], datetime.combine(as_of, time(21), tz).astimezone(UTC), Decimal("99999.99")))
    _store_visits(later)
    newcomer = make_guest(given_name="New").id
    result = segment_refresh.refresh(ACTOR, as_of, full=False)
    assert not result.full and result.recomputed == 4 and result.guests == 81
    incremental = _stored_rows()
    segment_refresh.refresh(ACTOR, as_of, full=True)
    full = _stored_rows()
    assert set(incremental) == set(full) and newcomer in full
    # without the model (its answers are null either way) every column must agree
    assert incremental == full
