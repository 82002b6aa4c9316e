"""Hostile input to every API route: a 4xx naming the field, never a 500 (issue 9, points 6 and 10)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.blueprints import api_document
from guestbook.letters.selection import run_daily
from guestbook.text import find_control_char, reject_control_chars

from .factories import ACTOR, make_guest

# Raw JSON fragments, spliced into an otherwise valid body (so 1,000 levels of nesting need no encoder).
NESTED = "[" * 1000 + "]" * 1000
HOSTILE_JSON = [
    str(2**63),
    str(10**30),
    str(-(2**63) - 1),
    "1e400",
    "-1",
    "0",
    "1.5",
    json.dumps("²"),
    json.dumps("١٢٣"),
    json.dumps("\x00"),
    json.dumps("a\x00b"),
    json.dumps("x" * 100_000),
    json.dumps("\u202e\u200fשלום\u200e"),
    json.dumps("   "),
    NESTED,
    '{"a": ' * 500 + "1" + "}" * 500,
    "[]",
    "{}",
    "true",
    "null",
    '"2026-13-45"',
    '"--02-30"',
]
# Values for path and query parameters (as text in the URL).
HOSTILE_TEXT = [
    str(2**63),
    "9223372036854775808",
    "25848434315509071085568",
    "9" * 5000,
    "-1",
    "0",
    "1.5",
    "²",
    "١٢٣",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "\u202e\u200fשלום",
    " ",
    "",
    "[]",
    " ".join(["word"] * 1000),
    "2026-W01-1",
    "20261202",
]


@pytest.fixture
def admin(api_key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return api_key("admin")  # type: ignore[no-any-return]


@pytest.fixture
def seeded(app: Flask) -> dict[str, Any]:
    """A guest, a letter batch and the values that make each route's request valid."""
    with app.app_context():
        guest = make_guest(given_name="Nok", family_name="Srisuk")
        twin = make_guest(given_name="Nok", family_name="Srisuk")  # merged into ``guest`` by the first valid merge
        batch = run_daily(date.today(), ACTOR)
        today = date.today().isoformat()
        return {
            "path": {
                "guest_id": str(guest.id),
                "batch_id": str(batch.id),
                "outlet_id": "1",
                "source": "pos",
                "external_id": "A-1",
                "day": today,
                "suggestion_id": "1",
                "merge_id": "1",
                "other_id": str(twin.id),
                "feedback_id": "1",
            },
            "query": {
                "q": "Nok",
                "limit": "5",
                "outlet": "terrace",
                "period": "dinner",
                "before": "1",
                "allow_erased": "false",
                "status": "open",
                "kind": "complaint",
                "overdue": "true",
                "guest_id": str(guest.id),
                "from": "2026-09-01",
                "to": "2026-11-30",
            },
            "bodies": {
                "GuestCreate": {"given_name": "Ann", "address": {"city": "Bangkok"}, "allergies": []},
                "GuestPatch": {"version": 1, "notes": "x"},
                "VisitCreate": {
                    "outlet": "terrace",
                    "visited_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
                    "items": ["Pad thai"],
                },
                "OutletCreate": {"code": "pool", "name": "Pool"},
                "OutletPatch": {"name": "Terrace"},
                "ReservationIn": {"guest_id": guest.id, "outlet": "terrace", "arrival_date": today},
                "ContactSuggestionIn": {"phone": "+66 81 234 5678"},
                "GuestMergeIn": {"other_id": twin.id, "fields": {"given_name": "keep"}},
                "TierOverrideIn": {"tier": "A", "reason": "writes for the Bangkok Post", "influence": "press"},
                "RelationshipIn": {"other_id": twin.id, "kind": "spouse", "note": "married in 2019"},
                "FeedbackCreate": {"kind": "complaint", "category": "food", "text": "The soup was cold"},
                "AcknowledgeIn": {"note": "called them"},
                "ResolveIn": {"amends": [{"kind": "apology"}], "promise": "The chef greets them"},
                "FollowUpIn": {"outcome": "satisfied"},
                "CloseIn": {"reason": "the guest left no contact"},
                "NoteIn": {"body": "spoke to the chef"},
                "LinkIn": {"guest_id": guest.id},
            },
        }


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    spec = api_document()
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                operation = item[method]
                yield method.upper(), path, {**operation, "parameters": shared + operation.get("parameters", [])}


def _body_schema(operation: dict[str, Any]) -> str | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    ref: str = body["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def _field_paths(schema_name: str) -> list[str]:
    """Each body field as a dotted path, with one level of nested objects (address.city, guest.email)."""
    schemas = api_document()["components"]["schemas"]
    found: list[str] = []
    for name, prop in schemas[schema_name].get("properties", {}).items():
        found.append(name)
        for option in [prop, *prop.get("anyOf", [])]:
            if "$ref" in option:
                nested = schemas[option["$ref"].rsplit("/", 1)[-1]]
                found.extend(f"{name}.{inner}" for inner in nested.get("properties", {}))
    return found


def _splice(body: dict[str, Any], field: str, fragment: str) -> str:
    """``body`` as JSON text with ``field`` (dotted) set to the raw JSON ``fragment``."""
    marker = "\ue000HOSTILE\ue000"
    copy = json.loads(json.dumps(body))
    target = copy
    *parents, last = field.split(".")
    for parent in parents:
        if not isinstance(target.get(parent), dict):
            target[parent] = {}
        target = target[parent]
    target[last] = marker
    return json.dumps(copy).replace(json.dumps(marker), fragment)


def _url(path: str, values: dict[str, str]) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def _names_field(response: Any, field: str) -> bool:
    fields = (response.get_json() or {}).get("fields", {})
    top = field.split(".")[0]
    return any(key == top or key.startswith(f"{top}.") for key in fields) or "body" in fields


def test_the_reported_crashes_are_4xx_naming_the_field(client: FlaskClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/guests/9223372036854775808", headers=admin).status_code == 404
    visit = {"outlet": "terrace", "visited_at": "2026-01-01T19:00:00+07:00"}
    huge_visit = client.post("/api/v1/guests/25848434315509071085568/visits", json=visit, headers=admin)
    assert huge_visit.status_code == 404
    limit = client.get("/api/v1/guests?q=nok&limit=²", headers=admin)
    assert limit.status_code == 422 and "limit" in limit.get_json()["fields"]
    words = client.get("/api/v1/guests", query_string={"q": " ".join(["nok"] * 1000)}, headers=admin)
    assert words.status_code == 422 and "q" in words.get_json()["fields"]
    nested = client.post(
        "/api/v1/guests",
        data='{"given_name": "Ann", "notes": ' + NESTED + "}",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert nested.status_code == 400 and "body" in nested.get_json()["fields"]
    big = client.post(
        "/api/v1/guests", data=b"{" + b" " * 1_000_001 + b"}", headers={**admin, "Content-Type": "application/json"}
    )
    assert big.status_code == 413


def test_405_says_which_methods_are_allowed(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.open("/api/v1/health", method="TRACE")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    put = client.put("/api/v1/guests", headers=admin)
    assert put.status_code == 405 and "POST" in put.headers["Allow"]


def test_repeated_query_parameters_are_refused(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.get("/api/v1/guests?q=nok&q=x", headers=admin)
    assert response.status_code == 400 and "q" in response.get_json()["fields"]


def test_a_bad_briefing_day_names_the_path_parameter(client: FlaskClient, admin: dict[str, str]) -> None:
    """The 422 names ``day``, the parameter the OpenAPI document declares, not ``date``."""
    for path in ("/api/v1/briefings/20261202", "/api/v1/briefings/2026-13-01.pdf"):
        response = client.get(path, headers=admin)
        assert response.status_code == 422 and response.get_json()["fields"] == {"day": "use YYYY-MM-DD"}
    for path in ("/api/v1/briefings/0001-01-01", "/api/v1/briefings/0001-01-01.pdf", "/api/v1/briefings/9999-12-31"):
        response = client.get(path, headers=admin)  # found by Schemathesis: "the last 180 days" overflowed
        assert response.status_code == 422 and "day" in response.get_json()["fields"], path


def _requests(seeded: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, str], str | None, str | None]]:
    """(method, url, what, query, body text, body field) for every hostile value in every place."""
    for method, path, operation in _operations():
        schema_name = _body_schema(operation)
        base = seeded["bodies"].get(schema_name, {}) if schema_name else None
        query = {p["name"]: seeded["query"][p["name"]] for p in operation["parameters"] if p["in"] == "query"}
        body_text = json.dumps(base) if base is not None else None
        label = f"{method} {path}"
        for param in operation["parameters"]:
            for value in HOSTILE_TEXT:
                what = f"{label} {param['in']} {param['name']}={value[:20]!r}"
                if param["in"] == "path":
                    url = _url(path, {**seeded["path"], param["name"]: value.replace("/", "%2F")})
                    yield method, url, what, query, body_text, None
                elif param["in"] == "query":
                    url = _url(path, seeded["path"])
                    yield method, url, what, {**query, param["name"]: value}, body_text, None
        if base is None or schema_name is None:
            continue
        for field in _field_paths(schema_name):
            for fragment in HOSTILE_JSON:
                what = f"{label} body {field}={fragment[:20]}"
                yield method, _url(path, seeded["path"]), what, query, _splice(base, field, fragment), field


def test_every_route_survives_hostile_values_in_every_field(
    client: FlaskClient, admin: dict[str, str], seeded: dict[str, Any]
) -> None:
    """Walk the OpenAPI document: each path parameter, query parameter and body field gets each hostile value."""
    crashes: list[str] = []
    unnamed: list[str] = []
    sent = 0
    headers = {**admin, "Content-Type": "application/json"}
    for method, url, what, query, data, field in _requests(seeded):
        sent += 1
        response = client.open(url, method=method, query_string=query, data=data, headers=headers)
        if response.status_code >= 500:
            crashes.append(f"{what}: {response.status_code}")
        elif field and response.status_code == 422 and not _names_field(response, field):
            unnamed.append(f"{what}: {response.get_json()}")
    assert sent > 1000
    assert crashes == []
    assert unnamed == []


CONTROL = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F]]
KEPT = [
    "Zoë Müller",
    "王小明",
    "สมชาย",
    "Ἀλέξανδρος",
    "Иван",
    "אבי\u200fכהן",
    "علي\u200f",
    "\u202bمرحبا\u202c",
    "Ann 🎂🍰",
]


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_are_refused_naming_the_field(client: FlaskClient, admin: dict[str, str], char: str) -> None:
    response = client.post("/api/v1/guests", json={"given_name": f"An{char}n"}, headers=admin)
    assert response.status_code == 422, char
    assert "control characters" in response.get_json()["fields"]["given_name"]
    notes = client.post("/api/v1/guests", json={"given_name": "Ann", "notes": f"line{char}"}, headers=admin)
    assert notes.status_code == 422 and "notes" in notes.get_json()["fields"]


def test_control_characters_are_refused_in_every_free_text_field(client: FlaskClient, admin: dict[str, str]) -> None:
    gid = client.post("/api/v1/guests", json={"given_name": "Ann"}, headers=admin).get_json()["id"]
    cases = [
        ("POST", "/api/v1/guests", {"given_name": "Ann", "address": {"line1": "1\x00 Road"}}, "address.line1"),
        (
            "POST",
            "/api/v1/guests",
            {"given_name": "Ann", "allergies": [{"allergen": "nut\x1b"}]},
            "allergies.0.allergen",
        ),
        ("PATCH", f"/api/v1/guests/{gid}", {"version": 1, "company": "Acme\x7f"}, "company"),
        (
            "POST",
            f"/api/v1/guests/{gid}/visits",
            {"outlet": "terrace", "visited_at": "2026-01-01T19:00:00+07:00", "notes": "ok\x00"},
            "notes",
        ),
        (
            "POST",
            f"/api/v1/guests/{gid}/visits",
            {"outlet": "terrace", "visited_at": "2026-01-01T19:00:00+07:00", "items": ["Soup\x08"]},
            "items.0",
        ),
        (
            "PUT",
            "/api/v1/reservations/pos/R1",
            {"guest": {"name": "Bo\x00b"}, "outlet": "terrace", "arrival_date": "2026-12-02"},
            "guest.name",
        ),
        (
            "PUT",
            "/api/v1/reservations/pos/R2",
            {"guest_id": gid, "outlet": "terrace", "arrival_date": "2026-12-02", "occasion": "\x07"},
            "occasion",
        ),
        ("POST", "/api/v1/outlets", {"code": "pool", "name": "Pool\x00"}, "name"),
    ]
    for method, url, body, field in cases:
        response = client.open(url, method=method, json=body, headers=admin)
        assert response.status_code == 422, (url, body, response.get_json())
        assert field in response.get_json()["fields"], (field, response.get_json())


def test_ordinary_unicode_rtl_and_emoji_are_kept_verbatim(client: FlaskClient, admin: dict[str, str]) -> None:
    for name in KEPT:
        body = {"given_name": name, "notes": f"{name}\n\tsecond line\r\nthird"}
        response = client.post("/api/v1/guests", json=body, headers=admin)
        assert response.status_code == 201, (name, response.get_json())
        stored = client.get(f"/api/v1/guests/{response.get_json()['id']}", headers=admin).get_json()
        assert stored["given_name"] == name and stored["notes"] == body["notes"]


def test_the_shared_validator() -> None:
    assert find_control_char("שלום\u200f 😀\tok\n") is None
    assert find_control_char("a\x00") == "U+0000" and find_control_char("\ud800") == "U+D800"
    assert reject_control_chars("Zoë") == "Zoë"
    with pytest.raises(ValueError, match=r"U\+001B"):
        reject_control_chars("\x1b[31m")
