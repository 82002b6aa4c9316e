"""Set-up paths: the real CLI builds a fresh database; demo data loads once; create_app has no side effects."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, select

from guestbook import create_app, demo
from guestbook.admin.models import Outlet
from guestbook.db import include_in_autogenerate
from guestbook.extensions import db
from guestbook.guests import search
from guestbook.guests.models import Guest, Visit
from guestbook.staff.models import StaffUser

from .conftest import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"guest", "visit", "allergy", "preference", "staff_user", "api_key", "audit_event", "property", "outlet"}


def _flask(args: list[str], db_file: Path | str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    url = db_file if isinstance(db_file, str) else f"sqlite:///{db_file}"
    env = {**os.environ, "GUESTBOOK_DATABASE_URL": url, "GUESTBOOK_SECRET_KEY": "cli-test"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.sqlite_only(reason="builds a SQLite file and reads sqlite_master and PRAGMA journal_mode")
def test_db_upgrade_builds_an_empty_file(tmp_path: Path) -> None:
    db_file = tmp_path / "fresh.sqlite3"
    result = _flask(["db", "upgrade"], db_file, tmp_path)
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(db_file)
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table')")}
    assert TABLES | {"guest_phone_fts"} <= tables
    assert con.execute("SELECT name FROM property").fetchall() == [("My Property",)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_db_upgrade_builds_an_empty_postgres_database(postgres: PostgresServer, tmp_path: Path) -> None:
    name = postgres.new_name()
    postgres.create(name)
    try:
        result = _flask(["db", "upgrade"], postgres.url_of(name), tmp_path)
        assert result.returncode == 0, result.stderr
        engine = sa.create_engine(postgres.url_of(name), poolclass=sa.NullPool)
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= TABLES
            assert conn.execute(sa.text("SELECT name FROM property")).all() == [("My Property",)]
            head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == head
            recency = (
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'guest_token' AND column_name = 'recency'"
            )
            assert conn.execute(sa.text(recency)).scalar_one() == "bigint"
            trgm = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_guest_search_key_phone_trgm'"
            assert "gin_trgm_ops" in conn.execute(sa.text(trgm)).scalar_one()
            collation = (
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = 'guest_token' AND column_name = 'token'"
            )
            assert conn.execute(sa.text(collation)).scalar_one() == "C"
        engine.dispose()
        downgrade = _flask(["db", "downgrade", "base"], postgres.url_of(name), tmp_path)
        assert downgrade.returncode == 0, downgrade.stderr
    finally:
        postgres.drop(name)


def test_models_match_the_migrations(app: Flask) -> None:
    """What the migrations built is what the models declare (autogenerate would write nothing)."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_in_autogenerate})
        assert compare_metadata(context, db.metadata) == []


@pytest.mark.sqlite_only(reason="reads SQLite PRAGMAs (foreign_keys, journal_mode, busy_timeout)")
def test_sqlite_pragmas_on_every_connection(app: Flask) -> None:
    conn = db.session.connection()
    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]


def test_create_app_has_no_side_effects(tmp_path: Path) -> None:
    db_file = tmp_path / "untouched.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "x"}, instance_path=str(tmp_path / "inst")
    )
    assert isinstance(app, Flask)
    assert not db_file.exists(), "create_app must not touch the database"
    assert not (tmp_path / "inst").exists(), "with a key given, nothing is written"


def test_production_requires_a_secret_key(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GUESTBOOK_ENV", "production")
    monkeypatch.delenv("GUESTBOOK_SECRET_KEY", raising=False)
    try:
        create_app(instance_path=str(tmp_path))
    except RuntimeError as exc:
        assert "GUESTBOOK_SECRET_KEY" in str(exc)
    else:
        raise AssertionError("production without a secret key must refuse to start")


def test_development_key_is_generated_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GUESTBOOK_SECRET_KEY", raising=False)
    monkeypatch.delenv("GUESTBOOK_ENV", raising=False)
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_demo_loads_once_with_every_script(app: Flask) -> None:
    assert demo.load_demo(seed=7, guests=120) is True
    counts = (
        db.session.scalar(select(func.count(Guest.id))),
        db.session.scalar(select(func.count(Visit.id))),
        db.session.scalar(select(func.count(StaffUser.id))),
        db.session.scalar(select(func.count(Outlet.id))),
    )
    assert counts[0] >= 120 and counts[1] > 500
    assert demo.load_demo(seed=7, guests=120) is False
    again = (
        db.session.scalar(select(func.count(Guest.id))),
        db.session.scalar(select(func.count(Visit.id))),
        db.session.scalar(select(func.count(StaffUser.id))),
        db.session.scalar(select(func.count(Outlet.id))),
    )
    assert again == counts
    names = " ".join(g.full_name for g in db.session.scalars(select(Guest)))
    for sample in ("Müller", "王", "Yu"):
        assert sample in names
    scripts = {
        "cjk": any("\u4e00" <= ch <= "\u9fff" for ch in names),
        "hangul": any("\uac00" <= ch <= "\ud7af" for ch in names),
        "cyrillic": any("\u0400" <= ch <= "\u04ff" for ch in names),
        "greek": any("\u0370" <= ch <= "\u03ff" for ch in names),
    }
    assert all(scripts.values()), scripts
    assert search.search_guests("wang xiaoming")[0].full_name == "王小明"
    story = search.search_guests("mr yu")[0]
    assert story.preferred_name == "Mr Yu"


def test_demo_cli_prints_the_sign_ins(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--guests", "30"])
    assert result.exit_code == 0, result.output
    assert "floor@demo.guestbook" in result.output and demo.DEMO_PASSWORD in result.output
    again = app.test_cli_runner().invoke(args=["demo", "--guests", "30"])
    assert "already loaded" in again.output
