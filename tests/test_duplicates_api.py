"""The duplicates API (issue 13 item 2): GET /api/v1/duplicates and POST /api/v1/duplicates/reject, admins only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from guestbook.blueprints import api_document
from guestbook.data import duplicates

from .factories import ACTOR, make_guest

KeyMaker = Callable[[str], dict[str, str]]


def _two_pairs() -> tuple[tuple[int, int], tuple[int, int]]:
    a = make_guest(given_name="Inês", family_name="Gonçalves", phone="+351 912 000 111", email="ines@example.pt")
    b = make_guest(given_name="Ines", family_name="Goncalves", phone="912 000 111", email="ines@example.pt")
    c = make_guest(given_name="Björn", family_name="Svensson", phone="+46 70 123 45 67")
    d = make_guest(given_name="Bjorn", family_name="Svensson", phone="070-123 45 67")
    duplicates.run_scan(ACTOR)
    return (a.id, b.id), (c.id, d.id)


def test_the_pairs_have_the_contract_shape_highest_score_first(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    strong, weaker = _two_pairs()
    response = client.get("/api/v1/duplicates", headers=api_key("admin"))
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["pairs"]
    assert [p["guest_ids"] for p in body["pairs"]] == [list(strong), list(weaker)]
    for pair in body["pairs"]:
        assert set(pair) == {"guest_ids", "score", "reasons"}
        assert isinstance(pair["score"], float) and 0.0 <= pair["score"] <= 1.0
        assert pair["guest_ids"][0] < pair["guest_ids"][1]
    assert body["pairs"][0]["reasons"] == ["same email", "same phone", "same name"]
    assert body["pairs"][1]["reasons"] == ["same phone", "same name"]
    assert body["pairs"][0]["score"] > body["pairs"][1]["score"]
    one = client.get("/api/v1/duplicates?limit=1", headers=api_key("admin")).get_json()
    assert [p["guest_ids"] for p in one["pairs"]] == [list(strong)]


def test_limit_is_validated_like_the_rest_of_the_api(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    headers = api_key("admin")
    for bad in ("0", "501", "abc", "²", "-1", "1.5"):
        response = client.get(f"/api/v1/duplicates?limit={bad}", headers=headers)
        assert response.status_code == 422, bad
        assert response.get_json() == {
            "error": "validation failed",
            "fields": {"limit": "an integer from 1 to 500"},
        }
    assert client.get("/api/v1/duplicates?limit=500", headers=headers).status_code == 200
    assert client.get("/api/v1/duplicates?limit=1&limit=2", headers=headers).status_code == 400


def test_admins_only(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    (a, b), _ = _two_pairs()
    body = {"guest_ids": [a, b]}
    for role in ("floor", "concierge", "manager"):
        headers = api_key(role)
        assert client.get("/api/v1/duplicates", headers=headers).status_code == 403, role
        assert client.post("/api/v1/duplicates/reject", json=body, headers=headers).status_code == 403, role
    assert client.get("/api/v1/duplicates").status_code == 401
    assert client.post("/api/v1/duplicates/reject", json=body).status_code == 401
    assert len(duplicates.list_pairs()) == 2  # nothing was rejected by the refused calls


def test_reject_remembers_the_pair(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    (a, b), other = _two_pairs()
    headers = api_key("admin")
    response = client.post("/api/v1/duplicates/reject", json={"guest_ids": [b, a]}, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"guest_ids": [a, b], "rejected": True}
    listed = client.get("/api/v1/duplicates", headers=headers).get_json()["pairs"]
    assert [p["guest_ids"] for p in listed] == [list(other)]
    duplicates.run_scan(ACTOR)
    listed = client.get("/api/v1/duplicates", headers=headers).get_json()["pairs"]
    assert [p["guest_ids"] for p in listed] == [list(other)]


def test_reject_refuses_bad_bodies(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    (a, _b), _ = _two_pairs()
    headers = api_key("admin")
    same = client.post("/api/v1/duplicates/reject", json={"guest_ids": [a, a]}, headers=headers)
    assert same.status_code == 422 and "guest_ids" in same.get_json()["fields"]
    missing = client.post("/api/v1/duplicates/reject", json={"guest_ids": [a, 987_654]}, headers=headers)
    assert missing.status_code == 404
    for bad in ({}, {"guest_ids": [a]}, {"guest_ids": [a, "2"]}, {"guest_ids": [a, 0]}, {"guest_ids": [1, 2, 3]}):
        response = client.post("/api/v1/duplicates/reject", json=bad, headers=headers)
        assert response.status_code == 422, bad
        assert any(k.startswith("guest_ids") for k in response.get_json()["fields"]), bad
    extra = client.post("/api/v1/duplicates/reject", json={"guest_ids": [a, a + 1], "x": 1}, headers=headers)
    assert extra.status_code == 422


def test_the_openapi_document_describes_both_paths_and_the_create_hint(app: Flask) -> None:
    spec = api_document()
    listing = spec["paths"]["/duplicates"]["get"]
    assert [p["name"] for p in listing["parameters"]] == ["limit"]
    pair = spec["components"]["schemas"]["DuplicatePair"]
    assert pair["required"] == ["guest_ids", "score", "reasons"]
    assert "same phone" in pair["properties"]["reasons"]["items"]["enum"]
    reject = spec["paths"]["/duplicates/reject"]["post"]
    assert reject["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DuplicateRejectIn")
    created = spec["paths"]["/guests"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][created["$ref"].rsplit("/", 1)[-1]]
    assert "possible_duplicates" in schema["properties"] and "given_name" in schema["properties"]
