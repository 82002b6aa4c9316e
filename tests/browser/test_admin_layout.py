"""Admin and letters screens on a tablet (issue 8.9): one-line menu, whole placeholder, outlets, PDFs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from guestbook.actor import Actor
from guestbook.extensions import db
from guestbook.letters import selection as letters
from guestbook.letters.models import LetterTemplate

from ..factories import make_guest
from .conftest import VIEWPORTS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h5-letters-admin")
SYSTEM = Actor.system("tests")

# Tops of the brand, every menu link and the signed-in block: one line means one top (within a pixel or two).
TOPBAR_JS = """() => {
  const bar = document.querySelector('.topbar');
  const items = [bar.querySelector('.brand'), ...bar.querySelectorAll('nav a'), bar.querySelector('.who')];
  return {height: bar.getBoundingClientRect().height,
          items: items.map(el => ({text: el.textContent.trim().slice(0, 30),
                                   top: el.getBoundingClientRect().top, bottom: el.getBoundingClientRect().bottom,
                                   width: el.getBoundingClientRect().width,
                                   height: el.getBoundingClientRect().height}))};
}"""

# The placeholder's own width, measured with the input's font, against the room inside the input.
PLACEHOLDER_JS = """() => {
  const el = document.querySelector('#q');
  const style = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {scroll: el.scrollWidth, client: el.clientWidth, text: ctx.measureText(el.placeholder).width, room,
          placeholder: el.placeholder};
}"""

OVERFLOW_JS = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""
WIDE_JS = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}.${el.className} ${(el.textContent || '').trim().slice(0, 40)}`)
  .slice(0, 6)"""


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    screenshot(page, f"admin-{name}")


def _letters_batch(server: LiveServer) -> int:
    """A batch with a drafted letter and one skipped for an over-long template (issue 9.7)."""

    def make() -> int:
        tz = ZoneInfo("Asia/Bangkok")
        today = datetime.now(tz).date()
        soon = today + timedelta(days=8)
        address = {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"}
        for family in ("Yu", "Wolfeschlegelsteinhausenbergerdorff" * 2):
            make_guest(
                given_name="Wei",
                family_name=family,
                salutation="Mr",
                birthday=f"--{soon.month:02d}-{soon.day:02d}",
                marketing_consent=True,
                address=address,
            )
        db.session.add(
            LetterTemplate(
                kind="birthday",
                language="en",
                version=1,
                subject="Happy birthday",
                greeting="Dear {{ preferred_name }},",
                body="We wish you a happy birthday. " * 265 + "{{ family_name }}",
                sign_off="With warm wishes,",
            )
        )
        db.session.commit()
        return letters.run_daily(today, SYSTEM).id

    return int(server.read(make))


@pytest.mark.parametrize("size", ["1024x768", "768x1024"])
def test_admin_menu_is_one_line_and_the_search_placeholder_fits(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="admin@example.test")
    _shot(page, f"search-{size}")
    bar = page.evaluate(TOPBAR_JS)
    tops = [round(item["top"]) for item in bar["items"]]
    small = [item for item in bar["items"][1:-1] if item["width"] < 44 or item["height"] < 44]
    assert small == [], small  # menu links stay 44 px touch targets
    if size == "1024x768":
        nav_tops = tops[1:-1]
        assert max(nav_tops) - min(nav_tops) <= 2, bar["items"]
        assert max(tops) - min(tops) <= 12, bar["items"]  # brand, menu and who on one line
        assert bar["height"] < 70, bar
    for role in ("admin", "floor"):  # the floor's placeholder (masked contacts) is the longer one
        if role == "floor":
            page = new_page(VIEWPORTS[size])
            sign_in(page, live_server, email="floor@example.test")
            _shot(page, f"search-floor-{size}")
        field = page.evaluate(PLACEHOLDER_JS)
        assert field["scroll"] <= field["client"], field
        assert field["text"] <= field["room"], field
        assert page.evaluate(OVERFLOW_JS) <= 0


@pytest.mark.parametrize("size", ["1024x768", "768x1024"])
def test_admin_pages_fit_and_outlets_can_be_renamed_and_deactivated(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="admin@example.test")
    page.goto(f"{live_server.url}/admin/settings")
    assert page.title() == "Settings · Guestbook"
    row = page.locator("tr", has=page.locator("code", has_text="bar"))
    row.get_by_label("Name of bar").fill("Bamboo Lounge")
    row.get_by_role("button", name="Save bar").click()
    expect(page.get_by_role("status")).to_contain_text("Outlet Bamboo Lounge saved.")
    row = page.locator("tr", has=page.locator("code", has_text="bar"))
    row.get_by_role("button", name="Deactivate bar").click()
    expect(page.get_by_role("status")).to_contain_text("deactivated")
    expect(page.locator("tr", has=page.locator("code", has_text="bar"))).to_contain_text("inactive")
    assert page.evaluate(OVERFLOW_JS) <= 0
    _shot(page, f"settings-{size}")
    page.goto(f"{live_server.url}/reservations/new")
    assert "Bamboo Lounge" not in page.locator("select[name=outlet]").inner_text()
    for path, name in (("/admin/staff", "staff"), ("/admin/staff/new", "staff-new"), ("/admin/api-keys", "api-keys")):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(OVERFLOW_JS) <= 0, path
        _shot(page, f"{name}-{size}")
    page.goto(f"{live_server.url}/admin/api-keys")
    expect(page.get_by_text("No API keys yet.")).to_be_visible()
    page.goto(f"{live_server.url}/admin/staff/new")
    expect(page.get_by_label("Password (10+ characters)")).to_be_visible()
    expect(page.get_by_text("leave empty")).to_have_count(0)


@pytest.mark.parametrize("size", ["1024x768", "768x1024"])
def test_letters_batch_page_disables_pdfs_until_approved_and_shows_the_skipped_letter(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    batch_id = _letters_batch(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="concierge@example.test")
    page.goto(f"{live_server.url}/letters/batches/{batch_id}")
    expect(page.get_by_role("button", name="Letters PDF")).to_be_disabled()
    expect(page.get_by_role("button", name="Labels PDF")).to_be_disabled()
    expect(page.locator("#print-why")).to_contain_text("Nothing to print yet")
    expect(page.locator("#skipped-letters")).to_contain_text("1 letter skipped:")
    expect(page.locator("#skipped-letters")).to_contain_text("longer than the limit of 8,000")
    _shot(page, f"batch-drafted-{size}")
    assert page.evaluate(OVERFLOW_JS) <= 0, page.evaluate(WIDE_JS)
    page.get_by_role("button", name="Approve all").click()
    expect(page.get_by_role("link", name="Letters PDF")).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) <= 0
    _shot(page, f"batch-approved-{size}")
