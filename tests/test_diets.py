"""Diets are not allergies: vegetarian, halal, no pork… on a neutral Diet line, never with ⚠ or in the allergy count."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from guestbook import demo
from guestbook.briefing import assembly as briefing
from guestbook.briefing.render import render_briefing
from guestbook.extensions import db
from guestbook.guests import diets, notes
from guestbook.guests.models import Allergy, Preference
from guestbook.guests.schemas import AllergyIn, PreferenceCreate
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, make_guest

DAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("allergen", "severity", "diet"),
    [
        ("vegetarian", "dietary", True),
        ("Vegetarian", "severe", True),  # never a medical allergy, whatever severity was picked
        ("VEGAN", "intolerance", True),
        ("Halal", "dietary", True),
        ("kosher", "mild", True),
        ("No pork", "dietary", True),
        ("no-beef", "dietary", True),
        ("no alcohol", "dietary", True),
        ("มังสวิรัติ", "dietary", True),
        ("gluten-free", "dietary", True),  # a choice when entered as one
        ("gluten-free", "severe", False),  # may be coeliac disease: stays an allergy
        ("gluten", "intolerance", False),
        ("peanuts", "anaphylaxis", False),
        ("peanuts", "dietary", False),  # an allergen is never hidden as a diet
        ("no nuts", "dietary", False),
        ("shellfish", "severe", False),
    ],
)
def test_classification(allergen: str, severity: str, diet: bool) -> None:
    assert diets.is_diet(allergen, severity) is diet


def test_card_shows_diets_on_a_neutral_line_not_in_the_allergy_banner(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(
        given_name="Priya",
        allergies=[
            {"allergen": "vegetarian", "severity": "dietary"},  # as the demo data stored it
            {"allergen": "sesame", "severity": "severe"},
        ],
    )
    notes.add_preference(guest.id, PreferenceCreate(category="diet", value="halal", source="stated"), ACTOR)
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    banner = html[html.index('class="allergy-banner"') : html.index("</section>", html.index('class="allergy-banner"'))]
    assert "sesame" in banner and "vegetarian" not in banner and "halal" not in banner
    diet = html[html.index('class="diet-line"') :].split("</p>")[0]
    assert "halal" in diet and "vegetarian" in diet and "⚠" not in diet


def test_a_diet_only_guest_gets_no_allergy_banner(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Veg", allergies=[{"allergen": "Vegan", "severity": "dietary"}])
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert 'class="allergy-banner"' not in html and "⚠" not in html
    assert 'aria-label="Diet"' in html and "Vegan" in html


def test_the_allergy_form_steers_a_diet_to_the_diet_preference(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Form")
    auth.login("floor")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert 'value="dietary"' not in page, "the allergy form no longer offers 'dietary' as a severity"
    assert "category Diet" in page  # the form says where diets go
    token = auth.token(f"/guests/{guest.id}")
    response = client.post(
        f"/guests/{guest.id}/allergies",
        data={"csrf_token": token, "allergen": "Vegetarian", "severity": "mild"},
        follow_redirects=True,
    )
    assert "is a diet, not an allergy" in response.get_data(as_text=True)
    assert db.session.scalars(select(Allergy).where(Allergy.guest_id == guest.id)).all() == []
    pref = db.session.scalars(select(Preference).where(Preference.guest_id == guest.id)).one()
    assert (pref.category, pref.value) == ("diet", "Vegetarian")
    client.post(
        f"/guests/{guest.id}/allergies", data={"csrf_token": token, "allergen": "shellfish", "severity": "severe"}
    )
    assert [a.allergen for a in db.session.scalars(select(Allergy).where(Allergy.guest_id == guest.id))] == [
        "shellfish"
    ]


def test_the_service_keeps_a_medical_free_from_as_an_allergy(app: Flask) -> None:
    guest = make_guest(given_name="Coeliac")
    saved = notes.add_allergy(guest.id, AllergyIn(allergen="gluten-free", severity="severe"), ACTOR)
    assert isinstance(saved, Allergy)
    chosen = notes.add_allergy(guest.id, AllergyIn(allergen="gluten-free", severity="dietary"), ACTOR)
    assert isinstance(chosen, Preference) and chosen.category == "diet"


def test_diet_is_a_preference_category(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Cat")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    client.post(
        f"/guests/{guest.id}/preferences",
        data={"csrf_token": token, "category": "diet", "value": "no pork", "source": "stated", "outlet": ""},
    )
    pref = db.session.scalars(select(Preference).where(Preference.guest_id == guest.id)).one()
    assert (pref.category, pref.value) == ("diet", "no pork")


def _book(guest_id: int, ext: str) -> None:
    body = {"outlet": "terrace", "arrival_date": DAY.isoformat(), "arrival_time": "19:30", "guest_id": guest_id}
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def test_briefing_keeps_diets_out_of_allergies_and_their_count(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    veg = make_guest(
        given_name="Veg", family_name="Etarian", allergies=[{"allergen": "vegetarian", "severity": "dietary"}]
    )
    nuts = make_guest(
        given_name="Nut", family_name="Allergic", allergies=[{"allergen": "peanuts", "severity": "anaphylaxis"}]
    )
    notes.add_preference(veg.id, PreferenceCreate(category="diet", value="no alcohol", source="stated"), ACTOR)
    _book(veg.id, "VEG")
    _book(nuts.id, "NUT")

    b = briefing.build_briefing(DAY)
    by_guest = {a.guest_id: a for a in b.arrivals}
    assert by_guest[veg.id].allergies == [] and by_guest[veg.id].diets == ["no alcohol", "vegetarian"]
    assert [x for x, _s, _n in by_guest[nuts.id].allergies] == ["peanuts"] and by_guest[nuts.id].diets == []
    assert b.summary.allergies == 1, "a diet is not counted as an allergy"

    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("manager")).get_json()
    veg_json = next(a for a in body["arrivals"] if a["guest_id"] == veg.id)
    assert veg_json["allergies"] == [] and veg_json["diets"] == ["no alcohol", "vegetarian"]
    assert body["summary"]["allergies"] == 1

    pages = PdfReader(io.BytesIO(render_briefing(b))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # the dense rows wrap
    assert "ALLERGY: peanuts" in text
    assert "ALLERGY: vegetarian" not in text and "Diet: no alcohol · vegetarian" in text


def test_briefing_screen_shows_a_diet_line_without_the_allergy_mark(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    veg = make_guest(given_name="Veg", family_name="Etarian", allergies=[{"allergen": "halal", "severity": "dietary"}])
    _book(veg.id, "VEG")
    auth.login("manager")
    html = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "⚠ <strong>halal" not in html
    assert 'class="diet"' in html and "halal" in html[html.index('class="diet"') :][:200]


def test_demo_data_stores_diets_as_diets(app: Flask) -> None:
    assert demo.load_demo(seed=7, guests=200) is True
    stored = db.session.scalars(select(Allergy)).all()
    assert stored and not [a.allergen for a in stored if diets.is_diet(a.allergen, a.severity)]
    assert db.session.scalars(select(Preference).where(Preference.category == "diet")).first() is not None


def test_search_results_mark_allergies_not_diets(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_guest(
        given_name="Vera",
        family_name="Greenleaf",
        allergies=[{"allergen": "vegetarian", "severity": "dietary"}, {"allergen": "sesame", "severity": "severe"}],
    )
    make_guest(given_name="Vlad", family_name="Greenleaf", allergies=[{"allergen": "kosher", "severity": "dietary"}])
    auth.login("floor")
    html = client.get("/guests/search?q=greenleaf").get_data(as_text=True)
    assert "⚠ sesame<" in html.replace("</span>", "<")
    assert "vegetarian" not in html and "kosher" not in html
