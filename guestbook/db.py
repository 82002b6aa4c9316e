"""Database engine behaviour: SQLite pragmas and write transactions that begin IMMEDIATE."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .extensions import db

WRITE_OPTION = "guestbook_write"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy (below) emit BEGIN itself, so write transactions can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    timeout = 10_000
    with contextlib.suppress(RuntimeError):  # outside an app context: keep the default
        timeout = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", timeout))
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={timeout:d}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads dominate (search as you type): a bigger page cache and memory-mapped I/O keep them off the disk.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    """Begin SQLite transactions ourselves: IMMEDIATE for writes, so a read-then-write never hits BUSY_SNAPSHOT."""
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Start the session's write transaction (takes SQLite's write lock up front).

    Any read-only transaction already open in the session is ended first; pending changes are
    never silently dropped (they are flushed and committed with it).
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
