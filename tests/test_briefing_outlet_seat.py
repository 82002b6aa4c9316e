"""Issue 8.4: the usual seat is the habit at the booking's outlet; 8.5: floor staff read tonight's briefing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from guestbook.admin import outlets
from guestbook.admin.outlets import property_today
from guestbook.admin.schemas import OutletCreate
from guestbook.extensions import db
from guestbook.guests import notes, recognition
from guestbook.guests.models import Guest
from guestbook.guests.schemas import PreferenceCreate
from guestbook.i18n import format_weekday
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

DAY = date(2026, 11, 22)
BEFORE = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)


def _book(ext: str, guest_id: int, outlet: str, at: str | None = "19:30", **extra: object) -> None:
    body = {"outlet": outlet, "arrival_date": DAY.isoformat(), "guest_id": guest_id, "party_size": 2, **extra}
    if at:
        body["arrival_time"] = at
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def _outlet_id(code: str) -> int:
    outlet = outlets.outlet_by_code(code)
    assert outlet is not None
    return outlet.id


@pytest.fixture
def seated(app: Flask) -> dict[str, int]:
    """A bar regular booked on the Terrace; a guest with habits at both; a hotel guest; preferences per outlet."""
    outlets.create_outlet(OutletCreate(code="rooms", name="Rooms", kind="rooms"), ACTOR)
    bar_regular = make_guest(given_name="Bar", family_name="Regular")
    add_visits(bar_regular.id, "bar", [("Bar 5", ["negroni", "olives"])] * 3, start=BEFORE)
    both = make_guest(given_name="Both", family_name="Places")
    add_visits(both.id, "terrace", [("Window 2", ["soup"])] * 3, start=BEFORE)
    add_visits(both.id, "bar", [("Bar 1", ["gin"])] * 5, start=BEFORE)
    hotel = make_guest(given_name="Hotel", family_name="Guest")
    add_visits(hotel.id, "terrace", [("Table 7", ["pad thai"])] * 4, start=BEFORE)
    told = make_guest(given_name="Told", family_name="Staff")  # a seat entered for the bar only
    add_visits(told.id, "terrace", [("Table 3", ["tea"]), ("Table 9", ["tea"])], start=BEFORE)
    notes.add_preference(
        told.id, PreferenceCreate(category="seating", value="Corner stool", outlet="bar", source="stated"), ACTOR
    )
    anywhere = make_guest(given_name="Any", family_name="Where")  # a seat entered for every outlet
    notes.add_preference(anywhere.id, PreferenceCreate(category="seating", value="Near the door"), ACTOR)
    _book("T1", bar_regular.id, "terrace")
    _book("T2", both.id, "terrace", at="19:45")
    _book("R1", hotel.id, "rooms", at=None, nights=2, table="Room 1204")
    _book("T3", told.id, "terrace", at="20:00")
    _book("T4", anywhere.id, "terrace", at="20:15")
    return {"bar_regular": bar_regular.id, "both": both.id, "hotel": hotel.id, "told": told.id, "anywhere": anywhere.id}


def _arrivals(client: FlaskClient, headers: dict[str, str]) -> dict[int, dict[str, object]]:
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=headers).get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    jsonschema.validate(body, {"$ref": "#/components/schemas/Briefing", "components": spec["components"]})
    return {a["guest_id"]: a for a in body["arrivals"]}


def test_usual_seat_is_the_habit_at_the_booked_outlet(client: FlaskClient, api_key, seated: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    arrivals = _arrivals(client, api_key("manager"))
    bar_regular = arrivals[seated["bar_regular"]]
    assert bar_regular["usual_seat"] is None  # never "Seat: Bar 5" on the Terrace
    assert bar_regular["usual_seat_elsewhere"] == {
        "outlet": "Bamboo Bar", "value": "Bar 5", "evidence": "3 of the last 3 visits there",
    }  # fmt: skip
    assert bar_regular["usual_order"] == ["negroni", "olives"]  # what they drink travels with them
    both = arrivals[seated["both"]]
    assert both["usual_seat"] == "Window 2" and both["usual_seat_evidence"] == "3 of the last 3 visits"
    assert both["usual_order"] == ["soup"]  # the Terrace's own order, not the bar's gin
    assert both["usual_seat_elsewhere"] is None  # a seat here: the bar's habit would only be noise
    hotel = arrivals[seated["hotel"]]
    assert hotel["usual_seat"] is None and hotel["table"] == "Room 1204"  # no restaurant table for a room
    assert hotel["usual_seat_elsewhere"] == {
        "outlet": "Terrace", "value": "Table 7", "evidence": "4 of the last 4 visits there",
    }  # fmt: skip
    told = arrivals[seated["told"]]
    assert told["usual_seat"] is None  # a seat entered for the bar does not apply on the Terrace
    assert told["usual_seat_elsewhere"] == {
        "outlet": "Bamboo Bar",
        "value": "Corner stool",
        "evidence": "stated by the guest",
    }
    assert arrivals[seated["anywhere"]]["usual_seat"] == "Near the door"  # entered for every outlet: applies


def test_recognise_per_outlet_and_the_seat_elsewhere_helper(app: Flask, seated: dict[str, int]) -> None:
    terrace, bar = _outlet_id("terrace"), _outlet_id("bar")
    guest = db.session.get(Guest, seated["bar_regular"])
    assert guest is not None
    at_terrace = recognition.recognise(guest, outlet_id=terrace)
    assert at_terrace.usual_seat is None and at_terrace.derived_seat is None
    assert at_terrace.seat_elsewhere is not None and at_terrace.seat_elsewhere.label == "at Bamboo Bar: Bar 5"
    at_bar = recognition.recognise(guest, outlet_id=bar)
    assert at_bar.usual_seat is not None and at_bar.usual_seat.value == "Bar 5" and at_bar.seat_elsewhere is None
    anywhere = recognition.recognise(guest)  # no outlet: the habit anywhere, as before
    assert anywhere.usual_seat is not None and anywhere.usual_seat.value == "Bar 5"
    elsewhere = recognition.seat_elsewhere(seated["both"], terrace)
    assert elsewhere is not None and (elsewhere.outlet_name, elsewhere.value, elsewhere.count) == (
        "Bamboo Bar",
        "Bar 1",
        5,
    )
    assert recognition.seat_elsewhere(seated["anywhere"], terrace) is None
    told = recognition.recognise_many([(seated["told"], bar)])[(seated["told"], bar)]
    assert told.usual_seat is not None and told.usual_seat.value == "Corner stool"


def test_screen_and_pdf_label_the_seat_elsewhere(
    client: FlaskClient, auth: AuthActions, seated: dict[str, int]
) -> None:
    auth.login("manager")
    page = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "at Bamboo Bar: Bar 5" in page and "at Terrace: Table 7" in page
    block = page.split("Bar Regular")[1].split('class="arrival"')[0]
    assert "Seat</span> Bar 5" not in block
    pdf = client.get(f"/briefing/pdf?date={DAY.isoformat()}")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Seat at Bamboo Bar: Bar 5" in text and "Seat: Window 2" in text
    assert "Seat: Bar 5" not in text and "Seat: Table 7" not in text


# ----- 8.5: floor staff read tonight's briefing, as the card shows it to them ----------------------


@pytest.fixture
def private(app: Flask) -> int:
    """A guest whose contacts and age floor staff must not see, celebrating tonight."""
    guest = make_guest(
        given_name="Olga", family_name="Petrova", email="olga.petrova@example.test", phone="+66 81 234 5678",
        birthday="1980-11-22", anniversary="2001-11-22", company="Siam Cement",
        allergies=[{"allergen": "shellfish", "severity": "severe", "note": ""}],
    )  # fmt: skip
    _book("P1", guest.id, "terrace", at="21:00")
    return guest.id


SECRETS = ("olga.petrova", "example.test", "234 5678", "1980", "2001", "turns 46", "25 years")


def test_floor_reads_the_briefing_screen_without_contacts_or_ages(
    client: FlaskClient, auth: AuthActions, private: int
) -> None:
    auth.login("floor")
    home = client.get("/guests/").get_data(as_text=True)
    assert '<a href="/briefing/">Tonight</a>' in home  # the menu entry: today's briefing
    response = client.get(f"/briefing/?date={DAY.isoformat()}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Olga Petrova" in page and "shellfish" in page and "Birthday today" in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert "/briefing/pdf" not in page and "/briefing/archive" not in page and "Read by" not in page
    assert client.get(f"/briefing/pdf?date={DAY.isoformat()}").status_code == 403
    assert client.get("/briefing/archive").status_code == 403
    today = client.get("/briefing/").get_data(as_text=True)
    assert format_weekday(property_today(), with_year=True) in today  # "Tonight" is the property's today


def test_floor_gets_the_briefing_json_without_contacts_or_ages(client: FlaskClient, api_key, private: int) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor"))
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in raw, secret
    (olga,) = [a for a in response.get_json()["arrivals"] if a["guest_id"] == private]
    assert olga["occasions"][0] == "Birthday today" and olga["allergies"][0]["allergen"] == "shellfish"
    assert not {"email", "phone", "address", "birthday"} & set(olga)
    manager = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("manager")).get_json()
    (olga,) = [a for a in manager["arrivals"] if a["guest_id"] == private]
    assert "Birthday today (turns 46)" in olga["occasions"]  # managers still see the age
    assert client.get(f"/api/v1/briefings/{DAY.isoformat()}.pdf", headers=api_key("floor")).status_code == 403


def test_manager_menu_is_unchanged(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    home = client.get("/guests/").get_data(as_text=True)
    assert ">Briefing</a>" in home and ">Tonight</a>" not in home
