"""Floor staff add a birthday or anniversary the guest never gave before; a date on file stays theirs to keep."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.guests import profiles
from guestbook.guests.schemas import GuestPatch

from .conftest import AuthActions
from .factories import make_guest

FLOOR = Actor(label="floor tablet", role="floor")


def _patch(client: FlaskClient, guest_id: int, body: dict[str, object], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    version = profiles.get_guest(guest_id).version
    return client.patch(f"/api/v1/guests/{guest_id}", json={"version": version, **body}, headers=headers)


@pytest.mark.parametrize("kind", ["birthday", "anniversary"])
def test_floor_adds_a_date_none_is_on_file_through_the_api(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, kind: str
) -> None:
    guest = make_guest(family_name="Heard")
    floor = api_key("floor")
    added = _patch(client, guest.id, {kind: "1980-05-12"}, floor)
    assert added.status_code == 200, added.get_json()
    stored = profiles.partial_date(profiles.get_guest(guest.id), kind)
    assert stored is not None and stored.iso() == "1980-05-12"
    # The floor's answer keeps the birthday's year masked, as the guest JSON always does for floor.
    assert added.get_json()[kind] == ("--05-12" if kind == "birthday" else "1980-05-12")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.guest_id == guest.id, AuditEvent.action == "guest_edit")
    ).one()
    assert event.detail == f"changed: {kind}" and event.actor == "api:test-floor"


@pytest.mark.parametrize("kind", ["birthday", "anniversary"])
@pytest.mark.parametrize("new_value", ["--06-01", "1980-05-12", None])
def test_floor_may_not_change_or_clear_a_date_on_file_through_the_api(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, kind: str, new_value: str | None
) -> None:
    guest = make_guest(family_name="Known", **{kind: "1980-05-12"})
    version = guest.version
    refused = _patch(client, guest.id, {kind: new_value}, api_key("floor"))
    assert refused.status_code == 403
    assert refused.get_json() == {"error": f"your role cannot change: {kind}"}
    after = profiles.get_guest(guest.id)
    assert after.version == version
    assert profiles.partial_date(after, kind).iso() == "1980-05-12"  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["concierge", "manager", "admin"])
def test_roles_that_see_contacts_change_a_date_on_file(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, role: str
) -> None:
    guest = make_guest(family_name="Known", birthday="1980-05-12", anniversary="--06-01")
    changed = _patch(client, guest.id, {"birthday": "--05-13", "anniversary": None}, api_key(role))
    assert changed.status_code == 200
    assert changed.get_json()["birthday"] == "--05-13" and changed.get_json()["anniversary"] is None


def test_floor_still_may_not_send_contacts_with_a_new_date(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Mixed")
    refused = _patch(client, guest.id, {"birthday": "--05-12", "phone": "+66 81 234 5678"}, api_key("floor"))
    assert refused.status_code == 403 and refused.get_json() == {"error": "your role cannot change: phone"}
    assert profiles.get_guest(guest.id).birthday_month is None


def test_floor_adds_one_date_while_the_other_is_on_file_in_the_rule(app: Flask) -> None:
    guest = make_guest(family_name="Half", anniversary="--06-01")
    patch = GuestPatch.model_validate({"version": guest.version, "birthday": "--02-29"})
    assert profiles.partial_date(profiles.update_guest(guest.id, patch, FLOOR), "birthday").iso() == "--02-29"  # type: ignore[union-attr]
    again = GuestPatch.model_validate({"version": profiles.get_guest(guest.id).version, "birthday": "--03-01"})
    with pytest.raises(profiles.ContactNotAllowed, match="birthday"):
        profiles.update_guest(guest.id, again, FLOOR)
    both = GuestPatch.model_validate({"version": profiles.get_guest(guest.id).version, "anniversary": "--07-01"})
    with pytest.raises(profiles.ContactNotAllowed, match="anniversary"):
        profiles.update_guest(guest.id, both, FLOOR)


def test_floor_may_still_create_a_guest_with_a_birthday(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    created = client.post(
        "/api/v1/guests", json={"family_name": "New", "birthday": "--05-12"}, headers=api_key("floor")
    )
    assert created.status_code == 201 and created.get_json()["birthday"] == "--05-12"


def test_an_invalid_date_is_a_422_for_floor_too(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Typo")
    refused = _patch(client, guest.id, {"birthday": "--02-30"}, api_key("floor"))
    assert refused.status_code == 422 and "birthday" in refused.get_json()["fields"]


# The card: "Birthday next week?" -> a small form, saved in a second tap.


def _card(client: FlaskClient, guest_id: int) -> str:
    return client.get(f"/guests/{guest_id}").get_data(as_text=True)


def test_the_card_offers_the_date_form_only_when_none_is_on_file(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    none = make_guest(family_name="Blank")
    known = make_guest(family_name="Dated", birthday="1980-05-12", anniversary="--06-01")
    auth.login("floor")
    html = _card(client, none.id)
    assert "Birthday next week?" in html and "An anniversary?" in html
    assert f'action="/guests/{none.id}/occasions#occ-h"' in html
    html = _card(client, known.id)
    assert "Birthday next week?" not in html and "An anniversary?" not in html
    assert "/occasions" not in html


def test_floor_saves_a_birthday_from_the_card_in_two_taps(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(family_name="Tapped")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    saved = client.post(
        f"/guests/{guest.id}/occasions",
        data={"csrf_token": token, "kind": "birthday", "month": "5", "day": "12", "year": ""},
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/guests/{guest.id}#occ-h")
    assert profiles.partial_date(profiles.get_guest(guest.id), "birthday").iso() == "--05-12"  # type: ignore[union-attr]
    html = _card(client, guest.id)
    assert "Date saved." in html and "Birthday next week?" not in html and "12 May" in html
    # A second tablet that still shows the form cannot overwrite it.
    again = client.post(
        f"/guests/{guest.id}/occasions",
        data={"csrf_token": token, "kind": "birthday", "month": "6", "day": "1", "year": "1990"},
        follow_redirects=True,
    )
    assert "Already on file" in again.get_data(as_text=True)
    assert profiles.partial_date(profiles.get_guest(guest.id), "birthday").iso() == "--05-12"  # type: ignore[union-attr]


def test_the_card_form_refuses_a_date_that_does_not_exist(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(family_name="Odd")
    auth.login("floor")
    token = auth.token(f"/guests/{guest.id}")
    answer = client.post(
        f"/guests/{guest.id}/occasions",
        data={"csrf_token": token, "kind": "anniversary", "month": "2", "day": "30"},
        follow_redirects=True,
    )
    assert "Date not saved" in answer.get_data(as_text=True)
    assert profiles.get_guest(guest.id).anniversary_month is None
    no_csrf = client.post(f"/guests/{guest.id}/occasions", data={"kind": "birthday", "month": "5", "day": "12"})
    assert no_csrf.status_code in (302, 400)
    assert profiles.get_guest(guest.id).birthday_month is None


def test_floor_changing_an_anniversary_on_file_on_the_edit_page_is_told_why(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(family_name="Edited", anniversary="--06-01")
    auth.login("floor")
    page = client.get(f"/guests/{guest.id}/edit").get_data(as_text=True)
    from .conftest import csrf_from

    form = {
        "csrf_token": csrf_from(page),
        "version": str(guest.version),
        "family_name": "Edited",
        "given_name": "Test",
        "language": "en",
        "anniversary": "--07-01",
    }
    answer = client.post(f"/guests/{guest.id}/edit", data=form)
    assert answer.status_code == 200
    assert "Already on file" in answer.get_data(as_text=True)
    assert profiles.partial_date(profiles.get_guest(guest.id), "anniversary").iso() == "--06-01"  # type: ignore[union-attr]
