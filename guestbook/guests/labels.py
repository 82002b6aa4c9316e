"""Screen labels of the guest domain's stored codes, in the viewer's language (the codes themselves never change).

Templates reach them through ``guest_label(kind, code)`` (a template global registered by the guest
views); forms use the mappings for their choices. A code without a label is shown as it is.
"""

from __future__ import annotations

from typing import Any

from guestbook.i18n import code_label, lazy_gettext, ngettext

SEVERITIES: dict[str, Any] = {
    "intolerance": lazy_gettext("Intolerance"),
    "mild": lazy_gettext("Mild"),
    "severe": lazy_gettext("Severe"),
    "anaphylaxis": lazy_gettext("Anaphylaxis"),
    "dietary": lazy_gettext("Dietary"),
}

PREFERENCE_CATEGORIES: dict[str, Any] = {
    "seating": lazy_gettext("Seating"),
    "food": lazy_gettext("Food"),
    "drink": lazy_gettext("Drink"),
    "diet": lazy_gettext("Diet"),
    "room": lazy_gettext("Room"),
    "amenity": lazy_gettext("Amenity"),
    "service": lazy_gettext("Service"),
    "other": lazy_gettext("Other"),
}

# Who entered a preference: the choices of the preference form ...
PREFERENCE_SOURCES: dict[str, Any] = {
    "stated": lazy_gettext("Stated by the guest"),
    "observed": lazy_gettext("Observed by staff"),
}
# ... and the small print after a recorded preference on the card.
PREFERENCE_SOURCE_NOTES: dict[str, Any] = {
    "stated": lazy_gettext("stated by guest"),
    "observed": lazy_gettext("observed by staff"),
    "derived": lazy_gettext("derived"),
}

# Where a usual seat came from (the card's "Their usual" panel).
SEAT_SOURCES: dict[str, Any] = {
    "stated": lazy_gettext("stated by the guest"),
    "observed": lazy_gettext("observed by staff"),
}

# A booking's status on the card's "Booked today" list.
RESERVATION_STATUSES: dict[str, Any] = {
    "booked": lazy_gettext("Booked"),
    "arrived": lazy_gettext("Arrived"),
    "cancelled": lazy_gettext("Cancelled"),
    "no-show": lazy_gettext("No-show"),
}

# Profile fields by name, as the edit page's conflict display names them.
FIELD_NAMES: dict[str, Any] = {
    "salutation": lazy_gettext("salutation"),
    "given_name": lazy_gettext("given name"),
    "family_name": lazy_gettext("family name"),
    "preferred_name": lazy_gettext("preferred name"),
    "pronunciation": lazy_gettext("pronunciation"),
    "language": lazy_gettext("language"),
    "email": lazy_gettext("email"),
    "phone": lazy_gettext("phone"),
    "company": lazy_gettext("company"),
    "birthday": lazy_gettext("birthday"),
    "anniversary": lazy_gettext("anniversary"),
    "vip_level": lazy_gettext("VIP level"),
    "marketing_consent": lazy_gettext("agrees to letters and offers"),
    "do_not_contact": lazy_gettext("do not contact"),
    "notes": lazy_gettext("notes"),
    "address_line1": lazy_gettext("address line 1"),
    "address_line2": lazy_gettext("address line 2"),
    "address_city": lazy_gettext("city"),
    "address_region": lazy_gettext("region"),
    "address_postal_code": lazy_gettext("postal code"),
    "address_country": lazy_gettext("country"),
}

# Influence that spend does not show (set by a manager with a tier override; the segments domain stores it).
INFLUENCE: dict[str, Any] = {
    "press": lazy_gettext("Press"),
    "critic": lazy_gettext("Critic"),
    "official": lazy_gettext("Official"),
    "travel_trade": lazy_gettext("Travel trade"),
    "community": lazy_gettext("Community"),
    "other": lazy_gettext("Other influence"),
}

_KINDS: dict[str, dict[str, Any]] = {
    "severity": SEVERITIES,
    "category": PREFERENCE_CATEGORIES,
    "source": PREFERENCE_SOURCES,
    "source_note": PREFERENCE_SOURCE_NOTES,
    "seat_source": SEAT_SOURCES,
    "reservation_status": RESERVATION_STATUSES,
    "field": FIELD_NAMES,
    "influence": INFLUENCE,
}


def label(kind: str, code: str | None) -> str:
    """The label of ``code`` among the ``kind`` codes in the current language; an unknown code as it is."""
    return code_label(_KINDS.get(kind, {}), code)


def influence_label(code: str | None) -> str:
    """The influence's label in the current language ("Critic")."""
    return label("influence", code)


def attendance_parts(record: dict[str, Any]) -> list[str]:
    """The record's no-shows and late cancellations in words (nothing when there are none): the end of the
    card's line and of the printed sheet's short one."""
    parts: list[str] = []
    if record["no_shows_12m"]:
        parts.append(ngettext("%(num)d no-show", "%(num)d no-shows", record["no_shows_12m"]))
    if record["late_cancellations_12m"]:
        parts.append(
            ngettext("%(num)d late cancellation", "%(num)d late cancellations", record["late_cancellations_12m"])
        )
    return parts
