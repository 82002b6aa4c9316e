"""``flask --app wsgi import guests|visits FILE --source NAME``: error lines, then the counts as one JSON line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from guestbook.actor import Actor
from guestbook.data import imports


@click.group("import")
def import_group() -> None:
    """Import guests or visit history from a CSV or XLSX file (all rows or none)."""


def _run(kind: str, file: Path, source: str, dry_run: bool, allow_erased: bool) -> None:
    try:
        imports.check_kind_and_source(kind, source)
    except imports.ImportSettingsError as exc:
        raise click.BadParameter(str(exc), param_hint="--source") from None
    report = imports.run_import(
        kind,
        source,
        file,
        Actor.system(f"cli:import {kind}"),
        dry_run=dry_run,
        allow_erased=allow_erased,
        filename=file.name,
        emit=click.echo,
    )
    click.echo(imports.report_json(report))
    if report.errors:
        click.get_current_context().exit(1)


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@import_group.command("guests")
@click.argument("file", type=_FILE)
@click.option("--source", required=True, help="The system the file comes from (e.g. opera); ids are per source.")
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
@click.option("--allow-erased", is_flag=True, help="Import rows whose email or phone belongs to an erased guest.")
@with_appcontext
def import_guests(file: Path, source: str, dry_run: bool, allow_erased: bool) -> None:
    """Import guest profiles: created, updated or unchanged by (source, source_id)."""
    _run("guests", file, source, dry_run, allow_erased)


@import_group.command("visits")
@click.argument("file", type=_FILE)
@click.option("--source", required=True, help="The system the file comes from; guest_source_id is its guest id.")
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
@with_appcontext
def import_visits(file: Path, source: str, dry_run: bool) -> None:
    """Import visit history: each guest's visit count, last visit and search order follow."""
    _run("visits", file, source, dry_run, False)
