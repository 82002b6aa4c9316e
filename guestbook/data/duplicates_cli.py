"""``flask --app wsgi duplicates scan``: find likely duplicate guests now (the nightly job does the same)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from guestbook.actor import Actor
from guestbook.data import duplicates

duplicates_cli = AppGroup("duplicates", help="Likely duplicate guests.")


@duplicates_cli.command("scan")
def scan_command() -> None:
    """Scan every guest for likely duplicates and replace the stored pairs (pairs rejected before stay rejected)."""
    result = duplicates.scan(Actor.system("cli:duplicates"))
    click.echo(
        f"scanned {result.guests} guests, likely pairs: {result.pairs} "
        f"(compared: {result.compared}, blocks too big skipped: {result.skipped_blocks}), {result.seconds:.1f} s"
    )
