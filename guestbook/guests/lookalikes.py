"""The "might be the same as…" hint for a guest just created: a finder the data domain registers.

The guests domain cannot import the data domain (layers), so ``guestbook.blueprints`` registers the
duplicate finder here; with none registered (a bare test app) there is simply no hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import gettext, lazy_gettext
from guestbook.security import role_at_least

# guest id, masked (the role sees contacts masked) -> [{"guest_id", "score", "reasons"}, ...]
LookalikeFinder = Callable[[int, bool], list[dict[str, Any]]]

_finders: list[LookalikeFinder] = []


def register_lookalike_finder(finder: LookalikeFinder) -> None:
    """Use ``finder`` for the hint (registering again replaces it: one finder per process)."""
    _finders[:] = [finder]


def find_lookalikes(guest_id: int, masked: bool = False) -> list[dict[str, Any]]:
    """Guests that may be the same person as ``guest_id``, best first; [] when no finder is registered.

    ``masked``: the asking role sees contacts masked, so the finder compares names and birthdays only.
    """
    if not _finders:
        return []
    return _finders[0](guest_id, masked)


# The finder's reason codes (stable English, as the API sends them) in the viewer's language.
REASON_LABELS: dict[str, Any] = {
    "same email": lazy_gettext("same e-mail"),
    "same phone": lazy_gettext("same phone"),
    "same name": lazy_gettext("same name"),
    "similar name": lazy_gettext("similar name"),
    "same birthday": lazy_gettext("same birthday"),
    "same address": lazy_gettext("same address"),
}


def api_lookalikes(guest_id: int, role: str) -> list[dict[str, Any]]:
    """The ``possible_duplicates`` of a created guest in the API: ``guest_id``, ``score``, ``reasons``."""
    return find_lookalikes(guest_id, masked=not role_at_least(role, "concierge"))


def hint_for(guest_id: int, role: str) -> Markup | None:
    """The web hint after creating a guest: "Might be the same as Somchai Jaidee (same phone) — review".

    Admins get a link to the side-by-side page; other roles see the hint only (the review is an admin's).
    """
    found = api_lookalikes(guest_id, role)
    if not found:
        return None
    best = found[0]
    other = db.session.get(Guest, best["guest_id"])
    if other is None:
        return None
    reasons = ", ".join(str(REASON_LABELS.get(r, r)) for r in best["reasons"])
    text = gettext("Might be the same as %(name)s (%(reasons)s)", name=other.full_name, reasons=reasons)
    if not role_at_least(role, "admin"):
        return Markup("{}.").format(text)
    low, high = sorted((guest_id, other.id))
    return Markup('{} — <a href="{}">{}</a>').format(text, f"/data/duplicates/{low}/{high}", gettext("review"))
