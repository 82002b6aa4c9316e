"""Commands of the segments domain: ``segments fit`` (the lapse model on any transactions file, no database)."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from guestbook.segments import fit_file
from guestbook.segments.lapse_model import LapseModelError

segments_cli = AppGroup("segments", help="Guest segments and the lapse model.")


@segments_cli.command("fit")
@click.option(
    "--transactions",
    "transactions",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with a header naming customer_id, date (YYYY-MM-DD or YYYYMMDD) and amount.",
)
@click.option(
    "--observation-end",
    "observation_end",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day observed (YYYY-MM-DD); later transactions are left out.",
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV to write.")
@click.option(
    "--unit-days",
    "unit_days",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Days per time unit (7: weeks, as the paper).",
)
def fit_command(transactions: Path, observation_end: datetime, out: Path, unit_days: int) -> None:
    """Fit BG/NBD and Gamma-Gamma on a transactions file; write one row per customer; print the fit as JSON last.

    Output columns: customer_id (exactly as read), frequency, recency, T (in units of --unit-days),
    p_active, expected_visits_90d (over 90 days, i.e. 90 / unit-days units) and expected_spend_per_visit
    (Gamma-Gamma; customers without a repeat visit get the population mean; empty when there is no figure).
    """
    if out.resolve() == transactions.resolve():
        raise click.ClickException("--out must not be the transactions file")
    try:
        rows = fit_file.read_transactions_file(transactions)
    except fit_file.TransactionFileError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from None
    started = time.perf_counter()
    try:
        result = fit_file.fit_transactions(rows, observation_end.date(), unit_days)
    except LapseModelError as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    with out.open("w", encoding="utf-8", newline="") as stream:
        fit_file.write_customers(result, stream)
    click.echo(
        f"read {len(rows)} transactions; {result.histories.ignored_after_end} after the observation end left out; "
        f"{result.lapse.customers} customers fitted in {seconds:.2f} s; wrote {out}"
    )
    if result.spend_problem is not None:
        click.echo(f"no spend model: {result.spend_problem}")
    click.echo(json.dumps(fit_file.fit_summary(result)))


def register_segments_cli(app: Flask) -> None:
    """Attach the segments domain's commands to ``flask --app wsgi``."""
    from guestbook.segments.refresh_cli import refresh_command

    segments_cli.add_command(refresh_command)
    app.cli.add_command(segments_cli)
