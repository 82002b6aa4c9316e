"""All models, importable from one place so Alembic sees every table."""

from .base import UTCDateTime, utcnow
from .guest import (
    ALLERGY_SEVERITIES,
    PREFERENCE_CATEGORIES,
    PREFERENCE_SOURCES,
    Allergy,
    Guest,
    GuestNote,
    Preference,
)
from .search import GuestSearchKey, GuestToken, SearchVocabVariant
from .settings import Setting
from .property import OUTLET_KINDS, Outlet, Property
from .staff import ROLES, ApiKey, AuditEvent, StaffUser
from .visit import Visit

__all__ = [
    "ALLERGY_SEVERITIES",
    "OUTLET_KINDS",
    "PREFERENCE_CATEGORIES",
    "PREFERENCE_SOURCES",
    "ROLES",
    "Allergy",
    "ApiKey",
    "AuditEvent",
    "Guest",
    "GuestNote",
    "GuestSearchKey",
    "GuestToken",
    "SearchVocabVariant",
    "Setting",
    "Outlet",
    "Preference",
    "Property",
    "StaffUser",
    "UTCDateTime",
    "Visit",
    "utcnow",
]
