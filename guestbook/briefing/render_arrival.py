"""One row of the briefing PDF as one flowable: the palette, the text styles and the row layout.

``ArrivalRows.row`` turns a ``briefing.sheet.Arrival`` (plain data) into an ``ArrivalBlock``
that lays its four columns out once (text split into per-script font runs by ``pdf.fonts``, wrapped on
spaces and between CJK characters) and draws the laid-out lines straight onto the canvas. A block has
no ``split``, so ReportLab moves it whole to the next page. ``render`` assembles the document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from guestbook.guests.labels import attendance_parts, influence_label
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

# Of the width: Time, Party, Table/room, Guest, Their usual, Allergies, Tonight.
COLUMN_SHARE = (0.07, 0.053, 0.092, 0.175, 0.23, 0.17, 0.21)

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
class _Photo:
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
PHOTO_PIXELS = 144  # the printed photo's longest side: 12 mm at about 300 dpi, so 500 photos stay small
USUAL_ITEMS = 3  # the sheet names the first three usual items; the screen and the card have them all
COMPANIONS = 3  # related guests on the same sheet named per arrival (a row must fit a page); the screen has all
CELL_PAD_X, CELL_PAD_TOP, CELL_PAD_BOTTOM = 2.5, 1.0, 1.5  # tight: the record line must not cost a page
DESCENT = 0.25  # below a text line's baseline, as a share of its size (where a cut between pages may go)
MAX_TEXT_LINES = 24  # per paragraph outside the highlighted boxes (allergies are never cut)
BOX_PAD_X, BOX_PAD_TOP, BOX_PAD_BOTTOM = 2.0, 0.5, 1.5


class ArrivalBlock(Flowable):  # type: ignore[misc]
    """One arrival: four columns laid out once in ``wrap`` and drawn as plain text lines and boxes.

    A block that does not fit the rest of the page moves whole to the next one. Only a block taller than a whole
    page (allergies are never cut: a guest with dozens of them) is cut, at that page's end (``split``).
    """

    def __init__(
        self, columns: Sequence[Sequence[_Text | _Box | _Photo]], widths: Sequence[float], continued: str = ""
    ) -> None:
        super().__init__()
        self.columns = columns
        self.widths = list(widths)
        self.continued = continued  # heads a part continued on the next page: whose allergies these are
        self._laid_out = False
        self._lines: list[_TextLine] = []
        self._rects: list[_Rect] = []
        self._photos: list[tuple[float, float, _Photo]] = []  # x, top, photo
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
            float_bottom, float_width = 0.0, 0.0
            for item in items:
                if isinstance(item, _Photo):
                    self._photos.append((x + column_width - CELL_PAD_X - item.size, top, item))
                    float_bottom, float_width = top + item.size, item.size + PHOTO_GAP
                    continue
                if isinstance(item, _Text):
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
        self, start: float, end: float, lines: list[_TextLine], photos: list[tuple[float, float, _Photo]]
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


def text(value: str, style: ParagraphStyle = BODY, bold: bool = False) -> _Text:
    """A paragraph of plain text in mixed scripts, sized and coloured like ``style``."""
    return _t(value, style, bold)


def labelled(label: str, value: str, style: ParagraphStyle = BODY) -> _Text:
    """``Label: value`` with the label in bold."""
    return _label(label, value, style)


def segments(parts: Sequence[tuple[str, bool]], style: ParagraphStyle = BODY) -> _Text:
    """A paragraph of ``(text, bold)`` parts in one style."""
    return _Text(tuple(parts), style.fontSize, style.leading, style.textColor)


def box(texts: Sequence[_Text], background: Any, border: Any) -> _Box:
    """Paragraphs in a highlighted box (never cut: allergies live in boxes)."""
    return _Box(tuple(texts), background, border)


Cell = Sequence[_Text | _Box | _Photo]


def sheet_record_line(record: dict[str, Any]) -> str:
    """The record as the printed sheet's short line: ``12 mo: 8 visits · 1 no-show``, or "".

    Shorter than the card's (``history.history_line``) so a dense page stays dense: it says only what
    the "Their usual" column does not (that column has every visit and the last one). Visits in the last
    12 months are named when some are recent and some older, then no-shows and late cancellations.
    Never spend: the sheet is handed out at the pre-shift meeting, whoever printed it, and paper cannot
    keep a figure from the roles that may not see it (the screen and the JSON follow ``card_spend_roles``).
    """
    if not record:
        return ""
    visits, every_visit = record["visits_12m"], record["visits_total"]
    parts: list[str] = []
    # None in 12 months says nothing the column's "last 3 Mar 2025" does not.
    if visits != every_visit and visits > 0:
        # Translators: the printed briefing's short record; "12 mo" means "in the last 12 months": keep it short.
        parts.append(ngettext("12 mo: %(num)d visit", "12 mo: %(num)d visits", visits))
    return " · ".join([*parts, *attendance_parts(record)])


def _photo(data: bytes) -> _Photo | None:
    """The photo made small for print (a 400 px original for a 12 mm square is wasted bytes); None when the
    bytes are not an image Pillow reads, so a damaged photo never stops the nightly sheet."""
    try:
        with Image.open(io.BytesIO(data)) as original:
            original.load()
            small = original.copy()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    small.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS), Image.Resampling.LANCZOS)
    if small.mode not in ("RGB", "RGBA", "L", "LA"):
        small = small.convert("RGBA" if "transparency" in small.info or small.mode == "P" else "RGB")
    return _Photo(ImageReader(small), PHOTO_SIZE)


class ArrivalRows:
    """Column widths and formatting shared by the rows of one document: one row per arrival."""

    def __init__(self, width: float, tz: ZoneInfo) -> None:
        self.widths = [width * share for share in COLUMN_SHARE]
        self.tz = tz

    def row(self, a: Arrival) -> ArrivalBlock:
        """One arrival as one row: time, party, table/room, guest, their usual, allergies, tonight."""
        when: list[_Text | _Box | _Photo] = [_t(a.time_label, TIME)]
        party: list[_Text | _Box] = [_t(str(a.party_size), TIME)]
        place: list[_Text | _Box] = [_t(a.table, BODY, bold=True)] if a.table else []
        if a.nights:
            place.append(_t(ngettext("%(num)d night", "%(num)d nights", a.nights), SMALL))
        # Translators: heads the rest of one arrival's row on the next page of the briefing sheet.
        continued = gettext("%(time)s %(name)s (continued)", time=a.time_label, name=a.name)
        return ArrivalBlock(
            [when, party, place, self._guest(a), self._usual(a), self._allergies(a), self._tonight(a)],
            self.widths,
            continued,
        )

    def _guest(self, a: Arrival) -> list[_Text | _Box | _Photo]:
        greet = a.greeting
        parts: list[tuple[str, bool]] = [(a.name, True)]
        if a.vip_level:
            parts.append(("  " + gettext("VIP %(level)s", level=a.vip_level), True))
        if a.tier == "A":  # B and C are most guests: only the top of the pyramid is worth the ink
            parts.append(("  " + gettext("Tier %(tier)s", tier=a.tier), True))
        if a.influence:
            parts.append(("  " + influence_label(a.influence), True))
        if a.status != "booked":  # arrived, seated…: beside the name, the narrow time column cannot hold it
            parts.append(("  " + status_label(a.status).upper(), True))
        who: list[_Text | _Box | _Photo] = [_Text(tuple(parts), NAME.fontSize, NAME.leading, INK)]
        # Greeting and company share a line: one row per arrival stays short.
        company = [(" · " + a.company, False)] if a.company else []
        if greet and greet != a.name:
            who.append(_Text(((greet, False), *company), SMALL.fontSize, SMALL.leading, INK))
        elif a.company:
            who.append(_t(a.company, SMALL))
        if a.say:  # the pronunciation on file, else a romanisation of a greeting in a script staff may not read
            who.append(_label(gettext("Say:"), a.say))
        if a.tags:  # short text: the colours are for the screen
            who.append(_Text(((" · ".join(a.tag_names), True),), SMALL.fontSize, SMALL.leading, ACCENT))
        line = sheet_record_line(a.record)
        if line:
            who.append(_t(line, SMALL))
        for companion in a.companions[:COMPANIONS]:  # who they come with: greet them together
            who.append(_t(companion.line, BODY))
        if len(a.companions) > COMPANIONS:
            more = len(a.companions) - COMPANIONS
            # Translators: more related guests on the same sheet than the printed row names.
            more_line = ngettext(
                "and %(num)d more they know (see the screen)", "and %(num)d more they know (see the screen)", more
            )
            who.append(_t(more_line, SMALL))
        photo = _photo(a.photo) if a.photo else None
        if photo is not None:  # the name keeps the cell's width; the photo floats beside what follows it
            who.insert(1, photo)
        return who

    def _usual(self, a: Arrival) -> list[_Text | _Box]:
        usual: list[_Text | _Box] = []
        if a.first_visit and a.possible_matches:
            # A blank profile made for a name-only booking: never "first visit" while it may be a regular.
            usual.append(_t(gettext("New profile — may be a known guest"), BODY, bold=True))
        elif a.first_visit:
            usual.append(_Text(((gettext("First visit — welcome them"), True),), BODY.fontSize, BODY.leading, ACCENT))
        else:
            last = format_day(a.last_visit_at.astimezone(self.tz)) if a.last_visit_at else "—"
            # No label and no outlet: the column says "their usual", the visits' outlets are on the card.
            visits = ngettext("%(num)d visit, last %(day)s", "%(num)d visits, last %(day)s", a.visit_count, day=last)
            usual.append(_t(visits, BODY))
        habits: list[tuple[str, bool]] = []  # seat and order share a paragraph: one row stays short
        if a.usual_seat:
            habits += [(gettext("Seat:"), True), (" " + a.usual_seat, False)]
        if a.usual_order:
            habits += [("  " + gettext("Usual:") if habits else gettext("Usual:"), True)]
            habits += [(" " + ", ".join(a.usual_order[:USUAL_ITEMS]), False)]
        if a.seat_elsewhere:  # another outlet's habit, labelled with it (evidence on screen)
            habits += [("  " + gettext("Seat") if habits else gettext("Seat"), True)]
            habits += [(" " + a.seat_elsewhere.label, False)]
        if habits:
            usual.append(_Text(tuple(habits), BODY.fontSize, BODY.leading, INK))
        return usual

    def _allergies(self, a: Arrival) -> list[_Text | _Box]:
        cell: list[_Text | _Box] = []
        if a.allergies:  # in a box: never cut, however long
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
            cell.append(_Box(lines, ALLERGY_BG, ALLERGY_INK))
        if a.diets:  # a choice, not a danger: a plain line, never in the allergy box
            cell.append(_label(gettext("Diet:"), " · ".join(a.diets)))
        return cell

    def _tonight(self, a: Arrival) -> list[_Text | _Box]:
        tonight: list[_Text | _Box] = []
        for candidate in a.possible_matches:  # safety first: who this may be, with their allergies
            line = _t(candidate.line, ALLERGY if candidate.allergies else BODY, bold=True)
            tonight.append(
                _Box((line,), ALLERGY_BG, ALLERGY_INK) if candidate.allergies else _Box((line,), WARN_BG, WARN_LINE)
            )
        for occasion in a.occasions:
            tonight.append(_label(gettext("Occasion:"), occasion))
        for complaint in a.complaints:
            summary = (
                gettext("%(summary)s — promised: %(promised)s", summary=complaint.summary, promised=complaint.promised)
                if complaint.promised
                else complaint.summary
            )
            tonight.append(_Box((_label(gettext("Last time:"), summary),), WARN_BG, WARN_LINE))
        if a.notes:
            tonight.append(_label(gettext("Notes:"), a.notes))
        if a.last_said:
            tonight.append(_label(gettext("Last time they said:"), a.last_said, SMALL))
        return tonight
