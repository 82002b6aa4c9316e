"""Fixtures: a migrated database template copied per test, app/client/runner, sign-in helpers.

By default each test gets a copy of a migrated SQLite file. With ``GUESTBOOK_TEST_POSTGRES_URL`` set
(a server URL for a role that may create databases, e.g. ``postgresql+psycopg://postgres@127.0.0.1:55432/postgres``)
each test gets a fresh PostgreSQL database instead, created from a template database migrated once
per session, and dropped after the test. Tests marked ``sqlite_only`` are skipped there.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from guestbook import create_app
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.extensions import db

from .factories import ACTOR, PASSWORD, make_staff
from .smtp_sink import smtp_server  # noqa: F401  (the fixture, for every test that sends mail)

ROLES = ("floor", "concierge", "manager", "admin")
POSTGRES_URL = os.environ.get("GUESTBOOK_TEST_POSTGRES_URL", "")


def _config(db: Path | str) -> dict[str, object]:
    """App config for a test database: a SQLite file path or a full SQLAlchemy URL."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": db if isinstance(db, str) else f"sqlite:///{db}",
        "GUESTBOOK_TIMEZONE": "Asia/Bangkok",
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not POSTGRES_URL:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_report_header() -> str:
    if POSTGRES_URL:
        url = sa.make_url(POSTGRES_URL)
        return f"database: PostgreSQL at {url.host}:{url.port} (a fresh database per test)"
    return "database: SQLite (a copy of the migrated template per test)"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database built by the real migrations; each test gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app(_config(path), instance_path=str(folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


class PostgresServer:
    """Creates and drops databases on the server named by ``GUESTBOOK_TEST_POSTGRES_URL``."""

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(url)
        self.prefix = f"guestbook_test_{os.getpid()}"
        self.engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self._numbers = itertools.count(1)

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def new_name(self) -> str:
        return f"{self.prefix}_{next(self._numbers)}"

    def create(self, name: str, template: str = "template0") -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The PostgreSQL server under test (tests that need one are skipped on the SQLite run)."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL only: set GUESTBOOK_TEST_POSTGRES_URL (scripts/test_postgres does)")
    server = PostgresServer(POSTGRES_URL)
    yield server
    server.engine.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL database built by the real migrations, used as the TEMPLATE of each test's database."""
    name = f"{postgres.prefix}_template"
    postgres.drop(name)
    postgres.create(name)
    folder = tmp_path_factory.mktemp("pg-template")
    app = create_app(_config(postgres.url_of(name)), instance_path=str(folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield name
    postgres.drop(name)


class DatabaseSupply:
    """Copies of the template, created a few tests ahead in the background (a copy takes ~0.25 s)."""

    AHEAD = 3

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server, self.template = server, template
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pg-create")
        self.ready: deque[Future[str]] = deque(self._order() for _ in range(self.AHEAD))

    def _make(self, name: str) -> str:
        self.server.create(name, template=self.template)
        return name

    def _order(self) -> Future[str]:
        return self.pool.submit(self._make, self.server.new_name())

    def take(self) -> str:
        name = self.ready.popleft().result()
        self.ready.append(self._order())
        return name

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for future in self.ready:
            if future.exception() is None:
                self.server.drop(future.result())


@pytest.fixture(scope="session")
def postgres_supply(postgres: PostgresServer, postgres_template: str) -> Iterator[DatabaseSupply]:
    supply = DatabaseSupply(postgres, postgres_template)
    yield supply
    supply.close()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's own migrated database, as a SQLAlchemy URL (SQLite file copy, or a PostgreSQL database)."""
    if not POSTGRES_URL:
        template: Path = request.getfixturevalue("template_db")
        path = tmp_path / "guestbook.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    supply: DatabaseSupply = request.getfixturevalue("postgres_supply")
    name = supply.take()
    try:
        yield supply.server.url_of(name)
    finally:
        supply.server.drop(name)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (own ``g`` and DB session), as in production.

    Flask reuses an app context already pushed by a test; ``g`` would then leak between requests.
    After each request the test's own session ends its read transaction so it sees what was written.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            db.session.remove()
        db.session.rollback()
        return response


def close_app(other: Flask) -> None:
    """Close a second app's database connections (PostgreSQL warns about connections left open)."""
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings this test's app is built with, on top of the defaults: ``@pytest.mark.app_config(NAME=value)``.

    A test whose settings are only known at run time (a server's port) overrides this fixture instead.
    Tests never change ``app.config`` after the app is built.
    """
    marker = request.node.get_closest_marker("app_config")
    return dict(marker.kwargs) if marker is not None else {}


@pytest.fixture
def app(db_url: str, tmp_path: Path, app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app({**_config(db_url), **app_config}, instance_path=str(tmp_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        outlets.create_outlet(OutletCreate(code="terrace", name="Terrace", kind="restaurant"), ACTOR)
        outlets.create_outlet(OutletCreate(code="bar", name="Bamboo Bar", kind="bar"), ACTOR)
        for role in ROLES:
            make_staff(role)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real form, with its CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, role: str = "floor", password: str = PASSWORD, email: str | None = None, follow: bool = False):  # type: ignore[no-untyped-def]
        page = self.client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post(
            "/login",
            data={"email": email or f"{role}@example.test", "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def token(self, path: str = "/guests/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def api_key(app: Flask):  # type: ignore[no-untyped-def]
    """Return a function making a bearer header for a role."""
    from guestbook.staff import auth as auth_service

    def make(role: str = "admin") -> dict[str, str]:
        _record, key = auth_service.create_api_key(f"test-{role}", role)
        return {"Authorization": f"Bearer {key}"}

    return make
