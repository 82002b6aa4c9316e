"""Line breaking for mixed-script text: per-script font runs, wrapped on spaces and between CJK characters.

Shared by the briefing and the letters. Output is a list of lines, each a list of ``(font, text)``
runs no wider than the given width; ReportLab's Paragraph is not involved (it is several times
slower for thousands of short blocks). Line-breaking courtesy for Chinese and Japanese (kinsoku) is
kept, and a word longer than the line is broken between characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics

from guestbook.pdf.fonts import CJK, HANGUL, runs

_CJK_FONTS = frozenset((CJK, HANGUL))
_SPACE_SPLIT = re.compile(r"(\s+)")
# Line-breaking courtesy (kinsoku): never start a line with closing punctuation or small kana,
# never end one with an opening bracket.
_NO_BREAK_BEFORE = frozenset(
    "、。，．・：；？！）」』】〉》〕］｝ーゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:!?)]}%"
)
_NO_BREAK_AFTER = frozenset("（「『【〈《〔［｛([{")


@dataclass
class _Word:
    """An unbreakable stretch of text (one or more font runs) and the space before it, if any."""

    runs: list[tuple[str, str]] = field(default_factory=list)
    width: float = 0.0
    space_font: str | None = None
    space_width: float = 0.0


@lru_cache(maxsize=65536)
def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in one font (cached: letters repeat the same words thousands of times)."""
    return float(pdfmetrics.stringWidth(text, font, size))


def _words(segments: Sequence[tuple[str, bool]], size: float) -> list[_Word]:
    """Split a paragraph into words: break at whitespace, and between CJK characters (kinsoku aside)."""
    words: list[_Word] = []
    current: _Word | None = None
    space: str | None = None  # font of the whitespace seen since the last token
    last_cjk = False
    last_char = ""
    for segment, bold in segments:
        for font, part in runs(segment, bold):
            cjk = font in _CJK_FONTS
            chunks = [ch for ch in part] if cjk else _SPACE_SPLIT.split(part)
            for chunk in chunks:
                if not chunk:
                    continue
                if chunk.isspace():
                    space = font
                    continue
                breakable = space is not None or current is None or cjk or last_cjk
                if breakable and (chunk[0] in _NO_BREAK_BEFORE or last_char in _NO_BREAK_AFTER) and space is None:
                    breakable = current is None
                if breakable:
                    current = _Word()
                    if space is not None and words:
                        current.space_font = space
                        current.space_width = text_width(" ", space, size)
                    words.append(current)
                assert current is not None
                if current.runs and current.runs[-1][0] == font:
                    current.runs[-1] = (font, current.runs[-1][1] + chunk)
                else:
                    current.runs.append((font, chunk))
                current.width += text_width(chunk, font, size)
                space = None
                last_cjk = cjk
                last_char = chunk[-1]
    return words


class _LineBuilder:
    """Greedy line filling; consecutive text in one font is merged into one run."""

    def __init__(self, width: float) -> None:
        self.max = width + 0.01
        self.lines: list[list[tuple[str, str]]] = []
        self.line: list[tuple[str, str]] = []
        self.used = 0.0

    def add(self, font: str, text: str, width: float) -> None:
        if self.line and self.line[-1][0] == font:
            self.line[-1] = (font, self.line[-1][1] + text)
        else:
            self.line.append((font, text))
        self.used += width

    def flush(self) -> None:
        if self.line:
            self.lines.append(self.line)
        self.line, self.used = [], 0.0

    def word(self, word: _Word, size: float) -> None:
        glue = word.space_width if self.line and word.space_font else 0.0
        if self.line and self.used + glue + word.width > self.max:
            self.flush()
            glue = 0.0
        if glue and word.space_font:
            self.add(word.space_font, " ", glue)
        if word.width <= self.max:
            for font, text in word.runs:
                self.add(font, text, text_width(text, font, size) if len(word.runs) > 1 else word.width)
            return
        for font, text in word.runs:  # longer than the column: break between characters
            for ch in _clusters(text):
                w = text_width(ch, font, size)
                if self.line and self.used + w > self.max:
                    self.flush()
                self.add(font, ch, w)


def _clusters(text: str) -> list[str]:
    """``text`` as base characters each with the combining marks that follow it (Thai vowels and tone
    marks, accents): a forced break never leaves a mark at the start of a line."""
    clusters: list[str] = []
    for ch in text:
        if clusters and unicodedata.category(ch) in ("Mn", "Me"):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def wrap(segments: Sequence[tuple[str, bool]], size: float, width: float) -> list[list[tuple[str, str]]]:
    """A paragraph of ``(text, bold)`` segments as lines of ``(font, text)`` runs no wider than ``width``."""
    builder = _LineBuilder(width)
    for word in _words(segments, size):
        builder.word(word, size)
    builder.flush()
    return builder.lines or [[]]


def wrap_text(text: str, size: float, width: float, bold: bool = False) -> list[list[tuple[str, str]]]:
    """Plain text, where every newline starts a new line, wrapped as ``wrap`` does."""
    lines: list[list[tuple[str, str]]] = []
    for raw in text.split("\n"):
        lines.extend(wrap([(raw, bold)], size, width))
    return lines
