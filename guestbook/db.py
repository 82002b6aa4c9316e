"""Database engine behaviour: SQLite pragmas, and write transactions that take the one write lock.

SQLite: writes ``BEGIN IMMEDIATE``. PostgreSQL: writes take a transaction-scoped advisory lock, so
services keep the same guarantee on both (write transactions run one at a time, and what they read
after ``begin_write()`` is not changed under them by another writer); reads never wait.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Insert, Table, event, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from guestbook import db_rows
from guestbook.db_rows import Rows
from guestbook.extensions import db

WRITE_OPTION = "guestbook_write"
APPEND_ONLY = "append-only"  # WRITE_OPTION's value for a write that only adds rows (no PostgreSQL write lock)
# db.session.info key: how many write_transaction() blocks are open (only the outermost commits).
WRITE_DEPTH = "guestbook_write_depth"
# pg_advisory_xact_lock key of the one write lock (any constant; held until COMMIT or ROLLBACK).
POSTGRES_WRITE_LOCK = 0x6775_6573_7462  # "guestb"
# db.session.info keys: values read once per transaction (``cached``), and "this commit keeps what is loaded".
CACHE = "guestbook_cache"
KEEP_LOADED = "guestbook_keep_loaded"
# ``cached(topic=...)``: the generations read in this transaction (a key of CACHE), and app.extensions' key of
# the values each worker keeps between requests.
GENERATIONS = "guestbook_cache_generations"
SHARED = "guestbook_shared_cache"
SHARED_MAX = 1024  # keys kept per worker (one per staff account and per day asked about); emptied if reached
_GENERATIONS_SQL = text("SELECT topic, n FROM cache_generation")
T = TypeVar("T")


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
def _begin(conn: Connection) -> None:
    """Begin transactions so that writes are serialised, as the services expect.

    SQLite: we emit BEGIN ourselves, IMMEDIATE for writes, so a read-then-write never hits BUSY_SNAPSHOT.
    PostgreSQL (READ COMMITTED): a write transaction first waits for the advisory write lock, so two
    processes doing the same get-or-create (a scheduler started twice) queue instead of colliding. An
    append-only write (an audit row for a read, the search counter's atomic upsert) reads nothing it then
    decides on, so it does not queue behind the others: every card and search writes one, and behind the
    one lock, held through each commit's WAL flush, they made the floor's reads wait on each other.
    """
    write = conn.get_execution_options().get(WRITE_OPTION)
    if conn.dialect.name == "sqlite":
        # Straight to the driver: every request begins one, and SQLAlchemy's statement machinery (a result object
        # for a statement that returns nothing) cost more than SQLite's own BEGIN.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")  # type: ignore[union-attr]
    elif conn.dialect.name == "postgresql" and write and write != APPEND_ONLY:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK:d})")


def begin_write(*, append_only: bool = False) -> None:
    """Start the session's write transaction (takes the write lock up front: SQLite's, or PostgreSQL's advisory one).

    Any read-only transaction already open in the session is ended first; pending changes are
    never silently dropped (they are flushed and committed with it).
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    else:
        session.expire_all()  # objects kept after a read's audit row (keep_loaded) are read again inside the write
    session.connection(execution_options={WRITE_OPTION: APPEND_ONLY if append_only else True})


def cached(key: str, load: Callable[[], T], *, outside_writes: bool = False, topic: str | None = None) -> T:
    """``load()`` once per transaction of the session: settings and the property are read by many helpers per page.

    The cache ends with the transaction (commit or rollback; a request's session ends with the request),
    so a value is never older than what the same transaction would read again; a rule that changes
    one of these values inside a longer transaction calls ``forget(key)``. ``outside_writes``: rows that
    many rules write (today's bookings) are cached only in read transactions; inside a write they are read
    each time, so a rule always sees its own changes without having to know who caches what.

    ``topic`` (a ``cache_generation`` topic; the value must be plain data, never a loaded model): in a
    read transaction the value is also kept by this worker between requests, and loaded again only when
    the topic's generation has changed since (``shared``).
    """
    session = db.session()
    writing = session.info.get(WRITE_DEPTH)
    if outside_writes and writing:
        return load()
    cache: dict[str, Any] = session.info.setdefault(CACHE, {})
    if key not in cache:
        cache[key] = load() if topic is None or writing else shared(cache, key, topic, load)
    return cache[key]  # type: ignore[no-any-return]


def shared(cache: dict[str, Any], key: str, topic: str, load: Callable[[], T]) -> T:
    """The worker's copy of ``key`` if its topic's generation is unchanged, else ``load()`` kept with the new one.

    The generations are read once per transaction, before any value they guard: a value loaded later in
    the same transaction is at least as new as its generation (a newer one only means one reload too many).
    Kept per application (a test's app never sees another's database); a topic without a row keeps nothing.
    """
    generations = cache.get(GENERATIONS)
    if generations is None:
        generations = cache[GENERATIONS] = {topic: n for topic, n in rows(_GENERATIONS_SQL)}
    generation = generations.get(topic)
    if generation is None:
        return load()
    kept: dict[str, tuple[int, Any]] = current_app.extensions.setdefault(SHARED, {})
    entry = kept.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]  # type: ignore[no-any-return]
    value = load()
    if len(kept) >= SHARED_MAX:  # a long-lived worker asked about many days: start again, never grow without end
        kept.clear()
    kept[key] = (generation, value)
    return value


def rows(statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """Run a SELECT of columns (no model to load) on the session's connection, past the ORM's statement layer.

    The search runs seven of these per keystroke; the ORM's per-statement set-up was a quarter of each one's
    cost, and on SQLite a statement built with ``db_rows.statement`` (or written as text) goes straight to the
    driver (``db_rows``). Pending changes are flushed first, as the session's own ``execute`` would (autoflush).
    """
    session = db.session()
    if session.autoflush and (session.new or session.deleted or session.dirty):
        session.flush()
    conn = session.connection()
    found = db_rows.run(conn, statement, params or {})
    return found if found is not None else Rows(conn.execute(statement, params or {}).all())


def forget(key: str) -> None:
    """Drop one cached value (the rule that changes it calls this)."""
    db.session().info.get(CACHE, {}).pop(key, None)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.get(KEEP_LOADED):
        session.info.pop(CACHE, None)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(CACHE, None)


@contextlib.contextmanager
def write_transaction(*, keep_loaded: bool = False, append_only: bool = False) -> Iterator[None]:
    """Run the block as one write transaction: commit when it ends, roll back if anything is raised.

    The outermost block begins the write (``begin_write()``: BEGIN IMMEDIATE on SQLite, the advisory
    lock on PostgreSQL). A rule that opens a block while another is already open (a rule calling a
    rule) joins it: nothing is committed until the outermost block ends, and an exception from the
    inner rule that reaches the outer block rolls back the outer rule's writes too.

    ``keep_loaded``: the block only adds rows that nothing loaded refers to (an audit event for a read),
    so the objects the request has already read stay loaded instead of being expired and read again.
    ``append_only``: the block reads nothing it then decides on (an insert, an atomic upsert), so on
    PostgreSQL it does not take the write lock (see ``_begin``); a rule's block it joins is unchanged.
    """
    session = db.session()
    depth = int(session.info.get(WRITE_DEPTH, 0))
    if depth:
        session.info[WRITE_DEPTH] = depth + 1
        try:
            yield
        finally:
            session.info[WRITE_DEPTH] = depth
        return
    expire_on_commit = session.expire_on_commit
    if keep_loaded:
        session.expire_on_commit = False
        session.info[KEEP_LOADED] = True
    try:
        begin_write(append_only=append_only)
        session.info[WRITE_DEPTH] = 1
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(WRITE_DEPTH, None)
        session.info.pop(KEEP_LOADED, None)
        session.expire_on_commit = expire_on_commit


def append_now(table: Table, values: Mapping[str, Any]) -> bool:
    """SQLite: add one row in a short write transaction of its own, past the ORM's transaction machinery.

    For an append-only write during a read (an audit row for a card view): the read transaction ends (it wrote
    nothing), ``BEGIN IMMEDIATE`` takes the write lock, the row goes in and commits, and a new read transaction
    begins on the same connection. What the session has loaded stays loaded and its cached values stay, as with
    ``write_transaction(keep_loaded=True)``, which cost about eight times as much (two ORM commits, the
    connection handed back to the pool and checked out again).

    Returns False, having done nothing, where that block is needed: on PostgreSQL, inside a write transaction or
    a savepoint, or with changes pending in the session (they must be flushed and committed as usual).
    """
    session = db.session()
    if session.info.get(WRITE_DEPTH) or session.new or session.dirty or session.deleted:
        return False
    if session.in_nested_transaction():
        return False
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return False
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    try:
        driver.execute("COMMIT")  # the read wrote nothing
        try:
            driver.execute("BEGIN IMMEDIATE")  # waits for the write lock up to the busy timeout, as a rule's write
            try:
                conn.execute(_insert_of(table), dict(values))
                driver.execute("COMMIT")
            except BaseException:
                driver.execute("ROLLBACK")
                raise
        finally:
            driver.execute("BEGIN")  # the session's transaction goes on reading, from now
    except sqlite3.Error as exc:  # raised as SQLAlchemy raises the driver's errors elsewhere
        raise DBAPIError.instance("append_now", None, exc, sqlite3.Error) from exc
    return True


@functools.cache
def _insert_of(table: Table) -> Insert:
    """One INSERT construct per table: SQLAlchemy's compiled cache then finds it without rebuilding its key."""
    return insert(table)


# Schema objects the migrations create by hand, outside the models: SQLite's FTS5 phone table (and
# the shadow tables FTS5 keeps) and PostgreSQL's pg_trgm index. Autogenerate must leave them alone.
HAND_MADE_TABLE_PREFIX = "guest_phone_fts"
HAND_MADE_INDEXES = frozenset({"ix_guest_search_key_phone_trgm"})


def include_in_autogenerate(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic ``include_object`` hook (migrations/env.py): skip the hand-made objects above."""
    if type_ == "table" and name and name.startswith(HAND_MADE_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in HAND_MADE_INDEXES)
