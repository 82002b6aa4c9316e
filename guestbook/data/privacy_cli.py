"""Commands for privacy: ``retention [--dry-run]`` and ``erase GUEST_ID --reason TEXT --yes``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from guestbook.actor import Actor
from guestbook.data import erasure, retention


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="List who would be erased, and change nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Erase guests with no visit for more than the retention_years setting (off when 0)."""
    years = retention.retention_years()
    if years <= 0:
        click.echo("retention is off (setting retention_years is 0): nothing to do")
        return
    if dry_run:
        due = retention.retention_preview()
        for c in due:
            last = c.last_visit.date().isoformat() if c.last_visit else f"no visit (created {c.created_at.date()})"
            click.echo(f"{c.guest_id}\t{last}\t{c.masked_name}")
        click.echo(f"{len(due)} guest(s) with no visit for more than {years} years would be erased (dry run)")
        return
    done = retention.apply_retention(Actor.system("cli:retention"))
    if done:
        erasure.compact_database()
    click.echo(f"erased {len(done)} guest(s) with no visit for more than {years} years")


@click.command("erase")
@click.argument("guest_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the erasure record only).")
@click.option("--yes", is_flag=True, help="Confirm: erasing cannot be undone.")
@with_appcontext
def erase_command(guest_id: int, reason: str, yes: bool) -> None:
    """Erase (anonymise) one guest, then compact the database file."""
    if not yes:
        raise click.ClickException(f"erasing guest {guest_id} cannot be undone: run again with --yes to do it")
    try:
        record = erasure.erase_guest(guest_id, reason, Actor.system("cli:erase"))
    except erasure.GuestNotFound:
        raise click.ClickException(f"no guest with id {guest_id}") from None
    except erasure.AlreadyErased:
        raise click.ClickException(f"guest {guest_id} was already erased") from None
    except erasure.BadReason as exc:
        raise click.ClickException(f"--reason: {exc}") from None
    erasure_id = record.id
    erasure.compact_database()
    click.echo(f"erased guest {guest_id} (erasure {erasure_id}); database compacted")
