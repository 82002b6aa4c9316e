"""Validation pieces every domain's schemas share: field errors for forms and API bodies, one-of, language tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import ValidationError

from guestbook.i18n import gettext, lazy_gettext
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
    """Flatten pydantic errors to ``{"field.path": "message"}`` for API bodies and forms."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = gettext("unknown field")
        errors.setdefault(loc, message)
    return errors
