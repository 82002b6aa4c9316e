"""Issue 9.9 in a real browser: the idle lock locks with a POST carrying the CSRF token, never a GET."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, sign_in

pytestmark = pytest.mark.browser

IDLE_SECONDS = 3
SHOTS = Path("/tmp/shots/h6-auth")


@pytest.mark.parametrize("viewport", [TABLET_LANDSCAPE, TABLET_PORTRAIT], ids=["1024x768", "768x1024"])
def test_idle_lock_posts_with_the_csrf_token(
    live_server_factory: Callable[..., LiveServer], new_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    server = live_server_factory(idle_lock_seconds=IDLE_SECONDS)
    page = new_page(viewport)
    sign_in(page, server)
    card_url = f"{server.url}/guests/{server.guests['mueller']}"
    page.goto(card_url)
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    assert token

    seen: list[Request] = []

    def record(request: Request) -> None:
        seen.append(request)

    page.on("request", record)
    with page.expect_response(lambda r: r.url.endswith("/lock"), timeout=(IDLE_SECONDS + 10) * 1000) as info:
        pass  # hands off the tablet
    lock = info.value
    assert lock.request.method == "POST" and lock.status == 204
    assert lock.request.headers.get("x-csrftoken") == token
    expect(page.get_by_role("heading", name="Locked", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/unlock\?next=%2Fguests%2F\d+$|/unlock\?next=/guests/\d+$"))
    assert not [r.url for r in seen if "lock=1" in r.url]
    assert not [r.url for r in seen if r.method == "GET" and r.url.endswith("/lock")]

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"idle-lock-{viewport['width']}x{viewport['height']}.png"), full_page=True)
    # The server holds the lock: going back to the card shows the lock screen again.
    page.goto(card_url)
    expect(page.get_by_role("heading", name="Locked", level=1)).to_be_visible()
