"""Visit histories summarised the way the lapse model reads them: frequency, recency, T and spend per repeat visit.

The convention is the one of Fader, Hardie & Lee (2005) and of the ``lifetimes`` package: several visits on one
day count as one visit (their amounts summed), ``frequency`` is the number of *repeat* visit days (the first does
not count), ``recency`` is the time from the first visit day to the last, ``T`` the time from the first visit day
to the end of observation, and ``monetary_value`` the mean spend per repeat visit day (the first day's spend left
out, 0 for a guest with no repeat visit). Times are in days divided by ``unit_days`` (7 gives weeks, as the paper).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CustomerHistories:
    """One entry per customer, in the order each customer first appears in the input; ids exactly as given."""

    customer_ids: tuple[str, ...]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    ignored_after_end: int  # transactions dated after the observation end (left out, as a calibration period does)

    def __len__(self) -> int:
        return len(self.customer_ids)


def summarise_transactions(
    rows: Iterable[tuple[str, date, Decimal | float]],
    observation_end: date,
    unit_days: int = 1,
) -> CustomerHistories:
    """Per customer frequency, recency, T and monetary value from ``(customer_id, day, amount)`` transactions.

    Transactions after ``observation_end`` are left out (counted in ``ignored_after_end``), so a calibration
    period is simply an earlier end date. A first visit on 1997-01-01 with the end 1998-06-30 gives T = 545 days.
    """
    if unit_days < 1:
        raise ValueError("unit_days must be 1 or more")
    # One pass in Python to number the customers (first-appearance order) and turn days into ordinals; the
    # grouping by customer and day is then done by numpy. Amounts are added as floats: the mean spend is a float.
    index_of: dict[str, int] = {}
    customers: list[int] = []
    ordinals: list[int] = []
    amounts: list[float] = []
    end = observation_end.toordinal()
    ignored = 0
    for customer_id, day, amount in rows:
        ordinal = day.toordinal()
        if ordinal > end:
            ignored += 1
            continue
        customers.append(index_of.setdefault(customer_id, len(index_of)))
        ordinals.append(ordinal)
        amounts.append(float(amount))
    count = len(index_of)
    # (customer, day) pairs, sorted by customer then day; a day's transactions add up to one visit
    keys = np.asarray(customers, dtype=np.int64) * (1 << 32) + np.asarray(ordinals, dtype=np.int64)
    visit_keys, which_visit = np.unique(keys, return_inverse=True)
    visit_spend = np.bincount(which_visit, weights=np.asarray(amounts, dtype=np.float64), minlength=visit_keys.size)
    visit_customer = visit_keys >> 32
    visit_day = (visit_keys & ((1 << 32) - 1)).astype(np.float64)
    visit_days = np.bincount(visit_customer, minlength=count).astype(np.float64)
    first = np.searchsorted(visit_customer, np.arange(count), side="left")
    last = np.searchsorted(visit_customer, np.arange(count), side="right") - 1
    frequency = visit_days - 1
    spend = np.bincount(visit_customer, weights=visit_spend, minlength=count)
    repeat_spend = spend - visit_spend[first]
    monetary_value = np.divide(repeat_spend, frequency, out=np.zeros(count), where=frequency > 0)
    return CustomerHistories(
        customer_ids=tuple(index_of),
        frequency=frequency,
        recency=(visit_day[last] - visit_day[first]) / unit_days,
        T=(end - visit_day[first]) / unit_days,
        monetary_value=monetary_value,
        ignored_after_end=ignored,
    )
