"""Issue 9.2: ``next`` after sign-in (and unlock, and the device form's ``back``) is only ever a local path."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.security import is_safe_redirect

from .conftest import AuthActions, csrf_from
from .factories import PASSWORD

HOSTILE = [
    "http:evil.example",  # the reported one: answered Location: http:///evil.example
    "https:evil.example",
    "http://evil.example",
    "https://evil.example/phish",
    "HTTPS://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\t/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/%2F%2Fevil.example",  # decision: refused (a proxy that decodes paths would make it //evil.example)
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "evil.example",
    "evil.example/guests/",
    "guests/",
    "?next=//evil.example",
    "#//evil.example",
    "mailto:someone@evil.example",
    "/\x00/evil.example",
    "/\x7f",
    "/\u0085/evil.example",  # C1 control (NEL)
    "",
    "/" + "a" * 2001,
]

GOOD = [
    "/",
    "/guests/",
    "/guests/?q=M%C3%BCller",
    "/guests/?q=王小明",
    "/guests/12",
    "/guests/12#history",
    "/admin/staff",
    "/letters/batches/3?page=2&sort=name",
    "/guests/?q=http://x",  # a scheme after the path is just text in the query
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_refused_by_the_rule(app: Flask, target: str) -> None:
    with app.test_request_context("/login"):
        assert not is_safe_redirect(target)


@pytest.mark.parametrize("target", GOOD)
def test_local_path_is_accepted_by_the_rule(app: Flask, target: str) -> None:
    with app.test_request_context("/login"):
        assert is_safe_redirect(target)


def _sign_in(client: FlaskClient, target: str) -> str:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "admin@example.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_sign_in_goes_home_for_every_hostile_next(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    for target in HOSTILE:
        if "\x00" in target:  # a NUL in any query parameter is refused at the door, before sign-in
            token = csrf_from(client.get("/login").get_data(as_text=True))
            refused = client.post("/login", query_string={"next": target}, data={"csrf_token": token})
            assert refused.status_code == 400 and "Location" not in refused.headers
            continue
        location = _sign_in(client, target)
        assert location == "/guests/", f"next={target!r} sent the browser to {location!r}"
        client.post("/logout", data={"csrf_token": auth.token()})


def test_sign_in_follows_a_local_next(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    for target in ("/admin/staff", "/guests/?q=M%C3%BCller", "/letters/batches/3?page=2&sort=name"):
        assert _sign_in(client, target) == target
        client.post("/logout", data={"csrf_token": auth.token()})


def test_the_reported_redirect_answers_home(app: Flask, client: FlaskClient) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=http:evil.example",
        data={"email": "admin@example.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/guests/"
    assert "evil" not in response.get_data(as_text=True)


def test_unlock_and_device_form_refuse_hostile_targets(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    for target in ("http:evil.example", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example"):
        with client.session_transaction() as sess:
            sess["locked"] = True
        token = csrf_from(client.get("/unlock").get_data(as_text=True))
        response = client.post("/unlock", query_string={"next": target}, data={"secret": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/guests/", target
        token = auth.token()
        response = client.post("/guests/device", data={"csrf_token": token, "outlet": "", "back": target})
        assert response.headers["Location"] == "/guests/", target
