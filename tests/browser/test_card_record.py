"""The guest's record at a glance in a real browser: the record line, tag chips, the photo taken on the card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from guestbook.admin.outlets import property_today
from guestbook.guests import tags, visits
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations import bookings as reservations

from ..factories import ACTOR, make_guest
from .conftest import VIEWPORTS, LiveServer, sign_in
from .test_layout import OVERFLOW_JS, SMALL_TARGETS_JS

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/card-record")
TABLETS = ["1024x768", "768x1024"]


def _portrait(path: Path) -> Path:
    """A 1200 x 1600 JPEG (a phone photo's size) with a face-like drawing and a GPS tag in its EXIF."""
    image = Image.new("RGB", (1200, 1600), (226, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 300, 900, 1000), fill=(234, 196, 160))
    draw.rectangle((250, 1050, 950, 1600), fill=(30, 64, 175))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    image.save(path, "JPEG", exif=exif)
    return path


def seed_regular(server: LiveServer) -> int:
    """Somchai: six visits with spend, a no-show last month, tagged "wine lover" and "press"."""

    def seed() -> int:
        guest = make_guest(given_name="Somchai", family_name="Rattanakosin", salutation="Khun", vip_level=2)
        start = datetime.now(UTC) - timedelta(days=5)
        for n in range(6):
            visits.log_visit(
                guest.id,
                VisitCreate(
                    outlet="terrace",
                    visited_at=start - timedelta(days=30 * n),
                    table="Window 2",
                    party_size=2,
                    items=["massaman", "riesling"],
                    spend=f"{2400 + 150 * n}",
                ),
                ACTOR,
            )
        reservations.upsert_reservation(
            "pms",
            "SOMCHAI-NS",
            reservations.ReservationIn(
                guest_id=guest.id,
                outlet="terrace",
                arrival_date=property_today() - timedelta(days=24),
                status="no-show",
            ),
            ACTOR,
        )
        tags.create_tag("wine lover", "#9d174d", ACTOR)
        tags.create_tag("press", "#1d4ed8", ACTOR)
        tags.create_tag("prefers quiet", "#047857", ACTOR)
        tags.set_guest_tags(guest.id, ["wine lover", "press"], ACTOR)
        return guest.id

    guest_id: int = server.read(seed)
    return guest_id


@pytest.mark.parametrize("size", TABLETS)
def test_card_shows_the_record_tags_and_a_photo_taken_on_it(
    size: str, live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    guest_id = seed_regular(live_server)
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, "manager@example.test")
    page.goto(f"{live_server.url}/guests/{guest_id}")

    record = page.get_by_label("Record")
    expect(record).to_contain_text("6 visits in 12 months")
    expect(record).to_contain_text("1 no-show")
    expect(record).to_contain_text("16,650.00 in 12 months")
    expect(page.get_by_label("Tags", exact=True).first).to_contain_text("press")

    # Consent first, then the photo from the file picker (the tablet's camera on a real device).
    page.get_by_role("button", name="The guest agrees to a photo").click()
    expect(page.get_by_role("status").filter(has_text="Consent to a photo recorded.")).to_be_visible()
    page.get_by_label("Take or choose a photo").set_input_files(str(_portrait(tmp_path / "phone.jpg")))
    page.get_by_role("button", name="Save photo").click()
    expect(page.get_by_role("status").filter(has_text="Photo saved.")).to_be_visible()
    photo = page.get_by_role("img", name="Photo of Somchai Rattanakosin")
    expect(photo).to_be_visible()
    natural = photo.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [300, 400]

    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"card-record-{size}.png"))
    page.screenshot(path=str(SHOTS / f"card-record-full-{size}.png"), full_page=True)
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["client"], f"the card scrolls sideways at {size}: {overflow}"
    assert page.evaluate(SMALL_TARGETS_JS, 44) == [], f"touch targets under 44 px at {size}"


def test_floor_sees_visits_and_no_shows_not_spend(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    guest_id = seed_regular(live_server)
    page = new_page(VIEWPORTS["1024x768"])
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/guests/{guest_id}")
    record = page.get_by_label("Record")
    expect(record).to_contain_text("6 visits in 12 months")
    expect(record).to_contain_text("1 no-show")
    expect(record).not_to_contain_text("spent")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "card-record-floor-1024x768.png"))
