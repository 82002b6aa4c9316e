"""``flask --app wsgi letters ...``: the daily run, approval and print files, over the letters rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.letters import batches as letter_batches
from guestbook.letters import exports as letter_exports
from guestbook.letters import selection as letters

letters_cli = AppGroup("letters", help="Birthday, we-miss-you, thank-you and anniversary letters.")


def _parse_date(value: str | None) -> date:
    if not value:
        return property_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None


@letters_cli.command("run")
@click.option("--date", "run_date", help="The run date, YYYY-MM-DD (default: today at the property).")
def run_command(run_date: str | None) -> None:
    """Put the letters due on a date into that day's batch; the batch id is printed on the last line."""
    day = _parse_date(run_date)
    batch = letters.run_daily(day, Actor.system("cli:letters run"))
    tally = letter_batches.counts(letter_batches.get_batch(batch.id))
    drafted = sum(tally["kind"].values())
    skipped = tally["status"].get("skipped", 0)
    click.echo(f"letters for {day.isoformat()}: {drafted} to send, {skipped} left out")
    failed = list(batch.skipped or [])
    lines = [f"guest {item['guest_id']}: {item['reason']}" for item in failed]
    if len(lines) == 1:
        click.echo(f"1 letter skipped: {lines[0]}")
    elif lines:
        click.echo(f"{len(lines)} letters skipped:")
        for line in lines:
            click.echo(f"  {line}")
    click.echo(str(batch.id))


@letters_cli.command("approve")
@click.option("--batch", "batch_id", required=True, type=int)
def approve_command(batch_id: int) -> None:
    """Approve every drafted letter in a batch."""
    try:
        count = letter_batches.approve_batch(batch_id, Actor.system("cli:letters approve"))
    except letter_batches.LetterError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"approved {count} letters in batch {batch_id}")


@letters_cli.command("pdf")
@click.option("--batch", "batch_id", required=True, type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Letters PDF to write.")
@click.option("--labels", type=click.Path(dir_okay=False, path_type=Path), help="Address labels PDF to write.")
@click.option(
    "--label-sheet",
    help="L7160, L7163, L7159, 3475, 5160, auto or COLUMNSxROWS (default: the property's setting).",
)
@click.option(
    "--start-at",
    type=int,
    default=1,
    show_default=True,
    help="First free label on a part-used sheet (numbered from 1, left to right, then top to bottom).",
)
@click.option("--envelopes", type=click.Path(dir_okay=False, path_type=Path), help="Envelopes PDF to write.")
@click.option("--envelope", "envelope", help="DL, C5 or US10 (default: the property's setting).")
def pdf_command(
    batch_id: int,
    out: Path | None,
    labels: Path | None,
    label_sheet: str | None,
    start_at: int,
    envelopes: Path | None,
    envelope: str | None,
) -> None:
    """Write the approved letters, their address labels and/or envelopes (same order) as print-ready PDFs."""
    if out is None and labels is None and envelopes is None:
        raise click.UsageError("give --out FILE.pdf, --labels FILE.pdf and/or --envelopes FILE.pdf")
    actor = Actor.system("cli:letters pdf")
    try:
        # Check the choices before anything is written: a wrong sheet must not leave half the files behind.
        if labels is not None:
            letter_exports.check_start_at(letter_exports.label_sheet_for(label_sheet), start_at)
        if envelopes is not None:
            letter_exports.envelope_for(envelope)
        if out is not None:
            count = letter_exports.export_pdf(batch_id, actor, out)
            click.echo(f"wrote {count} letters to {out}")
        if labels is not None:
            count = letter_exports.export_pdf(
                batch_id, actor, labels, labels=True, label_sheet=label_sheet, start_at=start_at
            )
            sheet = letter_exports.label_sheet_for(label_sheet)
            click.echo(f"wrote {count} labels ({sheet.name}, from position {start_at}) to {labels}")
        if envelopes is not None:
            count = letter_exports.export_envelopes(batch_id, actor, envelopes, envelope=envelope)
            click.echo(f"wrote {count} envelopes ({letter_exports.envelope_for(envelope).name}) to {envelopes}")
    except letter_batches.LetterError as exc:
        raise click.ClickException(str(exc)) from None


@letters_cli.command("csv")
@click.option("--batch", "batch_id", required=True, type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def csv_command(batch_id: int, out: Path) -> None:
    """Write the batch as CSV for a mailing house."""
    try:
        text = letter_exports.export_csv(batch_id, Actor.system("cli:letters csv"))
    except letter_batches.LetterError as exc:
        raise click.ClickException(str(exc)) from None
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")
