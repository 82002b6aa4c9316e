"""The merge API: POST /guests/<keep_id>/merge, POST /merges/<id>/undo, GET /merges (admins only)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.blueprints import api_document

from .factories import add_visits, make_guest


@pytest.fixture
def admin(api_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return api_key("admin")  # type: ignore[no-any-return]


def _pair() -> tuple[int, int]:
    keep = make_guest(given_name="王", family_name="小明", email="wang@example.test", notes="Tea, no sugar.").id
    other = make_guest(given_name="Xiaoming", family_name="Wang", phone="+86 10 5555 0000", notes="Window seat.").id
    add_visits(other, "terrace", [("T4", ["Dim sum"]), ("T5", ["Congee"])])
    return keep, other


def _get(client: FlaskClient, gid: int, headers: dict[str, str]) -> Any:
    return client.get(f"/api/v1/guests/{gid}", headers=headers)


def test_merge_answers_the_survivor_and_the_other_id_points_at_it(client: FlaskClient, admin: dict[str, str]) -> None:
    keep, other = _pair()
    response = client.post(
        f"/api/v1/guests/{keep}/merge", json={"other_id": other, "fields": {"phone": "other"}}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"merge_id", "guest"}
    assert body["guest"]["id"] == keep and body["guest"]["phone"] == "+86 10 5555 0000"
    assert body["guest"]["visit_count"] == 2 and body["guest"]["history"]["visits_total"] == 2
    assert body["guest"]["given_name"] == "王"
    gone = _get(client, other, admin)
    assert gone.status_code == 404
    assert gone.get_json()["merged_into"] == keep and gone.get_json()["error"]
    # Every guest route that 404s says where the guest went.
    patch = client.patch(f"/api/v1/guests/{other}", json={"version": 1, "notes": "x"}, headers=admin)
    assert patch.status_code == 404 and patch.get_json()["merged_into"] == keep
    visit = client.post(
        f"/api/v1/guests/{other}/visits", json={"outlet": "bar", "visited_at": "2026-01-01T20:00:00Z"}, headers=admin
    )
    assert visit.status_code == 404 and visit.get_json()["merged_into"] == keep
    tags = client.put(f"/api/v1/guests/{other}/tags", json={"tags": []}, headers=admin)
    assert tags.status_code == 404 and tags.get_json()["merged_into"] == keep
    # An id that never existed has no merged_into.
    assert "merged_into" not in _get(client, 999_999, admin).get_json()


def test_undo_restores_both_guests_json(client: FlaskClient, admin: dict[str, str]) -> None:
    keep, other = _pair()
    before = [_get(client, gid, admin).get_json() for gid in (keep, other)]
    merged = client.post(f"/api/v1/guests/{keep}/merge", json={"other_id": other}, headers=admin).get_json()
    response = client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=admin)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["merge_id"] == merged["merge_id"] and body["added_since"] == []
    assert [g["id"] for g in body["guests"]] == [keep, other]
    for old, new in zip(before, body["guests"], strict=True):
        old.pop("recognition")
        for key in ("version", "updated_at"):
            old.pop(key), new.pop(key)
        assert new == old
    assert _get(client, other, admin).status_code == 200
    again = client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=admin)
    assert again.status_code == 409 and "already undone" in again.get_json()["error"]


def test_undo_lists_what_was_added_since(client: FlaskClient, admin: dict[str, str]) -> None:
    keep, other = _pair()
    merged = client.post(f"/api/v1/guests/{keep}/merge", json={"other_id": other}, headers=admin).get_json()
    client.post(
        f"/api/v1/guests/{keep}/visits",
        json={"outlet": "bar", "visited_at": "2026-01-01T20:00:00Z", "table": "B7"},
        headers=admin,
    )
    body = client.post(f"/api/v1/merges/{merged['merge_id']}/undo", headers=admin).get_json()
    assert len(body["added_since"]) == 1
    added = body["added_since"][0]
    assert added["table"] == "visit" and isinstance(added["id"], int) and "2026-01-01" in added["summary"]
    assert body["guests"][0]["visit_count"] == 1 and body["guests"][1]["visit_count"] == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"other_id": "x"}, 422, "other_id"),
        ({}, 422, "other_id"),
        ({"other_id": 999_999}, 404, None),
        ({"other_id": 2, "fields": {"shoe_size": "keep"}}, 422, "fields.shoe_size"),
        ({"other_id": 2, "fields": {"email": "both"}}, 422, "fields.email"),
        ({"other_id": 2, "extra": 1}, 422, "extra"),
    ],
)
def test_bad_requests_name_the_field(
    client: FlaskClient, admin: dict[str, str], body: dict[str, Any], status: int, field: str | None
) -> None:
    keep, _other = _pair()
    response = client.post(f"/api/v1/guests/{keep}/merge", json=body, headers=admin)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["fields"]


def test_same_guest_is_422_and_unknown_keep_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    keep, _other = _pair()
    same = client.post(f"/api/v1/guests/{keep}/merge", json={"other_id": keep}, headers=admin)
    assert same.status_code == 422 and "other_id" in same.get_json()["fields"]
    missing = client.post("/api/v1/guests/999999/merge", json={"other_id": keep}, headers=admin)
    assert missing.status_code == 404
    assert client.post("/api/v1/merges/999999/undo", headers=admin).status_code == 404


@pytest.mark.parametrize("role", ["floor", "concierge", "manager"])
def test_only_admins_merge(client: FlaskClient, api_key, role: str) -> None:  # type: ignore[no-untyped-def]
    keep, other = _pair()
    headers = api_key(role)
    assert client.post(f"/api/v1/guests/{keep}/merge", json={"other_id": other}, headers=headers).status_code == 403
    assert client.get("/api/v1/merges", headers=headers).status_code == 403
    assert client.post("/api/v1/merges/1/undo", headers=headers).status_code == 403
    assert _get(client, other, api_key("admin")).status_code == 200


def test_list_of_merges(client: FlaskClient, admin: dict[str, str]) -> None:
    keep, other = _pair()
    merged = client.post(f"/api/v1/guests/{keep}/merge", json={"other_id": other}, headers=admin).get_json()
    results = client.get("/api/v1/merges", headers=admin).get_json()["results"]
    assert [(m["id"], m["keep_id"], m["other_id"], m["undone_at"]) for m in results] == [
        (merged["merge_id"], keep, other, None)
    ]
    assert results[0]["fields"]["notes"] == "both"


def test_the_document_describes_the_merge_paths(app: Flask) -> None:
    spec = api_document()
    assert {"/guests/{guest_id}/merge", "/merges/{merge_id}/undo", "/merges"} <= set(spec["paths"])
    assert "GuestMergeIn" in spec["components"]["schemas"]
    assert "merged_into" in spec["paths"]["/guests/{guest_id}"]["get"]["responses"]["404"]["description"]
