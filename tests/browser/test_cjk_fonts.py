"""Issue 13 point 8: Chinese and Japanese names get the served web font.

This machine has CJK system fonts (fonts-noto-cjk), so "no boxes" alone would pass without the web fonts:
the test checks that the page's own font face loads (``document.fonts`` status ``loaded``: the browser
decoded the served file).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from ..factories import PASSWORD, make_guest
from .conftest import TABLET_LANDSCAPE, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

FONT_STATUS = """family => { return [...document.fonts].filter(f => f.family.replace(/"/g, '') === family)
                                                     .map(f => f.status); }"""


def _font_requests(page: Page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if "/fonts/" in request.url else None)
    return requests


def _settled(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready.then(() => true)")


@pytest.mark.parametrize(
    ("key", "family", "file"),
    [("wang", "Guestbook CJK", "/fonts/cjk.ttf"), ("sato", "Guestbook CJK", "/fonts/cjk.ttf")],
)
def test_a_cjk_name_is_drawn_with_the_served_font(
    live_server: LiveServer, new_page: Callable[..., Page], key: str, family: str, file: str
) -> None:
    if key == "sato":
        live_server.guests["sato"] = live_server.read(
            lambda: make_guest(given_name="さくら", family_name="佐藤", salutation="Ms", language="ja").id
        )
    page = new_page()
    requests = _font_requests(page)
    sign_in(page, live_server)
    _settled(page)
    requests.clear()
    page.goto(f"{live_server.url}/guests/{live_server.guests[key]}")
    _settled(page)
    assert any(url.endswith(file) for url in requests), requests
    assert page.evaluate(FONT_STATUS, family) == ["loaded"]
    assert page.evaluate("family => document.fonts.check(`20px \"${family}\"`, '王小明佐藤さくら')", family)
    screenshot(page, f"cjk-font-{key}")


def test_a_latin_page_downloads_no_cjk_font(live_server: LiveServer, browser: Browser) -> None:
    """A fresh tablet signs in without rendering a page (the search page lists 王小明), then opens Latin pages."""
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="en-GB")
    try:
        login = context.request.get(f"{live_server.url}/login").text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
        assert token
        form = {"email": "floor@example.test", "password": PASSWORD, "csrf_token": token.group(1)}
        assert context.request.post(f"{live_server.url}/login", form=form, max_redirects=0).status == 302
        page = context.new_page()
        requests = _font_requests(page)
        for path in ("/reservations/new", f"/guests/{live_server.guests['mueller']}", "/guests/?q=Klaus"):
            page.goto(f"{live_server.url}{path}")
            _settled(page)
            # The face is declared on every page; a page with no CJK text never loads it (the language
            # menu's 简体中文 and 日本語 use the device's own fonts).
            assert page.evaluate(FONT_STATUS, "Guestbook CJK") == ["unloaded"], path
        assert not any(url.endswith("/fonts/cjk.ttf") for url in requests), requests
    finally:
        context.close()
