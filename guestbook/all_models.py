"""Every model of every domain, imported in one place so Alembic and the mapper see every table."""

from guestbook.admin.models import OUTLET_KINDS, Outlet, Property, Setting
from guestbook.audit import AuditEvent
from guestbook.briefing.models import BRIEFING_TRIGGERS, BriefingArchive, BriefingRead, BriefingSubscription
from guestbook.guests.models import (
    ALLERGY_SEVERITIES,
    PREFERENCE_CATEGORIES,
    PREFERENCE_SOURCES,
    Allergy,
    ContactSuggestion,
    Guest,
    GuestNote,
    GuestPhoto,
    Preference,
    Tag,
    Visit,
)
from guestbook.guests.search_models import GuestSearchKey, GuestToken, SearchRateWindow, SearchVocabVariant
from guestbook.letters.models import (
    KIND_FAMILY,
    LETTER_KINDS,
    LETTER_STATUSES,
    SKIP_REASONS,
    GuestAddressFlag,
    Letter,
    LetterBatch,
    LetterTemplate,
)
from guestbook.models.base import UTCDateTime, utcnow
from guestbook.reservations.models import (
    MATCH_OUTCOMES,
    POSSIBLE_MATCH_STATUSES,
    RESERVATION_STATUSES,
    ImportMapping,
    PossibleMatch,
    Reservation,
)
from guestbook.security import ROLES
from guestbook.staff.models import ApiKey, StaffUser

__all__ = [
    "ALLERGY_SEVERITIES",
    "BRIEFING_TRIGGERS",
    "KIND_FAMILY",
    "LETTER_KINDS",
    "LETTER_STATUSES",
    "MATCH_OUTCOMES",
    "OUTLET_KINDS",
    "POSSIBLE_MATCH_STATUSES",
    "PREFERENCE_CATEGORIES",
    "PREFERENCE_SOURCES",
    "RESERVATION_STATUSES",
    "ROLES",
    "SKIP_REASONS",
    "Allergy",
    "ApiKey",
    "AuditEvent",
    "BriefingArchive",
    "BriefingRead",
    "BriefingSubscription",
    "ContactSuggestion",
    "Guest",
    "GuestAddressFlag",
    "GuestNote",
    "GuestPhoto",
    "GuestSearchKey",
    "GuestToken",
    "ImportMapping",
    "Letter",
    "LetterBatch",
    "LetterTemplate",
    "Outlet",
    "PossibleMatch",
    "Preference",
    "Property",
    "Reservation",
    "SearchRateWindow",
    "SearchVocabVariant",
    "Setting",
    "StaffUser",
    "Tag",
    "UTCDateTime",
    "Visit",
    "utcnow",
]
