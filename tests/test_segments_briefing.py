"""Tier and influence on the briefing: screen, JSON and the printed sheet (only the top tier is printed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.reservations import bookings as reservations
from guestbook.segments import overrides

from .conftest import AuthActions
from .factories import ACTOR, make_guest

DAY = date(2026, 11, 22)


def _book(ext: str, guest_id: int) -> None:
    body = {"outlet": "terrace", "arrival_date": DAY.isoformat(), "arrival_time": "19:30", "guest_id": guest_id}
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def test_tier_and_influence_on_screen_json_and_paper(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key: Callable[[str], dict[str, str]]
) -> None:
    critic = make_guest(given_name="Pim", family_name="Sukprasert")
    plain = make_guest(given_name="Ordinary", family_name="Guest")
    _book("r1", critic.id)
    _book("r2", plain.id)
    overrides.set_override(critic.id, "A", "restaurant critic", ACTOR, "critic")
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    by_guest = {a["guest_id"]: a for a in body["arrivals"]}
    assert (by_guest[critic.id]["tier"], by_guest[critic.id]["influence"]) == ("A", "critic")
    assert (by_guest[plain.id]["tier"], by_guest[plain.id]["influence"]) == (None, None)
    reader = PdfReader(io.BytesIO(briefing_archive.render_pdf(briefing.build_briefing(DAY, None, None, "floor"))))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Tier A" in text and "Critic" in text
    auth.login("floor")
    page = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "Tier A" in page and "Critic" in page
