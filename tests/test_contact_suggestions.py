"""A phone or e-mail given at the table is a suggestion: floor sends it, a manager accepts or rejects it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.blueprints import api_document
from guestbook.extensions import db
from guestbook.guests import profiles, suggestions

from .conftest import AuthActions
from .factories import make_guest

FLOOR = Actor(label="floor tablet", role="floor")
MANAGER = Actor(label="manager desk", role="manager")


def _suggest(client: FlaskClient, guest_id: int, body: dict[str, Any], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/guests/{guest_id}/contact-suggestions", json=body, headers=headers)


def _actions(guest_id: int) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.guest_id == guest_id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def _document_accepts(body: Any) -> bool:
    spec = api_document()
    schema = {"$ref": "#/components/schemas/ContactSuggestionIn", "components": spec["components"]}
    return jsonschema.Draft202012Validator(schema).is_valid(body)


BODIES: list[tuple[dict[str, Any], bool]] = [
    ({"phone": "+66 81 234 5678"}, True),
    ({"email": "Nok@Example.com"}, True),
    ({"phone": "+66 81 234 5678", "email": None}, True),
    ({"phone": "", "email": "nok@example.com"}, True),
    ({}, False),
    ({"phone": None, "email": None}, False),
    ({"phone": "   "}, False),
    ({"phone": "+66 81 234 5678", "email": "nok@example.com"}, False),
    ({"phone": "123"}, False),
    ({"phone": "12a45"}, False),
    ({"email": "not an email"}, False),
    ({"email": "a@b"}, False),
    ({"email": "a@b.co\x07"}, False),
    ({"phone": 66812345678}, False),
    ({"phone": "+66 81 234 5678", "name": "Nok"}, False),
]


@pytest.mark.parametrize(("body", "valid"), BODIES, ids=[repr(b)[:50] for b, _ in BODIES])
def test_the_body_is_documented_exactly(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, body: dict[str, Any], valid: bool
) -> None:
    guest = make_guest(family_name="Body")
    assert _document_accepts(body) is valid
    answer = _suggest(client, guest.id, body, api_key("floor"))
    assert answer.status_code == (202 if valid else 422), answer.get_json()


def test_floor_suggests_and_never_sees_the_value_again(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Told")
    floor = api_key("floor")
    answer = _suggest(client, guest.id, {"phone": "+66 81 234 5678"}, floor)
    assert answer.status_code == 202
    body = answer.get_json()
    assert body == {"id": body["id"], "guest_id": guest.id, "kind": "phone", "status": "pending"}
    assert "234 5678" not in answer.get_data(as_text=True)
    # The profile is untouched until a manager decides; the floor cannot read the queue.
    assert profiles.get_guest(guest.id).phone is None
    assert client.get("/api/v1/contact-suggestions", headers=floor).status_code == 403
    assert client.post(f"/api/v1/contact-suggestions/{body['id']}/accept", headers=floor).status_code == 403
    assert client.get("/api/v1/contact-suggestions", headers=api_key("concierge")).status_code == 403
    assert _actions(guest.id) == ["guest_create", "contact_suggest"]


def test_the_same_value_waiting_is_not_queued_twice(app: Flask) -> None:
    guest = make_guest(family_name="Twice")
    data = suggestions.ContactSuggestionIn(email="nok@example.com")
    first = suggestions.suggest_contact(guest.id, data, FLOOR)
    again = suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(email=" NOK@example.com "), FLOOR)
    assert again.id == first.id and first.value == "nok@example.com"
    assert [s.id for s in suggestions.pending_suggestions()] == [first.id]


def test_unknown_guest_is_a_404(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    answer = _suggest(client, 999_999, {"phone": "+66 81 234 5678"}, api_key("floor"))
    assert answer.status_code == 404 and answer.is_json
    with pytest.raises(profiles.GuestNotFound):
        suggestions.suggest_contact(999_999, suggestions.ContactSuggestionIn(phone="0812345678"), FLOOR)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_lists_and_accepts_onto_the_profile(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, role: str
) -> None:
    guest = make_guest(family_name="Accepted", email="old@example.com")
    other = make_guest(family_name="Other")
    floor = api_key("floor")
    sid = _suggest(client, guest.id, {"email": "New@Example.com"}, floor).get_json()["id"]
    other_sid = _suggest(client, other.id, {"phone": "02 123 4567"}, floor).get_json()["id"]
    manager = api_key(role)
    listed = client.get("/api/v1/contact-suggestions", headers=manager)
    assert listed.status_code == 200
    results = listed.get_json()["results"]
    assert [(r["id"], r["guest_id"], r["kind"], r["value"]) for r in results] == [
        (sid, guest.id, "email", "new@example.com"),
        (other_sid, other.id, "phone", "02 123 4567"),
    ]
    assert results[0]["suggested_by"] == "api:test-floor" and results[0]["suggested_at"]
    accepted = client.post(f"/api/v1/contact-suggestions/{sid}/accept", headers=manager)
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["value"] == "new@example.com"
    assert profiles.get_guest(guest.id).email == "new@example.com"
    assert [r["id"] for r in client.get("/api/v1/contact-suggestions", headers=manager).get_json()["results"]] == [
        other_sid
    ]
    assert _actions(guest.id) == ["guest_create", "contact_suggest", "guest_edit", "contact_suggestion_accept"]
    edit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "guest_edit")).one()
    assert edit.detail == "changed: email" and edit.actor == f"api:test-{role}"
    # The floor's view of the accepted value stays masked.
    seen = client.get(f"/api/v1/guests/{guest.id}", headers=floor).get_json()
    assert seen["email"] == "n•••@example.com"


def test_reject_leaves_the_guest_alone_and_a_decided_one_is_a_409(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Rejected", phone="+66 2 000 0000")
    sid = _suggest(client, guest.id, {"phone": "+66 81 234 5678"}, api_key("floor")).get_json()["id"]
    manager = api_key("manager")
    rejected = client.post(f"/api/v1/contact-suggestions/{sid}/reject", headers=manager)
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["decided_by"] == "api:test-manager"
    assert profiles.get_guest(guest.id).phone == "+66 2 000 0000"
    for decision in ("accept", "reject"):
        again = client.post(f"/api/v1/contact-suggestions/{sid}/{decision}", headers=manager)
        assert again.status_code == 409
        assert again.get_json()["suggestion"]["status"] == "rejected"
    assert profiles.get_guest(guest.id).phone == "+66 2 000 0000"
    assert _actions(guest.id) == ["guest_create", "contact_suggest", "contact_suggestion_reject"]
    missing = client.post("/api/v1/contact-suggestions/999999/accept", headers=manager)
    assert missing.status_code == 404 and missing.is_json


def test_accept_in_the_rule_goes_through_the_profile_rules(app: Flask) -> None:
    guest = make_guest(family_name="Ruled")
    s = suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(phone="081-234-5678"), FLOOR)
    # Accepting needs a role that may change contacts: a floor actor is refused and nothing is decided.
    with pytest.raises(profiles.ContactNotAllowed):
        suggestions.accept_suggestion(s.id, FLOOR)
    assert suggestions.pending_suggestions()[0].status == "pending"
    done = suggestions.accept_suggestion(s.id, MANAGER)
    assert done.status == "accepted" and done.decided_by == "manager desk"
    stored = profiles.get_guest(guest.id)
    assert stored.phone == "081-234-5678" and stored.phone_digits == "0812345678"
    with pytest.raises(suggestions.AlreadyDecided):
        suggestions.reject_suggestion(s.id, MANAGER)
    with pytest.raises(suggestions.SuggestionNotFound):
        suggestions.accept_suggestion(12345, MANAGER)


def test_a_guests_suggestions_go_with_the_guest(app: Flask) -> None:
    guest = make_guest(family_name="Erased")
    suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(phone="0812345678"), FLOOR)
    with db.session.begin_nested():
        db.session.delete(profiles.get_guest(guest.id))
    db.session.commit()
    assert suggestions.pending_suggestions() == []


def test_the_openapi_document_describes_the_new_paths(app: Flask) -> None:
    paths = api_document()["paths"]
    post = paths["/guests/{guest_id}/contact-suggestions"]["post"]
    assert {"202", "400", "401", "403", "404", "413", "422"} <= set(post["responses"])
    assert {"200", "401", "403"} <= set(paths["/contact-suggestions"]["get"]["responses"])
    for decision in ("accept", "reject"):
        responses = paths[f"/contact-suggestions/{{suggestion_id}}/{decision}"]["post"]["responses"]
        assert {"200", "401", "403", "404", "409"} <= set(responses)


# The card and the managers' page.


def test_floor_sends_a_phone_from_the_card_and_sees_it_masked(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(family_name="Card")
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Guest gave a phone/e-mail" in html
    token = auth.token(f"/guests/{guest.id}")
    sent = client.post(
        f"/guests/{guest.id}/contact-suggestions",
        data={"csrf_token": token, "kind": "phone", "value": "+66 81 234 5678"},
        follow_redirects=True,
    )
    page = sent.get_data(as_text=True)
    assert "a manager will check it" in page
    assert "Phone ••• 5678 given at the table: waiting for a manager." in page
    assert "234 5678" not in page
    bad = client.post(
        f"/guests/{guest.id}/contact-suggestions",
        data={"csrf_token": token, "kind": "email", "value": "not an email"},
        follow_redirects=True,
    )
    assert "Not saved" in bad.get_data(as_text=True)
    assert len(suggestions.pending_suggestions()) == 1
    forged = client.post(f"/guests/{guest.id}/contact-suggestions", data={"kind": "phone", "value": "0812345678"})
    assert forged.status_code in (302, 400) and len(suggestions.pending_suggestions()) == 1


def test_roles_that_see_contacts_edit_them_instead(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(family_name="Desk")
    auth.login("concierge")
    assert "Guest gave a phone/e-mail" not in client.get(f"/guests/{guest.id}").get_data(as_text=True)


def test_a_manager_accepts_and_rejects_on_the_review_page(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(family_name="Reviewed", given_name="Nok")
    take = suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(email="nok@example.com"), FLOOR)
    drop = suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(phone="0812345678"), FLOOR)
    auth.login("manager")
    page = client.get("/guests/contact-suggestions").get_data(as_text=True)
    assert "nok@example.com" in page and "0812345678" in page and "floor tablet" in page
    matches = client.get("/reservations/matches").get_data(as_text=True)
    assert 'href="/guests/contact-suggestions"' in matches  # the managers' review queue links to it
    token = auth.token("/guests/contact-suggestions")
    accepted = client.post(
        f"/guests/contact-suggestions/{take.id}/accept", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Added to the profile." in accepted.get_data(as_text=True)
    rejected = client.post(
        f"/guests/contact-suggestions/{drop.id}/reject", data={"csrf_token": token}, follow_redirects=True
    )
    html = rejected.get_data(as_text=True)
    assert "Rejected: the profile is unchanged." in html and "Nothing to check." in html
    stored = profiles.get_guest(guest.id)
    assert stored.email == "nok@example.com" and stored.phone is None
    late = client.post(
        f"/guests/contact-suggestions/{take.id}/reject", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Someone already decided on this one." in late.get_data(as_text=True)
    assert client.post("/guests/contact-suggestions/99999/accept", data={"csrf_token": token}).status_code == 404


def test_the_review_page_needs_a_manager(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert client.get("/guests/contact-suggestions").status_code == 403
    assert 'href="/guests/contact-suggestions"' not in client.get("/guests/").get_data(as_text=True)
