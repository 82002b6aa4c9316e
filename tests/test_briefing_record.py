"""The guest's record at a glance on the briefing: tags, the one-line record and the photo (screen, JSON, PDF)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader

from guestbook.admin.settings import set_setting
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.guests import photos, tags, visits
from guestbook.guests.history import histories_for, history_for
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, make_guest

DAY = date(2026, 11, 22)


def _book(ext: str, guest_id: int, day: date = DAY, at: str = "19:30", **extra: object) -> None:
    body = {
        "outlet": "terrace",
        "arrival_date": day.isoformat(),
        "arrival_time": at,
        "guest_id": guest_id,
        "party_size": 2,
        **extra,
    }
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def regulars(app: Flask) -> dict[str, int]:
    """Tonight: Lee (press, wine lover; two visits with spend this year, one no-show) with a photo, and Ann (none)."""
    tags.create_tag("press", "#1d4ed8", ACTOR)
    tags.create_tag("wine lover", "#7c2d12", ACTOR)
    lee = make_guest(given_name="Lee", family_name="Press")
    ann = make_guest(given_name="Ann", family_name="Plain")
    tags.set_guest_tags(lee.id, ["wine lover", "press"], ACTOR)
    recent = datetime.now(UTC) - timedelta(days=20)
    for n in range(2):
        visits.log_visit(
            lee.id,
            VisitCreate(outlet="terrace", visited_at=recent - timedelta(days=7 * n), party_size=2, spend="1200.00"),
            ACTOR,
        )
    _book("NS1", lee.id, day=datetime.now(UTC).date() - timedelta(days=40), status="no-show")
    photos.record_consent(lee.id, ACTOR)
    photos.save_photo(lee.id, _png(), ACTOR)
    _book("T1", lee.id, at="19:30")
    _book("T2", ann.id, at="20:00")
    return {"lee": lee.id, "ann": ann.id}


def _arrival(body: dict, guest_id: int) -> dict:  # type: ignore[type-arg]
    return next(a for a in body["arrivals"] if a["guest_id"] == guest_id)


def test_the_batched_record_equals_the_guest_record(regulars: dict[str, int]) -> None:
    for role in ("floor", "manager"):
        batched = histories_for(regulars.values(), role)
        assert batched == {gid: history_for(gid, role) for gid in regulars.values()}


def test_json_carries_tags_and_the_record_spend_only_for_roles_that_see_it(
    client: FlaskClient,
    api_key,  # type: ignore[no-untyped-def]
    regulars: dict[str, int],
) -> None:
    floor = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    lee = _arrival(floor, regulars["lee"])
    assert lee["tags"] == ["press", "wine lover"]
    assert lee["history"]["visits_12m"] == 2 and lee["history"]["no_shows_12m"] == 1
    assert lee["history"]["spend_12m"] is None and lee["history"]["average_spend"] is None
    assert lee["has_photo"] is True
    ann = _arrival(floor, regulars["ann"])
    assert ann["tags"] == [] and ann["history"]["visits_12m"] == 0 and ann["has_photo"] is False
    manager = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("manager")).get_json()
    history = _arrival(manager, regulars["lee"])["history"]
    assert history["spend_12m"] == "2400.00" and history["average_spend"] == "1200.00"
    assert history == history_for(regulars["lee"], "manager")  # the same fields as the guest JSON


def test_screen_shows_chips_record_and_photo_in_cards_and_list(
    client: FlaskClient, auth: AuthActions, regulars: dict[str, int]
) -> None:
    auth.login("floor")
    cards = client.get(f"/briefing/?date={DAY.isoformat()}&view=cards").get_data(as_text=True)
    assert 'class="tag-chip tag-' in cards and ">wine lover</span>" in cards and ">press</span>" in cards
    assert "2 visits in 12 months" in cards and "1 no-show" in cards
    assert "a visit" not in cards  # floor: no spend
    photo_url = f"/guests/{regulars['lee']}/photo"
    assert f'src="{photo_url}"' in cards
    assert f'src="/guests/{regulars["ann"]}/photo"' not in cards
    assert client.get(photo_url).status_code == 200
    listing = client.get(f"/briefing/?date={DAY.isoformat()}&view=list").get_data(as_text=True)
    line = listing.split('<summary class="arrival-line">', 1)[1].split("</summary>", 1)[0]
    assert "Lee Press" in line and ">press</span>" in line and "visits in 12 months" not in line  # the line is short
    assert "2 visits in 12 months" in listing  # in the expanded part


def test_screen_without_photos_when_the_property_turns_them_off(
    client: FlaskClient, auth: AuthActions, regulars: dict[str, int]
) -> None:
    set_setting("photos_enabled", False, ACTOR)
    auth.login("manager")
    page = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "arrival-photo" not in page and "/photo" not in page
    assert "in 12 months" in page


def _pdf(result: briefing.Briefing) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(briefing_archive.render_pdf(result)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


def test_pdf_has_tags_record_and_photo(app: Flask, regulars: dict[str, int]) -> None:
    text, images = _pdf(briefing.build_briefing(DAY, None, None, "floor"))
    assert "press · wine lover" in text
    # The sheet's short record says what the "Their usual" column does not: no spend for floor, the no-show.
    assert "1 no-show" in text and "12 mo:" not in text and "2 visits, last" in text
    assert images == 1  # Lee's photo, and nobody else's
    manager_text, _images = _pdf(briefing.build_briefing(DAY, None, None, "manager"))
    # Paper is handed out at the pre-shift meeting: no spend on it, even printed by a manager.
    assert "1 no-show" in manager_text and "THB" not in manager_text
    set_setting("photos_enabled", False, ACTOR)
    _text, images = _pdf(briefing.build_briefing(DAY, None, None, "manager"))
    assert images == 0


def test_the_nightly_sheet_shows_tags_and_no_shows_but_never_spend(app: Flask, regulars: dict[str, int]) -> None:
    made = briefing_archive.run_scheduled(DAY)
    reader = PdfReader(io.BytesIO(made[0].pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "press · wine lover" in text and "1 no-show" in text and "THB" not in text
    assert sum(len(page.images) for page in reader.pages) == 1
