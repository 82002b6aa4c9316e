"""Every model of every domain, imported in one place so Alembic and the mapper see every table."""

from guestbook.admin.models import OUTLET_KINDS, Outlet, Property, Setting
from guestbook.audit import AuditEvent
from guestbook.briefing.models import BRIEFING_TRIGGERS, BriefingArchive, BriefingRead, BriefingSubscription
from guestbook.data.models import (
    DuplicatePair,
    Erasure,
    GuestMerge,
    GuestSourceRef,
    ImportRun,
    ImportSource,
    MergedGuest,
    NotDuplicate,
)
from guestbook.guests.models import (
    ALLERGY_SEVERITIES,
    PREFERENCE_CATEGORIES,
    PREFERENCE_SOURCES,
    Allergy,
    ContactSuggestion,
    ErasedContact,
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
from guestbook.models.cache import CacheGeneration
from guestbook.relations.models import Feedback, FeedbackNote, GuestRelationship
from guestbook.reservations.models import (
    MATCH_OUTCOMES,
    POSSIBLE_MATCH_STATUSES,
    RESERVATION_STATUSES,
    ImportMapping,
    PossibleMatch,
    Reservation,
)
from guestbook.security import ROLES
from guestbook.segments.models import (
    INFLUENCE_KINDS,
    GuestSegment,
    SegmentModelRun,
    SegmentOverride,
    SegmentSummary,
)
from guestbook.staff.models import ApiKey, StaffUser

__all__ = [
    "ALLERGY_SEVERITIES",
    "BRIEFING_TRIGGERS",
    "INFLUENCE_KINDS",
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
    "CacheGeneration",
    "ContactSuggestion",
    "DuplicatePair",
    "ErasedContact",
    "Erasure",
    "Feedback",
    "FeedbackNote",
    "Guest",
    "GuestAddressFlag",
    "GuestMerge",
    "GuestNote",
    "GuestPhoto",
    "GuestRelationship",
    "GuestSearchKey",
    "GuestSegment",
    "GuestSourceRef",
    "GuestToken",
    "ImportMapping",
    "ImportRun",
    "ImportSource",
    "Letter",
    "LetterBatch",
    "LetterTemplate",
    "MergedGuest",
    "NotDuplicate",
    "Outlet",
    "PossibleMatch",
    "Preference",
    "Property",
    "Reservation",
    "SearchRateWindow",
    "SearchVocabVariant",
    "SegmentModelRun",
    "SegmentOverride",
    "SegmentSummary",
    "Setting",
    "StaffUser",
    "Tag",
    "UTCDateTime",
    "Visit",
    "utcnow",
]
