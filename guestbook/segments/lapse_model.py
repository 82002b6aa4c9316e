"""The lapse and value models, as plain vectorised numpy/scipy functions (no database, no Flask).

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way: An alternative to the Pareto/NBD model",
  Marketing Science 24(2), 275-284): while active, a customer visits as a Poisson process with rate λ ~ Gamma(r, α);
  after each visit the customer becomes inactive for good with probability p ~ Beta(a, b). Likelihood,
  maximum-likelihood fit, P(active) and expected visits.
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: Using iso-value curves for customer base analysis", Journal
  of Marketing Research 42(4), 415-430): spend per visit is Gamma(p, ν) around a personal mean, ν ~ Gamma(q, γ)
  across customers (``v`` here is the paper's γ); fitted on repeat customers only. Expected spend per visit and a
  12-month value.

Inputs per customer are ``frequency`` x (repeat visit days), ``recency`` t_x and age ``T`` in one time unit, and
``monetary_value`` m_x (mean spend per repeat visit day): ``summarise_transactions`` (``guestbook.segments.histories``,
re-exported here) computes them from transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import betaincinv, betaln, expit, gammaln, hyp2f1

from guestbook.segments.histories import CustomerHistories, summarise_transactions

__all__ = [
    "BgNbdFit",
    "CustomerHistories",
    "GammaGammaFit",
    "LapseModelError",
    "bgnbd_log_likelihood",
    "expected_spend_per_visit",
    "expected_visits",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "p_alive",
    "summarise_transactions",
    "value_12m",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = FloatArray | list[float] | tuple[float, ...]

# Log-parameters are kept in this box while fitting: exp(±30) is far outside any real estimate, and the box stops
# the optimiser from wandering into overflow on a degenerate data set.
LOG_BOUND = 30.0
# Eq. 10 is 0/0 at a = 1; within this distance expected visits are integrated numerically instead.
A_NEAR_ONE = 1e-6
# Gauss-Legendre points for that integral (and wherever scipy's 2F1 gives no sound value).
QUADRATURE_POINTS = 96
# Likelihood evaluations the Nelder-Mead polish may spend after L-BFGS-B.
POLISH_EVALUATIONS = 400
DAYS_PER_MONTH = 365 / 12


class LapseModelError(ValueError):
    """The data cannot be fitted (no customers, no repeat visits, bad values) or the fit did not converge."""


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD parameters, the maximised log-likelihood (natural log, summed over customers) and their count."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int


def _arrays(*values: ArrayLike) -> tuple[FloatArray, ...]:
    """The inputs as float arrays of one shape, with negative or non-finite values refused."""
    arrays = tuple(np.asarray(value, dtype=np.float64) for value in values)
    shapes = {array.shape for array in arrays}
    if len(shapes) != 1:
        raise LapseModelError("frequency, recency and T must have the same length")
    for array in arrays:
        if not np.all(np.isfinite(array)) or np.any(array < 0):
            raise LapseModelError("frequency, recency and T must be finite and not negative")
    return arrays


def bgnbd_log_likelihood(params: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """Per-customer log-likelihood of BG/NBD ``params`` = (r, α, a, b) (paper, eq. 6)::

        L(r, α, a, b | x, t_x, T) = B(a, b + x) / B(a, b) · Γ(r + x) α^r / (Γ(r) (α + T)^(r + x))
                                  + δ(x > 0) · B(a + 1, b + x − 1) / B(a, b) · Γ(r + x) α^r / (Γ(r) (α + t_x)^(r + x))

    computed in logs: the common factor lnΓ(r + x) − lnΓ(r) + r ln α, each term with ``betaln``, and the sum of the
    two terms with ``logaddexp`` (the second term is absent, −∞, for customers with no repeat visit).
    """
    r, alpha, a, b = (float(value) for value in np.asarray(params, dtype=np.float64))
    x, t_x, age = _arrays(frequency, recency, T)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still_active = betaln(a, b + x) - (r + x) * np.log(alpha + age)
    repeat = x > 0
    # B(a + 1, b + x − 1) is only defined (and only needed) for x ≥ 1; the placeholder x = 1 is never used
    x_repeat = np.where(repeat, x, 1.0)
    dropped_after_last = np.where(repeat, betaln(a + 1, b + x_repeat - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    result: FloatArray = common + np.logaddexp(still_active, dropped_after_last)
    return result


def _start(x: FloatArray, age: FloatArray) -> FloatArray:
    """A start in the right scale: mean rate r/α equal to the observed visits per unit of time, a = b = 1."""
    rate = max(float(x.sum()) / max(float(age.sum()), 1e-9), 1e-6)
    start: FloatArray = np.log(np.array([1.0, 1.0 / rate, 1.0, 1.0]))
    return start


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Fit r, α, a, b by maximum likelihood (deterministic: L-BFGS-B on the log-parameters, then a Nelder-Mead polish).

    The objective is ``bgnbd_log_likelihood`` summed, evaluated in factored form: customers with the same
    (x, t_x, T) share one term weighted by their count, and the parts that depend on x, on T or on t_x alone are
    computed once per distinct value. A large guest base with days as the unit then fits in seconds.
    """
    x, t_x, age = _arrays(frequency, recency, T)
    if x.size == 0:
        raise LapseModelError("no customers to fit")
    if not np.any(x > 0):
        raise LapseModelError("no customer has a repeat visit: the model cannot be fitted")
    if np.any(t_x > age) or np.any(x != np.floor(x)):
        raise LapseModelError("recency must not exceed T and frequency must be a whole number")
    objective = _FactoredLikelihood(x, t_x, age)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * 4
    first = minimize(objective, _start(x, age), method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    # a short polish from the L-BFGS-B answer (its numerical gradient stops it a little early on large data)
    polished = minimize(
        objective,
        first.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-7, "fatol": 1e-11, "maxfev": POLISH_EVALUATIONS},
    )
    best = polished if polished.fun <= first.fun else first
    if not np.isfinite(best.fun):
        raise LapseModelError("the BG/NBD fit did not converge")
    r, alpha, a, b = (float(value) for value in np.exp(best.x))
    return BgNbdFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=-float(best.fun) * x.size, customers=int(x.size))


class _FactoredLikelihood:
    """−(mean log-likelihood) of log-parameters, as ``bgnbd_log_likelihood`` but computed per distinct value."""

    def __init__(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> None:
        rows, counts = np.unique(np.column_stack([x, t_x, age]), axis=0, return_counts=True)
        self.weights = counts.astype(np.float64) / x.size
        self.x = rows[:, 0]
        self.repeat = self.x > 0
        self.distinct_x, self.which_x = np.unique(self.x, return_inverse=True)
        self.distinct_age, self.which_age = np.unique(rows[:, 2], return_inverse=True)
        self.distinct_t_x, self.which_t_x = np.unique(rows[:, 1], return_inverse=True)

    def __call__(self, log_params: FloatArray) -> float:
        r, alpha, a, b = (float(value) for value in np.exp(log_params))
        ux = self.distinct_x
        common = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) - betaln(a, b))[self.which_x]
        shape = r + self.x
        still_active = betaln(a, b + ux)[self.which_x] - shape * np.log(alpha + self.distinct_age)[self.which_age]
        dropped = (
            betaln(a + 1, b + np.maximum(ux, 1.0) - 1)[self.which_x]
            - shape * np.log(alpha + self.distinct_t_x)[self.which_t_x]
        )
        values = common + np.logaddexp(still_active, np.where(self.repeat, dropped, -np.inf))
        mean = float(np.dot(self.weights, values))
        return -mean if np.isfinite(mean) else np.inf


def p_alive(fit: BgNbdFit, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """P(active | x, t_x, T) (paper, eq. 13)::

        P = 1 / (1 + δ(x > 0) · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x))

    which is 1 for a customer with no repeat visit (in BG/NBD a customer can only drop out right after a visit).
    """
    x, t_x, age = _arrays(frequency, recency, T)
    repeat = x > 0
    x_repeat = np.where(repeat, x, 1.0)
    log_odds_inactive = (
        np.log(fit.a) - np.log(fit.b + x_repeat - 1) + (fit.r + x) * (np.log(fit.alpha + age) - np.log(fit.alpha + t_x))
    )
    result: FloatArray = np.where(repeat, expit(-log_odds_inactive), 1.0)
    return result


def expected_visits(fit: BgNbdFit, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
    """Expected visits in the next ``t`` units, E[Y(t) | x, t_x, T] (paper, eq. 10)::

        E = (a + b + x − 1) / (a − 1)
            · [1 − ((α + T) / (α + T + t))^(r + x) · 2F1(r + x, b + x; a + b + x − 1; z)]
            / (1 + δ(x > 0) · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)),   z = t / (α + T + t)

    i.e. P(active) times the visits expected of an active customer. Numerical guards, for the second factor:

    - 2F1 is evaluated after Euler's transformation, 2F1(A, B; C; z) = (1 − z)^(C − A − B) 2F1(C − A, C − B; C; z),
      so the bracket reads 1 − (1 − z)^(a − 1) · 2F1(a + b − 1 − r, a − 1; a + b + x − 1; z): the same value, but
      no overflow for frequent customers (the raw 2F1 grows like (1 − z)^(−x) before a vanishing power meets it).
    - The result is checked against bounds it must respect: an active customer's expected visits lie between
      1 − (1 + s)^(−(r + x)) and (r + x) s, s = t / (α + T). Where scipy's 2F1 gives no value or one outside
      them (it can, for extreme parameters such as a and b in the millions on tiny data sets), and at a = 1
      where the closed form is 0/0, the same expectation is integrated numerically instead:
      E[visits | active] = ∫ (1 − (1 + p s)^(−(r + x))) / p dBeta(p; a, b + x), by Gauss-Legendre quadrature on
      the Beta quantile scale.
    """
    if t < 0:
        raise LapseModelError("t must not be negative")
    x, t_x, age = _arrays(frequency, recency, T)
    result: FloatArray = p_alive(fit, x, t_x, age) * _visits_if_active(fit, t, x, age)
    return result


def _visits_if_active(fit: BgNbdFit, t: float, x: FloatArray, age: FloatArray) -> FloatArray:
    """E[visits in the next t | active, x, T]: the closed form where it is sound, quadrature elsewhere."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    span = t / (alpha + age)
    upper = (r + x) * span
    lower = -np.expm1(-(r + x) * np.log1p(span))
    if abs(a - 1.0) < A_NEAR_ONE:
        closed = np.full(x.shape, np.nan)
    else:
        z = t / (alpha + age + t)
        with np.errstate(all="ignore"):  # overflow or NaN in scipy's 2F1 is caught by the bounds below
            bracket = 1.0 - (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
            closed = (a + b + x - 1.0) / (a - 1.0) * bracket
    unsound = ~np.isfinite(closed) | (closed < lower * (1 - 1e-9)) | (closed > upper * (1 + 1e-9))
    if np.any(unsound):
        closed = np.where(unsound, np.nan, closed)
        closed[unsound] = _visits_if_active_by_quadrature(fit, t, x[unsound], age[unsound])
    result: FloatArray = np.clip(closed, lower, upper)
    return result


def _visits_if_active_by_quadrature(fit: BgNbdFit, t: float, x: FloatArray, age: FloatArray) -> FloatArray:
    """∫ (1 − (1 + p s)^(−(r + x))) / p dBeta(p; a, b + x) with s = t / (α + T), on the Beta's quantile scale."""
    nodes, weights = np.polynomial.legendre.leggauss(QUADRATURE_POINTS)
    quantiles, weights = (nodes + 1.0) / 2.0, weights / 2.0
    distinct, which = np.unique(x, return_inverse=True)
    p = betaincinv(fit.a, fit.b + distinct[:, np.newaxis], quantiles[np.newaxis, :])[which]
    span = (t / (fit.alpha + age))[:, np.newaxis]
    shape = (fit.r + x)[:, np.newaxis]
    safe_p = np.where(p > 0, p, 1.0)
    # (1 − (1 + p s)^(−(r + x))) / p, whose limit at p = 0 is (r + x) s
    per_node = np.where(p > 0, -np.expm1(-shape * np.log1p(safe_p * span)) / safe_p, shape * span)
    result: FloatArray = per_node @ weights
    return result


# --- Gamma-Gamma spend model and the 12-month value -------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters, the maximised log-likelihood and the number of repeat customers fitted."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int


def gamma_gamma_log_likelihood(params: ArrayLike, frequency: ArrayLike, monetary_value: ArrayLike) -> FloatArray:
    """Per-customer log-likelihood of ``params`` = (p, q, v) for mean spend m_x over x repeat visits (paper, eq. 3)::

        f(m_x | p, q, v, x) = Γ(px + q) / (Γ(px) Γ(q)) · v^q · m_x^(px − 1) · x^(px) / (v + m_x x)^(px + q)

    Only defined for x > 0 and m_x > 0.
    """
    p, q, v = (float(value) for value in np.asarray(params, dtype=np.float64))
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    result: FloatArray = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + m * x)
    )
    return result


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFit:
    """Fit p, q, v by maximum likelihood on the customers with x > 0 and m_x > 0 (the others carry no spend data).

    Deterministic: L-BFGS-B on the log-parameters from p = 1, q = 2, v = mean m_x (a population mean equal to
    the observed one), then a Nelder-Mead polish.
    """
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    if x.shape != m.shape:
        raise LapseModelError("frequency and monetary_value must have the same length")
    usable = (x > 0) & (m > 0) & np.isfinite(x) & np.isfinite(m)
    x, m = x[usable], m[usable]
    if x.size < 2:
        raise LapseModelError("fewer than two customers with repeat visits and spend: Gamma-Gamma cannot be fitted")

    def objective(log_params: FloatArray) -> float:
        mean = float(np.mean(gamma_gamma_log_likelihood(np.exp(log_params), x, m)))
        return -mean if np.isfinite(mean) else np.inf

    bounds = [(-LOG_BOUND, LOG_BOUND)] * 3
    start = np.log(np.array([1.0, 2.0, float(np.mean(m))]))
    first = minimize(objective, start, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    polished = minimize(
        objective,
        first.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-7, "fatol": 1e-11, "maxfev": POLISH_EVALUATIONS},
    )
    best = polished if polished.fun <= first.fun else first
    if not np.isfinite(best.fun):
        raise LapseModelError("the Gamma-Gamma fit did not converge")
    p, q, v = (float(value) for value in np.exp(best.x))
    return GammaGammaFit(p=p, q=q, v=v, log_likelihood=-float(best.fun) * x.size, customers=int(x.size))


def expected_spend_per_visit(fit: GammaGammaFit, frequency: ArrayLike, monetary_value: ArrayLike) -> FloatArray:
    """E[spend per visit | p, q, v, m_x, x] (paper, eq. 5)::

        E = (q − 1) / (px + q − 1) · p v / (q − 1) + px / (px + q − 1) · m_x  =  p (v + x m_x) / (px + q − 1)

    a weighted mean of the population mean p v / (q − 1) and the customer's own mean. A customer with no repeat
    visit (x = 0) gets the population mean, which the formula gives at x = 0. When q ≤ 1 the population mean is
    infinite and those customers get NaN (the caller shows no figure).
    """
    x = np.asarray(frequency, dtype=np.float64)
    m = np.where(x > 0, np.asarray(monetary_value, dtype=np.float64), 0.0)
    denominator = fit.p * x + fit.q - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = np.where(denominator > 0, fit.p * (fit.v + x * m) / denominator, np.nan)
    result: FloatArray = spend
    return result


def value_12m(
    lapse_fit: BgNbdFit,
    spend_fit: GammaGammaFit,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    unit_days: int = 1,
    monthly_discount_rate: float = 0.0,
) -> FloatArray:
    """Expected spend over the next 12 months: expected visits × expected spend per visit.

    A simplification of the paper's CLV: only 12 months, and by default no discounting (then it is exactly
    E[visits in 365 days] × E[spend per visit]). With ``monthly_discount_rate`` d > 0, month k's expected visits
    (the increase of E[visits] over that twelfth of a year) are worth 1 / (1 + d)^k. Recency and T are in units of
    ``unit_days`` days, as the fit was. NaN where the expected spend is undefined (q ≤ 1).
    """
    if monthly_discount_rate < 0:
        raise LapseModelError("the monthly discount rate must not be negative")
    spend = expected_spend_per_visit(spend_fit, frequency, monetary_value)
    if monthly_discount_rate == 0:
        visits = expected_visits(lapse_fit, 365 / unit_days, frequency, recency, T)
    else:
        visits = np.zeros_like(spend)
        before = np.zeros_like(spend)
        for month in range(1, 13):
            upto = expected_visits(lapse_fit, month * DAYS_PER_MONTH / unit_days, frequency, recency, T)
            visits = visits + (upto - before) / (1.0 + monthly_discount_rate) ** month
            before = upto
    result: FloatArray = visits * spend
    return result
