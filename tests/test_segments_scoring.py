"""Exact answers for RFM, the A/B/C pyramid and the lifecycle on small hand-made histories."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from guestbook.segments.scoring import (
    SEGMENTS,
    LifecycleRules,
    RfmInput,
    TierInput,
    lifecycle_stage,
    pyramid_tiers,
    quintile_scores,
    rfm_scores,
    segment_name,
)


def test_quintiles_of_ten_guests_are_two_per_score() -> None:
    scores = quintile_scores({i: i for i in range(1, 11)})
    assert [scores[i] for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_equal_values_share_the_first_ones_score() -> None:
    # Four guests with one visit fill the first 40%: all score 1, never 1 and 2 for the same figure.
    scores = quintile_scores({"a": 1, "b": 1, "c": 1, "d": 1, "e": 2, "f": 3, "g": 5, "h": 8, "i": 9, "j": 9})
    assert scores == {"a": 1, "b": 1, "c": 1, "d": 1, "e": 3, "f": 3, "g": 4, "h": 4, "i": 5, "j": 5}


def test_recency_scores_the_most_recent_highest() -> None:
    guests = [RfmInput(i, days_since_last=d, visits=1, spend=Decimal(0)) for i, d in enumerate([400, 3, 90, 30, 200])]
    scores = rfm_scores(guests)
    assert [scores[i].r for i in range(5)] == [1, 5, 3, 4, 2]


def test_the_grid_names_every_cell_with_the_eleven_segments() -> None:
    names = {segment_name(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert names == set(SEGMENTS)
    assert segment_name(5, 5) == "champions"
    assert segment_name(5, 1) == "new"
    assert segment_name(1, 1) == "lost"
    assert segment_name(1, 5) == "can't lose them"
    assert segment_name(3, 3) == "need attention"
    with pytest.raises(ValueError):
        segment_name(0, 3)


def test_rfm_of_a_small_history() -> None:
    guests = [
        RfmInput(1, days_since_last=2, visits=40, spend=Decimal("90000")),  # the weekly regular
        RfmInput(2, days_since_last=5, visits=1, spend=Decimal("1500")),  # came once, last week
        RfmInput(3, days_since_last=300, visits=25, spend=Decimal("60000")),  # was loyal, now away
        RfmInput(4, days_since_last=700, visits=1, spend=Decimal("800")),  # once, long ago
        RfmInput(5, days_since_last=60, visits=6, spend=Decimal("9000")),
    ]
    scores = rfm_scores(guests)
    assert (scores[1].r, scores[1].f, scores[1].m, scores[1].name) == (5, 5, 5, "champions")
    assert (scores[2].r, scores[2].f, scores[2].name) == (4, 1, "promising")
    assert (scores[3].r, scores[3].f, scores[3].name) == (2, 4, "at risk")
    assert (scores[4].r, scores[4].f, scores[4].name) == (1, 1, "lost")
    assert (scores[5].r, scores[5].f, scores[5].name) == (3, 3, "need attention")


def _tiers(spends: list[int], last: list[int] | None = None) -> dict[int, str]:
    days = last or [0] * len(spends)
    return pyramid_tiers(
        [
            TierInput(i, Decimal(s), date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() - d))
            for i, (s, d) in enumerate(zip(spends, days, strict=True))
        ]
    )


def test_tier_a_is_the_smallest_set_reaching_eighty_percent() -> None:
    # Total 1000: 500 + 300 = 800 is exactly 80% → A is those two; +100 = 900 < 950, +50 = 950 → B.
    tiers = _tiers([500, 300, 100, 50, 30, 20, 0])
    assert tiers == {0: "A", 1: "A", 2: "B", 3: "B", 4: "C", 5: "C", 6: "C"}


def test_just_under_eighty_percent_takes_one_more_guest_into_a() -> None:
    # 500 + 299 = 799 of 1000 is short of 80%: the third guest is A too.
    tiers = _tiers([500, 299, 101, 50, 30, 20])
    assert [tiers[i] for i in range(6)] == ["A", "A", "A", "B", "C", "C"]


def test_equal_spend_goes_to_the_most_recent_guest() -> None:
    # 400 + 400 + 200 = 1000. The first 400 reaches 40%; 80% needs both 400s; the tie only orders them.
    tiers = _tiers([200, 400, 400], last=[1, 30, 2])
    assert tiers == {0: "B", 1: "A", 2: "A"}
    # Three equal spenders of 100 and total 300: A needs all three (2/3 < 80%), recency decides nothing.
    tiers = _tiers([100, 100, 100, 0], last=[5, 1, 9, 0])
    assert tiers == {0: "A", 1: "A", 2: "A", 3: "C"}
    # A boundary inside a tie: 10 guests of 100 each: 8 reach 80% (A), the 9th and 10th bring 95%/100%.
    tiers = _tiers([100] * 10, last=list(range(10)))
    assert [tiers[i] for i in range(10)] == ["A"] * 8 + ["B", "B"]


def test_nobody_spent_means_everyone_is_c() -> None:
    assert set(_tiers([0, 0, 0]).values()) == {"C"}


RULES = LifecycleRules(regular_visits_12m=4, lapsed_days=365, lost_days=730)


@pytest.mark.parametrize(
    ("visits", "visits_12m", "days", "at_risk", "stage"),
    [
        (0, 0, None, False, None),
        (1, 1, 10, False, "new"),
        (2, 2, 10, False, "returning"),
        (12, 4, 10, False, "regular"),
        (12, 3, 10, False, "returning"),
        (12, 10, 40, True, "at risk"),
        (12, 0, 366, False, "lapsed"),
        (12, 0, 731, True, "lost"),
        (1, 0, 365, False, "new"),
    ],
)
def test_lifecycle(visits: int, visits_12m: int, days: int | None, at_risk: bool, stage: str | None) -> None:
    assert lifecycle_stage(visits, visits_12m, days, at_risk, RULES) == stage
