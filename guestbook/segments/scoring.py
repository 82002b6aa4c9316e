"""Who matters: RFM scores and their named segments, the A/B/C pyramid and the lifecycle stage, as plain functions.

Everything here takes plain figures per guest and returns plain answers, so the rules are tested with
hand-made histories; the refresh (which reads visits and stores the answers) calls them.

RFM (recency, frequency, monetary value). Each score is 1–5 by quintile among the guests with at least one
visit: the guests are ordered from worst to best (longest ago, fewest visits, least spend first) and the
guest at position ``i`` (0-based) of ``n`` scores ``1 + 5 * i // n``. Guests with equal figures share the
score of the first of them, so a tie never splits across two scores.

The named segments come from the R and F scores, the grid most RFM tools use (the monetary score is shown
beside it; in a restaurant it follows frequency closely)::

    F →      1            2            3            4            5
    R 5   new          potential    potential    champions    champions
    R 4   promising    potential    potential    loyal        loyal
    R 3   about to     about to     need         loyal        loyal
          sleep        sleep        attention
    R 2   hibernating  hibernating  at risk      at risk      can't lose them
    R 1   lost         hibernating  at risk      at risk      can't lose them

The pyramid: tier A is the smallest set of guests whose spend over the window adds up to at least 80% of
all guests' spend in it; B the smallest next set that brings the running total to at least 95%; C everyone
else, guests without spend included. Guests are taken by spend, highest first; equal spend goes to the one
seen most recently (then the lower id, so the answer never depends on row order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

SEGMENTS = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose them",
    "hibernating",
    "lost",
)
LIFECYCLE_STAGES = ("new", "returning", "regular", "at risk", "lapsed", "lost")
TIERS = ("A", "B", "C")
TIER_A_SHARE = Decimal("0.80")
TIER_B_SHARE = Decimal("0.95")

# R row (5 first) x F column (1 first): the grid in the module docstring.
_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential loyalists", "potential loyalists", "champions", "champions"),
    4: ("promising", "potential loyalists", "potential loyalists", "loyal", "loyal"),
    3: ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at risk", "at risk", "can't lose them"),
    1: ("lost", "hibernating", "at risk", "at risk", "can't lose them"),
}

K = TypeVar("K")
V = TypeVar("V", int, float, Decimal)


def segment_name(r: int, f: int) -> str:
    """The named segment of an R score and an F score (each 1–5), from the grid in the module docstring."""
    if not (1 <= r <= 5 and 1 <= f <= 5):
        raise ValueError(f"scores run from 1 to 5, not r={r}, f={f}")
    return _GRID[r][f - 1]


def quintile_scores(values: dict[K, V], better: Callable[[V], V] | None = None) -> dict[K, int]:
    """Score each key 1–5 by quintile of its value (higher is better unless ``better`` turns it around).

    Keys are ordered worst first; position ``i`` of ``n`` scores ``1 + 5 * i // n``, and equal values share
    the score of the first of them.
    """
    key_of = better or (lambda v: v)
    ordered = sorted(values, key=lambda k: key_of(values[k]))
    n = len(ordered)
    scores: dict[K, int] = {}
    previous: V | None = None
    score = 0
    for i, key in enumerate(ordered):
        value = key_of(values[key])
        if previous is None or value != previous:
            score = 1 + 5 * i // n
            previous = value
        scores[key] = score
    return scores


@dataclass(frozen=True)
class RfmInput:
    """One guest with at least one visit: days since the last visit, visits and spend."""

    guest_id: int
    days_since_last: int
    visits: int
    spend: Decimal


@dataclass(frozen=True)
class Rfm:
    """A guest's three scores and the named segment they make."""

    r: int
    f: int
    m: int
    name: str


def rfm_scores(guests: Sequence[RfmInput]) -> dict[int, Rfm]:
    """RFM scores and segment names for guests with at least one visit (fewer days since the last: better)."""
    recency = quintile_scores({g.guest_id: g.days_since_last for g in guests}, better=lambda days: -days)
    frequency = quintile_scores({g.guest_id: g.visits for g in guests})
    monetary = quintile_scores({g.guest_id: g.spend for g in guests})
    return {
        g.guest_id: Rfm(
            r=recency[g.guest_id],
            f=frequency[g.guest_id],
            m=monetary[g.guest_id],
            name=segment_name(recency[g.guest_id], frequency[g.guest_id]),
        )
        for g in guests
    }


@dataclass(frozen=True)
class TierInput:
    """One guest's spend over the pyramid's window and their last visit (None: never came)."""

    guest_id: int
    spend: Decimal
    last_visit: date | None


def pyramid_tiers(guests: Sequence[TierInput]) -> dict[int, str]:
    """Tier A, B or C for each guest (the rule in the module docstring)."""
    total = sum((g.spend for g in guests if g.spend > 0), Decimal(0))
    tiers = dict.fromkeys((g.guest_id for g in guests), "C")
    if total <= 0:
        return tiers
    spenders = sorted(
        (g for g in guests if g.spend > 0),
        key=lambda g: (-g.spend, -(g.last_visit.toordinal() if g.last_visit else 0), g.guest_id),
    )
    running = Decimal(0)
    for guest in spenders:
        if running >= total * TIER_B_SHARE:
            break
        tiers[guest.guest_id] = "A" if running < total * TIER_A_SHARE else "B"
        running += guest.spend
    return tiers


@dataclass(frozen=True)
class LifecycleRules:
    """The lifecycle's thresholds (settings): visits a year that make a regular, and days away for each stage."""

    regular_visits_12m: int = 4
    lapsed_days: int = 365
    lost_days: int = 730


def lifecycle_stage(
    visits: int, visits_12m: int, days_since_last: int | None, at_risk: bool, rules: LifecycleRules
) -> str | None:
    """The guest's lifecycle stage, or None for a guest who has not visited yet.

    Checked in this order: lost (away longer than ``lost_days``), lapsed (longer than ``lapsed_days``),
    at risk (the lapse rule says so), new (one visit), regular (at least ``regular_visits_12m`` visits in
    the last 12 months), returning (everyone else who came back).
    """
    if visits <= 0 or days_since_last is None:
        return None
    if days_since_last > rules.lost_days:
        return "lost"
    if days_since_last > rules.lapsed_days:
        return "lapsed"
    if at_risk:
        return "at risk"
    if visits == 1:
        return "new"
    if visits_12m >= rules.regular_visits_12m:
        return "regular"
    return "returning"
