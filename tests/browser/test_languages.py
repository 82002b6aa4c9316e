"""Issue 11 in a real browser: a Thai-language floor user and a Japanese-language manager work in their language.

Expected words come from the shipped catalogs (``gettext`` inside ``in_language``), and each is checked to
differ from the English, so a missing catalog fails rather than passes. Screenshots of every screen at both
tablet sizes land in test-artifacts/screenshots/ (looked at when the layout changes).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from guestbook.i18n import LANGUAGES, gettext, in_language
from guestbook.staff import auth as staff_auth

from ..factories import PASSWORD
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, screenshot

pytestmark = pytest.mark.browser

SIZES = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT}


def _words(server: LiveServer, language: str, *messages: str) -> list[str]:
    """``messages`` as the catalog of ``language`` says them (each must differ from the English)."""
    with server.app.test_request_context("/"), in_language(language):
        said = [gettext(m) for m in messages]
    for english, translated in zip(messages, said, strict=True):
        assert translated != english, f"{language}: {english!r} is not translated"
    return said


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def _staff(server: LiveServer, email: str, role: str, language: str) -> None:
    server.read(lambda: staff_auth.create_staff_user(email, "Somsri", role, PASSWORD, language=language))


def _sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("input[type=search]")).to_be_visible()


def _tablet(browser: Browser, size: str, locale: str) -> Page:
    context = browser.new_context(viewport=SIZES[size], locale=locale)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.mark.parametrize("size", list(SIZES))
def test_thai_floor_user_reads_menu_card_and_briefing_in_thai(
    live_server: LiveServer, browser: Browser, size: str
) -> None:
    _staff(live_server, "somsri@example.test", "floor", "th")
    guests, tonight, allergies, anaphylaxis, sign_in = _words(
        live_server, "th", "Guests", "Tonight", "Allergies", "Anaphylaxis", "Sign in"
    )
    page = _tablet(browser, size, "th-TH")
    try:
        page.goto(f"{live_server.url}/login")  # before sign-in: the browser's language
        expect(page.locator("html")).to_have_attribute("lang", "th")
        expect(page.locator("form button[type=submit]")).to_have_text(sign_in)
        _sign_in(page, live_server, "somsri@example.test")

        nav = page.get_by_role("navigation")
        expect(nav.get_by_role("link", name=guests, exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name=tonight, exact=True)).to_be_visible()
        screenshot(page, f"lang-th-floor-search-{size}")
        _no_sideways_scroll(page)

        page.locator("input[type=search]").fill("Müller")
        page.get_by_role("link", name=re.compile("Klaus Müller")).first.click()
        banner = page.get_by_role("alert", name=allergies)
        expect(banner).to_contain_text(allergies)
        expect(banner).to_contain_text(anaphylaxis)
        expect(banner).to_contain_text("Peanuts")  # guest data stays as entered
        expect(page.get_by_role("heading", level=1)).to_contain_text("Klaus")
        screenshot(page, f"lang-th-floor-card-{size}")
        _no_sideways_scroll(page)

        nav.get_by_role("link", name=tonight, exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "th")
        expect(page.locator("main")).to_contain_text(re.compile(r"[\u0E00-\u0E7F]"))
        screenshot(page, f"lang-th-floor-briefing-{size}")
        _no_sideways_scroll(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_japanese_manager_switches_from_the_account_menu(live_server: LiveServer, browser: Browser, size: str) -> None:
    _staff(live_server, "yuki@example.test", "manager", "en")
    guests, briefing, matches, language, allergies = _words(
        live_server, "ja", "Guests", "Briefing", "Matches", "Language", "Allergies"
    )
    page = _tablet(browser, size, "en-GB")
    try:
        _sign_in(page, live_server, "yuki@example.test")
        expect(page.get_by_role("navigation").get_by_role("link", name="Guests", exact=True)).to_be_visible()
        page.locator(".account-menu > summary").click()
        page.get_by_role("button", name=LANGUAGES["ja"]).click()  # takes effect at once, on this page
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        nav = page.get_by_role("navigation")
        for word in (guests, briefing, matches):
            expect(nav.get_by_role("link", name=word, exact=True)).to_be_visible()
        page.locator(".account-menu > summary").click()
        expect(page.locator(".account-panel")).to_contain_text(language)
        expect(page.get_by_role("button", name=LANGUAGES["ja"])).to_have_attribute("aria-pressed", "true")
        screenshot(page, f"lang-ja-manager-menu-{size}")
        page.locator(".account-menu > summary").click()

        page.locator("input[type=search]").fill("Müller")
        page.get_by_role("link", name=re.compile("Klaus Müller")).first.click()
        expect(page.get_by_role("alert", name=allergies)).to_be_visible()
        screenshot(page, f"lang-ja-manager-card-{size}")
        _no_sideways_scroll(page)

        nav.get_by_role("link", name=briefing, exact=True).click()
        expect(page.locator("main h1")).to_contain_text(re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF]"))
        expect(page.locator("main")).to_contain_text(re.compile(r"\d+月\d+日"))  # the date, Japanese style
        screenshot(page, f"lang-ja-manager-briefing-{size}")
        _no_sideways_scroll(page)

        # Signed out and in again: the account keeps its language.
        page.locator("form[action$='/logout'] button").click()
        _sign_in(page, live_server, "yuki@example.test")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
    finally:
        page.context.close()


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_admin_screens_fit_the_tablet_in_every_language(
    live_server: LiveServer, browser: Browser, new_page: Callable[..., Page], language: str, size: str
) -> None:
    email = f"admin-{language}@example.test"
    _staff(live_server, email, "admin", language)
    page = _tablet(browser, size, "en-GB")
    try:
        _sign_in(page, live_server, email)
        expect(page.locator("html")).to_have_attribute("lang", language.replace("_", "-"))
        for path in (
            "/guests/",
            f"/guests/{live_server.guests['mueller']}",
            "/briefing/",
            "/admin/staff",
            "/admin/settings",
        ):
            page.goto(f"{live_server.url}{path}")
            _no_sideways_scroll(page)
            header = page.locator("header.topbar").bounding_box()
            # The menu may take a second row in a longer language, never a third, and nothing is cut off.
            assert header is not None and header["height"] < (120 if size == "1024x768" else 180), (path, header)
            clipped = page.evaluate(
                "() => [...document.querySelectorAll('header.topbar a, header.topbar summary, header.topbar button')]"
                ".filter(e => e.offsetParent && (e.scrollWidth > e.clientWidth + 1"
                " || e.getBoundingClientRect().right > innerWidth)).map(e => e.textContent.trim())"
            )
            assert not clipped, (path, clipped)
            screenshot(page, f"lang-{language}-admin{path.replace('/', '-').rstrip('-')}-{size}")
    finally:
        page.context.close()
