"""The rules of ``guestbook.segments.scoring`` over whole columns at once (numpy), for the refresh of every guest.

Each function gives exactly the answers of its plain counterpart in ``scoring`` (which stays the documented
reference; tests/test_segments_fast.py checks the two agree on random populations with ties): quintiles where
equal values share the first one's score, the R×F grid, the pyramid (spend first, then the later last visit,
then the lower id) and the lifecycle stages. Money comes in as integer cents, so every sum and comparison is exact.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from guestbook.segments import scoring

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

# The grid of ``scoring.segment_name`` as a table: row r - 1, column f - 1.
_GRID = np.array([[scoring.segment_name(r, f) for f in range(1, 6)] for r in range(1, 6)], dtype=object)
TIER_CODES = np.array(scoring.TIERS, dtype=object)  # 0: A, 1: B, 2: C
LIFECYCLE_CODES = np.array((*scoring.LIFECYCLE_STAGES, None), dtype=object)
_NEW, _RETURNING, _REGULAR, _AT_RISK, _LAPSED, _LOST, _NONE = range(7)
# The pyramid's shares as whole percents, so that the comparisons stay in integers.
_A_PERCENT = int(scoring.TIER_A_SHARE * 100)
_B_PERCENT = int(scoring.TIER_B_SHARE * 100)


def quintile_scores(values: IntArray | FloatArray) -> IntArray:
    """``scoring.quintile_scores`` with higher values better: ``1 + 5 * i // n``, ``i`` the count of lower values.

    The first of equal values sits at the position equal to the count of values below it, so ties share its score.
    """
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    below = np.searchsorted(np.sort(values), values, side="left").astype(np.int64)
    scores: IntArray = 1 + 5 * below // n
    return scores


def rfm_scores(days_since_last: IntArray, visits: IntArray, spend_cents: IntArray) -> tuple[IntArray, ...]:
    """R, F and M (each 1–5) of guests with at least one visit, as ``scoring.rfm_scores`` (fewer days: better)."""
    return quintile_scores(-days_since_last), quintile_scores(visits), quintile_scores(spend_cents)


def segment_names(r: IntArray, f: IntArray) -> ObjectArray:
    """The named segment of each (R, F) pair (``scoring.segment_name``)."""
    if r.size and (r.min() < 1 or r.max() > 5 or f.min() < 1 or f.max() > 5):
        raise ValueError("scores run from 1 to 5")
    names: ObjectArray = _GRID[r - 1, f - 1]
    return names


def pyramid_tiers(guest_ids: IntArray, spend_cents: IntArray, last_visit_ordinal: IntArray) -> IntArray:
    """Tier codes (0: A, 1: B, 2: C; ``TIER_CODES``) as ``scoring.pyramid_tiers``; ordinal 0 means no last visit.

    Guests are taken by spend, highest first, then the later last visit, then the lower id; a guest is in A
    while the spend before them is under 80% of the total, in B while it is under 95%.
    """
    tiers = np.full(guest_ids.size, 2, dtype=np.int64)
    spenders = np.flatnonzero(spend_cents > 0)
    total = int(spend_cents[spenders].sum())
    if total <= 0:
        return tiers
    if total >= np.iinfo(np.int64).max // 100:
        raise OverflowError("spend too large for integer cents")
    order = spenders[np.lexsort((guest_ids[spenders], -last_visit_ordinal[spenders], -spend_cents[spenders]))]
    spend = spend_cents[order]
    before = (np.cumsum(spend) - spend) * 100  # the running total before each guest, in hundredths of a cent
    tiers[order[before < total * _B_PERCENT]] = 1
    tiers[order[before < total * _A_PERCENT]] = 0
    return tiers


def lifecycle_stages(
    visits: IntArray,
    visits_12m: IntArray,
    days_since_last: IntArray,
    at_risk: BoolArray,
    rules: scoring.LifecycleRules,
) -> IntArray:
    """Lifecycle codes (``LIFECYCLE_CODES``; the last one is None) as ``scoring.lifecycle_stage``.

    ``days_since_last`` is negative for a guest who never came (None in the plain function).
    """
    never = (visits <= 0) | (days_since_last < 0)
    conditions = [
        never,
        days_since_last > rules.lost_days,
        days_since_last > rules.lapsed_days,
        at_risk,
        visits == 1,
        visits_12m >= rules.regular_visits_12m,
    ]
    choices = [_NONE, _LOST, _LAPSED, _AT_RISK, _NEW, _REGULAR]
    stages: IntArray = np.select(conditions, choices, default=_RETURNING).astype(np.int64)
    return stages
