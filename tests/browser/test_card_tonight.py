"""The card of a guest booked tonight, in a real browser: the booking on top, the form filled from it, the save seen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests import visits
from guestbook.guests.models import Visit
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations import bookings as reservations
from guestbook.reservations.models import Reservation

from ..factories import ACTOR, make_guest
from .conftest import VIEWPORTS, LiveServer, sign_in
from .test_layout import OVERFLOW_JS, SMALL_TARGETS_JS

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h3-card")
LONG_EMAIL = "nattaya.srisuk-wongsawat.reservations@bangkok-hospitality-group.example.com"
TABLETS = ["1024x768", "768x1024"]


def seed_booked_guest(server: LiveServer) -> int:
    """Nattaya: a Bamboo Bar regular (Bar 5, party of 3) booked on the Terrace tonight (Table 23, party of 2)."""

    def seed() -> int:
        guest = make_guest(
            given_name="Nattaya",
            family_name="Srisuk",
            email=LONG_EMAIL,
            phone="+66 84 049 4121",
            allergies=[
                {"allergen": "peanuts", "severity": "anaphylaxis", "note": "EpiPen in her bag"},
                {"allergen": "vegetarian", "severity": "dietary"},
            ],
        )
        start = datetime.now(UTC) - timedelta(days=10)
        for n in range(3):
            visits.log_visit(
                guest.id,
                VisitCreate(
                    outlet="bar",
                    visited_at=start - timedelta(days=7 * n),
                    table="Bar 5",
                    party_size=3,
                    items=["negroni", "som tam"],
                    notes="Said the music was too loud <b>tonight</b>" if n == 0 else "",
                ),
                ACTOR,
            )
        reservations.upsert_reservation(
            "pms",
            "NATTAYA-TONIGHT",
            reservations.ReservationIn(
                guest_id=guest.id,
                outlet="terrace",
                arrival_date=property_today(),
                arrival_time=time(19, 30),
                party_size=2,
                table="Table 23",
                occasion="Wedding anniversary",
                notes="Asked for a quiet corner",
            ),
            ACTOR,
        )
        return guest.id

    guest_id: int = server.read(seed)
    return guest_id


def shot(page: Page, name: str) -> None:
    """A full-page screenshot for the report (looked at by hand)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", TABLETS)
def test_booked_guest_card_logs_tonights_booking_and_says_so_in_view(
    size: str, live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    guest_id = seed_booked_guest(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/guests/{guest_id}")

    booking = page.get_by_role("region", name="Booked today")
    expect(booking).to_contain_text("19:30")
    expect(booking).to_contain_text("Terrace")
    expect(booking).to_contain_text("Table 23")
    expect(booking).to_contain_text("party of 2")
    expect(booking).to_contain_text("Wedding anniversary")
    expect(booking).to_contain_text("Asked for a quiet corner")

    # Allergies in red, the diet on its own neutral line.
    allergies = page.get_by_role("alert", name="Allergies")
    expect(allergies).to_contain_text("peanuts")
    expect(allergies).not_to_contain_text("vegetarian")
    expect(page.get_by_role("note", name="Diet")).to_contain_text("vegetarian")

    # What she said last time, escaped.
    last = page.get_by_role("region", name="Last time")
    expect(last).to_contain_text("Said the music was too loud <b>tonight</b>")

    log = page.get_by_role("region", name="Log tonight's visit")
    expect(log.get_by_label("Outlet", exact=True)).to_have_value("terrace")
    expect(log.get_by_label("Table or seat")).to_have_value("Table 23")
    expect(log.get_by_label("Party size")).to_have_value("2")
    shot(page, f"card-booked-before-save-{size}")
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"the booked card scrolls sideways at {size}: {overflow}"
    assert page.evaluate(SMALL_TARGETS_JS, 44) == [], f"touch targets under 44 px at {size}"

    log.get_by_role("button", name="Save visit").click()
    status = page.get_by_role("status").filter(has_text="Visit saved.")
    expect(status).to_be_visible()
    expect(status).to_be_in_viewport()  # not scrolled away: the host sees it without looking for it
    expect(page.get_by_role("region", name="Booked today")).to_contain_text("Arrived")
    shot(page, f"card-booked-after-save-{size}")

    def saved() -> tuple[str, str, int, str]:
        visit = db.session.scalars(select(Visit).where(Visit.guest_id == guest_id).order_by(Visit.id.desc())).first()
        res = db.session.scalars(select(Reservation).where(Reservation.guest_id == guest_id)).one()
        assert visit is not None
        return visit.outlet.code, visit.table, visit.party_size, res.status

    assert live_server.read(saved) == ("terrace", "Table 23", 2, "arrived")


EMAIL_BOXES_JS = """() => {
  const dd = [...document.querySelectorAll('dd')].find(el => el.textContent.includes('@'));
  const panel = dd.closest('.panel');
  const a = dd.getBoundingClientRect(), p = panel.getBoundingClientRect();
  return {dd: [a.left, a.right], panel: [p.left, p.right], scroll: dd.scrollWidth, client: dd.clientWidth};
}"""


@pytest.mark.parametrize("size", TABLETS)
def test_long_email_stays_inside_its_panel(size: str, live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    guest_id = seed_booked_guest(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, email="concierge@example.test")  # concierge sees the address in full
    page.goto(f"{live_server.url}/guests/{guest_id}")
    expect(page.get_by_text(LONG_EMAIL)).to_be_visible()
    boxes = page.evaluate(EMAIL_BOXES_JS)
    assert boxes["dd"][1] <= boxes["panel"][1] + 0.5, f"the e-mail overflows its panel at {size}: {boxes}"
    assert boxes["dd"][0] >= boxes["panel"][0] - 0.5
    assert boxes["scroll"] <= boxes["client"] + 1, f"the e-mail text overflows its box at {size}: {boxes}"
    shot(page, f"card-long-email-{size}")
