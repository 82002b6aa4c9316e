"""Validation pieces every domain's schemas share: field errors for forms and API bodies, one-of, language tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import ValidationError

from guestbook.i18n import DEFAULT_LANGUAGE, current_language, gettext, lazy_gettext, ngettext
from guestbook.text import Text

LANGUAGE_CORE = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
# Lazy: the rule raises it at validation time, in the viewer's language (the API's is always English).
LANGUAGE_HELP = lazy_gettext("use a BCP-47 language tag such as en, th, zh-Hans or ja")
Language = Annotated[str, Text(35, core=LANGUAGE_CORE, message=LANGUAGE_HELP)]


def one_of(value: str, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``; else the error message that lists them."""
    if value not in allowed:
        raise ValueError(gettext("one of %(values)s", values=", ".join(allowed)))
    return value


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Flatten pydantic errors to ``{"field.path": "message"}`` for API bodies and forms.

    Our own checks raise messages already in the reader's language. Pydantic's built-in messages are
    English only: the API keeps them word for word, and a screen in another language shows the same
    meaning from our catalogs (the messages WTForms uses for the same mistakes).
    """
    errors: dict[str, str] = {}
    english = current_language() == DEFAULT_LANGUAGE
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = gettext("unknown field")
        elif not english:
            message = _translated(err["type"], err.get("ctx") or {}) or message
        errors.setdefault(loc, message)
    return errors


def _translated(kind: str, ctx: dict[str, Any]) -> str | None:
    """Pydantic's error ``kind`` in the reader's language, or None when we have no wording for it."""
    if kind == "missing":
        return gettext("This field is required.")
    if kind == "string_too_short":
        shortest = int(ctx.get("min_length", 1))
        return ngettext(
            "Field must be at least %(min)d character long.",
            "Field must be at least %(min)d characters long.",
            shortest,
            min=shortest,
        )
    if kind == "string_too_long":
        longest = int(ctx.get("max_length", 0))
        return ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            longest,
            max=longest,
        )
    if kind in ("greater_than_equal", "greater_than"):
        return gettext("Number must be at least %(min)s.", min=ctx.get("ge", ctx.get("gt", "")))
    if kind in ("less_than_equal", "less_than"):
        return gettext("Number must be at most %(max)s.", max=ctx.get("le", ctx.get("lt", "")))
    simple = {
        "int_parsing": "Not a valid integer value.",
        "int_type": "Not a valid integer value.",
        "int_from_float": "Not a valid integer value.",
        "decimal_parsing": "Not a valid decimal value.",
        "float_parsing": "Not a valid float value.",
        "date_parsing": "Not a valid date value.",
        "date_from_datetime_parsing": "Not a valid date value.",
        "datetime_parsing": "Not a valid datetime value.",
        "datetime_from_date_parsing": "Not a valid datetime value.",
        "time_parsing": "Not a valid time value.",
        "literal_error": "Not a valid choice.",
        "enum": "Not a valid choice.",
    }
    # The same sentences WTForms shows (guestbook.forms.WTFORMS_MESSAGES carries them into the catalogs).
    return gettext(simple[kind]) if kind in simple else None
