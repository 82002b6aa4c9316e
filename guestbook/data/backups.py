"""Backups and restores of the SQLite database, online: SQLite's backup API both ways, while the app serves traffic.

A backup is a plain SQLite file (rollback journal, no ``-wal`` beside it), written under a temporary name
and renamed into place, so a half-written file never carries the final name. A restore copies a checked
backup into the live database in one write transaction of the backup API: readers keep their snapshot
until they finish, writers wait on the busy timeout, and everyone then sees the restored database.
PostgreSQL is backed up with ``pg_dump``/``pg_restore`` (README "Backups"); these functions refuse it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.settings import get_setting
from guestbook.db import write_transaction
from guestbook.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every Guestbook database has since migration 0001: a file without them is some other database.
GUESTBOOK_TABLES = frozenset({"alembic_version", "guest", "visit", "staff_user", "audit_event"})
NIGHTLY_PREFIX = "guestbook-"
NIGHTLY_SUFFIX = ".sqlite3"
POSTGRES_MESSAGE = (
    "this database is PostgreSQL: back it up with pg_dump and restore it with pg_restore "
    "(README, 'Backups'); the backup and restore commands work on SQLite only"
)


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why (English, for the CLI)."""


@dataclass(frozen=True)
class BackupFile:
    """What a backup wrote."""

    path: Path
    size: int
    revision: str


def live_sqlite_path() -> Path:
    """The live SQLite database file, or BackupError when the database is not SQLite."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_MESSAGE)
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def known_revisions() -> tuple[set[str], set[str]]:
    """(every revision of the migration scripts, their heads): what a backup may be, what the code runs on."""
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    return {script.revision for script in scripts.walk_revisions()}, set(scripts.get_heads())


def _revision_of(conn: sqlite3.Connection) -> str:
    return ",".join(sorted(str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")))


@contextlib.contextmanager
def _raw_connection() -> Iterator[sqlite3.Connection]:
    """A pooled sqlite3 connection of the app's engine (its pragmas set), given back to the pool afterwards."""
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        yield conn
    finally:
        raw.close()


def backup_to(out: Path, force: bool = False) -> BackupFile:
    """Copy the live database to ``out`` as one consistent snapshot; refuses an existing ``out`` unless ``force``.

    The backup API copies every page in one step, inside one read transaction of the source: in WAL mode
    that never blocks the app's readers or writers, and the copy is the database as of one commit.
    """
    live_sqlite_path()
    out = Path(out)
    if out.exists() and not force:
        raise BackupError(f"{out} exists; use --force to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(6)}.partial")
    try:
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            with _raw_connection() as source:
                source.backup(target, pages=-1)
            # A plain single file: the copy keeps no WAL mode (no -wal/-shm files appear when it is opened).
            target.execute("PRAGMA journal_mode=DELETE")
            revision = _revision_of(target)
        finally:
            target.close()
        if force:
            os.replace(partial, out)
        else:
            _move_without_overwriting(partial, out)
    except FileExistsError:
        raise BackupError(f"{out} exists; use --force to overwrite it") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(path=out, size=out.stat().st_size, revision=revision)


def _move_without_overwriting(partial: Path, out: Path) -> None:
    """Rename ``partial`` to ``out``; FileExistsError if ``out`` appeared meanwhile (a backup of the same name)."""
    try:
        os.link(partial, out)  # atomic and refuses an existing name
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if out.exists():
            raise FileExistsError(out) from None
        os.replace(partial, out)
        return
    partial.unlink()


def check_backup(path: Path) -> str:
    """The migration revision of a Guestbook backup at ``path``; BackupError when it must not be restored."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as a SQLite database: {exc}") from None
    try:
        tables = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = GUESTBOOK_TABLES - tables
        if missing:
            raise BackupError(f"{path} is not a Guestbook database (no {', '.join(sorted(missing))} table)")
        revision = _revision_of(conn)
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} is damaged: {'; '.join(problems[:5])}")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database: {exc}") from None
    finally:
        conn.close()
    every, heads = known_revisions()
    if not revision or not set(revision.split(",")) <= every:
        raise BackupError(f"{path} is at migration revision {revision or '(none)'}, which this Guestbook does not know")
    if set(revision.split(",")) != heads:
        raise BackupError(
            f"{path} is at migration revision {revision}, this Guestbook runs on {','.join(sorted(heads))}: "
            "upgrade a copy of the backup first (GUESTBOOK_DATABASE_URL=sqlite:///COPY flask --app wsgi db upgrade), "
            "then restore the copy"
        )
    return revision


def restore_from(path: Path, actor: Actor, keep_current_in: Path | None = None) -> tuple[str, BackupFile | None]:
    """Put the backup at ``path`` back as the live database, atomically; returns (its revision, the kept copy).

    Checked first (SQLite, Guestbook tables, intact, the migration the code runs on); then, with
    ``keep_current_in``, the current database is backed up into that folder. The backup API writes every
    page of the backup into the live file in one write transaction: a crash leaves the old database, a
    running worker sees either the old database or the restored one, never a mixture.
    """
    live_sqlite_path()
    revision = check_backup(path)
    kept = None
    if keep_current_in is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = backup_to(keep_current_in / f"pre-restore-{stamp}{NIGHTLY_SUFFIX}")
    source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        db.session.remove()  # no read transaction of ours may hold the old snapshot open
        with _raw_connection() as target:
            source.backup(target, pages=-1)
    except sqlite3.Error as exc:  # e.g. another page size (WAL cannot change it): the live database is unchanged
        raise BackupError(f"{path} could not be restored, the database is unchanged: {exc}") from None
    finally:
        source.close()
    with write_transaction():  # the restored database remembers it was restored
        audit.record(actor, "database_restore", detail=Path(path).name)
    return revision, kept


def backup_folder() -> Path:
    """The nightly backups' folder: the ``backup_folder`` setting, relative to the instance folder unless absolute."""
    folder = Path(str(get_setting("backup_folder") or "backups"))
    return folder if folder.is_absolute() else Path(current_app.instance_path) / folder


def nightly_backups(folder: Path) -> list[Path]:
    """The nightly backups in ``folder``, oldest first (their names sort by date)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{NIGHTLY_PREFIX}*{NIGHTLY_SUFFIX}") if p.is_file())


def nightly_backup(today: date, keep: int | None = None) -> tuple[BackupFile | None, list[Path]]:
    """Make today's backup unless it exists, then keep the newest ``keep`` (setting ``backup_keep``).

    Returns (the backup made, or None when today's was already there; the old backups deleted).
    Idempotent: the file name is the date, so a second run the same day makes nothing.
    """
    folder = backup_folder()
    keep = int(get_setting("backup_keep")) if keep is None else keep
    out = folder / f"{NIGHTLY_PREFIX}{today.isoformat()}{NIGHTLY_SUFFIX}"
    made = None
    if not out.exists():
        try:
            made = backup_to(out)
        except BackupError:
            if not out.exists():  # not another scheduler's backup of today: a real failure
                raise
    kept = nightly_backups(folder)
    removed = kept[: max(len(kept) - max(keep, 1), 0)]
    for old in removed:
        old.unlink(missing_ok=True)
    return made, removed
