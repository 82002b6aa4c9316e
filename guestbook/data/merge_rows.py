"""The rows a merge moves, found generically: every column with a foreign key to ``guest.id``.

Rows are read and written with SQLAlchemy Core (never the ORM, whose cascades would follow the guest),
identified by their primary key, and kept in JSON (a merge's snapshots) with a small typed encoding so
an undo can put back exactly what was there: dates, times, money and bytes included.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, PrimaryKeyConstraint, Table, UniqueConstraint, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from guestbook.extensions import Base, db
from guestbook.guests.models import Guest

# Rebuilt from the guest (guests.search_index), never moved.
SEARCH_TABLES = frozenset({"guest_token", "guest_search_key"})
# A suggestion about the two guests (or one of them) that a merge settles: dropped, put back by an undo.
DROP_TABLES = frozenset({"duplicate_pair", "not_duplicate"})
# Small rows that make up the profile itself: kept whole in the snapshots, restored row for row by an undo.
SNAPSHOT_TABLES = ("allergy", "guest_tag", "guest_photo", "guest_address_flag", "guest_source_ref")
# Unique constraints where both guests may rightly have a row (a letter each for one period): the moved
# row's column gets a suffix instead of being dropped; the undo restores the value.
RENAME_ON_CONFLICT = {"uq_letter_guest_family_period": "period_key", "uq_letter_guest_lapse": "lapse_key"}


@dataclass(frozen=True)
class Link:
    """One column of one table that points at a guest."""

    table: Table
    column: Column[Any]

    @property
    def key(self) -> str:
        """``visit`` for the usual ``guest_id`` column, ``possible_match.candidate_guest_id`` for the others."""
        return self.table.name if self.column.name == "guest_id" else f"{self.table.name}.{self.column.name}"


def guest_table() -> Table:
    """The guest table."""
    table = Guest.__table__
    assert isinstance(table, Table)
    return table


def guest_links() -> list[Link]:
    """Every (table, column) with a foreign key to guest.id, in dependency order (later domains included)."""
    target = guest_table()
    links: list[Link] = []
    for table in Base.metadata.sorted_tables:
        if table is target:
            continue
        for column in table.columns:
            if any(fk.column.table is target for fk in column.foreign_keys):
                links.append(Link(table, column))
    return links


def guest_columns(table: Table) -> list[Column[Any]]:
    """The columns of ``table`` that point at a guest."""
    target = guest_table()
    return [c for c in table.columns if any(fk.column.table is target for fk in c.foreign_keys)]


# --- values in JSON ------------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A column value as JSON (dates, times, money and bytes tagged so ``decode_value`` gives them back)."""
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


_DECODERS: dict[str, Any] = {
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$dec": Decimal,
    "$b64": base64.b64decode,
}


def decode_value(value: Any) -> Any:
    """The column value ``encode_value`` stored."""
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), *_ = value.items()
        if tag in _DECODERS:
            return _DECODERS[tag](raw)
    return value


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    """A whole row as JSON."""
    return {c.name: encode_value(row[c.name]) for c in table.columns}


def decode_row(values: dict[str, Any]) -> dict[str, Any]:
    """The row ``encode_row`` stored, ready to insert."""
    return {name: decode_value(value) for name, value in values.items()}


# --- primary keys --------------------------------------------------------------------------------------


def pk_of(table: Table, row: Any) -> Any:
    """The row's primary key as JSON: the value for a one-column key, else the list of values."""
    values = [row[c.name] for c in table.primary_key.columns]
    return values[0] if len(values) == 1 else values


def pk_tuple(pk: Any) -> tuple[Any, ...]:
    """A stored primary key as a hashable tuple."""
    return tuple(pk) if isinstance(pk, list | tuple) else (pk,)


def where_pk(table: Table, pk: Any) -> ColumnElement[bool]:
    """The condition selecting the row with primary key ``pk``."""
    return and_(*(c == v for c, v in zip(table.primary_key.columns, pk_tuple(pk), strict=True)))


def pk_display(table: Table, pk: Any) -> Any:
    """The key of a row as a person reads it: without the guest column (a tag's id, not [guest, tag])."""
    names = [c.name for c in table.primary_key.columns]
    guest_names = {c.name for c in guest_columns(table)}
    rest = [v for name, v in zip(names, pk_tuple(pk), strict=True) if name not in guest_names]
    if not rest:
        return pk
    return rest[0] if len(rest) == 1 else rest


def rows_of(link: Link, guest_id: int) -> list[Any]:
    """The rows of ``link.table`` whose ``link.column`` is ``guest_id``, in primary-key order."""
    stmt = select(link.table).where(link.column == guest_id).order_by(*link.table.primary_key.columns)
    return list(db.session.execute(stmt).mappings())


def row_by_pk(table: Table, pk: Any) -> Any | None:
    """One row by its primary key, or None."""
    return db.session.execute(select(table).where(where_pk(table, pk))).mappings().first()


def table_named(name: str) -> Table | None:
    """A table of the metadata by name (None when a later version dropped it)."""
    return Base.metadata.tables.get(name)


def insert_row(table: Table, values: dict[str, Any]) -> bool:
    """Insert a row in a savepoint; False (and nothing written) when it no longer fits (a key now taken)."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(**values))
    except IntegrityError:
        return False
    return True


def update_row(table: Table, pk: Any, values: dict[str, Any]) -> None:
    """Set ``values`` on the row with primary key ``pk`` (an ``updated_at`` kept as it is: a move is no edit)."""
    db.session.execute(update(table).where(where_pk(table, pk)).values(**values, **_kept_on_update(table, values)))


def delete_row(table: Table, pk: Any) -> None:
    """Delete the row with primary key ``pk``."""
    db.session.execute(delete(table).where(where_pk(table, pk)))


def _kept_on_update(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    return {c.name: c for c in table.columns if c.onupdate is not None and c.name not in values}


def is_plain(link: Link) -> bool:
    """Whether the link's rows move in one UPDATE: no unique key, no other guest column, no special rule."""
    special = link.table.name in DROP_TABLES or link.table.name == "allergy"
    return not special and not unique_keys(link) and len(guest_columns(link.table)) == 1


def move_all(link: Link, from_id: int, to_id: int) -> list[Any]:
    """Move every row of a plain link from one guest to the other in one UPDATE; the keys of the rows moved."""
    pk_columns = list(link.table.primary_key.columns)
    stmt = select(*pk_columns).where(link.column == from_id).order_by(*pk_columns)
    pks = [row[0] if len(row) == 1 else list(row) for row in db.session.execute(stmt)]
    if pks:
        values = {link.column.name: to_id}
        db.session.execute(
            update(link.table).where(link.column == from_id).values(**values, **_kept_on_update(link.table, values))
        )
    return pks


def move_back(link: Link, pks: list[Any], from_id: int, to_id: int) -> None:
    """Move the rows with these keys that are still ``from_id``'s back to ``to_id`` (in chunks when possible)."""
    pk_columns = list(link.table.primary_key.columns)
    values = {link.column.name: to_id}
    kept = _kept_on_update(link.table, values)
    if len(pk_columns) == 1:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            where = and_(pk_columns[0].in_(chunk), link.column == from_id)
            db.session.execute(update(link.table).where(where).values(**values, **kept))
        return
    for pk in pks:
        where = and_(where_pk(link.table, pk), link.column == from_id)
        db.session.execute(update(link.table).where(where).values(**values, **kept))


def unique_keys(link: Link) -> list[tuple[str, list[Column[Any]]]]:
    """The unique constraints (the primary key too) of the link's table that include the link's column."""
    found: list[tuple[str, list[Column[Any]]]] = []
    for constraint in link.table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint) and link.column.name in constraint.columns:
            found.append((str(constraint.name or "pk"), list(constraint.columns)))
    return found


def with_suffix(value: str, suffix: str, length: int | None) -> str:
    """``value`` with ``suffix``, cut so the whole fits the column."""
    room = (length or 255) - len(suffix)
    return value[: max(room, 0)] + suffix


def snapshot_tables() -> Iterator[Link]:
    """The links of the snapshot tables (those present in this version's metadata)."""
    by_name = {link.table.name: link for link in guest_links() if link.column.name == "guest_id"}
    for name in SNAPSHOT_TABLES:
        if name in by_name:
            yield by_name[name]
