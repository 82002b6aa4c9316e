"""The host's two seconds, in a real browser: find the guest, see what matters, log tonight in one tap."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from guestbook.extensions import db
from guestbook.guests.models import GuestNote, Visit

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


def _open_card(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/guests/{server.guests['mueller']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Müller")


def test_live_search_finds_mueller_first_without_enter(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, live_server)
    box = page.get_by_label("Find a guest")
    expect(box).to_be_focused()  # autofocus: the host can type at once

    with page.expect_response(re.compile(r"/guests/search\?q=muller$")):
        box.press_sequentially("muller", delay=30)  # typed, never submitted: the debounced fetch answers
    results = page.get_by_role("list", name="Search results").get_by_role("listitem")
    expect(page.locator("#results")).to_contain_text("for “muller”")
    expect(results.first).to_contain_text("Klaus Müller")
    expect(results.first).to_contain_text("Peanuts")  # the allergy shows even in the list
    expect(page).to_have_url(re.compile(r"/guests/\?q=muller$"))  # the address keeps the search (back button)
    screenshot(page, "search-results-1024x768")

    results.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/guests/{live_server.guests['mueller']}")


def test_card_shows_allergies_first_and_usual_seat_with_evidence(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, live_server)
    _open_card(page, live_server)

    banner = page.get_by_role("alert", name=re.compile("Allergies"))
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Allergies")
    expect(banner).to_contain_text("Peanuts")
    expect(banner).to_contain_text(re.compile("anaphylaxis", re.IGNORECASE))  # the label; CSS shows it in capitals
    expect(banner).to_contain_text("carries an EpiPen")
    expect(banner).to_contain_text("Shellfish")
    # "First" means first: the banner comes before every panel of the card.
    order = page.evaluate(
        "() => { const b = document.querySelector('.allergy-banner'), u = document.getElementById('usual-h');"
        " return !!(b.compareDocumentPosition(u) & Node.DOCUMENT_POSITION_FOLLOWING); }"
    )
    assert order, "the allergy banner must come before the usual seat"

    usual = page.get_by_role("region", name="Their usual")
    expect(usual).to_contain_text("Window 2")
    expect(usual).to_contain_text("4 of the last 6 visits")
    expect(usual).to_contain_text("coffee ×6")
    expect(usual).to_contain_text("club sandwich ×4")

    greeting = page.locator("header.greeting")
    expect(greeting).to_contain_text("Returning guest · 6 visits")
    expect(greeting).to_contain_text("last here")
    expect(greeting).to_contain_text("MUE-ler")

    # Floor staff see contact details masked, never in full.
    expect(page.get_by_text("klaus.mueller@example.de")).to_have_count(0)
    expect(page.get_by_text("+66 81 234 5678")).to_have_count(0)


def test_log_visit_with_prefilled_chips_lands_on_top_of_history(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, live_server)
    _open_card(page, live_server)

    log = page.get_by_role("region", name="Log tonight's visit")
    chips = log.get_by_role("group", name="Ordered (tap to change)")
    for item in ("coffee", "club sandwich", "fried egg"):
        expect(chips.get_by_label(item, exact=True)).to_be_checked()  # prefilled from the usual order
    expect(log.get_by_label("Table or seat")).to_have_value("Window 2")  # prefilled from the usual seat
    expect(log.get_by_label("Outlet", exact=True)).to_have_value("terrace")  # where they were last

    chips.get_by_label("fried egg", exact=True).uncheck()  # tonight: no egg
    log.get_by_label("Other items (comma-separated)").fill("orange juice")
    log.get_by_role("button", name="Save visit").click()

    expect(page.get_by_role("status")).to_contain_text("Visit saved.")
    top = page.get_by_role("region", name="Visit history").get_by_role("row").nth(1)  # row 0 is the header
    cells = top.get_by_role("cell")
    # Items keep the chips' order (the usual order, most frequent first), then the extras typed in.
    expect(cells).to_have_text(
        [re.compile(r"\d{4}, \d\d:\d\d"), "Terrace", "Window 2", "2", "coffee, club sandwich, orange juice", "Floor"]
    )
    expect(page.locator("header.greeting")).to_contain_text("7 visits")  # the card updated

    def newest() -> tuple[int, list[str], str]:
        count = db.session.scalar(select(func.count()).select_from(Visit))
        visit = db.session.scalars(select(Visit).order_by(Visit.visited_at.desc()).limit(1)).one()
        return count, list(visit.items or []), visit.table

    count, items, table = live_server.read(newest)
    assert (sorted(items), table) == (["club sandwich", "coffee", "orange juice"], "Window 2")
    assert count == 8  # six for Müller and one for García were seeded


def test_sensitive_note_asks_for_confirmation(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, live_server)
    _open_card(page, live_server)

    notes = page.get_by_role("region", name="Notes")
    notes.get_by_label("Note", exact=True).fill("he was rude to the waiter")
    notes.get_by_role("button", name="Save note").click()

    warning = notes.get_by_role("alert")
    expect(warning).to_contain_text("rude")
    expect(warning).to_contain_text("Guests may read this screen")
    expect(notes.get_by_label("Note", exact=True)).to_have_value("he was rude to the waiter")  # nothing retyped
    expect(notes.get_by_role("listitem").filter(has_text="he was rude")).to_have_count(0)
    warning.scroll_into_view_if_needed()
    screenshot(page, "card-note-confirmation-1024x768", full_page=False)

    def bodies() -> list[str]:
        return list(db.session.scalars(select(GuestNote.body)))

    assert "he was rude to the waiter" not in live_server.read(bodies)

    notes.get_by_label("Yes, save this note as written").check()
    notes.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status")).to_contain_text("Note saved.")
    expect(page.get_by_role("region", name="Notes").get_by_role("listitem").first).to_contain_text(
        "he was rude to the waiter"
    )
    assert "he was rude to the waiter" in live_server.read(bodies)
