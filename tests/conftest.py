"""Fixtures: a migrated SQLite template copied per test, app/client/runner, sign-in helpers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from guestbook import create_app
from guestbook.extensions import db
from guestbook.services import outlets
from guestbook.services.schemas import OutletCreate

from .factories import ACTOR, PASSWORD, make_staff

ROLES = ("floor", "concierge", "manager", "admin")


def _config(db_path: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "GUESTBOOK_TIMEZONE": "Asia/Bangkok",
    }


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


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "guestbook.sqlite3"
    shutil.copy(template_db, path)
    return path


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


@pytest.fixture
def app(db_path: Path, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(_config(db_path), instance_path=str(tmp_path))
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
    from guestbook.services import auth as auth_service

    def make(role: str = "admin") -> dict[str, str]:
        _record, key = auth_service.create_api_key(f"test-{role}", role)
        return {"Authorization": f"Bearer {key}"}

    return make
