"""Free text from outside (API bodies, imports, forms): control characters are refused, all real text kept.

Refused: the C0 controls except tab, line feed and carriage return (CR comes with the LF of a CRLF
line end), DEL, the C1 controls (U+0080-U+009F) and lone surrogates (not text, and SQLite cannot
store them as UTF-8). Kept: every script, emoji, and the bidirectional marks of right-to-left text
(U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which are format characters, not controls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import BeforeValidator, Field

from guestbook.i18n import gettext, lazy_gettext, ngettext

CONTROL_CLASS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
_CONTROL = re.compile(f"[{CONTROL_CLASS}\ud800-\udfff]")
# What str.strip() removes, less the controls already refused: a "blank" value is made only of these.
SPACE_CLASS = r"\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# JSON Schema patterns (the same text works in Python, ECMA-262 and Rust regular expressions).
NO_CONTROL_PATTERN = f"^[^{CONTROL_CLASS}]*$"
NOT_BLANK_PATTERN = f"^[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{SPACE_CLASS}][^{CONTROL_CLASS}]*$"


def find_control_char(value: str) -> str | None:
    """The first refused character of ``value`` as ``U+XXXX``, or None when the text is clean."""
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def blank_control_chars(value: str) -> str:
    """``value`` with every refused character replaced by a space (for text that is read, not stored)."""
    return _CONTROL.sub(" ", value)


def reject_control_chars(value: str) -> str:
    """``value`` unchanged, or ValueError naming the first control character in it."""
    bad = find_control_char(value)
    if bad is not None:
        raise ValueError(gettext("control characters are not allowed (found %(char)s)", char=bad))
    return value


def padded(core: str, required: bool) -> str:
    """A JSON Schema pattern: ``core`` (or nothing, unless required) with optional spaces either side."""
    return f"^[{SPACE_CLASS}]*(?:{core}){'' if required else '?'}[{SPACE_CLASS}]*$"


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """Field metadata for free text: ``Annotated[str, Text(120)]``, ``Text(120, required=True)``.

    The text is checked as sent, before whitespace is stripped, so the document's maxLength and
    pattern say exactly what is accepted. ``required``: something besides spaces. ``core``: a regular
    expression the stripped text must match in full (e.g. a language tag), with ``message`` when not.
    """

    max_length: int
    required: bool = False
    core: str | None = None
    message: Any = None  # a lazy message (shown in the reader's language); default: "not in the expected format"

    def __iter__(self) -> Iterator[Any]:
        limit, core = self.max_length, self.core
        message = self.message if self.message is not None else lazy_gettext("not in the expected format")
        compiled = re.compile(core) if core else None

        def check(value: Any) -> Any:
            if isinstance(value, str):
                reject_control_chars(value)
                if len(value) > limit:
                    raise ValueError(ngettext("at most %(num)d character", "at most %(num)d characters", limit))
                stripped = value.strip()
                if compiled is not None and stripped and not compiled.fullmatch(stripped):
                    raise ValueError(str(message))
            return value

        plain = NOT_BLANK_PATTERN if self.required else NO_CONTROL_PATTERN
        pattern = padded(core, self.required) if core else plain
        yield BeforeValidator(check)
        yield Field(min_length=1 if self.required else None, max_length=limit, json_schema_extra={"pattern": pattern})


def spreadsheet_safe(value: object) -> str:
    """A cell for a CSV or XLSX export that a spreadsheet will not run as a formula (``=``, ``+``, ``-``, ``@``…)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
