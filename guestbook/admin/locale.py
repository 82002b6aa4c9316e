"""Which language a request is served in: the account's own, else the browser's, else the property's."""

from __future__ import annotations

from flask import g, has_app_context, has_request_context, request
from flask_login import current_user

from guestbook.admin.settings import get_setting
from guestbook.i18n import DEFAULT_LANGUAGE, LANGUAGES, best_language, normalise_language


def property_language() -> str:
    """The property's default staff language (setting ``ui_default_language``)."""
    return normalise_language(get_setting("ui_default_language")) or DEFAULT_LANGUAGE


def nightly_language() -> str:
    """The language of the nightly printed briefing (setting ``briefing_print_language``, else the property's)."""
    return normalise_language(get_setting("briefing_print_language")) or property_language()


def buddhist_year() -> bool:
    """Thai dates count years in the Buddhist era (2569) rather than the Gregorian (2026).

    Read once per request (a page formats many dates); outside a request, every time."""
    if not has_app_context():
        return bool(get_setting("thai_buddhist_year"))
    cached: bool | None = g.get("_buddhist_year")
    if cached is None:
        cached = g._buddhist_year = bool(get_setting("thai_buddhist_year"))
    return cached


def select_locale() -> str:
    """Flask-Babel's locale selector.

    The JSON API and the command line speak English (other systems read them); a signed-in member of
    staff sees their account's language; the sign-in page follows ``Accept-Language`` among the shipped
    languages, else the property's default.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated:
        language = getattr(current_user, "language", None)
        if language in LANGUAGES:
            return str(language)
    return best_language(request.accept_languages) or property_language()
