"""Search results on the tablet: why each guest is listed, what tells namesakes apart, and the rate limit's message."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..factories import add_visits, make_guest
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/h4-search")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _seed(server: LiveServer) -> None:
    def seed() -> None:
        first = make_guest(given_name="Anna", family_name="Lee", company="Siam Cement")
        make_guest(given_name="Anna", family_name="Lee", company="Straits Trading Company of Singapore Limited")
        add_visits(first.id, "bar", [("Bar 5", ["negroni"])])
        make_guest(given_name="花子", family_name="山田", language="ja")

    server.read(seed)


def _search(page: Page, q: str) -> None:
    box = page.get_by_label("Find a guest")
    box.fill("")
    with page.expect_response(re.compile(r"/guests/search\?q=")):
        box.press_sequentially(q, delay=20)
    expect(page.locator("#results")).to_contain_text(f"“{q}”")


@pytest.mark.parametrize(("size", "viewport"), [("1024x768", TABLET_LANDSCAPE), ("768x1024", TABLET_PORTRAIT)])
def test_results_say_why_and_tell_namesakes_apart(
    live_server: LiveServer, new_page: Callable[..., Page], size: str, viewport: dict[str, int]
) -> None:
    _seed(live_server)
    page = new_page(viewport)
    sign_in(page, live_server)
    box = page.get_by_label("Find a guest")
    expect(box).to_have_attribute("placeholder", "Name, company, table or last 4 phone digits")

    _search(page, "anna lee")
    results = page.get_by_role("list", name="Search results").get_by_role("listitem")
    expect(results).to_have_count(2)
    expect(results.nth(0).locator(".result-why")).to_have_text("name")
    expect(results.nth(0)).to_contain_text("Siam Cement · last at Bamboo Bar")
    expect(results.nth(1)).to_contain_text("Straits Trading")
    # The reason stays on the result's row, inside the card, at tablet widths.
    row = results.nth(1).bounding_box()
    why = results.nth(1).locator(".result-why").bounding_box()
    assert row and why and why["x"] + why["width"] <= row["x"] + row["width"] + 0.5
    _shot(page, f"namesakes-{size}")

    _search(page, "Yamada Hanako")
    expect(results.first).to_contain_text("山田花子")
    expect(results.first.locator(".result-why")).to_have_text("name")

    _search(page, "5678")  # Klaus Müller's phone +66 81 234 5678: the floor sees "••• 5678"
    expect(results.first).to_contain_text("Klaus Müller")
    expect(results.first.locator(".result-why")).to_have_text("phone …5678")
    _shot(page, f"phone-{size}")

    _search(page, "2345678")  # digits the floor's card hides find nothing
    expect(page.locator("#results")).to_contain_text("No guest matches")


def test_live_search_shows_the_rate_limit_message(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    page = new_page(TABLET_LANDSCAPE)
    sign_in(page, live_server)
    if time.time() % 60 > 40:  # fixed one-minute windows: start the burst early in a minute
        time.sleep(61 - time.time() % 60)
    statuses = [page.request.get(f"{live_server.url}/guests/search?q=x{n}").status for n in range(120)]
    assert statuses == [200] * 120
    page.get_by_label("Find a guest").press_sequentially("muller", delay=20)
    expect(page.get_by_role("alert")).to_contain_text("Too many searches")
    expect(page).to_have_url(re.compile(r"/guests/"))  # no reload loop: the tablet stays on the search
    _shot(page, "rate-limited-1024x768")
