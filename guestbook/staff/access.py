"""Request-level access control: who is calling (session or API key), idle lock, role rule, then CSRF.

CSRF is checked here, after the role rule (WTF_CSRF_CHECK_DEFAULT is off), so every unsafe request
from a browser is checked exactly once and a wrong role is told 403 rather than "form expired"."""

from __future__ import annotations

import time

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from guestbook.actor import Actor
from guestbook.extensions import csrf
from guestbook.security import AUTHENTICATED, PUBLIC, role_at_least, rule_for
from guestbook.staff import auth

LOCK_EXEMPT = frozenset({"auth.unlock", "auth.logout", "auth.lock"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_actor() -> Actor:
    """The actor behind this request (set by ``enforce_rules``)."""
    actor: Actor = g.actor
    return actor


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="guestbook"'
    return response


def _idle_locked() -> bool:
    """True when the signed-in session has been idle past the configured limit (shared tablets)."""
    if session.get("locked"):
        return True
    last_seen = session.get("last_seen")
    limit = int(current_app.config["IDLE_LOCK_SECONDS"])
    if last_seen is not None and time.time() - float(last_seen) > limit:
        session["locked"] = True
        return True
    return False


def _mark_active() -> None:
    """Note the session's activity for the idle lock, at most once per sixtieth of the limit (15 s of 15 min).

    Rewriting the mark on every request rewrote (signed and sent) the session cookie on every keystroke's
    search; now the cookie changes only when the mark does. The lock may so close up to a sixtieth of the
    limit early (never late); the session's 12-hour lifetime restarts with each rewrite, as it did before.
    """
    now = time.time()
    last_seen = session.get("last_seen")
    if last_seen is None or now - float(last_seen) >= int(current_app.config["IDLE_LOCK_SECONDS"]) / 60:
        session["last_seen"] = now


def enforce_rules() -> BaseResponse | None:
    """Before every request: resolve the caller, apply the idle lock and the route's role rule."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such route: Flask answers 404 / 405
    rule = rule_for(current_app, endpoint)
    if rule is None:
        # A view without a declared rule is never served (the URL-map test keeps this from shipping).
        abort(403)
    ip = request.remote_addr or ""
    g.actor = Actor(label="anonymous", role="", ip=ip)
    if rule == PUBLIC:
        if current_user.is_authenticated:
            g.actor = Actor(label=current_user.email, role=current_user.role, staff_user_id=current_user.id, ip=ip)
        if request.method not in SAFE_METHODS and not _is_api():
            csrf.protect()
        return None
    if _is_api():
        return _enforce_api(rule, ip)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    g.actor = Actor(label=current_user.email, role=current_user.role, staff_user_id=current_user.id, ip=ip)
    if endpoint not in LOCK_EXEMPT:
        if _idle_locked():
            return redirect(url_for("auth.unlock", next=request.full_path.rstrip("?")))
        _mark_active()
    if rule != AUTHENTICATED and not role_at_least(current_user.role, rule):
        abort(403)
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


def _enforce_api(rule: str, ip: str) -> BaseResponse | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        key = auth.api_key_for(token.strip()) if scheme.lower() == "bearer" else None
        if key is None:
            return _api_error(401, "invalid or revoked API key")
        g.actor = Actor(label=f"api:{key.name}", role=key.role, api_key_id=key.id, ip=ip)
        auth.touch_api_key(key.id)
    elif current_user.is_authenticated and not _idle_locked():
        g.actor = Actor(label=current_user.email, role=current_user.role, staff_user_id=current_user.id, ip=ip)
        _mark_active()
        if request.method not in SAFE_METHODS:
            csrf.protect()  # a browser session calling the API must prove it is our page
    else:
        return _api_error(401, "authentication required: send Authorization: Bearer <key>")
    if rule != AUTHENTICATED and not role_at_least(g.actor.role, rule):
        return _api_error(403, f"this needs the {rule} role or above")
    return None


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_NO_STORE = ("Cache-Control", "no-store")


def add_security_headers(response: Response) -> Response:
    """After every request: strict security headers; guest data is never cached. A header the view set stays.

    One pass over the response's headers (``Headers.setdefault`` looks each name up by raising and catching a
    KeyError: 5 % of a trivial request's CPU for seven headers).
    """
    present = {name.lower() for name, _ in response.headers}  # Headers iterate as (name, value) pairs
    wanted = [*SECURITY_HEADERS.items(), _NO_STORE] if request.endpoint != "static" else SECURITY_HEADERS.items()
    response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def register_access_control(app: Flask) -> None:
    """Install the rule check and the security headers on the app."""
    app.before_request(enforce_rules)
    app.after_request(add_security_headers)


def force_logout() -> None:
    """End the session completely (sign-out, or too many wrong PINs)."""
    logout_user()
    session.clear()
