"""Role rules for every route, checked on the server before any view runs.

Each view declares its rule with ``@role_required(...)`` or ``@public``. A view without a rule is
refused (and a test walks the URL map so that never ships).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from guestbook.i18n import code_label, lazy_gettext

F = TypeVar("F", bound=Callable[..., Any])

RULE_ATTR = "_guestbook_role_rule"
PUBLIC = "public"
AUTHENTICATED = "authenticated"

ROLES = ("floor", "concierge", "manager", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

# What screens call each role (the menu, the staff list, role pickers); the codes above stay as they are.
ROLE_LABELS: dict[str, Any] = {
    "floor": lazy_gettext("Floor"),
    "concierge": lazy_gettext("Concierge"),
    "manager": lazy_gettext("Manager"),
    "admin": lazy_gettext("Admin"),
}


def role_label(role: str | None) -> str:
    """The role's name in the viewer's language (an unknown code is shown as it is)."""
    return code_label(ROLE_LABELS, role)


def role_at_least(role: str | None, minimum: str) -> bool:
    """True when ``role`` is ``minimum`` or a role above it (floor < concierge < manager < admin)."""
    if role is None or role not in ROLE_RANK:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


def role_required(minimum: str) -> Callable[[F], F]:
    """Declare the least role that may use this view."""
    if minimum not in ROLE_RANK:
        raise ValueError(f"unknown role {minimum!r}")

    def decorate(view: F) -> F:
        setattr(view, RULE_ATTR, minimum)
        return view

    return decorate


def public(view: F) -> F:
    """Declare a view open to everyone (sign-in page, health check, static files)."""
    setattr(view, RULE_ATTR, PUBLIC)
    return view


def signed_in(view: F) -> F:
    """Declare a view open to any signed-in member of staff, whatever the role."""
    setattr(view, RULE_ATTR, AUTHENTICATED)
    return view


def rule_for(app: Flask, endpoint: str) -> str | None:
    """The declared rule of an endpoint, or None when the view has none."""
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    if endpoint == "static":
        return PUBLIC
    return getattr(view, RULE_ATTR, None)


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0


def is_safe_redirect(target: str | None) -> bool:
    """True only for a local path on this site: ``/`` then a path, no scheme, host, backslash or ``//``.

    Browsers forgive a lot (``http:evil``, ``/\\evil``, ``//evil``, tabs and newlines removed before
    parsing), so anything that is not plainly a local path is refused, also once percent-decoded
    (``/%2F%2Fevil`` would become ``//evil`` behind a proxy that decodes paths).
    """
    if not target or len(target) > 2000:
        return False
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return False
        if "\\" in candidate or any(_is_control(char) for char in candidate):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
    return True


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a safe local path (see ``is_safe_redirect``), else ``default``."""
    return target if target is not None and is_safe_redirect(target) else default


def value_digests(scope: str, values: Mapping[str, str]) -> dict[str, str]:
    """A keyed digest (HMAC-SHA256 with the app's secret key) of each value, for hidden form fields.

    A form can then tell later which values changed since it was loaded without ever carrying the
    values themselves (a role must not receive what it may not see, even in a hidden field), and a
    client cannot forge a digest for a value it never saw. ``scope`` ties the digests to one record.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    return {
        name: hmac.new(key, f"{scope}\0{name}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]
        for name, value in values.items()
    }
