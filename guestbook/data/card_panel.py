"""The card's folded "Who looked at this guest" panel: a template global the data domain gives the card.

The guests domain cannot import this one (layers), so the card includes ``data/_access_log.html`` and
this module, wired in by blueprints.py, supplies its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

from guestbook.data import access_log
from guestbook.i18n import lazy_gettext
from guestbook.security import role_at_least
from guestbook.staff.access import current_actor

# What staff read for the actions a guest's log holds; an action not named here is shown as recorded.
ACTION_LABELS: dict[str, Any] = {
    "guest_view": lazy_gettext("Viewed"),
    "guest_create": lazy_gettext("Created"),
    "guest_edit": lazy_gettext("Edited"),
    "guest_tags": lazy_gettext("Tags changed"),
    "visit_log": lazy_gettext("Visit logged"),
    "note_add": lazy_gettext("Note added"),
    "preference_add": lazy_gettext("Preference added"),
    "allergy_add": lazy_gettext("Allergy added"),
    "photo_upload": lazy_gettext("Photo taken"),
    "photo_delete": lazy_gettext("Photo deleted"),
    "photo_consent": lazy_gettext("Photo consent given"),
    "photo_consent_withdrawn": lazy_gettext("Photo consent withdrawn"),
    "briefing_view": lazy_gettext("On a briefing viewed"),
    "briefing_export": lazy_gettext("On a briefing printed"),
    "briefing_archive": lazy_gettext("On an archived briefing"),
    "letter_export": lazy_gettext("Letter exported"),
    "letter_returned": lazy_gettext("Letter returned"),
    "access_log_view": lazy_gettext("Access log read"),
    "guest_merge": lazy_gettext("Merged"),
    "guest_merge_undo": lazy_gettext("Merge undone"),
    "guest_export": lazy_gettext("Data exported"),
    "guest_export_pdf": lazy_gettext("Data exported as PDF"),
    "guest_erase": lazy_gettext("Erased"),
    "duplicate_reject": lazy_gettext("Marked not the same person"),
    "tier_override": lazy_gettext("Tier set by hand"),
    "tier_override_removed": lazy_gettext("Hand-set tier removed"),
    "contact_suggest": lazy_gettext("Contact suggested"),
    "contact_suggestion_accept": lazy_gettext("Contact suggestion accepted"),
}
DEVICE_LABELS: dict[str, Any] = {
    "web": lazy_gettext("Web"),
    "api": lazy_gettext("API"),
    "system": lazy_gettext("System"),
}


@dataclass(frozen=True)
class PanelLine:
    """One line of the panel, ready to show."""

    at: datetime
    who: str
    action: str
    device: str
    address: str


def access_log_for(guest_id: int) -> list[PanelLine]:
    """The guest's last accesses for the card; empty for roles below manager (the template asks too)."""
    if not role_at_least(current_actor().role, "manager"):
        return []
    try:
        entries = access_log.entries_for_guest(guest_id, limit=access_log.CARD_LIMIT)
    except access_log.GuestNotFound:
        return []
    return [
        PanelLine(
            at=e.at,
            who=e.who,
            action=str(ACTION_LABELS.get(e.action, e.action)),
            device=str(DEVICE_LABELS.get(e.device, e.device)),
            address=e.address,
        )
        for e in entries
    ]


def register_card_panel(app: Flask) -> None:
    """Give the card's templates ``access_log_for(guest_id)``."""
    app.add_template_global(access_log_for, "access_log_for")
