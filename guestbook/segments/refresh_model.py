"""The lapse model in the refresh: fitting BG/NBD and Gamma-Gamma on a population's figures, and its answers per guest.

The guests with visits are the model's customers, in the population's order; days are the unit. An answer is
null, with the reason in ``model_note``, for a guest who never came or when the day's model is not fitted.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from guestbook.segments import lapse_model
from guestbook.segments.models import SegmentModelRun
from guestbook.segments.refresh_figures import Population

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
MONEY = Decimal("0.01")


@dataclass(frozen=True)
class ModelAnswers:
    """The lapse model's answers per guest of a population (NaN or None where there is none) and why not."""

    p_active: FloatArray
    expected_visits_90d: FloatArray
    value_12m: list[Decimal | None]
    model_note: list[str]


def _model_inputs(population: Population, seen: BoolArray, as_of: date) -> tuple[FloatArray, ...]:
    frequency = (population.visit_days[seen] - 1).astype(np.float64)
    recency = (population.last_day[seen] - population.first_day[seen]).astype(np.float64)
    age = (as_of.toordinal() - population.first_day[seen]).astype(np.float64)
    return frequency, recency, age


def fit_model(population: Population, as_of: date, min_guests: int) -> SegmentModelRun:
    """Fit BG/NBD (and Gamma-Gamma on repeat guests' spend) on the guests with visits, days as the unit.

    Either model needs ``min_guests`` guests (with visits; with repeat spend for Gamma-Gamma).
    """
    started = clock.perf_counter()
    seen = population.visit_days > 0
    run = SegmentModelRun(as_of=as_of, customers=int(seen.sum()))
    if run.customers < min_guests:
        run.note = "too_few_guests"
        return run
    frequency, recency, age = _model_inputs(population, seen, as_of)
    bg = lapse_model.fit_bgnbd(frequency, recency, age)
    run.r, run.alpha, run.a, run.b, run.log_likelihood = bg.r, bg.alpha, bg.a, bg.b, bg.log_likelihood
    repeat = seen & (population.visit_days > 1) & (population.repeat_spend > 0)
    if int(repeat.sum()) >= min_guests:
        gg = lapse_model.fit_gamma_gamma(
            (population.visit_days[repeat] - 1).astype(np.float64), population.repeat_spend[repeat]
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


def model_answers(population: Population, run: SegmentModelRun | None, as_of: date) -> ModelAnswers:
    """p_active, expected_visits_90d and value_12m per guest (null, with the reason, when the model is not fitted)."""
    n = population.guest_id.size
    seen = population.visit_days > 0
    p_active = np.full(n, np.nan)
    expected_90 = np.full(n, np.nan)
    value: list[Decimal | None] = [None] * n
    notes = np.where(seen, "", "no_visits").astype(object)
    bg = bgnbd_of(run)
    if run is None or bg is None or not seen.any():
        notes[seen] = run.note if run is not None and run.note else "not_fitted"
        return ModelAnswers(p_active, expected_90, value, notes.tolist())
    frequency, recency, age = _model_inputs(population, seen, as_of)
    alive = lapse_model.p_alive(bg, frequency, recency, age)
    expected_90_seen = lapse_model.expected_visits(bg, 90.0, frequency, recency, age)
    expected_365 = lapse_model.expected_visits(bg, 365.0, frequency, recency, age)
    where = np.flatnonzero(seen)
    # Python's round (correctly rounded), as the stored figures always were; numpy's may differ in the last digit.
    p_active[where] = [round(x, 6) for x in alive.tolist()]
    expected_90[where] = [round(x, 4) for x in expected_90_seen.tolist()]
    if run.p is not None:
        gg = lapse_model.GammaGammaFit(
            p=run.p, q=run.q or 0.0, v=run.v or 0.0, log_likelihood=0.0, customers=run.customers
        )
        spend = lapse_model.expected_spend_per_visit(gg, frequency, population.repeat_spend[seen])
        products = (expected_365 * spend).tolist()
        for i, product, known in zip(where.tolist(), products, (~np.isnan(spend)).tolist(), strict=True):
            if known:
                value[i] = Decimal(str(product)).quantize(MONEY)
    return ModelAnswers(p_active, expected_90, value, notes.tolist())
