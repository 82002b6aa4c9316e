"""The duplicates screens and the "might be the same as…" hint on a new guest (web and API)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.audit import AuditEvent
from guestbook.data import duplicates
from guestbook.data.models import NotDuplicate
from guestbook.extensions import db

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, make_guest

KeyMaker = Callable[[str], dict[str, str]]


def _pair() -> tuple[int, int]:
    a = make_guest(given_name="Somchai", family_name="Jaidee", phone="+66 81 111 2222", email="somchai@example.co.th")
    b = make_guest(
        given_name="สมชาย",
        family_name="ใจดี",
        language="th",
        phone="081 111 2222",
        address={"line1": "99 Sukhumvit Road", "postal_code": "10110", "city": "Bangkok"},
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis"}],
    )
    duplicates.run_scan(ACTOR)
    return a.id, b.id


def test_the_list_and_the_side_by_side_page(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    a, b = _pair()
    auth.login("admin")
    listing = client.get("/data/duplicates").get_data(as_text=True)
    assert "Somchai Jaidee" in listing and "สมชาย" in listing
    assert "same phone" in listing and "similar name" in listing
    assert f'href="/data/duplicates/{a}/{b}"' in listing
    page = client.get(f"/data/duplicates/{a}/{b}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in ("+66 81 111 2222", "081 111 2222", "somchai@example.co.th", "99 Sukhumvit Road", "peanuts"):
        assert shown in html
    assert "Not the same person" in html
    assert f'href="/data/merge/{a}/{b}"' in html
    views = db.session.scalars(
        select(AuditEvent.guest_id).where(AuditEvent.action == "guest_view", AuditEvent.detail.contains("duplicate"))
    ).all()
    assert sorted(views) == [a, b]
    assert client.get(f"/data/duplicates/{a}/{a}").status_code == 404
    assert client.get(f"/data/duplicates/{a}/987654").status_code == 404


def test_the_admin_pages_link_the_list_and_others_are_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    a, b = _pair()
    auth.login("manager")
    assert client.get("/data/duplicates").status_code == 403
    assert client.get(f"/data/duplicates/{a}/{b}").status_code == 403
    assert "/data/duplicates" not in client.get("/guests/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("admin")
    # The guest-data tools are on the Settings page and on /data/ (the menu stays one line on a tablet).
    assert 'href="/data/duplicates"' in client.get("/admin/settings").get_data(as_text=True)
    assert 'href="/data/duplicates"' in client.get("/data/").get_data(as_text=True)


def test_not_the_same_person_needs_the_csrf_token(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    a, b = _pair()
    auth.login("admin")
    refused = client.post(f"/data/duplicates/{a}/{b}/reject", data={})
    assert refused.status_code == 400
    assert db.session.get(NotDuplicate, (a, b)) is None
    token = csrf_from(client.get(f"/data/duplicates/{a}/{b}").get_data(as_text=True))
    done = client.post(f"/data/duplicates/{a}/{b}/reject", data={"csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200
    assert "will not be suggested again" in done.get_data(as_text=True)
    assert db.session.get(NotDuplicate, (a, b)) is not None
    assert duplicates.list_pairs() == []
    duplicates.run_scan(ACTOR)
    assert duplicates.list_pairs() == []


def test_the_hint_after_creating_a_guest_on_the_web(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    old = make_guest(given_name="Chloé", family_name="Dubois", phone="+33 6 98 76 54 32")
    auth.login("admin")
    token = auth.token("/guests/new")
    form = {"csrf_token": token, "given_name": "Chloe", "family_name": "Dubois", "phone": "06 98 76 54 32"}
    page = client.post("/guests/new", data={**form, "language": "fr"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Might be the same as Chloé Dubois (same phone, same name)" in html
    new_id = max(g for g in db.session.scalars(select(AuditEvent.guest_id).where(AuditEvent.action == "guest_create")))
    assert f'<a href="/data/duplicates/{old.id}/{new_id}">review</a>' in html
    plain = client.post(
        "/guests/new",
        data={"csrf_token": token, "given_name": "Unrelated", "family_name": "Person", "language": "en"},
        follow_redirects=True,
    )
    assert "Might be the same as" not in plain.get_data(as_text=True)


def test_the_floor_hint_says_nothing_about_contacts(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_guest(given_name="Jürgen", family_name="Schäfer", phone="+49 170 1234567", birthday="--03-09")
    auth.login("floor")
    token = auth.token("/guests/new")
    by_phone = client.post(
        "/guests/new",
        data={"csrf_token": token, "given_name": "J", "family_name": "S", "phone": "0170 1234567", "language": "de"},
        follow_redirects=True,
    )
    assert "Might be the same as" not in by_phone.get_data(as_text=True)  # would reveal whose phone it is
    by_name = client.post(
        "/guests/new",
        data={"csrf_token": token, "given_name": "Jurgen", "family_name": "Schafer", "birthday": "--03-09"},
        follow_redirects=True,
    )
    html = by_name.get_data(as_text=True)
    assert "Might be the same as Jürgen Schäfer (same name, same birthday)." in html
    assert "/data/duplicates/" not in html  # the review is an admin's


def test_the_api_create_answer_lists_possible_duplicates(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    old = make_guest(given_name="Mateo", family_name="Hernández", phone="+34 699 111 222", email="mateo@example.es")
    body = {"given_name": "Mateo", "family_name": "Hernandez", "phone": "699 111 222"}
    created = client.post("/api/v1/guests", json=body, headers=api_key("concierge"))
    assert created.status_code == 201
    data = created.get_json()
    assert data["given_name"] == "Mateo" and data["phone"] == "699 111 222"  # the usual fields are unchanged
    assert data["possible_duplicates"] == [{"guest_id": old.id, "score": 0.76, "reasons": ["same phone", "same name"]}]
    floor = client.post("/api/v1/guests", json={"given_name": "X", "phone": "699 111 222"}, headers=api_key("floor"))
    assert floor.status_code == 201 and floor.get_json()["possible_duplicates"] == []
    lone = client.post("/api/v1/guests", json={"given_name": "Nobody"}, headers=api_key("admin"))
    assert lone.get_json()["possible_duplicates"] == []
