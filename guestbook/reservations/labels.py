"""What staff read for the reservation codes the screens and the printed briefing show (codes stay in data and JSON)."""

from __future__ import annotations

from typing import Any

from guestbook.guests import labels as guest_labels
from guestbook.i18n import code_label, lazy_gettext

# Reservation.status → its label on screens and sheets (the card shows the same labels).
RESERVATION_STATUS_LABELS: dict[str, Any] = guest_labels.RESERVATION_STATUSES

# Reservation.match → how the booking's guest was found (the booking form's confirmation).
MATCH_LABELS: dict[str, Any] = {
    # Translators: the booking's guest was linked to an existing profile by email or phone.
    "linked": lazy_gettext("linked"),
    # Translators: the booking's guest may be a known guest; a manager decides.
    "possible": lazy_gettext("possible"),
    # Translators: a new guest profile was made for the booking.
    "new": lazy_gettext("new"),
}


def status_label(status: str) -> str:
    """The label of a reservation status in the current language (an unknown code as it is)."""
    return code_label(RESERVATION_STATUS_LABELS, status)


def match_label(match: str) -> str:
    """The label of a match outcome in the current language (an unknown code as it is)."""
    return code_label(MATCH_LABELS, match)


def severity_text(severity: str) -> str:
    """An allergy's severity as it reads inside a line (``peanuts (anaphylaxis)``), in the current language."""
    return guest_labels.label("severity", severity).lower()
