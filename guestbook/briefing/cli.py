"""The briefing command: ``flask --app wsgi briefing``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask

from guestbook.i18n import LANGUAGES


@click.command("briefing")
@click.option("--date", "day", required=True, help="YYYY-MM-DD (the property's date)")
@click.option("--outlet", default=None, help="outlet code (default: every outlet)")
@click.option("--period", default=None, type=click.Choice(["breakfast", "lunch", "dinner"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="FILE.pdf")
@click.option(
    "--language",
    default=None,
    type=click.Choice(list(LANGUAGES)),
    help="Language of the printed sheet (default: the nightly briefing's language, setting briefing_print_language).",
)
@click.option("--page-per-outlet", is_flag=True, help="Start each outlet's section on a new page.")
@click.option("--landscape", is_flag=True, help="Landscape pages (wider columns).")
def briefing_command(
    day: str,
    outlet: str | None,
    period: str | None,
    out: str,
    language: str | None,
    page_per_outlet: bool,
    landscape: bool,
) -> None:
    """Write the arrival briefing for a date as a PDF."""
    from guestbook.actor import Actor
    from guestbook.admin.locale import nightly_language
    from guestbook.briefing.archive import PRINT_ROLE, export_pdf
    from guestbook.briefing.assembly import BriefingError
    from guestbook.i18n import in_language

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
    try:
        # A sheet written from the command line is printed and handed out: floor-level facts, no ages;
        # its labels and dates in the language asked for (the command's own output stays English).
        with in_language(language or nightly_language()):
            briefing, pdf = export_pdf(
                when,
                outlet,
                period,
                Actor(label="cli", role=PRINT_ROLE),
                landscape=landscape,
                page_per_outlet=page_per_outlet,
            )
    except BriefingError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
    Path(out).write_bytes(pdf)
    click.echo(f"wrote {out}: {briefing.summary.arrivals} arrivals, {briefing.summary.covers} covers, {len(pdf)} bytes")


def register_briefing_cli(app: Flask) -> None:
    """Attach the briefing command."""
    app.cli.add_command(briefing_command)
