"""The default letter templates shipped with Guestbook, per kind and language (staff may save their own).

Each default is a file, ``default_templates/<language>/<kind>.j2``, holding the four editable parts
under ``{# subject #}``, ``{# greeting #}``, ``{# body #}`` and ``{# sign_off #}`` markers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

FOLDER = Path(__file__).resolve().parent / "default_templates"
LANGUAGES = ("en", "zh-Hans", "ja", "ko", "de")
KINDS = ("birthday", "we_miss_you", "birthday_we_miss_you", "thank_you", "anniversary")
_MARKER = re.compile(r"^\{# (subject|greeting|body|sign_off) #\}\n", re.MULTILINE)


class TemplateText(NamedTuple):
    """The four editable parts of a letter."""

    subject: str
    greeting: str
    body: str
    sign_off: str


def read_template_file(path: Path) -> TemplateText:
    """The four parts of one default template file (each part loses only the newline before the next marker)."""
    pieces = _MARKER.split(path.read_text(encoding="utf-8"))
    parts = dict(zip(pieces[1::2], (text.removesuffix("\n") for text in pieces[2::2]), strict=True))
    return TemplateText(parts["subject"], parts["greeting"], parts["body"], parts["sign_off"])


def _load_defaults() -> dict[str, dict[str, TemplateText]]:
    return {
        language: {kind: read_template_file(FOLDER / language / f"{kind}.j2") for kind in KINDS}
        for language in LANGUAGES
    }


DEFAULT_TEMPLATES: dict[str, dict[str, TemplateText]] = _load_defaults()
