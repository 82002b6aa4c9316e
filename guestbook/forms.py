"""The base class of every web form: Flask-WTF with its messages in the viewer's language.

WTForms translates its own messages ("This field is required.") from catalogs it ships, which have no
Thai. Every Guestbook form derives from ``Form`` instead of ``FlaskForm``: its validators read
Guestbook's catalogs, which carry WTForms' messages (``WTFORMS_MESSAGES``) next to our own.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_wtf import FlaskForm


def mark(message: str) -> str:
    """Mark a message for extraction (``scripts/i18n extract``) without translating it here."""
    return message


def mark_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction."""
    return singular, plural


# The WTForms and Flask-WTF messages our forms can show; WTForms fills the placeholders itself.
WTFORMS_MESSAGES = (
    mark("This field is required."),
    mark("Invalid email address."),
    mark("Invalid input."),
    mark("Not a valid choice."),
    mark("Not a valid integer value."),
    mark("Not a valid decimal value."),
    mark("Not a valid float value."),
    mark("Not a valid date value."),
    mark("Not a valid time value."),
    mark("Not a valid datetime value."),
    mark("Number must be at least %(min)s."),
    mark("Number must be at most %(max)s."),
    mark("Number must be between %(min)s and %(max)s."),
    mark("Field must be between %(min)d and %(max)d characters long."),
    mark("The CSRF token is missing."),
    mark("The CSRF token has expired."),
    mark("The CSRF token is invalid."),
    mark("The CSRF tokens do not match."),
    mark("The referrer header is missing."),
    mark("File does not have an approved extension."),
    mark_plural("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    mark_plural("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    mark_plural("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
)


class _Translations:
    """WTForms' translations interface over Guestbook's catalogs (no formatting: WTForms formats)."""

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


_TRANSLATIONS = _Translations()


class Form(FlaskForm):
    """A CSRF-protected form whose built-in messages follow the viewer's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS
