"""Set-based SQL for imports: bulk inserts, the search entries of new guests, visit counts and recency.

On SQLite the bulk inserts bind values already in stored form (one prepared statement, no per-value
type processing): at a million rows that processing would cost more than the insert itself.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    Numeric,
    Table,
    cast,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.guests.search_index import on_sqlite
from guestbook.guests.search_models import GuestSearchKey, GuestToken, SearchVocabVariant
from guestbook.guests.search_tokens import deletions, fuzzy_eligible, guest_tokens, index_tokens, name_forms
from guestbook.models.base import UTCDateTime, utcnow

_CHUNK = 500  # ids per IN (...) list
GUEST = typed(Table, Guest.__table__)
VISIT = typed(Table, Visit.__table__)
TOKEN = typed(Table, GuestToken.__table__)
SEARCH_KEY = typed(Table, GuestSearchKey.__table__)
VOCAB = typed(Table, SearchVocabVariant.__table__)


@dataclass
class _Named:
    """What the search tokeniser reads of a guest, for guests inserted without ORM objects."""

    given_name: str
    family_name: str
    preferred_name: str
    company: str
    email: str | None
    phone_digits: str | None
    language: str


def index_new_guests(guests: list[tuple[int, dict[str, Any]]]) -> None:
    """Write the search entries of newly inserted guests (no visits yet), as ``index_guest`` does for one."""
    tokens_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    phone_rows: list[dict[str, Any]] = []
    vocab: set[str] = set()
    sqlite = on_sqlite()
    for gid, v in guests:
        named = _Named(
            v["given_name"],
            v["family_name"],
            v["preferred_name"],
            v["company"],
            v["email"],
            v["phone_digits"],
            v["language"],
        )
        tokens = guest_tokens(named)
        tokens_rows.extend({"token": t, "recency": 0, "guest_id": gid} for t in index_tokens(tokens))
        key_rows.append(
            {
                "guest_id": gid,
                "tokens": " ".join(sorted(tokens)),
                "name_forms": "|".join(sorted(name_forms(named))),
                "phone_digits": v["phone_digits"] or "",
            }
        )
        vocab.update(t for t in tokens if fuzzy_eligible(t))
        if v["phone_digits"] and sqlite:
            phone_rows.append({"id": gid, "digits": v["phone_digits"]})
    if tokens_rows:
        bulk_insert(TOKEN, tokens_rows)
    bulk_insert(SEARCH_KEY, key_rows)
    variants = [{"variant": d, "token": t} for t in vocab for d in deletions(t)]
    if variants:
        if sqlite:
            db.session.execute(insert(VOCAB).prefix_with("OR IGNORE"), variants)
        else:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            db.session.execute(pg_insert(VOCAB).on_conflict_do_nothing(), variants)
    if phone_rows:
        db.session.execute(text("INSERT INTO guest_phone_fts(rowid, digits) VALUES (:id, :digits)"), phone_rows)


def _epoch(column: Any) -> ColumnElement[Any]:
    if on_sqlite():
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def refresh_guests(guest_ids: set[int]) -> None:
    """Recompute visit_count and last_visit_at of these guests, then their tokens' recency, set-based."""
    ids = sorted(guest_ids)
    gt = GUEST
    vt = VISIT
    tt = TOKEN
    count = select(func.count(vt.c.id)).where(vt.c.guest_id == gt.c.id).scalar_subquery()
    last = select(func.max(vt.c.visited_at)).where(vt.c.guest_id == gt.c.id).scalar_subquery()
    recency = func.coalesce(select(-_epoch(gt.c.last_visit_at)).where(gt.c.id == tt.c.guest_id).scalar_subquery(), 0)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        db.session.execute(
            update(gt).where(gt.c.id.in_(chunk)).values(visit_count=count, last_visit_at=last, updated_at=utcnow())
        )
        db.session.execute(update(tt).where(tt.c.guest_id.in_(chunk)).values(recency=recency))


def sqlite_time(value: datetime | None) -> str | None:
    """A UTC instant as SQLAlchemy stores DateTime on SQLite (what ``UTCDateTime`` binds)."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How a value is stored on SQLite when the column's type would process it (None: stored as is)."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return sqlite_time
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, Boolean):
        return int
    if isinstance(kind, Numeric):
        return lambda value: None if value is None else str(value)
    return None


def bulk_insert(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys) in one executemany.

    SQLite: one prepared statement with the values already in stored form — at a million rows the
    column types' per-value processing would cost more than the insert. Elsewhere: a Core insert.
    """
    if not rows:
        return
    if not on_sqlite():
        db.session.execute(insert(table), rows)
        return
    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    convert = [(i, fn) for i, name in enumerate(names) if (fn := _sqlite_converter(table.c[name])) is not None]
    pick = itemgetter(*names)
    params: list[Any] = []
    for row in rows:
        values = list(pick(row)) if len(names) > 1 else [row[names[0]]]
        for i, fn in convert:
            values[i] = fn(values[i])
        params.append(tuple(values))
    db.session.connection().exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', params)


@contextlib.contextmanager
def lean_connection(cache_mib: int = 32) -> Iterator[None]:
    """While a big import runs on SQLite: no memory-mapped reads and a smaller page cache on its connection,
    so the process's memory does not grow with the database; the connection's settings come back after."""
    if not on_sqlite():
        yield
        return
    conn = db.session.connection()
    mmap_size = int(conn.exec_driver_sql("PRAGMA mmap_size").scalar() or 0)
    cache_size = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
    conn.exec_driver_sql("PRAGMA mmap_size=0")
    conn.exec_driver_sql(f"PRAGMA cache_size={-1024 * cache_mib:d}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA mmap_size={mmap_size:d}")
        conn.exec_driver_sql(f"PRAGMA cache_size={cache_size:d}")
