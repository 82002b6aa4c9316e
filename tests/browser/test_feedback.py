"""Feedback in a real browser under the strict CSP: floor staff log a complaint from the card in a few taps and see
the "handle with care" banner (1024×768); a manager follows the header's overdue badge to the queue and
acknowledges the complaint (768×1024). Screenshots kept in test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from guestbook.relations import feedback as rules
from guestbook.relations.schemas import FeedbackCreate

from ..factories import ACTOR
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

BANGKOK = ZoneInfo("Asia/Bangkok")
CSP_LISTENER_JS = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""
SIDEWAYS_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(CSP_LISTENER_JS)
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _tap_size(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box


def test_floor_logs_a_complaint_from_the_card_and_sees_the_banner(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page(TABLET_LANDSCAPE)
    errors = _watch(page)
    sign_in(page, live_server)
    card_url = f"{live_server.url}/guests/{live_server.guests['mueller']}"
    page.goto(card_url)
    page.get_by_role("link", name="Log feedback").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback from")
    complaint = page.locator("label.kind-choice", has_text="Complaint")
    box = complaint.bounding_box()
    assert box is not None and box["height"] >= 44, box
    expect(page.get_by_label("How serious")).to_be_visible()
    page.locator("label.kind-choice", has_text="Compliment").click()
    expect(page.get_by_label("How serious")).to_be_hidden()  # severity is for complaints only (CSS, no script)
    complaint.click()
    page.get_by_label("About").select_option("food")
    page.get_by_label("How serious").select_option("major")
    page.get_by_label("The guest's words").fill("The eggs were cold and the coffee came late.")
    expect(page.get_by_label("How it came")).to_have_value("in_person")
    screenshot(page, "feedback-new-1024x768")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(card_url)
    expect(page.locator(".flash-success")).to_contain_text("Complaint logged: acknowledge by 23:00")
    banner = page.locator("section.care-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Handle with care: complaint about food on")
    expect(banner.locator(".care-open")).to_have_text("Open")
    expect(page.get_by_text("The eggs were cold")).to_have_count(0)  # the record is not for the floor
    # The banner sits right under the allergies.
    allergy = page.locator("section.allergy-banner").bounding_box()
    care = banner.bounding_box()
    assert allergy is not None and care is not None and 0 <= care["y"] - (allergy["y"] + allergy["height"]) < 40
    assert page.evaluate(SIDEWAYS_JS) <= 0
    screenshot(page, "feedback-card-banner-1024x768", full_page=False)
    assert page.evaluate("window.__csp") == [] and errors == []


def test_a_manager_follows_the_badge_and_acknowledges_from_the_queue(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    reported = datetime.combine(datetime.now(BANGKOK).date() - timedelta(days=2), time(12), tzinfo=BANGKOK)
    live_server.read(
        lambda: rules.create_feedback(
            live_server.guests["garcia"],
            FeedbackCreate.model_validate(
                {"kind": "complaint", "category": "wait", "text": "Forty minutes for a negroni.", "outlet": "bar"}
                | {"reported_at": reported.isoformat(), "severity": "critical"}
            ),
            ACTOR,
            now=reported,
        )
    )
    page = new_page(TABLET_PORTRAIT)
    errors = _watch(page)
    sign_in(page, live_server, email="manager@example.test")
    badge = page.locator("header.topbar a.overdue-badge")
    expect(badge).to_have_text("⚑ 1")
    expect(badge).to_have_attribute("aria-label", "1 overdue complaint")
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 180, header
    size = _tap_size(page, "header.topbar a.overdue-badge")
    assert size["width"] >= 44 and size["height"] >= 44, size
    screenshot(page, "feedback-badge-768x1024", full_page=False)
    badge.click()
    row = page.locator("table.feedback-list tr.is-overdue")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Overdue by")
    screenshot(page, "feedback-queue-768x1024")
    row.get_by_role("link", name="José García").click()
    expect(page.locator("blockquote.guest-words")).to_have_text("Forty minutes for a negroni.")
    page.locator("form.step-form").first.get_by_label("Note (optional, managers only)").fill("Apologised by phone.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".flash-success")).to_have_text("Acknowledged.")
    expect(page.locator(".feedback-status")).to_contain_text("Acknowledged")
    expect(page.locator(".feedback-notes")).to_contain_text("Apologised by phone.")
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()
    expect(page.locator("header.topbar a.overdue-badge")).to_have_count(0)
    assert page.evaluate(SIDEWAYS_JS) <= 0
    screenshot(page, "feedback-acknowledged-768x1024")
    assert page.evaluate("window.__csp") == [] and errors == []
