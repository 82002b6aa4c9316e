"""The recognition card: allergies first, the usual with evidence, one-tap visit, notes, masking, conflicts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.extensions import db
from guestbook.guests import notes, recognition
from guestbook.guests.models import Guest, GuestNote, Preference, Visit
from guestbook.guests.schemas import PreferenceCreate

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, add_visits, make_guest

HABIT = [
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee"]),
    ("Booth 3", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["coffee", "fried egg", "toast"]),
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee"]),
    ("Booth 3", ["club sandwich", "coffee", "fried egg"]),
    ("Window 2", ["club sandwich", "coffee", "fried egg"]),
]


def _regular(app: Flask) -> Guest:
    guest = make_guest(
        given_name="Wei",
        family_name="Yu",
        preferred_name="Mr Yu",
        salutation="Mr",
        pronunciation="yoo",
        email="wei.yu@example.com",
        phone="+65 6123 4567",
        birthday="1961-03-15",
        address={"line1": "12 Marina View", "city": "Singapore", "country": "SG"},
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "EpiPen"}],
    )
    add_visits(guest.id, "terrace", HABIT, start=datetime(2025, 6, 8, 1, 0, tzinfo=UTC))
    return guest


def test_usual_seat_and_order_are_derived_with_counts(app: Flask) -> None:
    guest = _regular(app)
    rec = recognition.recognise(guest)
    assert rec.usual_seat and (rec.usual_seat.value, rec.usual_seat.count, rec.usual_seat.of) == ("Window 2", 7, 9)
    assert [(i.item, i.count) for i in rec.usual_order] == [("coffee", 9), ("club sandwich", 8), ("fried egg", 7)]
    assert rec.visit_count == 9


def test_no_usual_without_evidence(app: Flask) -> None:
    guest = make_guest(given_name="Once")
    add_visits(guest.id, "terrace", [("Table 1", ["tea"])])
    rec = recognition.recognise(guest)
    assert rec.usual_seat is None and rec.usual_order == []


def test_staff_preference_wins_over_derived_seat(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _regular(app)
    notes.add_preference(guest.id, PreferenceCreate(category="seating", value="Garden 1", source="stated"), ACTOR)
    rec = recognition.recognise(guest)
    assert rec.usual_seat and rec.usual_seat.value == "Garden 1" and rec.usual_seat.source == "stated"
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Garden 1" in html and "stated by the guest" in html and "history says Window 2, 7 of 9" in html


def test_card_puts_allergies_first_and_explains_the_usual(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _regular(app)
    with time_machine.travel(datetime(2026, 6, 9, 3, 0, tzinfo=UTC), tick=False):
        auth.login("floor")
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Mr Yu" in html and "yoo" in html
    assert "Returning guest · 9 visits" in html
    assert "last here 8 June 2025 (1 year ago)" in html
    banner = html.index('class="allergy-banner"')
    assert banner < html.index("Their usual") < html.index("Log tonight")
    assert "peanuts" in html[banner : banner + 500] and "anaphylaxis" in html[banner : banner + 500]
    assert "Window 2" in html and "7 of the last 9 visits" in html
    assert "coffee ×9" in html and "club sandwich ×8" in html


def test_floor_sees_masked_contact_concierge_sees_it_all(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _regular(app)
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "wei.yu@example.com" not in html and "w•••@example.com" in html
    assert "6123 4567" not in html and "••• 4567" in html
    assert "1961" not in html and "Marina View" not in html
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("concierge")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "wei.yu@example.com" in html and "Marina View" in html and "15 March 1961" in html


def test_log_visit_from_the_card_with_prefilled_chips(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _regular(app)
    auth.login("floor")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert re.search(r'name="table"[^>]*value="Window 2"', page), "table prefilled with the usual seat"
    for item in ("coffee", "club sandwich", "fried egg"):
        assert re.search(rf'value="{item}" checked', page), f"{item} chip prefilled"
    response = client.post(
        f"/guests/{guest.id}/visits",
        data={
            "csrf_token": csrf_from(page),
            "outlet": "terrace",
            "table": "Window 2",
            "party_size": "2",
            "items": ["coffee", "club sandwich"],
            "other_items": "mango juice, toast",
            "spend": "1,250.00",
            "notes": "",
        },
    )
    assert response.status_code == 302
    newest = db.session.scalars(
        select(Visit).where(Visit.guest_id == guest.id).order_by(Visit.visited_at.desc())
    ).first()
    assert newest is not None
    assert newest.items == ["coffee", "club sandwich", "mango juice", "toast"] and str(newest.spend) == "1250.00"
    assert newest.served_by_name == "Floor"
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    first_row = html[html.index("<tbody>", html.index('id="history"')) :].split("</tr>")[0]
    assert "mango juice" in first_row and "Floor" in first_row


def test_note_with_hurtful_word_needs_confirmation(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Ann")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    response = client.post(f"/guests/{guest.id}/notes", data={"csrf_token": token, "body": "Was RUDE to the waiter"})
    assert response.status_code == 422 and "Guests may read this screen" in response.get_data(as_text=True)
    assert db.session.scalar(select(GuestNote).limit(1)) is None
    response = client.post(
        f"/guests/{guest.id}/notes",
        data={"csrf_token": token, "body": "Was RUDE to the waiter", "confirm_sensitive": "y"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(GuestNote.body)) == "Was RUDE to the waiter"
    client.post(
        f"/guests/{guest.id}/notes", data={"csrf_token": token, "body": "Prefers a crude oil joke? no: prudent"}
    )
    assert len(db.session.scalars(select(GuestNote)).all()) == 2, "whole words only: crude/prudent are fine"


def test_preferences_show_source_and_old_ones_ask_to_reconfirm(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Old")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=600), tick=False):
        notes.add_preference(
            guest.id, PreferenceCreate(category="drink", value="still water, no ice", source="stated"), ACTOR
        )
    notes.add_preference(guest.id, PreferenceCreate(category="room", value="high floor"), ACTOR)
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    water = html[html.index("still water") :][:400]
    floor = html[html.index("high floor") :][:400]
    assert "stated by guest" in water and "re-confirm" in water
    assert "observed by staff" in floor and "re-confirm" not in floor


def test_add_preference_and_allergy_forms(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Form")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    client.post(
        f"/guests/{guest.id}/preferences",
        data={"csrf_token": token, "category": "seating", "value": "Booth 3", "source": "stated", "outlet": "terrace"},
    )
    client.post(
        f"/guests/{guest.id}/allergies", data={"csrf_token": token, "allergen": "shellfish", "severity": "severe"}
    )
    pref = db.session.scalar(select(Preference).where(Preference.guest_id == guest.id))
    assert pref and pref.value == "Booth 3" and pref.source == "stated" and pref.recorded_by_id is not None
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "shellfish" in html[html.index("allergy-banner") :][:400]


def test_occasions_in_the_next_two_weeks(app: Flask) -> None:
    guest = make_guest(given_name="Bday", birthday="--12-01", anniversary="--02-29")
    assert recognition.upcoming_occasions(guest, date(2026, 11, 22)) == [("birthday", date(2026, 12, 1))]
    assert recognition.upcoming_occasions(guest, date(2027, 2, 20)) == [("anniversary", date(2027, 2, 28))]


def test_web_edit_conflict_shows_both_versions_and_loses_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Ed", family_name="Conflict", notes="original")
    other = app.test_client()
    auth.login("floor")
    AuthActions(other).login("manager")
    page_a = client.get(f"/guests/{guest.id}/edit").get_data(as_text=True)
    page_b = other.get(f"/guests/{guest.id}/edit").get_data(as_text=True)
    form = {"given_name": "Ed", "family_name": "Conflict", "language": "en", "vip_level": "0", "version": "1"}
    first = other.post(
        f"/guests/{guest.id}/edit", data={**form, "csrf_token": csrf_from(page_b), "notes": "from manager"}
    )
    assert first.status_code == 302
    second = client.post(
        f"/guests/{guest.id}/edit", data={**form, "csrf_token": csrf_from(page_a), "notes": "from floor"}
    )
    html = second.get_data(as_text=True)
    assert "Someone else saved this guest" in html
    assert "from manager" in html and "from floor" in html  # theirs shown, mine kept in the form
    stored = db.session.get(Guest, guest.id)
    assert stored and stored.notes == "from manager" and stored.version == 2


def test_device_outlet_is_remembered(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Dev")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    client.post("/guests/device", data={"csrf_token": token, "outlet": "bar", "back": f"/guests/{guest.id}"})
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="bar">|<option value="bar" selected>', html)


def test_unknown_guest_is_404(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert client.get("/guests/999").status_code == 404


def test_admin_edits_the_sensitive_word_list(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    token = auth.token("/admin/settings")
    client.post(
        "/admin/settings/sensitive-words", data={"csrf_token": token, "w-csrf_token": token, "w-words": "Grumpy\nrude"}
    )
    assert notes.sensitive_words_in("a grumpy evening") == ["grumpy"]
    assert notes.sensitive_words_in("drunk") == []


def _form_values(html: str) -> dict[str, str]:
    """The values a browser would submit from the guest form (inputs, selected options, textareas)."""
    from html import unescape

    form = html[html.index('class="guest-form"') :]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                values[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, flags=re.S):
        values[name] = unescape(body).strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, flags=re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        values[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    return values


def test_saving_again_after_a_conflict_keeps_both_tablets_changes(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Klaus", family_name="Müller", company="Old Co", notes="first")
    other = app.test_client()
    auth.login("floor")
    AuthActions(other).login("concierge")
    mine = _form_values(client.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    theirs = _form_values(other.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    assert other.post(f"/guests/{guest.id}/edit", data={**theirs, "notes": "from the other tablet"}).status_code == 302
    refused = client.post(f"/guests/{guest.id}/edit", data={**mine, "company": "Bosch Siam"})
    html = refused.get_data(as_text=True)
    assert "Someone else saved this guest" in html
    again = _form_values(html)
    assert again["company"] == "Bosch Siam" and again["notes"] == "from the other tablet"
    assert client.post(f"/guests/{guest.id}/edit", data=again).status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and (stored.company, stored.notes, stored.version) == ("Bosch Siam", "from the other tablet", 3)


def test_a_save_sends_only_the_fields_this_tablet_changed(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Only", email="only@example.com", phone="+66 81 234 5678", birthday="1980-01-02")
    auth.login("floor")  # floor never sees the contact details, and a save must not blank them
    values = _form_values(client.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    assert "email" not in values and "phone" not in values
    assert client.post(f"/guests/{guest.id}/edit", data={**values, "pronunciation": "OH-nlee"}).status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and stored.pronunciation == "OH-nlee"
    assert (stored.email, stored.phone, stored.birthday_year) == ("only@example.com", "+66 81 234 5678", 1980)


def test_every_form_on_the_card_carries_the_token_once_and_is_refused_without_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """The card's forms are built only to show (``forms.shown_form``: no token field of their own); the page writes
    the session's token into each, and a post without it is still refused."""
    guest = make_guest(given_name="Sofia", family_name="Rossi")
    auth.login("manager")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    token = csrf_from(page)
    posts = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert len(posts) >= 8, [action for action, _ in posts]
    for action, body in posts:
        assert re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', body) == [token], action
    bare = client.post(f"/guests/{guest.id}/visits", data={"outlet": "terrace", "table": "4", "party_size": "2"})
    assert bare.status_code == 400
    with_token = client.post(
        f"/guests/{guest.id}/visits", data={"csrf_token": token, "outlet": "terrace", "table": "4", "party_size": "2"}
    )
    assert with_token.status_code == 302
    assert db.session.scalar(select(Guest.visit_count).where(Guest.id == guest.id)) == 1
