"""The JSON API: create, read, change with optimistic locking, visits, outlets, validation, OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import select

from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.guests.models import Guest

NAMES = {
    "latin": ("José", "García"),
    "chinese": ("小明", "王"),
    "japanese": ("太郎", "山田"),
    "korean": ("민준", "김"),
    "cyrillic": ("Иван", "Петров"),
    "greek": ("Γιώργος", "Παπαδόπουλος"),
}

FULL: dict[str, Any] = {
    "given_name": "Wei",
    "family_name": "Yu",
    "preferred_name": "Mr Yu",
    "pronunciation": "yoo",
    "salutation": "Mr",
    "language": "zh-Hans",
    "email": "Wei.Yu@Example.com",
    "phone": "+65 6123 4567",
    "address": {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "sg"},
    "birthday": "--03-15",
    "anniversary": "1990-06-01",
    "company": "Straits Trading",
    "vip_level": 3,
    "marketing_consent": True,
    "do_not_contact": False,
    "notes": "Likes the second window.",
    "allergies": [{"allergen": "peanuts", "severity": "anaphylaxis", "note": "EpiPen"}],
}


@pytest.fixture
def admin(api_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return api_key("admin")  # type: ignore[no-any-return]


def _spec(client: FlaskClient) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


def _check(client: FlaskClient, body: Any, schema_name: str) -> None:
    """Validate a response body against the published OpenAPI component."""
    spec = _spec(client)
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    jsonschema.validate(body, schema)


def test_health_needs_no_auth(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_create_and_read_a_full_guest(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.post("/api/v1/guests", json=FULL, headers=admin)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] > 0 and body["version"] == 1
    assert body["email"] == "wei.yu@example.com"
    assert body["address"]["country"] == "SG"
    assert body["birthday"] == "--03-15" and body["anniversary"] == "1990-06-01"
    assert body["allergies"] == [{"allergen": "peanuts", "severity": "anaphylaxis", "note": "EpiPen"}]
    _check(client, body, "GuestCreated")  # the guest, and possible_duplicates (issue 13)
    got = client.get(f"/api/v1/guests/{body['id']}", headers=admin).get_json()
    assert got["preferred_name"] == "Mr Yu" and got["recognition"]["visit_count"] == 0
    _check(client, got, "Guest")


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_in_every_script_round_trip(client: FlaskClient, admin: dict[str, str], script: str) -> None:
    given, family = NAMES[script]
    created = client.post("/api/v1/guests", json={"given_name": given, "family_name": family}, headers=admin).get_json()
    got = client.get(f"/api/v1/guests/{created['id']}", headers=admin).get_json()
    assert (got["given_name"], got["family_name"]) == (given, family)


def test_names_show_on_the_profile_page(client: FlaskClient, admin: dict[str, str], auth) -> None:  # type: ignore[no-untyped-def]
    ids = {}
    for script, (given, family) in NAMES.items():
        ids[script] = client.post(
            "/api/v1/guests", json={"given_name": given, "family_name": family}, headers=admin
        ).get_json()["id"]
    auth.login("floor")
    for script, (given, family) in NAMES.items():
        html = client.get(f"/guests/{ids[script]}").get_data(as_text=True)
        assert given in html and family in html, script


def test_patch_with_current_version_saves_and_bumps_version(client: FlaskClient, admin: dict[str, str]) -> None:
    created = client.post("/api/v1/guests", json=FULL, headers=admin).get_json()
    response = client.patch(f"/api/v1/guests/{created['id']}", json={"version": 1, "vip_level": 4}, headers=admin)
    assert response.status_code == 200
    assert response.get_json()["vip_level"] == 4 and response.get_json()["version"] == 2
    allergies_only = client.patch(
        f"/api/v1/guests/{created['id']}", json={"version": 2, "allergies": []}, headers=admin
    ).get_json()
    assert allergies_only["allergies"] == [] and allergies_only["version"] == 3


def test_stale_version_gets_409_with_current_record_and_nothing_is_lost(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    created = client.post("/api/v1/guests", json=FULL, headers=admin).get_json()
    gid = created["id"]
    first = client.patch(f"/api/v1/guests/{gid}", json={"version": 1, "notes": "Tablet A"}, headers=admin)
    assert first.status_code == 200
    second = client.patch(f"/api/v1/guests/{gid}", json={"version": 1, "notes": "Tablet B"}, headers=admin)
    assert second.status_code == 409
    body = second.get_json()
    assert body["current"]["notes"] == "Tablet A" and body["current"]["version"] == 2
    _check(client, body, "Error")
    assert client.get(f"/api/v1/guests/{gid}", headers=admin).get_json()["notes"] == "Tablet A"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"given_name": "A", "birthday": "1990-02-30"}, "birthday"),
        ({"given_name": "A", "birthday": "--13-01"}, "birthday"),
        ({"given_name": "A", "birthday": "March 3"}, "birthday"),
        ({"given_name": "A", "email": "not-an-email"}, "email"),
        ({"given_name": "A", "phone": "call me"}, "phone"),
        ({"given_name": "A", "vip_level": 9}, "vip_level"),
        ({"given_name": "A", "vip_level": "high"}, "vip_level"),
        ({"given_name": "A", "marketing_consent": "maybe"}, "marketing_consent"),
        ({"given_name": "A", "language": "english please"}, "language"),
        ({"given_name": "A", "address": {"country": "Thailand"}}, "address.country"),
        ({"given_name": "A", "address": "Bangkok"}, "address"),
        ({"given_name": "A", "allergies": [{"severity": "severe"}]}, "allergies.0.allergen"),
        ({"given_name": "A", "allergies": [{"allergen": "nuts", "severity": "deadly"}]}, "allergies.0.severity"),
        ({"given_name": "A", "shoe_size": 42}, "shoe_size"),
        ({"given_name": "x" * 500}, "given_name"),
        ({}, "body"),
    ],
)
def test_invalid_guest_fields_are_named(
    client: FlaskClient, admin: dict[str, str], payload: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/guests", json=payload, headers=admin)
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["fields"]
    assert field in fields, fields
    assert db.session.scalar(select(Guest).limit(1)) is None


def test_body_that_is_not_json_gets_400(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.post("/api/v1/guests", data="given_name=A", headers=admin)
    assert response.status_code == 400 and "JSON object" in response.get_json()["error"]
    response = client.post("/api/v1/guests", json=["a"], headers=admin)
    assert response.status_code == 400


def test_patch_needs_a_version(client: FlaskClient, admin: dict[str, str]) -> None:
    gid = client.post("/api/v1/guests", json={"given_name": "A"}, headers=admin).get_json()["id"]
    response = client.patch(f"/api/v1/guests/{gid}", json={"notes": "x"}, headers=admin)
    assert response.status_code == 422 and "version" in response.get_json()["fields"]


def test_unknown_ids_get_404(client: FlaskClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/guests/999", headers=admin).status_code == 404
    assert client.patch("/api/v1/guests/999", json={"version": 1}, headers=admin).status_code == 404
    visit = {"outlet": "terrace", "visited_at": "2026-11-21T19:30:00+07:00"}
    assert client.post("/api/v1/guests/999/visits", json=visit, headers=admin).status_code == 404


def test_missing_and_bad_auth(client: FlaskClient) -> None:
    assert client.get("/api/v1/guests?q=a").status_code == 401
    assert client.get("/api/v1/guests?q=a", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/guests?q=a", headers={"Authorization": "Basic abc"}).status_code == 401


def test_revoked_key_stops_working(app: Flask, client: FlaskClient) -> None:
    from guestbook.actor import Actor
    from guestbook.staff import auth

    record, key = auth.create_api_key("pos", "floor")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/outlets", headers=headers).status_code == 200
    auth.revoke_api_key(record.id, Actor.system())
    assert client.get("/api/v1/outlets", headers=headers).status_code == 401


def test_log_a_visit(client: FlaskClient, admin: dict[str, str]) -> None:
    gid = client.post("/api/v1/guests", json={"given_name": "A"}, headers=admin).get_json()["id"]
    visit = {
        "outlet": "terrace",
        "visited_at": "2026-11-21T19:30:00+07:00",
        "table": "Window 2",
        "party_size": 2,
        "items": ["club sandwich", "coffee"],
        "spend": "1250.5",
        "notes": "anniversary",
    }
    response = client.post(f"/api/v1/guests/{gid}/visits", json=visit, headers=admin)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["spend"] == "1250.50" and body["visited_at"] == "2026-11-21T12:30:00+00:00"
    _check(client, body, "Visit")
    guest = client.get(f"/api/v1/guests/{gid}", headers=admin).get_json()
    assert guest["visit_count"] == 1 and guest["version"] == 1  # a visit is not a profile edit
    assert guest["recognition"]["last_visit"]["table"] == "Window 2"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outlet": "moon"}, "outlet"),
        ({"visited_at": "2026-11-21T19:30:00"}, "visited_at"),
        ({"visited_at": "yesterday"}, "visited_at"),
        ({"party_size": 0}, "party_size"),
        ({"spend": "12,50"}, "spend"),
        ({"spend": "-5"}, "spend"),
        ({"spend": "NaN"}, "spend"),
        ({"items": "coffee"}, "items"),
        ({"items": [""]}, "items.0"),
    ],
)
def test_invalid_visit_fields_are_named(
    client: FlaskClient, admin: dict[str, str], change: dict[str, Any], field: str
) -> None:
    gid = client.post("/api/v1/guests", json={"given_name": "A"}, headers=admin).get_json()["id"]
    visit = {"outlet": "terrace", "visited_at": "2026-11-21T19:30:00+07:00", **change}
    response = client.post(f"/api/v1/guests/{gid}/visits", json=visit, headers=admin)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_outlets(client: FlaskClient, admin: dict[str, str], api_key) -> None:  # type: ignore[no-untyped-def]
    listed = client.get("/api/v1/outlets", headers=admin).get_json()["outlets"]
    assert {o["code"] for o in listed} == {"terrace", "bar"}
    created = client.post("/api/v1/outlets", json={"code": "spa", "name": "The Spa", "kind": "spa"}, headers=admin)
    assert created.status_code == 201 and created.get_json()["code"] == "spa"
    dup = client.post("/api/v1/outlets", json={"code": "spa", "name": "Again", "kind": "spa"}, headers=admin)
    assert dup.status_code == 409
    bad = client.post("/api/v1/outlets", json={"code": "Spa Two!", "name": "", "kind": "moon"}, headers=admin)
    assert bad.status_code == 422 and {"code", "name", "kind"} <= set(bad.get_json()["fields"])
    floor = client.post("/api/v1/outlets", json={"code": "x", "name": "X"}, headers=api_key("floor"))
    assert floor.status_code == 403


def test_search_returns_results_in_rank_order(client: FlaskClient, admin: dict[str, str]) -> None:
    client.post("/api/v1/guests", json={"given_name": "Hans", "family_name": "Müller"}, headers=admin)
    client.post("/api/v1/guests", json={"given_name": "Anna", "family_name": "Smith"}, headers=admin)
    response = client.get("/api/v1/guests?q=MUELLER&limit=5", headers=admin)
    assert response.status_code == 200
    assert [r["full_name"] for r in response.get_json()["results"]] == ["Hans Müller"]
    assert client.get("/api/v1/guests?q=a&limit=0", headers=admin).status_code == 422
    assert client.get("/api/v1/guests?q=a&limit=x", headers=admin).status_code == 422


def test_floor_key_sees_masked_contact_and_cannot_change_it(
    client: FlaskClient, admin: dict[str, str], api_key
) -> None:  # type: ignore[no-untyped-def]
    gid = client.post("/api/v1/guests", json=FULL, headers=admin).get_json()["id"]
    floor = api_key("floor")
    body = client.get(f"/api/v1/guests/{gid}", headers=floor).get_json()
    assert body["contact_masked"] is True
    assert body["email"] == "w•••@example.com" and body["phone"] == "••• 4567"
    assert body["address"] is None and body["birthday"] == "--03-15"
    assert body["allergies"][0]["allergen"] == "peanuts"  # allergies are never masked
    refused = client.patch(f"/api/v1/guests/{gid}", json={"version": 1, "email": "x@y.zz"}, headers=floor)
    assert refused.status_code == 403


def test_session_callers_need_csrf_for_writes(client: FlaskClient, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("floor")
    assert client.get("/api/v1/outlets").status_code == 200
    assert client.post("/api/v1/guests", json={"given_name": "A"}).status_code == 400
    token = auth.token()
    response = client.post("/api/v1/guests", json={"given_name": "A"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_audit_events_for_view_and_edit(client: FlaskClient, admin: dict[str, str]) -> None:
    gid = client.post("/api/v1/guests", json=FULL, headers=admin).get_json()["id"]
    client.get(f"/api/v1/guests/{gid}", headers=admin)
    client.patch(f"/api/v1/guests/{gid}", json={"version": 1, "notes": "changed"}, headers=admin)
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.ip, AuditEvent.detail)
        .where(AuditEvent.guest_id == gid)
        .order_by(AuditEvent.id)
    ).all()
    assert [r.action for r in rows] == ["guest_create", "guest_view", "guest_edit"]
    assert all(r.actor == "api:test-admin" and r.ip == "127.0.0.1" for r in rows)
    assert "notes" in rows[2].detail


def test_openapi_is_valid_and_matches_the_routes(app: Flask, client: FlaskClient) -> None:
    spec = _spec(client)
    validate_spec(spec)
    documented = {
        (method.upper(), "/api/v1" + path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    }
    served = {
        (method, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert documented == served


def test_openapi_request_schemas_reject_what_the_api_rejects(client: FlaskClient) -> None:
    spec = _spec(client)
    schema = {"$ref": "#/components/schemas/GuestCreate", "components": spec["components"]}
    jsonschema.validate({"given_name": "A", "address": {"city": "Bangkok"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"given_name": "A", "shoe_size": 42}, schema)
