"""Commands of the data domain: ``backup`` and ``restore`` (SQLite; PostgreSQL uses pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from guestbook.actor import Actor
from guestbook.data import backups, import_cli, privacy_cli
from guestbook.data.duplicates_cli import duplicates_cli


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@with_appcontext
def backup_command(out: Path, force: bool) -> None:
    """Copy the live SQLite database to a plain SQLite file, consistently, while the app keeps serving."""
    try:
        made = backups.backup_to(out, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {made.path} ({made.size} bytes, migration revision {made.revision})")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the live database is replaced by the backup.")
@with_appcontext
def restore_command(backup_file: Path, yes: bool) -> None:
    """Put a backup back as the live SQLite database, atomically (a copy of the current one is kept first)."""
    try:
        backups.live_sqlite_path()
        if not yes:
            backups.check_backup(backup_file)
            raise backups.BackupError(
                f"restore replaces the live database with {backup_file} (everything written since is lost): "
                "run again with --yes to do it"
            )
        revision, kept = backups.restore_from(backup_file, Actor.system("cli:restore"), backups.backup_folder())
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if kept is not None:
        click.echo(f"kept the database as it was in {kept.path} ({kept.size} bytes)")
    click.echo(f"restored {backup_file} (migration revision {revision})")


def register_data_cli(app: Flask) -> None:
    """Attach the data domain's commands to ``flask --app wsgi``."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(duplicates_cli)  # duplicates scan
    app.cli.add_command(import_cli.import_group)  # import guests|visits FILE --source NAME
    app.cli.add_command(privacy_cli.retention_command)  # retention [--dry-run]
    app.cli.add_command(privacy_cli.erase_command)  # erase GUEST_ID --reason TEXT --yes
