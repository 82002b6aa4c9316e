"""Issue 8.2 and 8.5 in a real browser: a name-only booking shows who it may be, and floor staff see tonight."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..factories import add_visits, make_guest
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h2-arrivals")
LINE = "May be Hans Müller (4 visits) — ALLERGY peanuts (anaphylaxis)"
VIEWPORTS = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _seed_hans(server: LiveServer) -> int:
    def seed() -> int:
        guest = make_guest(
            given_name="Hans", family_name="Müller", email="hans.mueller@example.de", phone="+49 89 1234 5678",
            allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
        )  # fmt: skip
        add_visits(guest.id, "bar", [("Bar 5", ["negroni"])] * 4)
        return guest.id

    return int(server.read(seed))


def _no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_book_by_name_shows_the_known_guests_allergy_everywhere(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    known = _seed_hans(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Book").click()
    page.get_by_label("Given name").fill("Hans")
    page.get_by_label("Family name").fill("Müller")
    page.get_by_label("Time (HH:MM)").fill("19:30")
    page.get_by_role("button", name="Book").click()

    # The card of the profile made for the booking: who it may be, and the allergy, at the top.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hans Müller")
    maybe = page.get_by_role("alert").filter(has_text="may be a guest we know")
    expect(maybe).to_be_visible()
    expect(maybe).to_contain_text(LINE)
    expect(maybe.get_by_role("link", name=LINE)).to_have_attribute("href", f"/guests/{known}")
    expect(maybe).not_to_contain_text("possible-matches screen")  # floor cannot decide: no dead link
    in_view = page.evaluate("() => document.querySelector('.possible-matches').getBoundingClientRect().top")
    assert in_view < VIEWPORTS[size]["height"], "the warning must be on the first screen"
    _no_horizontal_scroll(page)
    _shot(page, f"card-possible-match-{size}")

    # Tonight, from the floor menu: the briefing carries the candidate and counts the allergy.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tonight").click()
    expect(page.get_by_role("heading", name="Arrival briefing")).to_be_visible()
    arrival = page.locator("li.arrival").filter(has_text=LINE)
    expect(arrival).to_have_count(1)
    expect(arrival).to_contain_text("New profile — may be a known guest")
    expect(page.locator(".summary .alert")).to_contain_text("1")
    expect(page.get_by_role("link", name="Print (PDF)")).to_have_count(0)
    expect(page.get_by_text("hans.mueller@example.de")).to_have_count(0)
    _no_horizontal_scroll(page)
    _shot(page, f"briefing-floor-{size}")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_manager_goes_from_the_card_to_the_grouped_queue_and_links(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    known = _seed_hans(live_server)
    floor = new_page(VIEWPORTS[size])
    sign_in(floor, live_server)
    floor.goto(f"{live_server.url}/reservations/new")
    floor.get_by_label("Given name").fill("Hans")
    floor.get_by_label("Family name").fill("Mueller")
    floor.get_by_label("Time (HH:MM)").fill("20:00")
    floor.get_by_role("button", name="Book").click()
    expect(floor.get_by_role("alert").filter(has_text="may be a guest we know")).to_contain_text(LINE)
    card_url = floor.url

    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="manager@example.test")
    page.goto(card_url)
    page.get_by_role("link", name="Link or reject on the possible-matches screen").click()
    expect(page).to_have_url(re.compile(r"/reservations/matches#r\d+$"))
    group = page.locator("li.match-group")
    expect(group).to_have_count(1)  # one reservation, its candidates under it
    candidate = group.locator("li.match-candidate")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("peanuts (anaphylaxis)")
    expect(candidate).to_contain_text("Visits")
    expect(candidate).to_contain_text("h•••@example.de")
    expect(page.get_by_text("hans.mueller@example.de")).to_have_count(0)
    _no_horizontal_scroll(page)
    _shot(page, f"matches-manager-{size}")

    candidate.get_by_role("button", name=re.compile("^Same guest — link")).click()
    expect(page.get_by_role("status")).to_contain_text("Linked to the existing guest.")
    expect(page.get_by_text("Nothing to decide.")).to_be_visible()
    page.goto(f"{live_server.url}/briefing/")
    arrival = page.locator("li.arrival").filter(has=page.locator(f'a[href="/guests/{known}"]'))
    expect(arrival.first).to_contain_text("peanuts")
    expect(page.get_by_text(LINE)).to_have_count(0)  # decided: the guest's own allergy now shows
