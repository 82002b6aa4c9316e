"""Real-browser fixtures: a live Guestbook server on a migrated SQLite copy, and Debian's Chromium via Playwright.

Each test gets its own database and server (cheap: a file copy and an app factory call), seeded through the
same services the app uses. The browser is launched once per session; each test opens fresh contexts.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from guestbook import create_app
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.extensions import db
from guestbook.guests import notes
from guestbook.guests.schemas import PreferenceCreate

from ..factories import ACTOR, PASSWORD, add_visits, make_guest, make_staff

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT, "390x844": PHONE}

# The regular the tests greet: allergies, a usual seat (Window 2, 4 of the last 6 visits) and a usual order.
MUELLER_VISITS = [
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee"]),
    ("Bar 3", ["coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
    ("Bar 3", ["pad thai", "coffee"]),
    ("Window 2", ["club sandwich", "coffee"]),
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests, with a reason saying why, where Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium; CI installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class LiveServer:
    """A running Guestbook on 127.0.0.1 with the ids of the seeded data."""

    app: Flask
    url: str
    guests: dict[str, int] = field(default_factory=dict)

    def read(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in a fresh app context (its own DB session) and return its result."""
        with self.app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()


def _seed() -> dict[str, int]:
    outlets.create_outlet(OutletCreate(code="terrace", name="Terrace", kind="restaurant"), ACTOR)
    outlets.create_outlet(OutletCreate(code="bar", name="Bamboo Bar", kind="bar"), ACTOR)
    for role in ("floor", "concierge", "manager", "admin"):
        make_staff(role)
    make_staff("floor", email="floor2@example.test", name="Niran")
    soon = date.today() + timedelta(days=5)
    mueller = make_guest(
        salutation="Mr",
        given_name="Klaus",
        family_name="Müller",
        pronunciation="MUE-ler",
        language="de",
        company="Bosch Thailand",
        email="klaus.mueller@example.de",
        phone="+66 81 234 5678",
        birthday=f"1970-{soon.month:02d}-{soon.day:02d}",
        vip_level=2,
        allergies=[
            {"allergen": "Peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"},
            {"allergen": "Shellfish", "severity": "mild"},
        ],
    )
    add_visits(mueller.id, "terrace", MUELLER_VISITS)
    notes.add_preference(
        mueller.id, PreferenceCreate(category="drink", value="Black coffee, no sugar", source="stated"), ACTOR
    )
    notes.add_note(mueller.id, "Likes to read the Bangkok Post with breakfast.", ACTOR)
    others = {
        "mulder": make_guest(given_name="Anna", family_name="Mulder"),
        "muellerschoen": make_guest(given_name="Greta", family_name="Müllerschön"),
        "garcia": make_guest(given_name="José", family_name="García", company="Iberia"),
        "wang": make_guest(given_name="小明", family_name="王", language="zh-Hans"),
    }
    add_visits(others["garcia"].id, "bar", [("B1", ["negroni"])])
    return {"mueller": mueller.id, **{key: guest.id for key, guest in others.items()}}


@pytest.fixture
def live_server_factory(template_db: Path, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start a seeded live server; ``idle_lock_seconds`` sets the shared-tablet idle lock."""
    running: list[tuple[BaseWSGIServer, threading.Thread, LiveServer]] = []

    def start(idle_lock_seconds: int = 15 * 60) -> LiveServer:
        folder = tmp_path / f"server{len(running)}"
        folder.mkdir()
        db_file = folder / "guestbook.sqlite3"
        shutil.copy(template_db, db_file)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "browser-test-secret",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                "GUESTBOOK_TIMEZONE": "Asia/Bangkok",
                "IDLE_LOCK_SECONDS": idle_lock_seconds,
            },
            instance_path=str(folder),
        )
        with app.app_context():
            guests = _seed()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", guests=guests)
        running.append((server, thread, live))
        return live

    yield start
    for server, thread, live in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with live.app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (its own cookies: one tablet); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def open_page(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(viewport=viewport or TABLET_LANDSCAPE, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, server: LiveServer, email: str = "floor@example.test", password: str = PASSWORD) -> None:
    """Sign in through the real form and land on the guest search."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Find a guest")).to_be_visible()


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as a test artifact (test-artifacts/ is git-ignored; CI keeps it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
