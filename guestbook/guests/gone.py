"""Guests merged away: where an id that no longer exists now lives, for the API's 404 and the card's redirect.

Merges belong to the data domain, which this one cannot import (layers); the data domain registers its
lookup here when the app is built (``guestbook.blueprints``). Without one, no id was ever merged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "guestbook.merged_lookup"

MergedLookup = Callable[[int], "int | None"]


def register_merged_lookup(app: Flask, lookup: MergedLookup) -> None:
    """Make ``lookup`` (guest id -> the id it was merged into, or None) this app's answer."""
    app.extensions[EXTENSION_KEY] = lookup


def merged_into(guest_id: int) -> int | None:
    """The guest that ``guest_id`` was merged into (following merges of merges), or None."""
    lookup = current_app.extensions.get(EXTENSION_KEY)
    if lookup is None:
        return None
    found: int | None = lookup(guest_id)
    return found


def not_found_body(guest_id: int) -> dict[str, Any]:
    """The API's 404 body for a guest id: with ``merged_into`` when the guest was merged into another."""
    survivor = merged_into(guest_id)
    if survivor is None:
        return {"error": f"no guest with id {guest_id}"}
    return {"error": f"guest {guest_id} was merged into guest {survivor}", "merged_into": survivor}
