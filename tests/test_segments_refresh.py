"""The segments refresh on real SQLite: figures from visits, the model's answers, incremental runs, and the
rhythm lapse rule through a simulated season (a weekly regular who stops is caught within weeks; a yearly guest
is not chased at month ten)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import insert, select

from guestbook.admin.outlets import outlet_by_code, property_tz
from guestbook.admin.settings import set_setting
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.guests.visits import refresh_visit_stats
from guestbook.letters.rules import RuleSettings
from guestbook.segments import refresh as segment_refresh
from guestbook.segments import rhythm
from guestbook.segments.models import GuestSegment, SegmentModelRun

from .factories import ACTOR, make_guest

BANGKOK = ZoneInfo("Asia/Bangkok")


def _at(day: date, hour: int = 19) -> datetime:
    return datetime.combine(day, time(hour), BANGKOK).astimezone(UTC)


def _visits(guest_id: int, days: list[date], spend: str = "1000.00", hour: int = 19) -> None:
    outlet = outlet_by_code("terrace")
    assert outlet is not None
    with write_transaction():
        db.session.execute(
            insert(Visit),
            [
                {"guest_id": guest_id, "outlet_id": outlet.id, "visited_at": _at(d, hour), "spend": Decimal(spend)}
                for d in days
            ],
        )
        refresh_visit_stats(guest_id)


def _row(guest_id: int) -> GuestSegment:
    db.session.expire_all()
    row = db.session.get(GuestSegment, guest_id)
    assert row is not None
    return row


AS_OF = date(2026, 6, 30)


def test_figures_of_one_guest(app: Flask) -> None:
    guest = make_guest(given_name="Somchai")
    # Lunch and dinner on 1 June count as one visit day for the model; 10 and 20 June make gaps of 9 and 10.
    _visits(guest.id, [date(2026, 6, 1), date(2026, 6, 10), date(2026, 6, 20)])
    _visits(guest.id, [date(2026, 6, 1)], spend="500.00", hour=12)
    other = make_guest(given_name="Nobody")  # no visits: a row with C and no lifecycle
    result = segment_refresh.refresh(ACTOR, AS_OF)
    assert result.full and result.guests == 2 and not result.model_fitted
    row = _row(guest.id)
    assert (row.visits, row.visit_days, row.visits_12m) == (4, 3, 4)
    assert row.spend_total == Decimal("3500.00") and row.average_spend == Decimal("875.00")
    assert row.days_since_last == 10 and row.typical_gap_days == 9.5
    assert row.tier == "A" and row.lifecycle == "regular"  # four visits in twelve months
    # Alone among guests with visits, the guest is the first (and only) of each quintile ordering.
    assert (row.r, row.f, row.m, row.rfm_name) == (1, 1, 1, "lost")
    assert row.p_active is None and row.model_note == "too_few_guests"
    empty = _row(other.id)
    assert (empty.visits, empty.tier, empty.lifecycle, empty.rfm_name) == (0, "C", None, None)
    assert empty.model_note == "no_visits"


REGULAR: list[int] = []


def _population(weeks: int = 52) -> tuple[int, int]:
    """60 guests: 19 weekly regulars, 20 who come once a year, 20 who came for a few weeks last summer, and
    one weekly regular who stops on 1 May."""
    start = AS_OF - timedelta(days=7 * weeks)
    REGULAR.clear()
    for n in range(19):
        g = make_guest(given_name=f"Weekly {n}")
        _visits(g.id, [start + timedelta(days=7 * k + n % 3) for k in range(weeks)])
        REGULAR.append(g.id)
    yearly_id = 0
    for n in range(20):
        g = make_guest(given_name=f"Yearly {n}")
        # Every September for three years; the last one ten months before 30 June.
        _visits(g.id, [date(2023 + k, 9, 1 + n) for k in range(3)], spend="5000.00")
        yearly_id = g.id
    for n in range(20):
        # Guests who came for a few weeks last summer and have not been back: people do stop coming.
        g = make_guest(given_name=f"Summer {n}")
        _visits(g.id, [date(2025, 7, 1) + timedelta(days=7 * k + n) for k in range(2 + n % 6)])
    stopper = make_guest(given_name="Stops")
    _visits(
        stopper.id,
        [start + timedelta(days=7 * k) for k in range(weeks) if start + timedelta(days=7 * k) <= date(2026, 5, 1)],
    )
    return stopper.id, yearly_id


def test_the_model_is_fitted_with_enough_guests(app: Flask) -> None:
    stopper, yearly = _population()
    result = segment_refresh.refresh(ACTOR, AS_OF)
    assert result.model_fitted
    run = db.session.scalars(select(SegmentModelRun).order_by(SegmentModelRun.id.desc())).first()
    assert run is not None and run.customers == 60 and run.r is not None and run.p is not None
    regular = _row(REGULAR[0])  # a weekly regular still coming
    assert regular.p_active is not None and regular.p_active > 0.9
    assert regular.expected_visits_90d is not None and 8 < regular.expected_visits_90d < 16
    assert regular.value_12m is not None and regular.value_12m > Decimal("30000")
    gone = _row(stopper)
    assert gone.p_active is not None and gone.p_active < 0.1
    assert gone.lifecycle == "at risk"
    assert _row(yearly).lifecycle == "returning"


def test_an_incremental_refresh_reads_only_changed_guests(app: Flask) -> None:
    stopper, _ = _population(weeks=20)
    segment_refresh.refresh(ACTOR, AS_OF)
    before = _row(REGULAR[1]).tier
    _visits(stopper, [AS_OF], spend="100.00")
    result = segment_refresh.refresh(ACTOR, AS_OF, full=False)
    assert not result.full and result.recomputed == 1 and result.guests == 60
    back = _row(stopper)
    assert back.days_since_last == 0 and back.lifecycle != "at risk"
    assert back.p_active is not None and back.p_active > 0.9
    assert _row(REGULAR[1]).tier == before
    # A new day is always a full refresh (the windows moved).
    assert segment_refresh.refresh(ACTOR, AS_OF + timedelta(days=1), full=False).full


def test_rhythm_rule_through_a_simulated_season(app: Flask) -> None:
    """Refit every week and ask the rule every day; the weekly regular who stopped on 1 May is missed within
    six weeks; a guest who comes every September is not missed in July, ten months after their last visit."""
    stopper, yearly = _population()
    set_setting("letters_lapse_rule", "rhythm", ACTOR)
    tz = property_tz()
    settings = RuleSettings.load()
    assert settings.lapse_rule == "rhythm"
    caught_on = None
    day = date(2026, 5, 2)
    while day <= date(2026, 7, 10):
        if (day - date(2026, 5, 2)).days % 7 == 0:
            segment_refresh.refresh(ACTOR, day)  # weekly refits; the rule itself is asked every day
        guest = db.session.get(Guest, stopper)
        assert guest is not None
        if caught_on is None and rhythm.RHYTHM.is_lapsed(guest, day, settings, tz):
            caught_on = day
        yearly_guest = db.session.get(Guest, yearly)
        assert yearly_guest is not None
        assert not rhythm.RHYTHM.is_lapsed(yearly_guest, day, settings, tz), day
        day += timedelta(days=1)
    assert caught_on is not None and (caught_on - date(2026, 5, 1)).days <= 42
    # The fixed rule (12 months) would not have missed them at all in this time.
    assert (caught_on - date(2026, 5, 1)).days >= 21  # and never before the rule's minimum days away


def test_too_little_history_falls_back_to_the_fixed_rule(app: Flask) -> None:
    _population(weeks=10)
    newcomer = make_guest(given_name="Twice")
    _visits(newcomer.id, [date(2025, 5, 1), date(2025, 5, 8)])
    segment_refresh.refresh(ACTOR, AS_OF)
    guest = db.session.get(Guest, newcomer.id)
    assert guest is not None
    verdict = rhythm.verdict(guest, AS_OF, property_tz())
    assert verdict.rule == "fixed" and verdict.p_active is None
    assert verdict.lapsed  # two visits, none for 13 months: the fixed 12-month rule misses them


def test_refresh_command(app: Flask) -> None:
    import json

    guest = make_guest(given_name="CLI")
    _visits(guest.id, [date(2026, 6, 1)])
    runner = app.test_cli_runner()
    out = runner.invoke(args=["segments", "refresh", "--date", "2026-06-30"])
    assert out.exit_code == 0, out.output
    last = json.loads(out.output.strip().splitlines()[-1])
    assert last["as_of"] == "2026-06-30" and last["full"] and last["guests"] == 1 and not last["model_fitted"]
    again = json.loads(runner.invoke(args=["segments", "refresh", "--date", "2026-06-30"]).output.splitlines()[-1])
    assert not again["full"] and again["recomputed"] == 0
    bad = runner.invoke(args=["segments", "refresh", "--date", "2026-13-01"])
    assert bad.exit_code != 0 and "not a date" in bad.output
