"""Issue 12.1 in a real browser: the briefing's compact list, one line per arrival, remembered per tablet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from guestbook.admin.outlets import property_today
from guestbook.reservations import bookings as reservations

from ..factories import ACTOR, make_guest
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h12-briefing")
VIEWPORTS = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT}


def _seed_tonight(server: LiveServer) -> None:
    def seed() -> None:
        day = property_today().isoformat()
        bookings = [
            ("terrace", "19:30", server.guests["mueller"], "Window 2", "Anniversary", "quiet table, cake at dessert"),
            ("terrace", "18:00", server.guests["garcia"], "Table 4", "", ""),
            ("bar", "17:30", server.guests["wang"], "Bar 5", "", "a very long note that the list line must cut " * 3),
        ]
        for n in range(6):
            guest = make_guest(given_name=f"Guest{n}", family_name="Example")
            bookings.append(("terrace", f"20:{n * 5:02d}", guest.id, f"Table {10 + n}", "", ""))
        for n, (outlet, at, guest_id, table, occasion, note) in enumerate(bookings):
            body = {
                "outlet": outlet,
                "arrival_date": day,
                "arrival_time": at,
                "guest_id": guest_id,
                "party_size": 2,
                "table": table,
                "occasion": occasion,
                "notes": note,
            }
            reservations.upsert_reservation("pms", f"L{n}", reservations.ReservationIn.model_validate(body), ACTOR)

    server.read(seed)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_list_view_is_one_line_per_arrival_and_the_tablet_remembers_it(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    _seed_tonight(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="manager@example.test")
    page.goto(f"{live_server.url}/briefing/")
    expect(page.locator("ol.arrivals").first).to_be_visible()  # cards by default
    page.get_by_role("link", name="List", exact=True).click()
    lines = page.locator("summary.arrival-line")
    expect(lines).to_have_count(9)
    # Bamboo Bar before Terrace (the admin's order), each with its counts.
    titles = page.locator("h2.outlet-title")
    expect(titles.nth(0)).to_contain_text("Bamboo Bar")
    expect(titles.nth(1)).to_contain_text("Terrace")
    expect(titles.nth(1)).to_contain_text("Arrivals 8")
    mueller = lines.filter(has_text="Klaus Müller")
    expect(mueller).to_contain_text("19:30")
    expect(mueller).to_contain_text("Mr Klaus Müller")
    expect(mueller).to_contain_text("Peanuts (anaphylaxis)")
    _shot(page, f"list-{size}")
    for n in range(9):  # one line each (an allergy wraps rather than hide: never cut)
        box = lines.nth(n).bounding_box()
        tall = "(anaphylaxis)" in lines.nth(n).inner_text()
        assert box is not None and (tall or box["height"] <= 60), box
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"

    mueller.click()  # tap to expand: the full card below the line
    expect(page.locator("details[open] .allergy-box")).to_contain_text("carries an EpiPen")
    _shot(page, f"list-open-{size}")

    # The tablet remembers: the plain address opens the list again.
    page.goto(f"{live_server.url}/briefing/")
    expect(page.locator("[data-briefing-view-current=list]")).to_be_visible()
    expect(page.locator("summary.arrival-line")).to_have_count(9)
    page.get_by_role("link", name="Cards", exact=True).click()
    page.goto(f"{live_server.url}/briefing/")
    expect(page.locator("[data-briefing-view-current=cards]")).to_be_visible()
    _shot(page, f"cards-{size}")

    # The print options travel with the PDF link.
    expect(page.get_by_label("New page per outlet")).to_be_visible()
    expect(page.get_by_label("Landscape")).to_be_visible()
