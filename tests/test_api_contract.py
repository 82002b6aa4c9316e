"""The OpenAPI document says exactly what the server accepts (issue 9, point 11).

Each case is checked twice: against the published document (JSON Schema) and against the server,
and both must agree. Schemathesis does the same at scale in scripts/test (scripts/schemathesis_run.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.blueprints import api_document

from .factories import make_guest

TODAY = date.today().isoformat()
RECENT = (datetime.now(UTC) - timedelta(hours=3)).isoformat()


@pytest.fixture
def admin(api_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return api_key("admin")  # type: ignore[no-any-return]


@pytest.fixture
def guest_id(app: Flask) -> int:
    with app.app_context():
        return make_guest(given_name="Nok").id


def _document_accepts(schema_name: str, body: Any) -> bool:
    spec = api_document()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    return jsonschema.Draft202012Validator(schema).is_valid(body)


def _parameter_accepts(path: str, method: str, name: str, value: str) -> bool:
    item = api_document()["paths"][path]
    params = item.get("parameters", []) + item[method].get("parameters", [])
    schema = next(p["schema"] for p in params if p["name"] == name)
    return jsonschema.Draft202012Validator(schema).is_valid(value)


GUESTS: list[tuple[dict[str, Any], bool]] = [
    ({}, False),
    ({"given_name": "   "}, False),
    ({"given_name": None, "family_name": ""}, False),
    ({"preferred_name": "Ann"}, True),
    ({"family_name": "王"}, True),
    ({"given_name": "A", "birthday": "1990-02-30"}, False),
    ({"given_name": "A", "birthday": "1991-02-29"}, False),
    ({"given_name": "A", "birthday": "1992-02-29"}, True),
    ({"given_name": "A", "birthday": "1900-02-29"}, False),
    ({"given_name": "A", "birthday": "2000-02-29"}, True),
    ({"given_name": "A", "birthday": "--02-29"}, True),
    ({"given_name": "A", "birthday": "--04-31"}, False),
    ({"given_name": "A", "birthday": "19900101"}, False),
    ({"given_name": "A", "birthday": "1899-12-31"}, False),
    ({"given_name": "A", "birthday": "--٠٣-١٥"}, False),
    ({"given_name": "A", "anniversary": "1990-06-01"}, True),
    ({"given_name": "A", "language": ""}, True),
    ({"given_name": "A", "language": "zh-Hans"}, True),
    ({"given_name": "A", "language": "x"}, False),
    ({"given_name": "A", "phone": "+66 2 123 4567"}, True),
    ({"given_name": "A", "phone": "123"}, False),
    ({"given_name": "A", "phone": "12a45"}, False),
    ({"given_name": "A", "email": "a@b.co"}, True),
    ({"given_name": "A", "email": "a b@c.d"}, False),
    ({"given_name": "A", "address": {"country": "th"}}, True),
    ({"given_name": "A", "address": {"country": "tha"}}, False),
    ({"given_name": "A", "notes": "ok\n\ttab"}, True),
    ({"given_name": "A", "notes": "bell\x07"}, False),
    ({"given_name": "A", "vip_level": 6}, False),
    ({"given_name": "A", "vip_level": "3"}, False),
    ({"given_name": "A", "marketing_consent": 1}, False),
    ({"given_name": "A" * 121}, False),
    ({"given_name": "A" * 120}, True),
    ({"given_name": "A", "shoe_size": 42}, False),
]


@pytest.mark.parametrize(("body", "valid"), GUESTS, ids=[repr(b)[:60] for b, _ in GUESTS])
def test_guest_bodies(client: FlaskClient, admin: dict[str, str], body: dict[str, Any], valid: bool) -> None:
    assert _document_accepts("GuestCreate", body) is valid
    response = client.post("/api/v1/guests", json=body, headers=admin)
    assert response.status_code == (201 if valid else 422), response.get_json()


VISITS: list[tuple[dict[str, Any], bool]] = [
    ({"outlet": "terrace", "visited_at": RECENT}, True),
    ({"outlet": "terrace", "visited_at": RECENT, "spend": "1250.00"}, True),
    ({"outlet": "terrace", "visited_at": RECENT, "spend": "12.345"}, False),
    ({"outlet": "terrace", "visited_at": RECENT, "spend": "1e3"}, False),
    ({"outlet": "terrace", "visited_at": RECENT, "spend": ""}, True),
    ({"outlet": "terrace", "visited_at": RECENT, "party_size": 4.0}, True),
    ({"outlet": "terrace", "visited_at": RECENT, "party_size": "4"}, False),
    ({"outlet": "terrace", "visited_at": RECENT, "items": ["  "]}, False),
    ({"outlet": "Terrace!", "visited_at": RECENT}, False),
    ({"outlet": "terrace", "visited_at": "1899-12-31T20:00:00+07:00"}, False),
    ({"outlet": "terrace"}, False),
]


@pytest.mark.parametrize(("body", "valid"), VISITS, ids=[repr(b)[:60] for b, _ in VISITS])
def test_visit_bodies(
    client: FlaskClient, admin: dict[str, str], guest_id: int, body: dict[str, Any], valid: bool
) -> None:
    assert _document_accepts("VisitCreate", body) is valid
    response = client.post(f"/api/v1/guests/{guest_id}/visits", json=body, headers=admin)
    assert response.status_code == (201 if valid else 422), response.get_json()


def test_reservation_needs_exactly_one_of_guest_id_and_guest(
    client: FlaskClient, admin: dict[str, str], guest_id: int
) -> None:
    base = {"outlet": "terrace", "arrival_date": TODAY}
    cases: list[tuple[dict[str, Any], bool]] = [
        (base, False),
        ({**base, "guest_id": None, "guest": None}, False),
        ({**base, "guest_id": guest_id}, True),
        ({**base, "guest": {"name": "Somchai Jaidee"}}, True),
        ({**base, "guest_id": None, "guest": {"given_name": "Malee"}}, True),
        ({**base, "guest_id": guest_id, "guest": {"name": "Somchai Jaidee"}}, False),
        ({**base, "guest": {}}, False),
        ({**base, "guest": {"name": " ", "email": "a@b.co"}}, False),
        ({**base, "guest_id": guest_id, "arrival_date": "20261202"}, False),
    ]
    for n, (body, valid) in enumerate(cases):
        assert _document_accepts("ReservationIn", body) is valid, body
        response = client.put(f"/api/v1/reservations/pos/R{n}", json=body, headers=admin)
        assert response.status_code in ((200, 201) if valid else (422,)), (body, response.get_json())


def test_reservation_path_parameters(client: FlaskClient, admin: dict[str, str], guest_id: int) -> None:
    body = {"outlet": "terrace", "arrival_date": TODAY, "guest_id": guest_id}
    path = "/reservations/{source}/{external_id}"
    for source, valid in [("pos", True), ("POS", False), ("a" * 41, False), ("p%20s", False)]:
        assert _parameter_accepts(path, "put", "source", source) is valid
        response = client.put(f"/api/v1/reservations/{source}/X1", json=body, headers=admin)
        assert response.status_code in ((200, 201) if valid else (422,)), source


@pytest.mark.parametrize(
    ("q", "valid"),
    [
        ("", False),
        ("   ", False),
        ("nok", True),
        (" ".join(["w"] * 12), True),
        (" ".join(["w"] * 13), False),
        ("x" * 200, True),
        ("x" * 201, False),
        ("no\x00k", False),
        ("שלום\u200f", True),
    ],
)
def test_search_q_is_documented_exactly(client: FlaskClient, admin: dict[str, str], q: str, valid: bool) -> None:
    assert _parameter_accepts("/guests", "get", "q", q) is valid
    response = client.get("/api/v1/guests", query_string={"q": q}, headers=admin)
    assert response.status_code == (200 if valid else 422), response.get_json()
    if not valid:
        assert "q" in response.get_json()["fields"]


def test_every_route_lists_the_statuses_it_can_answer() -> None:
    spec = api_document()
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            params = shared + operation.get("parameters", [])
            where = f"{method.upper()} {path}"
            if operation.get("security") != []:
                assert {"401", "403"} <= codes, where
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, where
            if any(p["in"] == "path" and p["schema"].get("type") == "integer" for p in params):
                assert "404" in codes, where
            if path == "/guests" and method == "get":
                assert "429" in codes and "Retry-After" in operation["responses"]["429"]["headers"], where


@pytest.mark.parametrize(
    ("limit", "status"), [("5", 200), ("100", 200), ("", 422), ("0", 422), ("101", 422), ("٣", 422), ("²", 422)]
)
def test_search_limit_is_an_ascii_integer_from_1_to_100(
    client: FlaskClient, admin: dict[str, str], limit: str, status: int
) -> None:
    response = client.get("/api/v1/guests", query_string={"q": "nok", "limit": limit}, headers=admin)
    assert response.status_code == status
    if status == 422:
        assert "limit" in response.get_json()["fields"]
