"""Search on PostgreSQL: each further word is probed per candidate, and planned for its values (issue 16).

Run by ``scripts/test_postgres``; skipped on SQLite. At a million guests a join chosen from a wrong row
estimate, or a cached generic plan, turned two-word and typo searches into seconds (BENCHMARKS.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guestbook.extensions import db
from guestbook.guests import search

from .factories import make_guest


@pytest.fixture
def on_postgres(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (scripts/test_postgres)")


@contextmanager
def statements() -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _plan_nodes(child))]


def test_second_word_is_an_index_probe_per_candidate_never_a_join(on_postgres: None) -> None:
    for given, family in [("秀英", "黄"), ("秀英", "王"), ("小明", "黄"), ("Xiuying", "Huang")] * 3:
        make_guest(given_name=given, family_name=family, language="zh-Hans")
    db.session.commit()
    with statements() as seen:
        found = search.search_guests("huang xiuying", limit=20)
    assert len(found) == 6  # 黄秀英 and Xiuying Huang, three of each
    candidate = [(s, p) for s, p in seen if "FROM guest_token a WHERE" in s and "EXISTS" in s]
    assert candidate, "no candidate scan with a second word"
    statement, parameters = candidate[0]
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
    plan = cursor.fetchone()[0]
    nodes = _plan_nodes(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"])
    assert not [n["Node Type"] for n in nodes if "Join" in n["Node Type"] or n["Node Type"] == "Hash"]
    # A correlated probe: evaluated per candidate row (on large tables through ix_guest_token_guest).
    assert [n for n in nodes if n.get("Parent Relationship") == "SubPlan"], nodes


def test_search_plans_each_statement_for_its_values(on_postgres: None) -> None:
    make_guest(given_name="Anna", family_name="Schäfer")
    db.session.commit()
    # psycopg prepares a statement after five runs; the sixth and later must still be planned per value.
    for typo in ["schafr", "schäfre", "shcafer", "schafe", "schaefr", "schafre", "schäfr"]:
        assert [g.full_name for g in search.search_guests(typo)] == ["Anna Schäfer"], typo
        assert db.session.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        db.session.commit()
    # Only the search's own transaction: the setting is LOCAL.
    assert db.session.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "auto"


def test_phone_digits_and_tokens_carry_the_larger_statistics_samples(on_postgres: None) -> None:
    """Migrations 0018 and 0019: without them the planner guessed a common name at one row and four typed digits at
    1% of guests, and chose plans that read hundreds of thousands of rows at ten million (BENCHMARKS.md)."""
    targets = dict(
        db.session.execute(
            sa.text(
                "SELECT c.relname || '.' || a.attname, a.attstattarget FROM pg_attribute a"
                " JOIN pg_class c ON c.oid = a.attrelid"
                " WHERE (c.relname, a.attname) IN (('guest_token', 'token'), ('guest_search_key', 'phone_digits'))"
            )
        ).all()
    )
    assert targets == {"guest_token.token": 1000, "guest_search_key.phone_digits": 10000}
