"""Who knows whom in a real browser: the card's Knows panel on both tablet orientations (add through the search,
remove), and the network drawing with the right number of people, under the strict CSP (screenshots kept)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from guestbook.relations import relationships
from guestbook.segments import overrides

from ..factories import ACTOR, make_guest
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

SIZES = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT}
CSP_LISTENER_JS = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def _watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(CSP_LISTENER_JS)
    # A missing resource is caught by its response (the browser's own favicon request is no page error).
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _relate(server: LiveServer, a: str, b: str, kind: str) -> None:
    server.read(lambda: relationships.add_relationship(server.guests[a], server.guests[b], kind, "", ACTOR))


@pytest.mark.parametrize("size", list(SIZES))
def test_knows_panel_adds_and_removes_on_a_tablet(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    _relate(live_server, "mulder", "mueller", "spouse")
    page = new_page(SIZES[size])
    errors = _watch(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/guests/{live_server.guests['mueller']}")
    panel = page.locator("section#knows")
    expect(panel.get_by_role("heading", name="Knows")).to_be_visible()
    expect(panel.get_by_role("link", name="Anna Mulder")).to_be_visible()
    expect(panel.locator(".knows-kind")).to_have_text(["spouse"])
    panel.get_by_label("Add someone they know: name").fill("García")
    panel.get_by_role("button", name="Find").click()
    choice = page.locator("label.knows-choice", has_text="José García")
    expect(choice).to_be_visible()
    box = choice.bounding_box()
    assert box is not None and box["height"] >= 44, box  # a finger, not a mouse pointer
    choice.click()
    page.get_by_label("Who they are to this guest").select_option("colleague")
    page.get_by_label("Note (optional)").fill("same company board")
    screenshot(page, f"relations-add-{size}")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/guests/{live_server.guests['mueller']}#knows")
    expect(panel.locator(".knows-list li")).to_have_count(2)
    expect(panel.get_by_role("link", name="José García")).to_be_visible()
    remove = panel.get_by_role("button", name="Remove Anna Mulder")
    box = remove.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    panel.scroll_into_view_if_needed()
    screenshot(page, f"relations-card-{size}", full_page=False)
    remove.click()
    expect(panel.locator(".knows-list li")).to_have_count(1)
    expect(panel.get_by_role("link", name="Anna Mulder")).to_have_count(0)
    # Both sides: José's card lists Klaus as a colleague.
    page.goto(f"{live_server.url}/guests/{live_server.guests['garcia']}")
    expect(page.locator("section#knows").get_by_role("link", name="Klaus Müller")).to_be_visible()
    assert page.evaluate("window.__csp") == [] and errors == []


def _names_inside_the_drawing(page: Page) -> None:
    geometry = page.evaluate(
        """() => { const s = document.querySelector('svg.network-svg').getBoundingClientRect();
        return {svg: [s.left, s.right, s.top, s.bottom],
          names: [...document.querySelectorAll('svg .net-name')].map(t => {
          const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.top, r.bottom]; })}; }"""
    )
    left, right, top, bottom = geometry["svg"]
    for name, n_left, n_right, n_top, n_bottom in geometry["names"]:
        assert left - 1 <= n_left and n_right <= right + 1 and top - 1 <= n_top and n_bottom <= bottom + 1, name


@pytest.mark.parametrize("size", list(SIZES))
def test_network_draws_everyone_two_steps_out(
    live_server: LiveServer, new_page: Callable[..., Page], size: str
) -> None:
    _relate(live_server, "mulder", "mueller", "spouse")
    _relate(live_server, "garcia", "mueller", "colleague")
    _relate(live_server, "wang", "mulder", "friend")
    _relate(live_server, "muellerschoen", "garcia", "assistant_of")
    live_server.read(lambda: overrides.set_override(live_server.guests["mulder"], "A", "owner's sister", ACTOR))
    page = new_page(SIZES[size])
    errors = _watch(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/guests/{live_server.guests['mueller']}")
    page.locator("section#knows").get_by_role("link", name="Show their network").click()
    svg = page.locator("svg.network-svg")
    expect(svg).to_be_visible()
    expect(svg.locator("a.net-node")).to_have_count(5)  # Klaus, two he knows, two they know
    expect(svg.locator("a.net-node.step-1")).to_have_count(2)
    expect(svg.locator("a.net-node.step-2")).to_have_count(2)
    expect(svg.locator("line.net-edge")).to_have_count(4)
    assert sorted(svg.locator("text.net-kind").all_text_contents()) == ["assistant", "colleague", "friend", "spouse"]
    expect(svg.locator("circle.tier-a")).to_have_count(1)
    expect(page.locator("table.network-table tbody tr")).to_have_count(4)
    _names_inside_the_drawing(page)
    screenshot(page, f"relations-network-{size}")
    assert page.evaluate("window.__csp") == [] and errors == []


def test_a_crowded_network_is_capped_and_counts_the_rest(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    def seed() -> None:
        centre = live_server.guests["mueller"]
        for n in range(45):
            friend = make_guest(given_name=f"Friend{n:02d}", family_name="Longname-Example").id
            relationships.add_relationship(centre, friend, "friend" if n % 3 else "colleague", "", ACTOR)

    live_server.read(seed)
    page = new_page(TABLET_LANDSCAPE)
    errors = _watch(page)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/relations/guests/{live_server.guests['mueller']}/network")
    expect(page.locator("svg.network-svg a.net-node")).to_have_count(41)  # the guest and 40 people
    expect(page.get_by_text("and 5 more", exact=True)).to_be_visible()
    # The names run along their rays (turned by a transform, which the CSP allows) and all stay in the drawing.
    names = page.locator("svg.network-svg text.net-name[transform]")
    expect(names).to_have_count(40)
    _names_inside_the_drawing(page)
    screenshot(page, "relations-network-crowded-1024x768")
    assert page.evaluate("window.__csp") == [] and errors == []
