"""The data export as a readable PDF: plain data in (``privacy.collect_export``'s dict), PDF bytes out.

Text goes through the shared toolkit (``guestbook.pdf``): per-script font runs (DejaVu Sans, Droid Sans
Fallback for Chinese and Japanese, Nanum Gothic for Korean, Loma for Thai) and its line breaking, so a
name in any of them is drawn, embedded and searchable. No models, no database (an import-linter contract).
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from guestbook.i18n import gettext
from guestbook.pdf.fonts import SANS, register_fonts
from guestbook.pdf.textlayout import wrap_text

MARGIN = 48.0
BODY = 9.0
HEAD = 12.0
TITLE = 16.0


def _section_titles() -> dict[str, str]:
    return {
        "profile": gettext("Profile"),
        "allergies": gettext("Allergies"),
        "preferences": gettext("Preferences"),
        "notes": gettext("Notes"),
        "tags": gettext("Tags"),
        "photo": gettext("Photo"),
        "visits": gettext("Visits"),
        "letters": gettext("Letters"),
        "reservations": gettext("Reservations"),
        "contact_suggestions": gettext("Contact suggestions"),
        "source_refs": gettext("Imported from"),
        "possible_matches": gettext("Possible matches"),
        "duplicate_pairs": gettext("Possible duplicates"),
        "not_duplicates": gettext("Not the same person"),
        "merges": gettext("Merges"),
        "erasures": gettext("Erasures"),
        "access_log": gettext("Access log"),
        "other": gettext("Other records"),
    }


def _display(value: Any, tz: tzinfo | None) -> str:
    """A value as a reader wants it: local date-times, lists joined, booleans as yes/no."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return "; ".join(_display(v, tz) for v in value if _display(v, tz))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_display(v, tz)}" for k, v in value.items() if _display(v, tz))
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None and tz is not None:
            moment = moment.astimezone(tz)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _label(key: str) -> str:
    return key.replace("_", " ")


def _fields(item: dict[str, Any], tz: tzinfo | None) -> str:
    """One row as ``key: value · key: value`` (empty values left out)."""
    parts = []
    for key, value in item.items():
        shown = _display(value, tz)
        if shown:
            parts.append(f"{_label(key)}: {shown}")
    return " · ".join(parts)


class _Writer:
    """Lines of mixed-script text down A4 or Letter pages, with a page footer."""

    def __init__(self, out: io.BytesIO, paper: str, footer: str) -> None:
        self.size = LETTER if paper.upper() in ("LETTER", "US_LETTER", "US-LETTER") else A4
        self.canvas = Canvas(out, pagesize=self.size, pageCompression=1, initialFontName=SANS)
        self.footer = footer
        self.page = 1
        self.y = self.size[1] - MARGIN
        self.width = self.size[0] - 2 * MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN + 14:
            self._footer()
            self.canvas.showPage()
            self.page += 1
            self.y = self.size[1] - MARGIN

    def _footer(self) -> None:
        self._draw_runs([(SANS, f"{self.footer} · {self.page}")], MARGIN, MARGIN - 8, 7)

    def _draw_runs(self, runs: list[tuple[str, str]], x: float, y: float, size: float) -> None:
        for font, part in runs:
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, y, part)
            x += pdfmetrics.stringWidth(part, font, size)

    def text(self, value: str, size: float = BODY, bold: bool = False, indent: float = 0.0, after: float = 2.0) -> None:
        """Wrapped text (newlines kept), on as many lines and pages as it needs."""
        leading = size * 1.35
        for line in wrap_text(value, size, self.width - indent, bold=bold):
            self._room(leading)
            self.y -= leading
            self._draw_runs(line, MARGIN + indent, self.y + size * 0.3, size)
        self.y -= after

    def gap(self, points: float) -> None:
        self.y -= points

    def finish(self) -> None:
        self._footer()
        self.canvas.save()


def render_export(data: dict[str, Any], *, paper: str = "A4", tz: tzinfo | None = None) -> bytes:
    """The export dict as a PDF: a title, then each section, its rows one paragraph each."""
    register_fonts()
    out = io.BytesIO()
    guest_id = data.get("guest_id")
    title = gettext("Data held about guest #%(id)s", id=guest_id)
    writer = _Writer(out, paper, title)
    writer.canvas.setTitle(title)
    profile: dict[str, Any] = data.get("profile") or {}
    name = " ".join(str(profile.get(key) or "") for key in ("given_name", "family_name") if profile.get(key)) or str(
        profile.get("preferred_name") or ""
    )
    writer.text(title, TITLE, bold=True, after=4)
    if name:
        writer.text(name, HEAD, bold=True, after=4)
    writer.text(gettext("Exported at %(when)s", when=_display(data.get("exported_at"), tz)), BODY, after=8)
    for key, heading in _section_titles().items():
        section = data.get(key)
        writer.gap(6)
        writer.text(heading, HEAD, bold=True, after=4)
        if key == "other" and isinstance(section, dict):
            if not section:
                writer.text(gettext("Nothing held."), BODY)
            for table, table_rows in section.items():
                writer.text(_label(table), BODY, bold=True, indent=8)
                for row in table_rows if isinstance(table_rows, list) else []:
                    writer.text(_fields(row, tz) or "—", BODY, indent=16, after=3)
            continue
        if isinstance(section, dict):
            lines = [(k, _display(v, tz)) for k, v in section.items()]
            shown = [(k, v) for k, v in lines if v]
            if not shown:
                writer.text(gettext("Nothing held."), BODY)
            for field, value in shown:
                writer.text(f"{_label(field)}: {value}", BODY, indent=8)
            continue
        rows = section if isinstance(section, list) else []
        if not rows:
            writer.text(gettext("Nothing held."), BODY)
        for row in rows:
            text = _fields(row, tz) if isinstance(row, dict) else _display(row, tz)
            writer.text(text or "—", BODY, indent=8, after=3)
    writer.finish()
    return out.getvalue()
