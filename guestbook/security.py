"""Role rules for every route, checked on the server before any view runs.

Each view declares its rule with ``@role_required(...)`` or ``@public``. A view without a rule is
refused (and a test walks the URL map so that never ships).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from flask import Flask, request

from .models.staff import ROLES

F = TypeVar("F", bound=Callable[..., Any])

RULE_ATTR = "_guestbook_role_rule"
PUBLIC = "public"
AUTHENTICATED = "authenticated"

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


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


def is_safe_redirect(target: str | None) -> bool:
    """Only allow redirects to paths on this host (no scheme-relative or foreign URLs)."""
    if not target or target.startswith("//") or "\\" in target:
        return False
    host_url = urlsplit(request.host_url)
    test = urlsplit(urljoin(request.host_url, target))
    return test.scheme in ("http", "https") and test.netloc == host_url.netloc
