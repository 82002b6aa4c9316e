"""Issue 8.2: a name-only booking never hides a known guest's allergy (card, briefing screen, JSON, PDF, queue)."""

from __future__ import annotations

import io
import re
from datetime import date

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from guestbook.admin.outlets import property_today
from guestbook.briefing import assembly as briefing
from guestbook.extensions import db
from guestbook.guests.profiles import mask_email, mask_phone
from guestbook.reservations import bookings as reservations
from guestbook.reservations import match_queue, possible_matches
from guestbook.reservations.models import PossibleMatch, Reservation

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

LINE = "May be Hans Müller (4 visits) — ALLERGY peanuts (anaphylaxis)"


@pytest.fixture
def known(app: Flask) -> int:
    """The Hans Müller on file: four visits at the bar and a peanut anaphylaxis."""
    guest = make_guest(
        given_name="Hans", family_name="Müller", email="hans.mueller@example.de", phone="+49 89 1234 5678",
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
    )  # fmt: skip
    add_visits(guest.id, "bar", [("Bar 5", ["negroni"])] * 4)
    return guest.id


def _book_by_hand(client: FlaskClient, auth: AuthActions, given: str = "Hans", family: str = "Müller") -> Reservation:
    """Book -> name -> 19:30 -> Book, through the real manual form, as the floor host does."""
    auth.login("floor")
    token = auth.token("/reservations/new")
    day = property_today()
    response = client.post(
        "/reservations/new",
        data={
            "csrf_token": token, "given_name": given, "family_name": family, "outlet": "terrace",
            "arrival_date": day.isoformat(), "arrival_time": "19:30", "party_size": "2", "status": "booked",
            "nights": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    booked = db.session.scalar(select(Reservation).where(Reservation.source == "manual"))
    assert booked is not None
    return booked


def test_manual_booking_queues_the_match_and_the_service_names_the_allergy(
    app: Flask, client: FlaskClient, auth: AuthActions, known: int
) -> None:
    booked = _book_by_hand(client, auth)
    assert booked.match == "possible" and booked.guest_id != known  # never merged automatically
    queued = db.session.scalars(select(PossibleMatch).where(PossibleMatch.reservation_id == booked.id)).all()
    assert [(m.candidate_guest_id, m.status) for m in queued] == [(known, "open")]

    (candidate,) = possible_matches.candidates_for_guest(booked.guest_id)
    assert candidate.guest_id == known and candidate.visit_count == 4
    assert candidate.allergies == (("peanuts", "anaphylaxis", "carries an EpiPen"),)
    assert candidate.line == LINE
    assert candidate.last_visit is not None and candidate.last_visit <= property_today()

    result = briefing.build_briefing(booked.arrival_date, role="floor")
    (arrival,) = [a for a in result.arrivals if a.reservation_id == booked.id]
    assert arrival.allergies == [] and [c.guest_id for c in arrival.possible_matches] == [known]
    assert result.summary.allergies == 1  # the candidate's allergy is an alert on the summary


def test_card_of_the_new_profile_shows_who_it_may_be(
    app: Flask, client: FlaskClient, auth: AuthActions, known: int
) -> None:
    booked = _book_by_hand(client, auth)
    card = client.get(f"/guests/{booked.guest_id}").get_data(as_text=True)
    assert LINE in card
    assert "First visit — welcome them" not in card  # the header does not call a possibly known guest a stranger
    assert "New profile — may be a known guest" in card
    assert f'href="/guests/{known}"' in card
    assert "hans.mueller@example.de" not in card and "1234 5678" not in card
    assert "/reservations/matches" not in card.split('class="possible-matches')[1].split("</section>")[0]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    card = client.get(f"/guests/{booked.guest_id}").get_data(as_text=True)
    assert LINE in card and f'/reservations/matches#r{booked.id}"' in card  # the card links to the queue


def test_briefing_json_carries_possible_matches_as_documented(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key, known: int
) -> None:  # type: ignore[no-untyped-def]
    booked = _book_by_hand(client, auth)
    day = booked.arrival_date.isoformat()
    body = client.get(f"/api/v1/briefings/{day}", headers=api_key("manager")).get_json()
    (arrival,) = [a for a in body["arrivals"] if a["reservation_id"] == booked.id]
    assert arrival["allergies"] == [] and arrival["first_visit"] is True
    last = possible_matches.candidates_for_guest(booked.guest_id)[0].last_visit
    assert arrival["possible_matches"] == [
        {
            "guest_id": known,
            "name": "Hans Müller",
            "visit_count": 4,
            "last_visit": last.isoformat() if last else None,
            "allergies": [{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
        }
    ]
    assert body["summary"]["allergies"] == 1
    spec = client.get("/api/v1/openapi.json").get_json()
    jsonschema.validate(body, {"$ref": "#/components/schemas/Briefing", "components": spec["components"]})
    documented = spec["components"]["schemas"]["BriefingArrival"]["properties"]
    assert "possible_matches" in documented
    assert set(spec["components"]["schemas"]["BriefingPossibleMatch"]["required"]) == {
        "guest_id", "name", "visit_count", "last_visit", "allergies",
    }  # fmt: skip
    floor = client.get(f"/api/v1/briefings/{day}", headers=api_key("floor")).get_json()
    assert [a["possible_matches"] for a in floor["arrivals"]] == [arrival["possible_matches"]]


def test_briefing_screen_and_pdf_show_the_candidate(
    app: Flask, client: FlaskClient, auth: AuthActions, known: int
) -> None:
    booked = _book_by_hand(client, auth)
    day = booked.arrival_date.isoformat()
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    page = client.get(f"/briefing/?date={day}").get_data(as_text=True)
    assert LINE in page and "New profile — may be a known guest" in page
    assert "First visit — welcome them" not in page
    pdf = client.get(f"/briefing/pdf?date={day}")
    assert pdf.status_code == 200
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "May be Hans Müller" in text and "peanuts" in text and "anaphylaxis" in text
    assert "First visit — welcome them" not in text


def test_queue_lists_each_reservation_once_with_every_candidate(
    app: Flask, client: FlaskClient, auth: AuthActions, known: int
) -> None:
    namesake = make_guest(given_name="Hans", family_name="Mueller", email="other.hans@example.com")
    booked = _book_by_hand(client, auth)
    assert len(possible_matches.candidates_for_guest(booked.guest_id)) == 2
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    page = client.get("/reservations/matches").get_data(as_text=True)
    assert page.count(f'id="r{booked.id}"') == 1  # one reservation row ...
    group = page.split(f'id="r{booked.id}"')[1].split('class="card match-group"')[0]
    assert f'href="/guests/{known}"' in group and f'href="/guests/{namesake.id}"' in group  # ... both under it
    assert "peanuts (anaphylaxis)" in group and "none recorded" in group
    assert re.search(r"Visits</dt><dd>4</dd>", group) and "Last visit</dt><dd>" in group
    masked = (mask_email("hans.mueller@example.de"), mask_phone("+49 89 1234 5678"))
    assert all(m and m in group for m in masked)  # masked contacts help the manager decide
    assert "hans.mueller@example.de" not in page and "1234 5678" not in page
    assert group.count(">Same guest — link</button>") == 2


def test_deciding_ends_the_warning(app: Flask, client: FlaskClient, auth: AuthActions, known: int) -> None:
    booked = _book_by_hand(client, auth)
    (match,) = db.session.scalars(select(PossibleMatch).where(PossibleMatch.reservation_id == booked.id)).all()
    match_queue.link_match(match.id, ACTOR)
    result = briefing.build_briefing(booked.arrival_date)
    (arrival,) = [a for a in result.arrivals if a.reservation_id == booked.id]
    assert arrival.guest_id == known and arrival.possible_matches == []
    assert arrival.allergies[0][0] == "peanuts"  # now the guest's own allergy


def test_rejected_match_is_no_longer_shown(app: Flask, known: int) -> None:
    data = reservations.ReservationIn.model_validate(
        {
            "outlet": "terrace",
            "arrival_date": date(2026, 11, 22),
            "arrival_time": "19:30",
            "guest": {"given_name": "Hans", "family_name": "Müller"},
        }
    )
    booked, _created = reservations.upsert_reservation("pms", "X1", data, ACTOR)
    assert possible_matches.candidates_by_reservation([booked.id])[booked.id][0].line == LINE
    (match,) = db.session.scalars(select(PossibleMatch).where(PossibleMatch.reservation_id == booked.id)).all()
    match_queue.reject_match(match.id, ACTOR)
    assert possible_matches.candidates_by_reservation([booked.id]) == {}
    assert possible_matches.candidates_for_guest(booked.guest_id) == []


def test_a_candidates_diet_is_not_an_allergy_alert(app: Flask) -> None:
    make_guest(given_name="Vera", family_name="Green", allergies=[{"allergen": "vegetarian", "severity": "dietary"}])
    data = reservations.ReservationIn.model_validate(
        {
            "outlet": "terrace",
            "arrival_date": date(2026, 11, 22),
            "guest": {"given_name": "Vera", "family_name": "Green"},
        }
    )
    booked, _created = reservations.upsert_reservation("pms", "V1", data, ACTOR)
    (candidate,) = possible_matches.candidates_for_guest(booked.guest_id)
    assert candidate.allergies == () and candidate.line == "May be Vera Green (0 visits)"
    assert briefing.build_briefing(date(2026, 11, 22)).summary.allergies == 0
