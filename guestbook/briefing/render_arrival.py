"""One arrival of the briefing PDF as one flowable: the palette, the text styles and the block layout.

``ArrivalLayout.arrival_block`` turns a ``briefing.sheet.Arrival`` (plain data) into an ``_ArrivalBlock``
that lays its four columns out once (text split into per-script font runs by ``pdf.fonts``, wrapped on
spaces and between CJK characters) and draws the laid-out lines straight onto the canvas. A block has
no ``split``, so ReportLab moves it whole to the next page. ``render`` assembles the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from guestbook.i18n import format_day, gettext, ngettext
from guestbook.pdf import fonts, textlayout
from guestbook.reservations.labels import severity_text, status_label

if TYPE_CHECKING:
    from guestbook.briefing.sheet import Arrival

INK = colors.HexColor("#1d232b")
MUTED = colors.HexColor("#5b6673")
LINE = colors.HexColor("#c9d0d8")
ACCENT = colors.HexColor("#0f5c4d")
ALLERGY_BG = colors.HexColor("#fde8e6")
ALLERGY_INK = colors.HexColor("#a11919")
WARN_BG = colors.HexColor("#fff4d6")
WARN_LINE = colors.HexColor("#d9a400")
WELCOME_BG = colors.HexColor("#e8f3ef")

COLUMN_SHARE = (0.13, 0.27, 0.28, 0.32)  # of the width: Arrival, Guest, Their usual, Tonight

BODY = ParagraphStyle("body", fontName=fonts.SANS, fontSize=9.5, leading=12, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=11, textColor=MUTED)
NAME = ParagraphStyle("name", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=12, leading=15)
TIME = ParagraphStyle("time", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=13, leading=16)
ALLERGY = ParagraphStyle(
    "allergy", parent=BODY, fontName=fonts.SANS_BOLD, textColor=ALLERGY_INK, fontSize=10, leading=12.5
)


# ----- text layout: per-script font runs, wrapped once ----------------------------------------------


@dataclass(frozen=True)
class _Text:
    """A paragraph to lay out: ``(text, bold)`` segments in one size, leading and colour."""

    segments: tuple[tuple[str, bool], ...]
    size: float
    leading: float
    color: Any


@dataclass(frozen=True)
class _Box:
    """Paragraphs in a highlighted box (allergies, complaints, first visit)."""

    texts: tuple[_Text, ...]
    background: Any
    border: Any


def _t(text: str, style: ParagraphStyle, bold: bool = False) -> _Text:
    """A paragraph of plain text in mixed scripts, sized and coloured like ``style``."""
    bold = bold or style.fontName == fonts.SANS_BOLD
    return _Text(((text, bold),), style.fontSize, style.leading, style.textColor)


def _label(label: str, text: str, style: ParagraphStyle = BODY) -> _Text:
    """``Label: text`` with the label in bold."""
    return _Text(((label, True), (" " + text, False)), style.fontSize, style.leading, style.textColor)


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


CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 4.0, 5.0, 6.0
MAX_TEXT_LINES = 30  # per paragraph outside the highlighted boxes (allergies are never cut)
BOX_PAD_X, BOX_PAD_TOP, BOX_PAD_BOTTOM = 4.0, 2.0, 3.0


class _ArrivalBlock(Flowable):  # type: ignore[misc]
    """One arrival: four columns laid out once in ``wrap`` and drawn as plain text lines and boxes.

    There is no ``split``: a block that does not fit the rest of the page moves whole to the next one.
    """

    def __init__(self, columns: Sequence[Sequence[_Text | _Box]], widths: Sequence[float]) -> None:
        super().__init__()
        self.columns = columns
        self.widths = list(widths)
        self._laid_out = False
        self._lines: list[_TextLine] = []
        self._rects: list[_Rect] = []
        self.width = sum(self.widths)
        self.height = 0.0

    def _paragraph(self, paragraph: _Text, x: float, top: float, width: float, max_lines: int = 0) -> float:
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
            for item in items:
                if isinstance(item, _Text):
                    top = self._paragraph(item, x + CELL_PAD_X, top, inner, MAX_TEXT_LINES)
                    continue
                box_top = top
                top += BOX_PAD_TOP
                for paragraph in item.texts:
                    top = self._paragraph(paragraph, x + CELL_PAD_X + BOX_PAD_X, top, inner - 2 * BOX_PAD_X)
                top += BOX_PAD_BOTTOM
                self._rects.append(_Rect(x + CELL_PAD_X, box_top, inner, top - box_top, item.background, item.border))
            height = max(height, top + CELL_PAD_BOTTOM)
            x += column_width
        self.height = height
        self._laid_out = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._laid_out:
            self._layout()
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        height = self.height
        for rect in self._rects:
            canvas.setFillColor(rect.background)
            canvas.setStrokeColor(rect.border)
            canvas.setLineWidth(1.2)
            canvas.rect(rect.x, height - rect.top - rect.height, rect.width, rect.height, stroke=1, fill=1)
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


class ArrivalLayout:
    """Column widths and formatting shared by the blocks of one document."""

    def __init__(self, width: float, tz: ZoneInfo, all_outlets: bool) -> None:
        self.widths = [width * share for share in COLUMN_SHARE]
        self.tz = tz
        self.all_outlets = all_outlets

    def arrival_block(self, a: Arrival) -> _ArrivalBlock:
        """One arrival as one flowable: never split across pages."""
        party = ngettext("party of %(num)d", "party of %(num)d", a.party_size)
        when: list[_Text | _Box] = [_t(a.time_label, TIME), _t(party, BODY)]
        if a.table:
            when.append(_t(a.table, BODY, bold=True))
        if a.nights:
            when.append(_t(ngettext("%(num)d night", "%(num)d nights", a.nights), SMALL))
        if self.all_outlets:
            when.append(_t(a.outlet_name, SMALL))
        if a.status != "booked":
            when.append(_t(status_label(a.status).upper(), SMALL, bold=True))

        who: list[_Text | _Box] = [_t(a.name, NAME)]
        if a.pronunciation:
            who.append(_label(gettext("Say:"), a.pronunciation))
        greet = a.preferred_name or (f"{a.salutation} {a.family_name or a.name}" if a.salutation else "")
        if greet and greet != a.name:
            who.append(_label(gettext("Greet:"), greet))
        if a.vip_level:
            who.append(_t(gettext("VIP %(level)s", level=a.vip_level), BODY, bold=True))
        if a.company:
            who.append(_t(a.company, SMALL))

        usual: list[_Text | _Box] = []
        if a.first_visit and a.possible_matches:
            # A blank profile made for a name-only booking: never "first visit" while it may be a regular.
            new_profile = _t(gettext("New profile — may be a known guest"), BODY, bold=True)
            usual.append(_Box((new_profile,), WARN_BG, WARN_LINE))
        elif a.first_visit:
            usual.append(_Box((_t(gettext("First visit — welcome them"), BODY, bold=True),), WELCOME_BG, ACCENT))
        else:
            last = format_day(a.last_visit_at.astimezone(self.tz)) if a.last_visit_at else "—"
            if a.last_visit_outlet:
                visits = ngettext(
                    "%(num)d visit, last %(day)s (%(outlet)s)",
                    "%(num)d visits, last %(day)s (%(outlet)s)",
                    a.visit_count,
                    day=last,
                    outlet=a.last_visit_outlet,
                )
            else:
                visits = ngettext(
                    "%(num)d visit, last %(day)s", "%(num)d visits, last %(day)s", a.visit_count, day=last
                )
            usual.append(_label(gettext("Returning:"), visits))
            if a.usual_seat:
                evidence = f" — {a.usual_seat_evidence}" if a.usual_seat_evidence else ""
                usual.append(_label(gettext("Seat:"), a.usual_seat + evidence))
            if a.usual_order:
                usual.append(_label(gettext("Usual:"), ", ".join(a.usual_order)))
            if a.seat_elsewhere:  # another outlet's habit, labelled with it; one short line (evidence on screen)
                usual.append(_label(gettext("Seat"), a.seat_elsewhere.label, SMALL))
            if not a.usual_seat and not a.usual_order and not a.seat_elsewhere:
                usual.append(_t(gettext("No usual seat or order yet."), SMALL))

        tonight: list[_Text | _Box] = []
        for candidate in a.possible_matches:  # safety first: who this may be, with their allergies
            line = _t(candidate.line, ALLERGY if candidate.allergies else BODY, bold=True)
            tonight.append(
                _Box((line,), ALLERGY_BG, ALLERGY_INK) if candidate.allergies else _Box((line,), WARN_BG, WARN_LINE)
            )
        if a.allergies:
            lines = tuple(
                _t(
                    gettext(
                        "ALLERGY: %(allergen)s (%(severity)s) — %(note)s",
                        allergen=allergen,
                        severity=severity_text(severity),
                        note=note,
                    )
                    if note
                    else gettext(
                        "ALLERGY: %(allergen)s (%(severity)s)", allergen=allergen, severity=severity_text(severity)
                    ),
                    ALLERGY,
                )
                for allergen, severity, note in a.allergies
            )
            tonight.append(_Box(lines, ALLERGY_BG, ALLERGY_INK))
        if a.diets:  # a choice, not a danger: a plain line, never in the allergy box
            tonight.append(_label(gettext("Diet:"), " · ".join(a.diets)))
        if a.last_said:
            tonight.append(_label(gettext("Last time they said:"), a.last_said))
        for occasion in a.occasions:
            tonight.append(_label(gettext("Occasion:"), occasion))
        for complaint in a.complaints:
            text = (
                gettext("%(summary)s — promised: %(promised)s", summary=complaint.summary, promised=complaint.promised)
                if complaint.promised
                else complaint.summary
            )
            tonight.append(_Box((_label(gettext("Last time:"), text),), WARN_BG, WARN_LINE))
        if a.notes:
            tonight.append(_label(gettext("Notes:"), a.notes))
        if not tonight:
            tonight.append(_t("—", SMALL))
        return _ArrivalBlock([when, who, usual, tonight], self.widths)
