"""``db.rows`` on SQLite's driver path (``guestbook/db_rows.py``) gives exactly what SQLAlchemy's path gives.

The search's statements run there on every keystroke; these compare the two paths on the same statements (IN
lists, a datetime column, text with named parameters) and check what must still take SQLAlchemy's path.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import bindparam, select, text

from guestbook import db_rows
from guestbook.db import rows
from guestbook.extensions import db
from guestbook.guests.models import Guest

from .factories import add_visits, make_guest
from .test_request_costs import statements

pytestmark = pytest.mark.usefixtures("app")


@db_rows.statement
def _guests_by_id() -> object:
    return select(Guest.id, Guest.given_name, Guest.last_visit_at).where(Guest.id.in_(bindparam("ids", expanding=True)))


def _both(stmt: object, params: dict[str, object]) -> tuple[list[object] | None, list[object]]:
    conn = db.session.connection()
    fast = db_rows.run(conn, stmt, params)  # type: ignore[arg-type]
    slow = [tuple(r) for r in conn.execute(stmt, params)]  # type: ignore[call-overload]
    return (list(fast) if fast is not None else None), slow


def test_the_driver_path_reads_what_sqlalchemy_reads(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the driver path is SQLite's; PostgreSQL takes SQLAlchemy's (checked below)")
    seen = make_guest(given_name="Zoë", family_name="Å")
    add_visits(seen.id, "terrace", [("T1", ["coffee"])], start=datetime(2026, 11, 1, 19, 30, tzinfo=UTC))
    never = make_guest(given_name="山田", family_name="太郎")
    db.session.commit()
    fast, slow = _both(_guests_by_id(), {"ids": [never.id, seen.id, 999_999]})
    assert fast is not None and sorted(fast) == sorted(slow) and len(fast) == 2
    by_id = {row[0]: row for row in fast}
    at = by_id[seen.id][2]
    assert at == datetime(2026, 11, 1, 19, 30, tzinfo=UTC) and at.tzinfo is not None  # converted, as SQLAlchemy does
    assert by_id[never.id][1:] == ("山田", None)
    # An IN list given as values, not as a parameter (SQLAlchemy names it itself).
    literal = db_rows.statement(lambda: select(Guest.given_name).where(Guest.id.in_([seen.id, never.id])))()
    fast, slow = _both(literal, {})
    assert fast is not None and sorted(fast) == sorted(slow) == [("Zoë",), ("山田",)]
    # Text with named parameters, used twice and out of order.
    stmt = text("SELECT :b AS b, :a AS a, :b || :a AS ba")
    assert _both(stmt, {"a": "x", "b": "y"}) == ([("y", "x", "yx")], [("y", "x", "yx")])


def test_what_must_take_sqlalchemys_path_does(app: Flask) -> None:
    guest = make_guest(given_name="Ana")
    db.session.commit()
    conn = db.session.connection()
    # A statement not built once (no ``statement``), an empty IN list, a datetime parameter SQLAlchemy converts.
    assert db_rows.run(conn, select(Guest.id).where(Guest.id == guest.id), {}) is None
    assert db_rows.run(conn, _guests_by_id(), {"ids": []}) is None
    when = select(Guest.id).where(Guest.created_at < bindparam("at", type_=Guest.created_at.type))
    assert db_rows.run(conn, db_rows.statement(lambda: when)(), {"at": datetime.now(UTC)}) is None
    # ... and ``rows`` still answers each of them.
    assert rows(_guests_by_id(), {"ids": []}) == []
    assert guest.id in rows(when, {"at": datetime(2100, 1, 1, tzinfo=UTC)}).scalars()


def test_listeners_see_the_driver_paths_statements(app: Flask) -> None:
    guest_id = make_guest(given_name="Kim").id
    db.session.commit()
    with statements() as seen:
        found = rows(_guests_by_id(), {"ids": [guest_id]})
    assert found.one()[0] == guest_id
    reads = [s for s in seen if "FROM guest" in s]
    assert len(reads) == 1, seen
    if db.engine.dialect.name == "sqlite":  # the driver path's own SQL: the IN list expanded to placeholders
        assert "IN (?)" in reads[0] and "POSTCOMPILE" not in reads[0], reads
