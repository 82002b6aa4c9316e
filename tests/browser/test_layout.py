"""The card at arm's length: every control labelled, 44 px touch targets, no sideways scrolling, screenshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import VIEWPORTS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

MIN_TARGET = 44

# Visible form controls without an accessible name (a <label>, aria-label or aria-labelledby).
UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => !(el.labels && [...el.labels].some(l => l.textContent.trim()))
                && !(el.getAttribute('aria-label') || '').trim()
                && !(el.getAttribute('aria-labelledby') || '').trim())
  .map(el => el.outerHTML.slice(0, 120))"""

# Touch targets smaller than the minimum: buttons, links, summaries, selects and text inputs measure themselves;
# a checkbox or radio is tapped through its label (the chips), so the label is measured.
SMALL_TARGETS_JS = """(min) => {
  const seen = new Set(), small = [];
  for (const el of document.querySelectorAll('a[href], button, summary, select, textarea, input:not([type=hidden])')) {
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) target = el.closest('label');
    if (seen.has(target) || target.getClientRects().length === 0) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < min || r.height < min) {
      small.push(`${target.tagName.toLowerCase()} "${(target.textContent || target.name || '').trim().slice(0, 40)}"`
                 + ` ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}"""

# Ids used more than once by a visible control or a section (a <label for> or a #link would find the wrong one).
DUPLICATE_IDS_JS = """() => {
  const ids = [...document.querySelectorAll('[id]')].filter(el => el.type !== 'hidden').map(el => el.id);
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""

OVERFLOW_JS = """() => ({
  scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(el => el.tagName.toLowerCase() + '.' + el.className).slice(0, 5)
})"""


def _open_card_with_forms(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/guests/{server.guests['mueller']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Müller")
    # The one-short-form extras live behind buttons; open them so their controls are checked as well.
    for summary, button in (("Add a preference", "Save preference"), ("Add an allergy", "Save allergy")):
        page.get_by_text(summary, exact=True).click()
        expect(page.get_by_role("button", name=button)).to_be_visible()


def test_every_card_control_is_labelled(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    page = new_page()
    sign_in(page, live_server)
    _open_card_with_forms(page, live_server)
    assert page.evaluate(UNLABELLED_JS) == []
    assert page.evaluate(DUPLICATE_IDS_JS) == []

    # And by role and label, the way staff and screen readers find them.
    log = page.get_by_role("region", name="Log tonight's visit")
    for label in (
        "Outlet",
        "Table or seat",
        "Party size",
        "Spend",
        "Other items (comma-separated)",
        "Note about tonight",
    ):
        expect(log.get_by_label(label, exact=True)).to_be_visible()
    expect(log.get_by_role("checkbox", name="coffee")).to_be_visible()
    prefs = page.get_by_role("region", name="Preferences")
    allergy = "Allergy (e.g. peanuts, shellfish)"
    for label in ("Category", "Preference", "Source", "Outlet (optional)", allergy, "Severity"):
        expect(prefs.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Notes").get_by_label("Note", exact=True)).to_be_visible()
    expect(page.get_by_label("This tablet is at")).to_be_visible()
    for name in ("Edit profile", "Save visit", "Save note", "Save preference", "Save allergy", "Set", "Sign out"):
        expect(
            page.get_by_role("button", name=name, exact=True).or_(page.get_by_role("link", name=name))
        ).to_be_visible()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_card_touch_targets_and_no_sideways_scroll(
    size: str, live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server)
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"search page scrolls sideways at {size}: {overflow}"

    page.get_by_label("Find a guest").press_sequentially("muller")
    expect(page.get_by_role("list", name="Search results").get_by_role("listitem").first).to_contain_text("Müller")
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"search results scroll sideways at {size}: {overflow}"
    screenshot(page, f"search-results-{size}")

    page.goto(f"{live_server.url}/guests/{live_server.guests['mueller']}")
    expect(page.get_by_role("alert", name="Allergies")).to_be_visible()
    screenshot(page, f"card-{size}")

    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"the card scrolls sideways at {size}: {overflow}"
    assert page.evaluate(SMALL_TARGETS_JS, MIN_TARGET) == [], f"touch targets under {MIN_TARGET} px at {size}"

    _open_card_with_forms(page, live_server)
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"the open forms scroll sideways at {size}: {overflow}"
    assert page.evaluate(SMALL_TARGETS_JS, MIN_TARGET) == [], f"touch targets under {MIN_TARGET} px at {size}"
