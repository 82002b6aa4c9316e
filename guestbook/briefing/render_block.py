"""One row of a briefing PDF's table as one flowable, and the palette and text styles the sheet shares.

A row is columns of paragraphs (``Text``), highlighted boxes (``Box``) and a photo floated beside them
(``Photo``). ``ArrivalBlock`` lays them out once (text split into per-script font runs by ``pdf.fonts``, wrapped
on spaces and between CJK characters by ``pdf.textlayout``) and draws the laid-out lines straight onto the
canvas. A row that does not fit the rest of a page moves whole to the next; only a row taller than a whole
page is cut there, and its rest is headed with whose row it is. ``render_arrival`` fills the columns of an
arrival; ``render_kitchen`` those of the kitchen's allergy page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from guestbook.i18n import gettext
from guestbook.pdf import fonts, textlayout
from guestbook.pdf.palette import INK, LINE, MUTED

ALLERGY_BG = colors.HexColor("#fde8e6")
ALLERGY_INK = colors.HexColor("#a11919")
WARN_BG = colors.HexColor("#fff4d6")
WARN_LINE = colors.HexColor("#d9a400")
WELCOME_BG = colors.HexColor("#e8f3ef")

# Dense but readable: nothing under 9 pt.
BODY = ParagraphStyle("body", fontName=fonts.SANS, fontSize=9, leading=10.0, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=10.0, textColor=MUTED)
NAME = ParagraphStyle("name", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=9.5, leading=11)
TIME = ParagraphStyle("time", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=9.5, leading=10.5)
ALLERGY = ParagraphStyle(
    "allergy", parent=BODY, fontName=fonts.SANS_BOLD, textColor=ALLERGY_INK, fontSize=9, leading=10.0
)


# ----- text layout: per-script font runs, wrapped once ----------------------------------------------


@dataclass(frozen=True)
class Text:
    """A paragraph to lay out: ``(text, bold)`` segments in one size, leading and colour."""

    segments: tuple[tuple[str, bool], ...]
    size: float
    leading: float
    color: Any


@dataclass(frozen=True)
class Box:
    """Paragraphs in a highlighted box (allergies, complaints, first visit)."""

    texts: tuple[Text, ...]
    background: Any
    border: Any


def text(value: str, style: ParagraphStyle = BODY, bold: bool = False) -> Text:
    """A paragraph of plain text in mixed scripts, sized and coloured like ``style``."""
    bold = bold or style.fontName == fonts.SANS_BOLD
    return Text(((value, bold),), style.fontSize, style.leading, style.textColor)


def labelled(label: str, value: str, style: ParagraphStyle = BODY) -> Text:
    """``Label: value`` with the label in bold."""
    return Text(((label, True), (" " + value, False)), style.fontSize, style.leading, style.textColor)


@dataclass(frozen=True)
class Photo:
    """A guest's photo floated to the top right of its cell: the paragraphs beside it wrap narrower."""

    image: Any  # a reportlab ImageReader
    size: float


@dataclass(frozen=True)
class _TextLine:
    x: float
    top: float  # baseline, measured down from the top of the block
    size: float
    color: Any
    runs: list[tuple[str, str]]


@dataclass(frozen=True)
class _Rect:
    x: float
    top: float
    width: float
    height: float
    background: Any
    border: Any


PHOTO_SIZE = 12 * 72 / 25.4  # 12 mm: recognisable, and no taller than three lines of the Guest cell
PHOTO_GAP = 2.0
CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 2.5, 1.0, 1.5  # tight: the record line must not cost a page
DESCENT = 0.25  # below a text line's baseline, as a share of its size (where a cut between pages may go)
MAX_TEXT_LINES = 24  # per paragraph outside the highlighted boxes (allergies are never cut)
BOX_PAD_X, BOX_PAD_TOP, BOX_PAD_BOTTOM = 2.0, 0.5, 1.5


class ArrivalBlock(Flowable):  # type: ignore[misc]
    """One arrival: its columns laid out once in ``wrap`` and drawn as plain text lines and boxes.

    A block that does not fit the rest of the page moves whole to the next one. Only a block taller than a whole
    page (allergies are never cut: a guest with dozens of them) is cut, at that page's end (``split``).
    """

    def __init__(
        self, columns: Sequence[Sequence[Text | Box | Photo]], widths: Sequence[float], continued: str = ""
    ) -> None:
        super().__init__()
        self.columns = columns
        self.widths = list(widths)
        self.continued = continued  # heads a part continued on the next page: whose allergies these are
        self._laid_out = False
        self._lines: list[_TextLine] = []
        self._rects: list[_Rect] = []
        self._photos: list[tuple[float, float, Photo]] = []  # x, top, photo
        self.width = sum(self.widths)
        self.height = 0.0

    def _paragraph(self, paragraph: Text, x: float, top: float, width: float, max_lines: int = 0) -> float:
        """Lay out one paragraph at ``top``; return the top of what follows.

        With ``max_lines``, longer text is cut with a pointer to the card, so one huge note can never
        make an arrival taller than a page (which would stop the nightly build).
        """
        lines = textlayout.wrap(paragraph.segments, paragraph.size, width)
        if max_lines and len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], fonts.runs(gettext("… (more on the guest's card)"))]
        for n, runs in enumerate(lines):
            baseline = top + paragraph.size + n * paragraph.leading
            self._lines.append(_TextLine(x, baseline, paragraph.size, paragraph.color, runs))
        return top + paragraph.leading * len(lines)

    def _layout(self) -> None:
        x = 0.0
        height = 0.0
        for items, column_width in zip(self.columns, self.widths, strict=True):
            inner = column_width - 2 * CELL_PAD_X
            top = CELL_PAD_TOP
            float_bottom, float_width = 0.0, 0.0
            for item in items:
                if isinstance(item, Photo):
                    self._photos.append((x + column_width - CELL_PAD_X - item.size, top, item))
                    float_bottom, float_width = top + item.size, item.size + PHOTO_GAP
                    continue
                if isinstance(item, Text):
                    # A paragraph that starts beside the photo wraps in the width the photo leaves.
                    width = inner - float_width if top < float_bottom else inner
                    top = self._paragraph(item, x + CELL_PAD_X, top, width, MAX_TEXT_LINES)
                    continue
                box_top = top
                top += BOX_PAD_TOP
                for paragraph in item.texts:
                    top = self._paragraph(paragraph, x + CELL_PAD_X + BOX_PAD_X, top, inner - 2 * BOX_PAD_X)
                top += BOX_PAD_BOTTOM
                self._rects.append(_Rect(x + CELL_PAD_X, box_top, inner, top - box_top, item.background, item.border))
            height = max(height, max(top, float_bottom) + CELL_PAD_BOTTOM)
            x += column_width
        self.height = height
        self._laid_out = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._laid_out:
            self._layout()
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[ArrivalBlock]:
        """Nothing the first time (the block moves whole to the next page); cut there if it still does not fit.

        ReportLab marks a flowable it has moved to a fresh frame (``_postponed``) and stops the document with a
        LayoutError if it does not fit there either and cannot be split. The page keeps the text lines and photos
        that end above the cut; the rest starts with the first of the others, so no line is drawn twice or cut
        through; a box that crosses the cut is drawn in both parts. The rest is headed with ``continued`` (the time
        and the guest's name) across the row, so an allergy at the top of a page is never read as the next guest's.
        It goes the same way: it does not fit what is left of the full page, moves to the next, and is cut again
        there if it is still too tall.
        """
        if not hasattr(self, "_postponed"):
            return []
        self.wrap(availWidth, availHeight)
        cut = availHeight
        first = [line for line in self._lines if line.top + DESCENT * line.size <= cut]
        rest = [line for line in self._lines if line.top + DESCENT * line.size > cut]
        first_photos = [p for p in self._photos if p[1] + p[2].size <= cut]
        rest_photos = [p for p in self._photos if p[1] + p[2].size > cut]
        start = min([cut, *(line.top - line.size for line in rest), *(top for _, top, _ in rest_photos)])
        if not (first or first_photos) or start <= 0 or cut >= self.height:
            return []
        rest_part = self._part(start, self.height, rest, rest_photos)
        if self.continued:
            rest_part._head(self.continued)
        return [self._part(0.0, cut, first, first_photos), rest_part]

    def _part(
        self, start: float, end: float, lines: list[_TextLine], photos: list[tuple[float, float, Photo]]
    ) -> ArrivalBlock:
        """``lines`` and ``photos`` of the laid-out block, and its boxes between ``start`` and ``end`` (measured down
        from its top), as a block of its own."""
        part = ArrivalBlock(self.columns, self.widths, self.continued)
        part._laid_out = True
        part.height = end - start
        part._lines = [replace(line, top=line.top - start) for line in lines]
        part._photos = [(x, top - start, photo) for x, top, photo in photos]
        for rect in self._rects:
            top, bottom = max(rect.top, start), min(rect.top + rect.height, end)
            if top < bottom:
                part._rects.append(replace(rect, top=top - start, height=bottom - top))
        return part

    def _head(self, heading: str) -> None:
        """Move everything down and put ``heading`` above it, in bold across the row (as wide as the row allows)."""
        size, leading = BODY.fontSize, BODY.leading
        shift = CELL_PAD_TOP + leading
        self._lines = [replace(line, top=line.top + shift) for line in self._lines]
        self._photos = [(x, top + shift, photo) for x, top, photo in self._photos]
        self._rects = [replace(rect, top=rect.top + shift) for rect in self._rects]
        line = textlayout.wrap(((heading, True),), size, self.width - 2 * CELL_PAD_X)[0]
        self._lines.insert(0, _TextLine(CELL_PAD_X, CELL_PAD_TOP + size, size, INK, line))
        self.height += shift

    def draw(self) -> None:
        canvas = self.canv
        height = self.height
        for rect in self._rects:
            canvas.setFillColor(rect.background)
            canvas.setStrokeColor(rect.border)
            canvas.setLineWidth(1.2)
            canvas.rect(rect.x, height - rect.top - rect.height, rect.width, rect.height, stroke=1, fill=1)
        for x, top, photo in self._photos:
            canvas.drawImage(
                photo.image,
                x,
                height - top - photo.size,
                photo.size,
                photo.size,
                preserveAspectRatio=True,
                anchor="ne",
                mask="auto",
            )
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.6)
        canvas.line(0, 0, self.width, 0)
        text = canvas.beginText()
        color: Any = None
        font: tuple[str, float] | None = None
        for line in self._lines:
            if line.color is not color:
                text.setFillColor(line.color)
                color = line.color
            text.setTextOrigin(line.x, height - line.top)
            for name, part in line.runs:
                if font != (name, line.size):
                    text.setFont(name, line.size)
                    font = (name, line.size)
                text.textOut(part)
        canvas.drawText(text)


def segments(parts: Sequence[tuple[str, bool]], style: ParagraphStyle = BODY) -> Text:
    """A paragraph of ``(text, bold)`` parts in one style."""
    return Text(tuple(parts), style.fontSize, style.leading, style.textColor)


def box(texts: Sequence[Text], background: Any, border: Any) -> Box:
    """Paragraphs in a highlighted box (never cut: allergies live in boxes)."""
    return Box(tuple(texts), background, border)


Cell = Sequence[Text | Box | Photo]
