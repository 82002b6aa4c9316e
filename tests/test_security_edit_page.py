"""Issue 9.1: the edit page is built from the role's view of the guest; nothing hidden reaches the browser."""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.guests.profiles import mask_phone

from .conftest import AuthActions
from .factories import make_guest
from .test_card import _form_values

EMAIL = "somchai.private@example.co.th"
PHONE = "+66 81 234 5678"
ADDRESS = {
    "line1": "99/1 ถนนสุขุมวิท ซอย 11",
    "line2": "Квартира 7, 公寓 12",
    "city": "กรุงเทพมหานคร",
    "region": "Ἀθῆναι-Region",
    "postal_code": "10110",
    "country": "TH",
}


def _private_guest() -> Guest:
    return make_guest(
        given_name="สมชาย",
        family_name="ใจดี",
        company="Siam Widgets",
        notes="likes the window",
        email=EMAIL,
        phone=PHONE,
        birthday="1975-03-14",
        address=ADDRESS,
    )


def _encodings(value: str) -> set[str]:
    """Ways a value could be smuggled into a page: raw, HTML-escaped, JSON-escaped, URL- and base64-encoded."""
    forms = {value, html_lib.escape(value), json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    forms |= {quote(value), quote(value, safe=""), base64.b64encode(value.encode()).decode().rstrip("=")}
    return {form for form in forms if form}


def _shown_digits() -> str:
    return re.sub(r"\D", "", mask_phone(PHONE) or "")


def _secrets() -> list[str]:
    """What a floor account may not see: full email and its local part, the phone beyond the digits its mask
    shows, every address line, the birth year."""
    digits, shown = re.sub(r"\D", "", PHONE), _shown_digits()
    assert shown and digits.endswith(shown) and len(shown) < len(digits)
    values = [EMAIL, EMAIL.split("@")[0], PHONE, digits, digits[-len(shown) - 1 :], "1975-03-14", "1975"]
    values += [v for k, v in ADDRESS.items() if k != "country"]  # "TH" is too short to search for on a page
    return values


def _assert_no_secret(page: str) -> None:
    for secret in _secrets():
        for form in _encodings(secret):
            assert form not in page, f"{secret!r} reached the floor's browser as {form!r}"


def test_floor_edit_page_carries_no_contact_value_in_any_form(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _private_guest()
    auth.login("floor")
    response = client.get(f"/guests/{guest.id}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "likes the window" in page and "Siam Widgets" in page  # what floor may see is there
    _assert_no_secret(page)
    values = _form_values(page)
    assert not {"email", "phone", "birthday"} & set(values)
    assert not [name for name in values if name.startswith("address_")]


def test_concierge_still_sees_and_edits_the_address(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _private_guest()
    auth.login("concierge")
    page = client.get(f"/guests/{guest.id}/edit").get_data(as_text=True)
    assert html_lib.escape(ADDRESS["line1"]) in page and EMAIL in page
    values = _form_values(page)
    assert values["address_line1"] == ADDRESS["line1"] and values["email"] == EMAIL
    response = client.post(f"/guests/{guest.id}/edit", data={**values, "address_city": "เชียงใหม่"})
    assert response.status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and stored.address_city == "เชียงใหม่" and stored.address_line1 == ADDRESS["line1"]
    assert stored.email == EMAIL and stored.phone == PHONE


def test_floor_save_changes_what_it_sees_and_never_blanks_or_sets_what_it_cannot(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _private_guest()
    auth.login("floor")
    values = _form_values(client.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    forged = {
        "email": "attacker@evil.example",
        "phone": "000",
        "birthday": "2000-01-01",
        "address_line1": "",
        "address_city": "Elsewhere",
    }
    response = client.post(f"/guests/{guest.id}/edit", data={**values, **forged, "company": "Bosch Siam"})
    assert response.status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and stored.company == "Bosch Siam"
    assert (stored.email, stored.phone, stored.birthday_year) == (EMAIL, PHONE, 1975)
    assert (stored.address_line1, stored.address_city) == (ADDRESS["line1"], ADDRESS["city"])


def test_stale_edit_check_uses_digests_not_values(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = _private_guest()
    auth.login("concierge")
    values = _form_values(client.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    base = json.loads(values["base"])
    assert set(base) >= {"notes", "company", "address_line1", "email"}
    assert "likes the window" not in values["base"] and ADDRESS["city"] not in values["base"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", digest) for digest in base.values())
    # A forged base cannot make the server skip fields: every field then counts as changed, and nothing is lost.
    forged = {**values, "base": json.dumps(dict.fromkeys(base, "0" * 32)), "notes": "new note"}
    assert client.post(f"/guests/{guest.id}/edit", data=forged).status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and stored.notes == "new note" and stored.address_line1 == ADDRESS["line1"]


def test_floor_conflict_page_merges_visible_fields_and_shows_no_contact(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _private_guest()
    other = app.test_client()
    auth.login("floor")
    AuthActions(other).login("concierge")
    mine = _form_values(client.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    theirs = _form_values(other.get(f"/guests/{guest.id}/edit").get_data(as_text=True))
    # The other tablet changes a field both see and the contact details floor does not see.
    changed = {**theirs, "notes": "from the concierge", "phone": "+66 2 999 8877", "address_city": "ภูเก็ต"}
    assert other.post(f"/guests/{guest.id}/edit", data=changed).status_code == 302
    refused = client.post(f"/guests/{guest.id}/edit", data={**mine, "notes": "from the floor", "company": "New Co"})
    page = refused.get_data(as_text=True)
    assert "Someone else saved this guest" in page
    assert re.search(r'<tr class="both-changed"><th scope="row">notes</th>', page)  # both changed the notes
    _assert_no_secret(page)
    for value in ("+66 2 999 8877", "66299988", "ภูเก็ต"):
        assert all(form not in page for form in _encodings(value)), value
    again = _form_values(page)
    assert again["company"] == "New Co" and again["notes"] == "from the floor"
    assert client.post(f"/guests/{guest.id}/edit", data=again).status_code == 302
    stored = db.session.get(Guest, guest.id)
    assert stored and (stored.company, stored.notes) == ("New Co", "from the floor")
    assert (stored.phone, stored.address_city, stored.email) == ("+66 2 999 8877", "ภูเก็ต", EMAIL)


def test_no_floor_page_carries_a_contact_value(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    """Beyond the edit page: every GET route floor may open, with this guest's id, shows no hidden contact."""
    from .test_security_sessions import KNOWN_VALUES, _routes

    guest = _private_guest()
    auth.login("floor")
    ids = {"guest_id": str(guest.id), **KNOWN_VALUES}
    pages = 0
    for _rule, _method, url in _routes(app, ids, ("GET",)):
        for query in ({}, {"q": "สมชาย"}, {"q": _shown_digits()}, {"q": "Siam"}):  # the queries echo: none is a secret
            response = client.get(url, query_string=query)
            if response.status_code == 200 and not response.mimetype.startswith(("font/", "image/")):
                pages += 1
                _assert_no_secret(response.get_data(as_text=True))
            response.close()
    assert pages > 10
