"""Shared tablets in a real browser: the idle lock with a personal PIN, and two tablets editing one guest."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from guestbook.extensions import db
from guestbook.guests.models import Guest

from .conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

IDLE_SECONDS = 3


def test_idle_lock_then_pin_unlock(
    live_server_factory: Callable[..., LiveServer], new_page: Callable[..., Page]
) -> None:
    server = live_server_factory(idle_lock_seconds=IDLE_SECONDS)
    card_url = f"{server.url}/guests/{server.guests['mueller']}"
    page = new_page()
    sign_in(page, server)

    # Set a personal PIN through the account page (the password proves it is really them).
    page.goto(f"{server.url}/account/pin")
    page.get_by_label("New PIN (4–8 digits)").fill("4831")
    page.get_by_label("Your password").fill("correct horse battery")
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_role("status")).to_contain_text("Your PIN is set")

    page.goto(card_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Müller")
    # Hands off the tablet: the page moves itself to the lock screen once the idle limit passes.
    locked = page.get_by_role("heading", name="Locked", level=1)
    expect(locked).to_be_visible(timeout=(IDLE_SECONDS + 10) * 1000)
    expect(page.get_by_text("Müller")).to_have_count(0)  # nothing of the guest is left on screen

    # The server holds the lock too: reloading the card does not get past it.
    page.goto(card_url)
    expect(locked).to_be_visible()
    expect(page).to_have_url(re.compile(r"/unlock\?next=/guests/\d+$"))

    page.get_by_label("PIN or password").fill("0000")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("alert")).to_contain_text("That PIN or password is not correct.")

    page.get_by_label("PIN or password").fill("4831")
    page.get_by_role("button", name="Unlock").click()
    expect(page).to_have_url(card_url)  # back where they were, without a full sign-in
    expect(page.get_by_role("heading", level=1)).to_contain_text("Müller")


def _two_tablets_editing(live_server: LiveServer, new_page: Callable[..., Page], guest_id: int) -> tuple[Page, Page]:
    """Two floor staff on two tablets, both on the same guest's edit page."""
    edit_url = f"{live_server.url}/guests/{guest_id}/edit"
    first, second = new_page(), new_page()
    sign_in(first, live_server, "floor@example.test")
    sign_in(second, live_server, "floor2@example.test")
    first.goto(edit_url)
    second.goto(edit_url)
    return first, second


def test_second_tablet_sees_the_conflict_and_loses_nothing(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    guest_id = live_server.guests["mueller"]
    first, second = _two_tablets_editing(live_server, new_page, guest_id)

    first.get_by_label("Preferred name (how to greet)").fill("Klaus")
    second.get_by_label("Company").fill("Bosch Siam")

    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_role("status")).to_contain_text("Saved.")
    expect(first.get_by_role("heading", level=1)).to_contain_text("Klaus")

    second.get_by_role("button", name="Save", exact=True).click()
    conflict = second.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else saved this guest")
    expect(conflict).to_contain_text("Nothing was overwritten")
    theirs = conflict.get_by_role("row").filter(has=second.get_by_role("rowheader", name="preferred name"))
    expect(theirs.get_by_role("cell")).to_have_text("Klaus")  # the other tablet's version is shown
    expect(conflict.get_by_role("row").filter(has_text="company").get_by_role("cell")).to_have_text("Bosch Thailand")
    expect(second.get_by_label("Company")).to_have_value("Bosch Siam")  # what this tablet typed is still there

    def stored() -> dict[str, object]:
        guest = db.session.get(Guest, guest_id)
        assert guest is not None
        return {
            "preferred_name": guest.preferred_name,
            "company": guest.company,
            "email": guest.email,
            "phone": guest.phone,
            "allergies": sorted(a.allergen for a in guest.allergies),
            "version": guest.version,
        }

    after_first = live_server.read(stored)
    assert after_first["preferred_name"] == "Klaus"  # the refused save did not overwrite the first one
    assert after_first["company"] == "Bosch Thailand"

    # As the box says: copy what you need from their version, then save again.
    second.get_by_label("Preferred name (how to greet)").fill("Klaus")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_role("status")).to_contain_text("Saved.")

    final = live_server.read(stored)
    assert final == {
        "preferred_name": "Klaus",
        "company": "Bosch Siam",
        # Floor staff never see full contact details; their saves must not wipe them either.
        "email": "klaus.mueller@example.de",
        "phone": "+66 81 234 5678",
        "allergies": ["Peanuts", "Shellfish"],
        "version": after_first["version"] + 1,  # type: ignore[operator]
    }


def test_saving_again_after_a_conflict_keeps_the_other_tablets_change(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    guest_id = live_server.guests["mueller"]
    first, second = _two_tablets_editing(live_server, new_page, guest_id)
    first.get_by_label("Preferred name (how to greet)").fill("Klaus")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_role("status")).to_contain_text("Saved.")

    second.get_by_label("Company").fill("Bosch Siam")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_role("alert")).to_contain_text("Someone else saved this guest")
    second.get_by_role("button", name="Save", exact=True).click()  # a hurried host just saves again
    expect(second.get_by_role("status")).to_contain_text("Saved.")

    def names() -> tuple[str | None, str | None]:
        guest = db.session.get(Guest, guest_id)
        assert guest is not None
        return guest.preferred_name, guest.company

    assert live_server.read(names) == ("Klaus", "Bosch Siam")
