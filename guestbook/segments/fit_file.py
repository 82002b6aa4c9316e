"""Fitting the lapse and spend models on a transactions file (``customer_id,date,amount``), for operators who want to
check the model on their own point-of-sale export. The same fitting functions as the nightly refresh; no database.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from guestbook.segments.lapse_model import (
    BgNbdFit,
    CustomerHistories,
    GammaGammaFit,
    LapseModelError,
    expected_spend_per_visit,
    expected_visits,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    summarise_transactions,
)

COLUMNS = ("customer_id", "date", "amount")
OUTPUT_COLUMNS = (
    "customer_id",
    "frequency",
    "recency",
    "T",
    "p_active",
    "expected_visits_90d",
    "expected_spend_per_visit",
)
HORIZON_DAYS = 90
MAX_REPORTED_ERRORS = 20
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{4})(\d{2})(\d{2})")


class TransactionFileError(ValueError):
    """The file cannot be used; ``problems`` lists each bad row as ``row N, column C: value 'V': reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FileFit:
    """The summary per customer, both fits (``spend`` is None when Gamma-Gamma cannot be fitted) and the rows read."""

    histories: CustomerHistories
    lapse: BgNbdFit
    spend: GammaGammaFit | None
    spend_problem: str | None
    transactions: int
    unit_days: int


def parse_date(text: str) -> date:
    """An ISO date ``YYYY-MM-DD`` or ``YYYYMMDD`` (nothing else: no times, no week dates)."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError("not a date (use YYYY-MM-DD or YYYYMMDD)")
    year, month, day = (int(part) for part in match.groups() if part is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("no such day in the calendar") from None


def parse_amount(text: str) -> Decimal:
    """A plain decimal amount, zero or more (a dot for decimals, no currency sign, no thousands separator)."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("not a number (use a dot for decimals, no currency sign or thousands separator)") from None
    if not amount.is_finite():
        raise ValueError("not a number (use a dot for decimals, no currency sign or thousands separator)")
    if amount < 0:
        raise ValueError("negative amounts are not accepted (leave refunds out)")
    return amount


def read_transactions(stream: TextIO) -> list[tuple[str, date, Decimal]]:
    """Every row of a ``customer_id,date,amount`` CSV (header required, column order free, extra columns ignored).

    Customer ids are kept exactly as written (leading zeros, spaces). Raises ``TransactionFileError`` naming the
    bad rows (row numbers as a spreadsheet shows them, header = row 1).
    """
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise TransactionFileError([f"row 1: not a CSV row ({exc})"]) from None
    names = [name.strip().lower() for name in header or []]
    missing = [column for column in COLUMNS if column not in names]
    if header is None or missing:
        found = ", ".join(header or []) or "nothing"
        raise TransactionFileError([f"row 1: the header must name the columns {', '.join(COLUMNS)} (found: {found})"])
    index = {column: names.index(column) for column in COLUMNS}
    rows: list[tuple[str, date, Decimal]] = []
    problems: list[str] = []
    for number, cells in _numbered(reader, problems):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        values = {column: cells[position] if position < len(cells) else "" for column, position in index.items()}
        row_problems: list[str] = []
        customer_id = values["customer_id"]
        if not customer_id.strip():
            row_problems.append(f"row {number}, column customer_id: value '{customer_id}': missing")
        day: date | None = None
        amount: Decimal | None = None
        try:
            day = parse_date(values["date"])
        except ValueError as exc:
            row_problems.append(f"row {number}, column date: value '{values['date']}': {exc}")
        try:
            amount = parse_amount(values["amount"])
        except ValueError as exc:
            row_problems.append(f"row {number}, column amount: value '{values['amount']}': {exc}")
        if row_problems or day is None or amount is None:
            problems.extend(row_problems)
        else:
            rows.append((customer_id, day, amount))
    if problems:
        shown = problems[:MAX_REPORTED_ERRORS]
        if len(problems) > MAX_REPORTED_ERRORS:
            shown.append(f"... and {len(problems) - MAX_REPORTED_ERRORS} more problems")
        raise TransactionFileError(shown)
    return rows


def _numbered(reader: Iterator[list[str]], problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Data rows with their spreadsheet row numbers; a row the CSV reader cannot parse is a problem, then stop."""
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(f"row {number}: not a CSV row ({exc})")
            return
        yield number, cells


def read_transactions_file(path: Path) -> list[tuple[str, date, Decimal]]:
    """``read_transactions`` on a UTF-8 file (a byte-order mark is allowed)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return read_transactions(stream)
    except UnicodeDecodeError:
        raise TransactionFileError([f"{path}: the file is not UTF-8 text (save it as CSV UTF-8)"]) from None


def fit_transactions(rows: list[tuple[str, date, Decimal]], observation_end: date, unit_days: int = 1) -> FileFit:
    """Summarise, fit BG/NBD (raises ``LapseModelError`` if it cannot) and Gamma-Gamma (optional: None if it cannot)."""
    histories = summarise_transactions(rows, observation_end, unit_days)
    lapse = fit_bgnbd(histories.frequency, histories.recency, histories.T)
    spend: GammaGammaFit | None = None
    spend_problem: str | None = None
    try:
        spend = fit_gamma_gamma(histories.frequency, histories.monetary_value)
    except LapseModelError as exc:
        spend_problem = str(exc)
    return FileFit(histories, lapse, spend, spend_problem, len(rows) - histories.ignored_after_end, unit_days)


def write_customers(result: FileFit, stream: TextIO) -> None:
    """One CSV row per customer: the summary, P(active), expected visits in the next 90 days and spend per visit.

    Times are in the file's unit (``unit_days``), so the 90-day horizon is 90 / unit_days units. Expected spend per
    visit is Gamma-Gamma's conditional mean; a customer with no repeat visit gets the population mean p v / (q − 1)
    (what the model expects of a second visit), and the cell is empty when there is no figure (no Gamma-Gamma fit,
    or q ≤ 1 where the mean is infinite).
    """
    h = result.histories
    active = p_alive(result.lapse, h.frequency, h.recency, h.T)
    visits = expected_visits(result.lapse, HORIZON_DAYS / result.unit_days, h.frequency, h.recency, h.T)
    spend = None if result.spend is None else expected_spend_per_visit(result.spend, h.frequency, h.monetary_value)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for index, customer_id in enumerate(h.customer_ids):
        writer.writerow(
            [
                customer_id,
                int(h.frequency[index]),
                _number(float(h.recency[index])),
                _number(float(h.T[index])),
                _fixed(float(active[index]), 6),
                _fixed(float(visits[index]), 6),
                "" if spend is None else _fixed(float(spend[index]), 2),
            ]
        )


def fit_summary(result: FileFit) -> dict[str, float | int | None]:
    """The fitted parameters as the CLI prints them (``p``, ``q``, ``v`` are null without a Gamma-Gamma fit)."""
    spend = result.spend
    return {
        "r": result.lapse.r,
        "alpha": result.lapse.alpha,
        "a": result.lapse.a,
        "b": result.lapse.b,
        "p": None if spend is None else spend.p,
        "q": None if spend is None else spend.q,
        "v": None if spend is None else spend.v,
        "customers": result.lapse.customers,
        "log_likelihood": result.lapse.log_likelihood,
    }


def _number(value: float) -> str:
    """A time: whole numbers without decimals (days), others to 6 decimals (weeks are days / 7)."""
    return str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0")


def _fixed(value: float, places: int) -> str:
    """A figure to ``places`` decimals, empty when there is none (NaN)."""
    return "" if math.isnan(value) else f"{value:.{places}f}"
