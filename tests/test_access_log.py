"""The access log (issue 13 item 4): who looked at a guest, read back; the trail only grows; the JSON-lines copy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, text
from werkzeug.routing import AnyConverter

from guestbook import audit
from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.data import access_log
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import profiles

from .conftest import AuthActions
from .factories import make_guest

URL = "/api/v1/guests/{gid}/access-log"
KeyMaker = Callable[[str], dict[str, str]]  # the api_key fixture: a role's bearer header


def _staff_id(role: str) -> int:
    from guestbook.staff.models import StaffUser

    return db.session.scalars(select(StaffUser.id).where(StaffUser.email == f"{role}@example.test")).one()


# --- the API ------------------------------------------------------------------------------------------


def test_managers_read_who_looked_newest_first(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key: KeyMaker
) -> None:
    guest = make_guest(given_name="Somchai", family_name="Audit")
    other = make_guest(given_name="Someone", family_name="Else")
    auth.login("floor")
    assert client.get(f"/guests/{guest.id}").status_code == 200
    assert client.get(f"/guests/{other.id}").status_code == 200
    headers = api_key("manager")
    assert client.get(f"/api/v1/guests/{guest.id}", headers=headers).status_code == 200

    response = client.get(URL.format(gid=guest.id), headers=headers)

    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["action"] for r in results] == ["access_log_view", "guest_view", "guest_view", "guest_create"]
    assert set(results[0]) == {"id", "at", "who", "action", "device", "address"}
    by_key, api_view, card_view, created = results
    assert (by_key["who"], by_key["device"]) == ("test-manager", "api")
    assert (api_view["who"], api_view["device"]) == ("test-manager", "api")
    assert (card_view["who"], card_view["device"], card_view["address"]) == ("Floor", "web", "127.0.0.1")
    assert (created["who"], created["device"]) == ("tests", "system")  # the factories' system actor
    ids = [r["id"] for r in results]
    assert ids == sorted(ids, reverse=True)
    stamps = [datetime.fromisoformat(r["at"]) for r in results]
    assert all(s.tzinfo is not None for s in stamps) and stamps == sorted(stamps, reverse=True)


def test_floor_and_concierge_are_refused_and_unknown_guests_are_404(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    guest = make_guest(family_name="Private")
    for role in ("floor", "concierge"):
        response = client.get(URL.format(gid=guest.id), headers=api_key(role))
        assert response.status_code == 403 and response.is_json
    assert client.get(URL.format(gid=guest.id), headers=api_key("admin")).status_code == 200
    missing = client.get(URL.format(gid=guest.id + 1000), headers=api_key("admin"))
    assert missing.status_code == 404 and "no guest" in missing.get_json()["error"]
    assert client.get(URL.format(gid=guest.id)).status_code == 401


def test_limit_and_before_page_through_the_log(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    guest = make_guest(family_name="Pages")
    actor = Actor(label="walker", role="floor", ip="10.0.0.9")
    for _ in range(7):
        profiles.view_guest(guest.id, actor)
    headers = api_key("manager")

    first = client.get(URL.format(gid=guest.id), query_string={"limit": "3"}, headers=headers).get_json()["results"]
    assert len(first) == 3
    rest = client.get(
        URL.format(gid=guest.id), query_string={"limit": "500", "before": str(first[-1]["id"])}, headers=headers
    ).get_json()["results"]
    # 7 views + the creation + the first read of the log; the second read is newer than `before`.
    assert len(first) + len(rest) == 9
    assert rest[-1]["action"] == "guest_create"
    assert max(r["id"] for r in rest) < min(r["id"] for r in first)
    assert {r["address"] for r in rest if r["action"] == "guest_view"} == {"10.0.0.9"}


BAD_PAGING = [
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"limit": "x"}, "limit"),
    ({"limit": "٣"}, "limit"),
    ({"before": "0"}, "before"),
    ({"before": "-1"}, "before"),
    ({"before": "2026-01-01"}, "before"),
]


@pytest.mark.parametrize(("args", "field"), BAD_PAGING)
def test_bad_paging_arguments_are_422(
    app: Flask, client: FlaskClient, api_key: KeyMaker, args: dict[str, str], field: str
) -> None:
    guest = make_guest(family_name="Args")
    response = client.get(URL.format(gid=guest.id), query_string=args, headers=api_key("admin"))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_a_repeated_limit_is_400(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    guest = make_guest(family_name="Twice")
    response = client.get(URL.format(gid=guest.id) + "?limit=1&limit=2", headers=api_key("admin"))
    assert response.status_code == 400


def test_the_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/guests/{guest_id}/access-log"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert spec["components"]["schemas"]["AccessLogEntry"]["required"] == [
        "id",
        "at",
        "who",
        "action",
        "device",
        "address",
    ]


# --- the card -----------------------------------------------------------------------------------------


def test_the_card_shows_managers_who_looked(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Niran", family_name="Card")
    auth.login("floor")
    floor_page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Who looked at this guest" not in floor_page
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    panel = page.split('id="access-log"', 1)[1].split("</section>", 1)[0]
    assert "<details>" in panel and "<details open" not in panel  # folded
    assert "Who looked at this guest" in panel
    assert "Floor" in panel and "Manager" in panel and "Viewed" in panel and "Created" in panel


def test_the_card_panel_holds_the_last_twenty(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(family_name="Busy")
    for n in range(30):
        profiles.view_guest(guest.id, Actor(label=f"walker-{n}", role="floor", ip=f"10.0.0.{n}"))
    auth.login("admin")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    panel = page.split('id="access-log"', 1)[1].split("</section>", 1)[0]
    assert panel.count("<tr><td") == access_log.CARD_LIMIT
    assert "walker-29" in panel and "walker-11" in panel and "walker-10<" not in panel


# --- no route changes the audit trail -------------------------------------------------------------------


def _audit_rows() -> dict[int, str]:
    rows = db.session.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
    db.session.rollback()
    return {row[0]: hashlib.sha256(repr(tuple(row)).encode()).hexdigest() for row in rows}


def _path_value(name: str, converter: object, gid: int, admin_id: int) -> str:
    if isinstance(converter, AnyConverter):
        return str(converter.regex).split("(?:", 1)[1].split("|", 1)[0].split(")", 1)[0].replace("\\", "")
    plain = {
        "guest_id": str(gid),
        "user_id": str(admin_id),
        "day": date.today().isoformat(),
        "kind": "birthday",
        "language": "en",
        "source": "pms",
        "external_id": "WALK-1",
        "filename": "css/app.css",
        "script": "cjk",
    }
    return plain.get(name, "1")


def _api_body(endpoint: str, method: str) -> dict[str, Any] | None:
    if method == "GET":
        return None
    now = datetime.now(UTC).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "api.create_guest": {"given_name": "Walked"},
        "api.patch_guest": {"version": 1, "company": "Walk Co"},
        "api.log_visit": {"outlet": "terrace", "visited_at": now, "table": "1", "items": ["tea"], "party_size": 2},
        "api.put_guest_tags": {"tags": []},
        "api.create_tag": {"name": "walked"},
        "api.suggest_contact": {"kind": "email", "value": "walk@example.test"},
        "api.create_outlet": {"code": "walk", "name": "Walk", "kind": "bar"},
        "api.patch_outlet": {"name": "Terrace again"},
    }
    return bodies.get(endpoint, {})


def _form(endpoint: str, token: str) -> dict[str, str]:
    forms: dict[str, dict[str, str]] = {
        "guests.add_note": {"body": "Walked by the audit test"},
        "guests.add_preference": {"category": "drink", "value": "tea"},
        "guests.add_allergy": {"allergen": "walnuts", "severity": "mild"},
        "guests.log_visit": {"outlet": "terrace", "table": "2", "party_size": "2"},
        "guests.new": {"given_name": "Formed"},
    }
    return {"csrf_token": token, **forms.get(endpoint, {})}


def test_no_route_edits_or_deletes_audit_records(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key: KeyMaker
) -> None:
    guest = make_guest(given_name="Walk", family_name="Everything", email="walk@example.test", phone="+66 81 234 5678")
    actor = Actor(label="seed", role="admin", ip="10.1.1.1")
    profiles.view_guest(guest.id, actor, "seed")
    audit.record_now(actor, "guest_edit", guest.id, "changed: company")
    admin_id = _staff_id("admin")
    bearer = api_key("admin")
    auth.login("admin")
    token = auth.token()
    before = _audit_rows()
    assert len(before) >= 3
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint.startswith("auth."), r.endpoint))
    calls, signed_out, start = 0, [], len(before)
    for rule in rules:
        values = {name: _path_value(name, conv, guest.id, admin_id) for name, conv in rule._converters.items()}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            path = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
            if path.startswith("/api/"):
                response = client.open(path, method=method, headers=bearer, json=_api_body(rule.endpoint, method))
            elif method == "GET":
                response = client.open(path, method=method)
            else:
                response = client.open(path, method=method, data=_form(rule.endpoint, token))
            location = response.headers.get("Location", "")
            response.close()
            calls += 1
            assert response.status_code < 500, f"{method} {path}: {response.status_code}"
            after = _audit_rows()
            changed = [i for i, digest in before.items() if after.get(i) != digest]
            assert changed == [], f"{method} {path} changed or deleted audit events {changed}"
            assert len(after) >= len(before), f"{method} {path} shrank the audit trail"
            before = after
            if ("/login" in location or "/unlock" in location) and not rule.endpoint.startswith("auth."):
                signed_out.append(f"{method} {path}")  # not walked as an admin
            if "/login" in location or "/unlock" in location or rule.endpoint in ("auth.logout", "auth.lock"):
                auth.login("admin")  # signed out or locked by that call: carry on as the admin
                token = auth.token()
    assert calls > len(rules)  # every route, every method (some have two)
    assert signed_out == []
    assert len(before) > start  # the walk did record views and edits: the trail grew, never changed


# --- the JSON-lines copy --------------------------------------------------------------------------------


class TestJsonLinesCopy:
    """With GUESTBOOK_AUDIT_JSONL set, committed events (and only those) reach the file."""

    @pytest.fixture
    def jsonl(self, tmp_path: Path) -> Path:
        return tmp_path / "audit.jsonl"

    @pytest.fixture
    def app_config(self, jsonl: Path) -> dict[str, object]:
        return {"GUESTBOOK_AUDIT_JSONL": str(jsonl)}

    @staticmethod
    def _lines(path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def test_an_event_lands_only_after_its_commit(self, app: Flask, jsonl: Path) -> None:
        guest = make_guest(family_name="Lines")
        already = len(self._lines(jsonl))
        actor = Actor(label="ดวงใจ", role="manager", staff_user_id=_staff_id("manager"), ip="10.2.2.2")
        with write_transaction():
            event = audit.record(actor, "guest_edit", guest.id, "changed: notes")
            db.session.flush()
            assert len(self._lines(jsonl)) == already  # flushed, not committed: not in the file yet
        lines = self._lines(jsonl)
        assert len(lines) == already + 1
        line = lines[-1]
        row = db.session.get(AuditEvent, event.id)
        assert row is not None
        assert line == {
            "id": row.id,
            "at": row.at.isoformat(),
            "actor": "ดวงใจ",
            "staff_user_id": row.staff_user_id,
            "api_key_id": None,
            "action": "guest_edit",
            "guest_id": guest.id,
            "ip": "10.2.2.2",
            "detail": "changed: notes",
        }

    def test_a_rolled_back_transaction_writes_nothing(self, app: Flask, jsonl: Path) -> None:
        guest = make_guest(family_name="Rolled")
        already = self._lines(jsonl)
        count = db.session.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(RuntimeError), write_transaction():
            audit.record(Actor(label="x", role="admin"), "guest_edit", guest.id, "never happened")
            db.session.flush()
            raise RuntimeError("the rule failed")
        assert self._lines(jsonl) == already
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count
        # The next commit does not carry the rolled-back event along.
        audit.record_now(Actor(label="y", role="admin"), "guest_view", guest.id)
        new = self._lines(jsonl)[len(already) :]
        assert [(n["actor"], n["action"]) for n in new] == [("y", "guest_view")]

    def test_bulk_inserted_events_carry_their_ids(self, app: Flask, jsonl: Path) -> None:
        guest = make_guest(family_name="Bulk")
        already = len(self._lines(jsonl))
        now = datetime.now(UTC)
        rows = [
            {"at": now, "actor": "exporter", "action": "letter_export", "guest_id": guest.id, "detail": f"letter={n}"}
            for n in range(3)
        ]
        with write_transaction():
            db.session.execute(insert(AuditEvent), rows)
        new = self._lines(jsonl)[already:]
        assert [n["detail"] for n in new] == ["letter=0", "letter=1", "letter=2"]
        stored = db.session.execute(
            select(AuditEvent.id, AuditEvent.detail).where(AuditEvent.action == "letter_export").order_by(AuditEvent.id)
        ).all()
        assert [(n["id"], n["detail"]) for n in new] == [(i, d) for i, d in stored]
        assert all(n["ip"] == "" and n["at"] == now.isoformat() for n in new)

    def test_a_card_view_through_the_web_is_shipped(
        self, app: Flask, client: FlaskClient, auth: AuthActions, jsonl: Path
    ) -> None:
        guest = make_guest(family_name="Shipped")
        auth.login("concierge")
        assert client.get(f"/guests/{guest.id}").status_code == 200
        views = [n for n in self._lines(jsonl) if n["action"] == "guest_view"]
        assert views[-1]["guest_id"] == guest.id and views[-1]["actor"] == "concierge@example.test"


def test_without_the_setting_no_file_is_written(app: Flask, tmp_path: Path) -> None:
    make_guest(family_name="Quiet")
    assert app.config["GUESTBOOK_AUDIT_JSONL"] == ""
    assert not list(tmp_path.glob("*.jsonl"))
