"""Column-only SELECTs on SQLite straight through the driver: the path every keystroke's search takes.

SQLAlchemy's execution of a small statement (an execution context, a result object and its metadata) cost about
three times SQLite's own work: 64 µs against 19 µs for a range of 20 tokens, and a search runs seven such
statements. Here a statement built once (``statement``) or written as text is compiled once; each run expands its
IN lists, binds its values in order and runs on the session's own DBAPI connection, inside the same transaction.

It is used only where nothing would differ from SQLAlchemy's path: on SQLite, when no bound value needs
converting (a datetime parameter takes the usual path), with each result column converted as SQLAlchemy converts
it (``result_processor``: a stored datetime comes back aware). Listeners of ``before_cursor_execute`` still see
every statement (the tests that count a page's queries). PostgreSQL always takes SQLAlchemy's path. A text
statement is known by its SQL: one with typed parameters (``bindparams(...)``) must not share its SQL with an
untyped one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import TextClause
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import SelectBase

S = TypeVar("S", bound=Executable)

_STABLE: set[int] = set()  # ids of the statements ``statement`` built (kept for ever: an id is never reused)
_PREPARED: dict[object, _Prepared | None] = {}  # statement (its id, or a text's SQL) → how to run it, None: not here
_PREPARED_MAX = 512  # text statements differ by their words' count; emptied if ever reached
_EXPANDING = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_MISSING = object()  # not prepared yet (None: prepared, and not for this path)


class Rows(list[Any]):
    """A statement's rows (tuples, or SQLAlchemy's tuple-like rows), with the two ways callers read them besides
    iterating."""

    def scalars(self) -> list[Any]:
        return [row[0] for row in self]

    def one(self) -> Any:
        if len(self) != 1:
            raise ValueError(f"expected one row, got {len(self)}")
        return self[0]


def statement(build: Callable[[], S]) -> Callable[[], S]:
    """Build a statement once (as ``functools.cache``) and let ``rows`` run it through the driver on SQLite."""

    @functools.cache
    def built() -> S:
        stmt = build()
        _STABLE.add(id(stmt))
        return stmt

    return functools.update_wrapper(built, build)


@dataclass(frozen=True)
class _Prepared:
    compiled: SQLCompiler
    sql: str  # qmark placeholders; an IN list as __[POSTCOMPILE_name], expanded per run
    names: tuple[str, ...]  # the parameters in placeholder order
    expanding: frozenset[str]
    processors: tuple[Callable[[Any], Any] | None, ...] | None  # per result column; None: none converts


def run(conn: Connection, stmt: Executable, params: Mapping[str, Any]) -> Rows | None:
    """The rows of ``stmt`` run through the driver, or None when it must take SQLAlchemy's path."""
    if conn.dialect.name != "sqlite":
        return None
    key: object = stmt.text if isinstance(stmt, TextClause) else id(stmt) if id(stmt) in _STABLE else None
    if key is None:
        return None
    prepared = _PREPARED.get(key, _MISSING)
    if prepared is _MISSING:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        prepared = _PREPARED[key] = _prepare(stmt, conn.dialect)
    if prepared is None:
        return None
    assert isinstance(prepared, _Prepared)
    values = prepared.compiled.construct_params(dict(params))
    if any(not values[name] for name in prepared.expanding):
        return None  # an empty IN list: SQLAlchemy writes its own always-false form
    sql = prepared.sql
    if prepared.expanding:
        sql = _EXPANDING.sub(lambda m: ", ".join("?" * len(values[m.group(1)])), sql)
    args = list(_arguments(prepared, values))
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        listeners = conn.dispatch.before_cursor_execute
        if listeners:
            listeners(conn, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        fetched: Sequence[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    if prepared.processors is None:
        return Rows(fetched)
    convert = prepared.processors
    return Rows(
        tuple(value if f is None else f(value) for f, value in zip(convert, row, strict=True)) for row in fetched
    )


def _arguments(prepared: _Prepared, values: Mapping[str, Any]) -> Iterator[Any]:
    for name in prepared.names:
        if name in prepared.expanding:
            yield from values[name]
        else:
            yield values[name]


def _prepare(stmt: Executable, dialect: Dialect) -> _Prepared | None:
    if not isinstance(stmt, ClauseElement):
        return None
    compiled = stmt.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or not compiled.positional or compiled.positiontup is None:
        return None
    for bind in compiled.binds.values():
        if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
            return None  # a value SQLAlchemy converts before binding (a datetime): its own path
    expanding = set(_EXPANDING.findall(compiled.string))  # the IN lists, by the names the placeholders carry
    if not expanding <= set(compiled.positiontup):
        return None
    processors: tuple[Callable[[Any], Any] | None, ...] | None = None
    if isinstance(stmt, SelectBase):
        found = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in stmt.selected_columns)
        processors = found if any(found) else None
    return _Prepared(compiled, compiled.string, tuple(compiled.positiontup), frozenset(expanding), processors)
