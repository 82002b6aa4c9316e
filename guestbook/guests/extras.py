"""Parts of the guest JSON that higher domains supply (the segments domain's ``segment``), without guests
importing them: each registers a function ``(guest_id, role) -> value`` under its key from ``blueprints``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

EXTRAS_KEY = "guestbook.guest_extras"
GuestExtra = Callable[[int, str], Any]


def register_guest_extra(app: Flask, name: str, extra: GuestExtra) -> None:
    """Add ``name`` to every guest JSON, its value given by ``extra(guest_id, role)``."""
    app.extensions.setdefault(EXTRAS_KEY, {})[name] = extra


def guest_extras(guest_id: int, role: str) -> dict[str, Any]:
    """Every registered extra for this guest, as the caller's role may see it."""
    registered: dict[str, GuestExtra] = current_app.extensions.get(EXTRAS_KEY, {})
    return {name: extra(guest_id, role) for name, extra in registered.items()}
