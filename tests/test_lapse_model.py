"""The lapse model (BG/NBD), the spend model (Gamma-Gamma), the transaction summary and ``segments fit``.

The validation on real data is the CDNOW 1/10 sample (tests/data/cdnow_sample.txt, source in
tests/data/cdnow_sample.SOURCE.md): the fits must reproduce the published estimates.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskCliRunner
from scipy.special import beta, gamma, hyp2f1

from guestbook.segments.lapse_model import (
    BgNbdFit,
    CustomerHistories,
    GammaGammaFit,
    LapseModelError,
    bgnbd_log_likelihood,
    expected_spend_per_visit,
    expected_visits,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    summarise_transactions,
    value_12m,
)

CDNOW = Path(__file__).parent / "data" / "cdnow_sample.txt"
# The paper's 39-week calibration period: 1997-01-01 to 1997-09-30 inclusive. T is the end date minus the first
# purchase day, so a customer who first bought on 1997-01-01 has T = 272 days = 38.86 weeks, as in Hardie's data
# (and in lifetimes' cdnow_customers_summary.csv). Ending a day later (1997-10-01, T = 39.0) gives LL = −9,602.9
# and a = 0.803: not the published fit.
CALIBRATION_END = date(1997, 9, 30)
FIT = BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, customers=0)


def cdnow_rows() -> list[tuple[str, str, date, Decimal]]:
    """(master id, sample id, day, dollars) for every line of the sample, ids as written (leading zeros)."""
    rows = []
    for line in CDNOW.read_text(encoding="ascii").splitlines():
        master, sample, day, _cds, dollars = line.split()
        rows.append((master, sample, date(int(day[:4]), int(day[4:6]), int(day[6:])), Decimal(dollars)))
    return rows


@pytest.fixture(scope="module")
def cdnow_weeks() -> CustomerHistories:
    """The calibration-period summary of the CDNOW sample, in weeks."""
    return summarise_transactions(
        ((sample, day, dollars) for _master, sample, day, dollars in cdnow_rows()), CALIBRATION_END, unit_days=7
    )


def test_cdnow_summary_matches_the_published_calibration_data(cdnow_weeks: CustomerHistories) -> None:
    """2,357 customers, 2,457 repeat purchase days among 946 repeat customers in the 39 weeks.

    The same figures as the summary shipped with ``lifetimes`` (cdnow_customers_summary.csv); customer 0001 there:
    x = 2, t_x = 30.43, T = 38.86.
    """
    h = cdnow_weeks
    assert len(h) == 2357
    assert h.frequency.sum() == 2457
    assert (h.frequency > 0).sum() == 946
    assert h.customer_ids[0] == "0001"
    assert h.frequency[0] == 2
    assert h.recency[0] == pytest.approx(213 / 7)  # 1997-01-01 to 1997-08-02
    assert h.T[0] == pytest.approx(272 / 7)
    assert h.monetary_value[0] == pytest.approx((29.73 + 14.96) / 2)  # repeat days only: the first is left out
    assert h.ignored_after_end == sum(1 for row in cdnow_rows() if row[2] > CALIBRATION_END) == 1959
    assert h.T.min() == pytest.approx(27.0)  # the last first-purchase day, 1997-03-31, is 183 days before the end


def test_bgnbd_reproduces_the_papers_estimates_on_cdnow(cdnow_weeks: CustomerHistories) -> None:
    """Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 280: r = 0.243, α = 4.414, a = 0.793, b = 2.426,
    LL = −9,582.4 on these 2,357 customers over 39 weeks; parameters within 1%, the log-likelihood within 0.1."""
    h = cdnow_weeks
    fit = fit_bgnbd(h.frequency, h.recency, h.T)
    assert fit.customers == 2357
    assert fit.r == pytest.approx(0.243, rel=0.01)
    assert fit.alpha == pytest.approx(4.414, rel=0.01)
    assert fit.a == pytest.approx(0.793, rel=0.01)
    assert fit.b == pytest.approx(2.426, rel=0.01)
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    # the maximum is one: the published (rounded) parameters are not better than the fit
    published = bgnbd_log_likelihood([0.243, 4.414, 0.793, 2.426], h.frequency, h.recency, h.T).sum()
    assert fit.log_likelihood >= published
    # deterministic: the same data give the same numbers
    assert fit_bgnbd(h.frequency, h.recency, h.T) == fit


def test_gamma_gamma_reproduces_the_published_estimates_on_cdnow(cdnow_weeks: CustomerHistories) -> None:
    """p = 6.25, q = 3.74, γ = 15.44 for the 946 repeat customers of this sample's 39-week calibration period
    (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of monetary
    value", brucehardie.com/notes/025). Our fit agrees to the published rounding (two decimals)."""
    h = cdnow_weeks
    fit = fit_gamma_gamma(h.frequency, h.monetary_value)
    assert fit.customers == 946
    assert fit.p == pytest.approx(6.25, abs=0.005)
    assert fit.q == pytest.approx(3.74, abs=0.005)
    assert fit.v == pytest.approx(15.44, abs=0.005)


def test_fit_recovers_the_parameters_of_simulated_guests_in_days() -> None:
    """20,000 guests drawn from BG/NBD with known parameters (days as the unit): the fit finds them again."""
    rng = np.random.default_rng(14)
    count, r, alpha, a, b = 20_000, 0.6, 60.0, 0.8, 4.0
    rate, drop = rng.gamma(r, 1 / alpha, count), rng.beta(a, b, count)
    age = rng.integers(1, 1000, count).astype(float)
    visits, last, clock = np.zeros(count), np.zeros(count), np.zeros(count)
    active = np.ones(count, dtype=bool)
    while active.any():
        clock = clock + rng.exponential(1 / rate)
        visited = active & (clock <= age)
        visits[visited] += 1
        last[visited] = np.floor(clock[visited])  # visit days: whole days since the first visit
        active = visited & (rng.random(count) >= drop)
    fit = fit_bgnbd(visits, last, age)
    assert fit.customers == count
    assert (fit.r, fit.alpha, fit.a, fit.b) == pytest.approx((r, alpha, a, b), rel=0.15)


def test_log_likelihood_is_the_papers_formula() -> None:
    """Eq. 6 written out with plain Γ and B functions, for a customer without and with repeat visits."""
    r, alpha, a, b = 0.7, 3.0, 1.4, 2.2
    x, t_x, age = 3, 5.0, 9.0
    nbd = gamma(r + x) * alpha**r / gamma(r)
    with_repeats = beta(a, b + x) / beta(a, b) * nbd / (alpha + age) ** (r + x) + beta(a + 1, b + x - 1) / beta(
        a, b
    ) * nbd / (alpha + t_x) ** (r + x)
    without = beta(a, b) / beta(a, b) * alpha**r / (alpha + age) ** r
    values = bgnbd_log_likelihood([r, alpha, a, b], [x, 0], [t_x, 0], [age, age])
    assert values == pytest.approx([math.log(with_repeats), math.log(without)], rel=1e-12)


def test_p_alive_is_one_without_repeat_visits_and_exact_otherwise() -> None:
    fit = BgNbdFit(r=1.0, alpha=1.0, a=1.0, b=3.0, log_likelihood=0.0, customers=0)
    assert p_alive(fit, [0, 0], [0, 0], [1, 500]).tolist() == [1.0, 1.0]
    # 1 / (1 + a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)) = 1 / (1 + 1/3 · (4/2)^2) = 3/7
    assert p_alive(fit, [1], [1], [3])[0] == pytest.approx(3 / 7, rel=1e-12)


def test_p_alive_falls_as_a_regular_stays_away() -> None:
    """A weekly regular (10 repeat visits over 70 days) is ever less likely active as the days without a visit grow."""
    ages = [70, 77, 90, 120, 200, 365]
    alive = p_alive(FIT, [10] * 6, [70] * 6, ages)
    assert alive[0] > 0.9
    assert all(later < earlier for earlier, later in itertools.pairwise(alive))
    assert alive[-1] < 0.01


def test_expected_visits_grow_with_time_and_match_the_untransformed_formula() -> None:
    horizons = [0.0, 1.0, 10.0, 39.0, 90.0, 365.0]
    x, t_x, age = np.array([0.0, 2.0, 7.0]), np.array([0.0, 30.43, 35.0]), np.array([38.86, 38.86, 38.86])
    values = np.array([expected_visits(FIT, t, x, t_x, age) for t in horizons])
    assert values[0].tolist() == [0.0, 0.0, 0.0]
    assert np.all(np.diff(values, axis=0) > 0)
    # eq. 10 as printed (raw 2F1, no transformation): the same numbers for moderate x
    r, alpha, a, b = FIT.r, FIT.alpha, FIT.a, FIT.b
    for t, row in zip(horizons[1:], values[1:], strict=True):
        raw = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + age) / (alpha + age + t)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + age + t))
            )
            / (1 + (x > 0) * a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x))
        )
        assert row == pytest.approx(raw, rel=1e-9)


def test_expected_visits_stay_finite_for_frequent_guests_and_near_a_equal_one() -> None:
    """A daily regular (300 repeat days in a year) overflows the raw 2F1; the guarded formula stays near their rate."""
    daily = BgNbdFit(r=0.5, alpha=20.0, a=0.8, b=5.0, log_likelihood=0.0, customers=0)
    visits = expected_visits(daily, 90.0, [300], [364], [365])[0]
    assert math.isfinite(visits)
    assert 60 < visits < 90
    at_one = expected_visits(BgNbdFit(0.5, 20.0, 1.0, 5.0, 0.0, 0), 90.0, [3, 0], [50, 0], [100, 100])
    beside = expected_visits(BgNbdFit(0.5, 20.0, 1.001, 5.0, 0.0, 0), 90.0, [3, 0], [50, 0], [100, 100])
    assert at_one == pytest.approx(beside, rel=1e-3)


def test_fit_refuses_data_without_repeat_visits() -> None:
    with pytest.raises(LapseModelError):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
    with pytest.raises(LapseModelError):
        fit_bgnbd([], [], [])
    with pytest.raises(LapseModelError):
        fit_gamma_gamma([1, 0], [10.0, 0.0])


def test_expected_spend_weighs_the_population_mean_and_the_guests_own() -> None:
    fit = GammaGammaFit(p=2.0, q=3.0, v=10.0, log_likelihood=0.0, customers=0)
    spend = expected_spend_per_visit(fit, [0, 2], [0.0, 20.0])
    assert spend[0] == pytest.approx(2 * 10 / (3 - 1))  # no repeat visit: the population mean p v / (q − 1)
    assert spend[1] == pytest.approx(2 * (10 + 2 * 20) / (2 * 2 + 3 - 1))
    assert math.isnan(expected_spend_per_visit(GammaGammaFit(2.0, 0.9, 10.0, 0.0, 0), [0], [0.0])[0])


def test_value_12m_is_a_years_visits_times_spend_and_discounting_lowers_it() -> None:
    spend_fit = GammaGammaFit(p=6.25, q=3.74, v=15.44, log_likelihood=0.0, customers=0)
    x, t_x, age, m = [0, 4], [0, 60], [90, 90], [0.0, 40.0]
    plain = value_12m(FIT, spend_fit, x, t_x, age, m)
    expected = expected_visits(FIT, 365, x, t_x, age) * expected_spend_per_visit(spend_fit, x, m)
    assert plain == pytest.approx(expected, rel=1e-12)
    weekly = value_12m(FIT, spend_fit, x, [0, 60 / 7], [90 / 7, 90 / 7], m, unit_days=7)
    assert weekly == pytest.approx(
        expected_visits(FIT, 365 / 7, x, [0, 60 / 7], [90 / 7, 90 / 7]) * expected_spend_per_visit(spend_fit, x, m)
    )
    discounted = value_12m(FIT, spend_fit, x, t_x, age, m, monthly_discount_rate=0.01)
    assert np.all(discounted < plain)
    assert np.all(discounted > plain / 1.01**12)


def test_summary_counts_a_day_once_keeps_ids_and_measures_t_from_the_first_day() -> None:
    rows = [
        ("00042", date(1997, 1, 1), Decimal("10.00")),
        ("00042", date(1997, 1, 1), Decimal("5.50")),  # same day: one visit, amounts summed
        ("00042", date(1997, 3, 1), 20.0),
        ("00042", date(1997, 3, 1), Decimal("4.00")),
        ("00042", date(1997, 5, 1), Decimal("30.00")),
        ("42", date(1997, 6, 1), Decimal("7.00")),
        ("42", date(1998, 7, 1), Decimal("99.00")),  # after the observation end: left out
        ("ผู้เข้าพัก-01", date(1998, 6, 30), Decimal("1")),
    ]
    h = summarise_transactions(rows, date(1998, 6, 30))
    assert h.customer_ids == ("00042", "42", "ผู้เข้าพัก-01")
    assert h.frequency.tolist() == [2.0, 0.0, 0.0]
    assert h.recency.tolist() == [(date(1997, 5, 1) - date(1997, 1, 1)).days, 0.0, 0.0]
    assert h.T[0] == 545  # 1997-01-01 to 1998-06-30, the example
    assert h.T[2] == 0
    assert h.monetary_value.tolist() == [pytest.approx((24.0 + 30.0) / 2), 0.0, 0.0]
    assert h.ignored_after_end == 1
    weeks = summarise_transactions(rows, date(1998, 6, 30), unit_days=7)
    assert weeks.T[0] == pytest.approx(545 / 7)
    assert weeks.frequency.tolist() == h.frequency.tolist()


# --- flask --app wsgi segments fit -----------------------------------------------------------------------------


def small_file(path: Path) -> Path:
    """Eight guests with ISO dates, ids with leading zeros and Thai; two with several visits on one day."""
    start = date(2024, 1, 1)
    lines = ["customer_id,date,amount"]
    for guest, (gap, visits, spend) in enumerate([(7, 12, 40), (30, 5, 90), (90, 2, 300), (14, 8, 55)]):
        for n in range(visits):
            lines.append(f"{guest:05d},{(start + timedelta(days=guest + gap * n)).isoformat()},{spend + n}")
    lines += [
        "00000,2024-01-01,12.50",  # a second bill on guest 00000's first day: still one visit
        "ไทย-7,20240301,45",
        "ไทย-7,20240601,55.25",
        "0099,2024-02-02,10",
        "123,2024-03-03,0",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_output(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_cli_fits_a_small_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source, out = small_file(tmp_path / "pos.csv"), tmp_path / "customers.csv"
    result = runner.invoke(
        args=["segments", "fit", "--transactions", str(source), "--observation-end", "2024-06-30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) == {"r", "alpha", "a", "b", "p", "q", "v", "customers", "log_likelihood"}
    assert summary["customers"] == 7
    rows = read_output(out)
    assert list(rows[0]) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "p_active",
        "expected_visits_90d",
        "expected_spend_per_visit",
    ]
    by_id = {row["customer_id"]: row for row in rows}
    assert list(by_id) == ["00000", "00001", "00002", "00003", "ไทย-7", "0099", "123"]
    assert by_id["00000"]["frequency"] == "11"  # 12 visit days, the extra bill on day one counted once
    assert by_id["00000"]["T"] == "181"  # 2024-01-01 to 2024-06-30
    assert by_id["ไทย-7"]["recency"] == "92"
    assert by_id["0099"]["p_active"] == "1.000000"  # no repeat visit: active by the model's definition
    fit = BgNbdFit(summary["r"], summary["alpha"], summary["a"], summary["b"], 0.0, 0)
    for row in rows:
        frequency, recency, age = float(row["frequency"]), float(row["recency"]), float(row["T"])
        assert float(row["p_active"]) == pytest.approx(p_alive(fit, [frequency], [recency], [age])[0], abs=1e-6)
        assert float(row["expected_visits_90d"]) == pytest.approx(
            expected_visits(fit, 90, [frequency], [recency], [age])[0], abs=1e-6
        )
    spend = GammaGammaFit(summary["p"], summary["q"], summary["v"], 0.0, 0)
    population = summary["p"] * summary["v"] / (summary["q"] - 1)
    assert float(by_id["0099"]["expected_spend_per_visit"]) == pytest.approx(population, abs=0.005)
    own = expected_spend_per_visit(spend, [11], [(sum(40 + n for n in range(1, 12))) / 11])[0]
    assert float(by_id["00000"]["expected_spend_per_visit"]) == pytest.approx(own, abs=0.005)


def test_cli_reproduces_the_cdnow_fit_in_weeks(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The CDNOW sample as an operator's export (master ids with leading zeros, YYYYMMDD dates), weeks as the unit."""
    source, out = tmp_path / "cdnow.csv", tmp_path / "customers.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["customer_id", "date", "amount"])
        for master, _sample, day, dollars in cdnow_rows():
            writer.writerow([master, day.strftime("%Y%m%d"), dollars])
    result = runner.invoke(
        args=[
            "segments",
            "fit",
            "--transactions",
            str(source),
            "--observation-end",
            CALIBRATION_END.isoformat(),
            "--out",
            str(out),
            "--unit-days",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["customers"] == 2357
    assert summary["r"] == pytest.approx(0.243, rel=0.01)
    assert summary["alpha"] == pytest.approx(4.414, rel=0.01)
    assert summary["a"] == pytest.approx(0.793, rel=0.01)
    assert summary["b"] == pytest.approx(2.426, rel=0.01)
    assert summary["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)
    assert (summary["p"], summary["q"], summary["v"]) == pytest.approx((6.25, 3.74, 15.44), abs=0.005)
    rows = read_output(out)
    assert len(rows) == 2357
    first = rows[0]
    assert first["customer_id"] == "00004"
    assert (first["frequency"], first["recency"], first["T"]) == ("2", "30.428571", "38.857143")
    fit = BgNbdFit(summary["r"], summary["alpha"], summary["a"], summary["b"], 0.0, 0)
    # 90 days in weeks: 90/7 units
    assert float(first["expected_visits_90d"]) == pytest.approx(
        expected_visits(fit, 90 / 7, [2], [213 / 7], [272 / 7])[0], abs=1e-6
    )


def test_cli_names_bad_rows_and_writes_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "pos.csv", tmp_path / "customers.csv"
    source.write_text(
        "customer_id,date,amount\n007,2024-01-05,10\n007,2024-02-30,10\n008,05/01/2024,1,5\n009,2024-01-07,-3\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=["segments", "fit", "--transactions", str(source), "--observation-end", "2024-06-30", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "row 3, column date: value '2024-02-30': no such day in the calendar",
        "row 4, column date: value '05/01/2024': not a date (use YYYY-MM-DD or YYYYMMDD)",
        "row 5, column amount: value '-3': negative amounts are not accepted (leave refunds out)",
    ]
    assert not out.exists()


def test_cli_refuses_a_file_that_is_not_utf8(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "pos.csv", tmp_path / "customers.csv"
    source.write_bytes("customer_id,date,amount\nMüller,2024-01-05,10\n".encode("cp1252"))
    result = runner.invoke(
        args=["segments", "fit", "--transactions", str(source), "--observation-end", "2024-06-30", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "the file is not UTF-8 text" in result.stderr
    assert not out.exists()


def test_cli_needs_the_header(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "pos.csv", tmp_path / "customers.csv"
    source.write_text("007,2024-01-05,10\n", encoding="utf-8")
    result = runner.invoke(
        args=["segments", "fit", "--transactions", str(source), "--observation-end", "2024-06-30", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "row 1: the header must name the columns customer_id, date, amount" in result.stderr
    assert not out.exists()
