"""Unicode fonts for ReportLab PDFs: one registration, text split into runs per script font.

ReportLab has no glyph fallback and its TTFont takes TrueType outlines only, so Guestbook ships
TrueType fonts in ``guestbook/pdf/fonts/`` (licences in ``fonts/LICENSES``) and picks a font per
character run:

* ``SANS`` / ``SANS_BOLD`` (DejaVu Sans): Latin with accents, Greek, Cyrillic, punctuation, digits;
* ``CJK`` (Droid Sans Fallback): Chinese and Japanese ideographs, hiragana, katakana, fullwidth forms;
* ``HANGUL`` (Nanum Gothic): Korean;
* ``THAI`` / ``THAI_BOLD`` (TLWG Loma): Thai (staff headings and labels in Thai, and Thai names). ReportLab
  does not shape text, and Loma's default mark positions are made for renderers that do not: tone marks
  sit clear of upper vowels (ที่, ค่ำ) where a font that relies on OpenType positioning collides.

Public API (all functions are safe to call many times; fonts are registered once per process):

* ``register_fonts() -> None`` registers the four fonts and their families (``<b>`` works).
* ``font_for_char(ch, bold=False) -> str`` the font name that has a glyph for ``ch``.
* ``runs(text, bold=False) -> list[tuple[str, str]]`` consecutive ``(font name, text)`` runs;
  spaces, digits and ASCII punctuation stay in the surrounding run.
* ``markup(text, bold=False) -> str`` Paragraph markup: XML-escaped text wrapped in
  ``<font name="...">`` runs, ready for ``Paragraph(markup(name), style)``.
* ``needs_cjk_wrap(text) -> bool`` True when the text contains CJK/kana/Hangul: give its
  ParagraphStyle ``wordWrap="CJK"`` so lines break between ideographs.
* ``fitting_size(text, size, room, minimum, bold=False) -> float`` the size at which ``text`` fits ``room``.
* ``string_width(text, size, bold=False) -> float`` and
  ``draw_string(canvas, x, y, text, size, bold=False, align="left") -> float`` for canvas text
  (headers, footers, labels) in mixed scripts; ``draw_string`` returns the drawn width.

Tip: pass ``initialFontName=SANS`` to ``BaseDocTemplate``/``SimpleDocTemplate`` (or ``Canvas``),
otherwise ReportLab names Helvetica on every page and ``pdffonts`` reports a font not embedded;
likewise give every ``TableStyle`` ``("FONTNAME", (0, 0), (-1, -1), SANS)`` (tables set their cell font).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SANS = "GB-Sans"
SANS_BOLD = "GB-Sans-Bold"
CJK = "GB-CJK"
HANGUL = "GB-Hangul"
THAI = "GB-Thai"
THAI_BOLD = "GB-Thai-Bold"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
    HANGUL: "NanumGothic.ttf",
    THAI: "Loma.ttf",
    THAI_BOLD: "Loma-Bold.ttf",
}

_lock = threading.Lock()
_cmaps: dict[str, frozenset[int]] = {}

# Characters that never start a new run: they take the font of the text around them.
_NEUTRAL = frozenset(" \t\n0123456789.,:;!?'\"()[]{}-–—/&+*#%@_=<>~|")


def register_fonts() -> None:
    """Register the shipped TrueType fonts with ReportLab once per process."""
    if _cmaps:
        return
    with _lock:
        if _cmaps:
            return
        loaded: dict[str, frozenset[int]] = {}
        for name, filename in _FILES.items():
            font = TTFont(name, str(FONT_DIR / filename))
            pdfmetrics.registerFont(font)
            loaded[name] = frozenset(font.face.charToGlyph)
        pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
        pdfmetrics.registerFontFamily(THAI, normal=THAI, bold=THAI_BOLD, italic=THAI, boldItalic=THAI_BOLD)
        for name in (SANS_BOLD, THAI_BOLD, CJK, HANGUL):
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        _cmaps.update(loaded)


def _is_hangul(code: int) -> bool:
    """Hangul syllables, jamo and compatibility jamo."""
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xA960 <= code <= 0xA97F


def _is_thai(code: int) -> bool:
    """The Thai block."""
    return 0x0E00 <= code <= 0x0E7F


def _is_cjk(code: int) -> bool:
    """CJK ideographs, kana, CJK punctuation and fullwidth forms."""
    return (
        0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3190 <= code <= 0x31FF  # kanbun, bopomofo ext, katakana ext
        or 0x3400 <= code <= 0x4DBF  # ext A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # half/fullwidth forms
        or 0x20000 <= code <= 0x2FA1F  # supplementary ideographs
    )


@lru_cache(maxsize=8192)
def font_for_char(ch: str, bold: bool = False) -> str:
    """Return the registered font name that should draw ``ch``."""
    register_fonts()
    code = ord(ch)
    latin = SANS_BOLD if bold else SANS
    if _is_thai(code):
        return THAI_BOLD if bold else THAI
    if _is_hangul(code):
        return HANGUL
    if _is_cjk(code):
        return CJK
    if code in _cmaps[latin]:
        return latin
    for name in (THAI, CJK, HANGUL):
        if code in _cmaps[name]:
            return name
    return latin


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` into consecutive ``(font name, text)`` runs."""
    result: list[tuple[str, list[str]]] = []
    pending: list[str] = []  # neutral characters before the first real run
    for ch in text:
        if ch in _NEUTRAL:
            # Droid Sans Fallback has no ASCII digits or punctuation: only keep what the run's font can draw.
            if result and ord(ch) in _cmaps[result[-1][0]]:
                result[-1][1].append(ch)
                continue
            if not result:
                pending.append(ch)
                continue
        font = font_for_char(ch, bold)
        if result and result[-1][0] == font:
            result[-1][1].append(ch)
        else:
            if pending and any(ord(p) not in _cmaps[font] for p in pending):
                result.append((SANS_BOLD if bold else SANS, pending))
                pending = []
            result.append((font, [*pending, ch]))
            pending = []
    if pending:
        result.append((SANS_BOLD if bold else SANS, pending))
    return [(font, "".join(chars)) for font, chars in result]


def markup(text: str, bold: bool = False) -> str:
    """Return XML-escaped Paragraph markup with one ``<font name=...>`` element per run."""
    return "".join(f'<font name="{font}">{escape(part)}</font>' for font, part in runs(text, bold))


def needs_cjk_wrap(text: str) -> bool:
    """Tell whether a paragraph of ``text`` needs ``wordWrap='CJK'`` to break lines."""
    return any(_is_cjk(ord(ch)) or _is_hangul(ord(ch)) for ch in text)


def string_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of ``text`` drawn in mixed fonts at ``size``."""
    return float(sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text, bold)))


def fitting_size(text: str, size: float, room: float, minimum: float, bold: bool = False) -> float:
    """``size``, or smaller (not under ``minimum``) so that ``text`` fits ``room`` points: a longer translation
    shrinks to its cell rather than running into the next one or breaking a Thai word in the middle."""
    wide = string_width(text, size, bold)
    if wide <= room or room <= 0:
        return size
    return max(minimum, size * room / wide)


def draw_string(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    size: float,
    bold: bool = False,
    align: Literal["left", "right", "centre"] = "left",
) -> float:
    """Draw mixed-script ``text`` on a ReportLab canvas at ``(x, y)``; return its width."""
    width = string_width(text, size, bold)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for font, part in runs(text, bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)
    return width
