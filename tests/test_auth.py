"""Sign-in: hashed passwords, CSRF, lockout, safe redirects, idle lock and PIN unlock, sessions."""

from __future__ import annotations

import time

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.staff import auth as auth_service
from guestbook.staff.models import StaffUser

from .conftest import AuthActions, csrf_from
from .factories import PASSWORD


def test_passwords_are_stored_as_argon2_hashes(app: Flask) -> None:
    user = db.session.scalar(select(StaffUser).where(StaffUser.role == "floor"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert auth_service.verify_secret(user.password_hash, PASSWORD)
    assert not auth_service.verify_secret(user.password_hash, PASSWORD + "x")


def test_sign_in_and_out(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login("floor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/guests/")
    assert client.get("/guests/").status_code == 200
    token = auth.token()
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/guests/").status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login("floor", password="nope", follow=True)
    assert "Email or password is not correct." in response.get_data(as_text=True)
    assert client.get("/guests/").status_code == 302


def test_form_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "floor@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/guests/").status_code == 302  # not signed in


def test_logout_without_csrf_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert client.post("/logout").status_code == 400
    assert client.get("/guests/").status_code == 200


def test_five_failures_lock_the_account_for_fifteen_minutes(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    with time_machine.travel("2026-11-22 10:00:00+00:00", tick=False):
        for _ in range(5):
            auth.login("floor", password="wrong password")
        response = auth.login("floor", follow=True)  # right password, but locked
        assert "locked" in response.get_data(as_text=True)
        assert client.get("/guests/").status_code == 302
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "floor@example.test")).all()
    assert events.count("login_failed") == 5
    assert "account_locked" in events and "login_refused_locked" in events
    with time_machine.travel("2026-11-22 10:16:00+00:00", tick=False):
        auth.login("floor")
        assert client.get("/guests/").status_code == 200


def test_unknown_account_gets_the_same_message(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login(email="nobody@example.test", follow=True)
    assert "Email or password is not correct." in response.get_data(as_text=True)


def test_next_redirect_only_to_this_site(client: FlaskClient, auth: AuthActions) -> None:
    for target, expected in (
        ("/admin/staff", "/admin/staff"),
        ("https://evil.example/phish", "/guests/"),
        ("//evil.example/phish", "/guests/"),
        ("/\\evil.example", "/guests/"),
    ):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": "admin@example.test", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected, target
        client.post("/logout", data={"csrf_token": auth.token()})


def test_idle_session_locks_and_unlocks_with_pin(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    user = db.session.scalar(select(StaffUser).where(StaffUser.role == "floor"))
    assert user is not None
    auth_service.set_pin(user.id, "4321")
    auth.login("floor")
    limit = app.config["IDLE_LOCK_SECONDS"]
    with client.session_transaction() as sess:
        sess["last_seen"] = time.time() - limit - 5
    response = client.get("/guests/")
    assert response.status_code == 302 and "/unlock" in response.headers["Location"]
    assert client.get("/api/v1/outlets").status_code == 401  # the API is locked too
    page = client.get("/unlock?next=/guests/")
    assert "enter your PIN" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post("/unlock?next=/guests/", data={"secret": "0000", "csrf_token": token})
    assert "not correct" in bad.get_data(as_text=True)
    ok = client.post("/unlock?next=/guests/", data={"secret": "4321", "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"] == "/guests/"
    assert client.get("/guests/").status_code == 200


def test_activity_rewrites_the_session_cookie_only_when_the_idle_mark_moves(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """A search per keystroke must not re-sign the cookie each time, yet activity must keep the tablet unlocked."""
    auth.login("floor")
    limit = app.config["IDLE_LOCK_SECONDS"]
    started = time.time()
    with time_machine.travel(started, tick=False):
        client.get("/guests/")
        with time_machine.travel(started + limit / 120, tick=False):  # within a sixtieth of the limit: no new mark
            assert "Set-Cookie" not in client.get("/guests/search?q=ab").headers
        # Past the limit since sign-in, but active in between: the mark moved each time, so no lock.
        for step in range(1, 5):
            with time_machine.travel(started + step * limit * 0.4, tick=False):
                response = client.get("/guests/search?q=ab")
                assert response.status_code == 200
                assert "session=" in response.headers.get("Set-Cookie", "")
        with time_machine.travel(started + 1.6 * limit + limit + 1, tick=False):  # then idle past the limit: locked
            assert "/unlock" in client.get("/guests/").headers["Location"]


def test_form_saved_after_long_idle_still_has_a_valid_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("floor")
    page = client.get("/guests/new").get_data(as_text=True)
    token = csrf_from(page)
    with time_machine.travel(time.time() + 3 * 3600, tick=False):
        with client.session_transaction() as sess:
            sess["last_seen"] = time.time()
        response = client.post(
            "/guests/new", data={"csrf_token": token, "given_name": "Late", "family_name": "Saver", "language": "en"}
        )
    assert response.status_code == 302, "a token must live as long as the session, not an hour"


def test_five_wrong_pins_end_the_session(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    with client.session_transaction() as sess:
        sess["locked"] = True
    for _ in range(5):
        token = csrf_from(client.get("/unlock").get_data(as_text=True))
        response = client.post("/unlock", data={"secret": "9999", "csrf_token": token})
    assert response.headers["Location"].endswith("/login")
    assert client.get("/guests/").status_code == 302
    assert "/login" in client.get("/guests/").headers["Location"]


def test_deactivated_staff_lose_their_open_session(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert client.get("/guests/").status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.role == "floor"))
    admin = db.session.scalar(select(StaffUser).where(StaffUser.role == "admin"))
    assert user and admin
    from guestbook.actor import Actor

    auth_service.update_staff_user(
        user.id,
        name=user.name,
        role="floor",
        active=False,
        password=None,
        actor=Actor(label=admin.email, role="admin", staff_user_id=admin.id),
    )
    assert client.get("/guests/").status_code == 302


def test_cookie_settings(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login("floor")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert "remember_token" not in cookie


def test_apikey_cli_prints_key_on_last_line(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(args=["apikey", "create", "--name", "pms", "--role", "manager"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("gb_") and len(key) > 30
    response = client.get("/api/v1/outlets", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert client.get("/api/v1/outlets", headers={"Authorization": "Bearer gb_wrong"}).status_code == 401


def test_users_cli_creates_an_account(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.test",
            "--name",
            "New",
            "--role",
            "concierge",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    auth.login(email="new@example.test", password="a long password")
    assert client.get("/guests/").status_code == 200
    dup = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.test",
            "--name",
            "New",
            "--role",
            "floor",
            "--password",
            "a long password",
        ]
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_one_device_guessing_many_accounts_is_throttled(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    for n in range(20):
        auth.login(email=f"guess{n}@example.test", password="wrong")
    response = auth.login("admin", follow=True)  # right password, but this address is throttled
    assert "Too many failed sign-ins from this device" in response.get_data(as_text=True)
    assert client.get("/guests/").status_code == 302
    refused = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "login_refused_address")).all()
    assert len(refused) == 1
    with time_machine.travel(time.time() + app.config["LOGIN_LOCK_SECONDS"] + 60, tick=False):
        auth.login("admin")
        assert client.get("/guests/").status_code == 200
