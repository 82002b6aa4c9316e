"""The arrival briefing as a print-ready PDF: first what the kitchen and the team must know, then one
section per outlet (the admin's order, each with its counts) with one row per arrival.

Input is a ``briefing.sheet.Briefing`` (plain data); output is PDF bytes. Each arrival is one
flowable (``render_arrival`` fills it, ``render_block`` lays its seven columns out once: text split into
per-script font runs by ``pdf.fonts``, wrapped on spaces and between CJK characters) and draws the laid-out
lines straight onto the canvas: no Table and no Paragraph markup per arrival, so 500 arrivals render in
well under two seconds. A row moves whole to the next page; only one taller than a page is cut there.
The column header is drawn on every page and the footer says "page X of Y". ``page_per_outlet`` starts
each outlet on a new page; ``landscape`` turns the paper for wider columns.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from guestbook.briefing.render_arrival import ArrivalRows
from guestbook.briefing.render_block import ALLERGY_BG, BODY, SMALL
from guestbook.briefing.render_kitchen import draw_bar, kitchen_page
from guestbook.briefing.sheet import period_label
from guestbook.i18n import format_day, format_time, format_weekday, gettext, lazy_gettext
from guestbook.pdf import fonts
from guestbook.pdf.numbered import NumberedCanvas
from guestbook.pdf.palette import ACCENT, INK, LINE, MUTED

if TYPE_CHECKING:
    from guestbook.briefing.sheet import Briefing, OutletSection

MARGIN = 11 * mm
HEADER_H = 13 * mm
FOOTER_H = 8 * mm
COLUMN_HEADER_H = 5.2 * mm
SECTION_H = 6.5 * mm
COLUMNS = (
    lazy_gettext("When"),
    # Translators: the party size column of the printed briefing, a narrow column: "pax" as hotels say it.
    lazy_gettext("Pax"),
    lazy_gettext("Table"),
    lazy_gettext("Guest"),
    lazy_gettext("Their usual"),
    lazy_gettext("Allergies"),
    lazy_gettext("Tonight"),
)

SUMMARY_NUM = ParagraphStyle("num", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=12, leading=14, alignment=1)
SUMMARY_LABEL = ParagraphStyle("lab", parent=SMALL, alignment=1)


def page_size(name: str) -> tuple[float, float]:
    """A4 or US Letter from the PAPER_SIZE setting."""
    size: tuple[float, float] = (
        LETTER if name.strip().lower() in ("letter", "us letter", "us-letter", "usletter") else A4
    )
    return size


def _p(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    """A paragraph of plain text in mixed scripts (escaped, one font per run)."""
    if fonts.needs_cjk_wrap(text):
        style = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
    return Paragraph(fonts.markup(text, bold or style.fontName == fonts.SANS_BOLD), style)


def _style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose cells use the embedded font (a table otherwise sets Helvetica, never embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.SANS), *commands])


def _fitting(label: str, column: float) -> ParagraphStyle:
    """The summary label's style, smaller when its longest word would not fit the cell: Thai writes a
    label such as "แขกที่จะมาถึง" without spaces, and a word must never break in the middle."""
    room = column - 12  # the cell's default left and right padding
    widest = max(label.split(), key=lambda word: fonts.string_width(word, SUMMARY_LABEL.fontSize), default="")
    size = fonts.fitting_size(widest, SUMMARY_LABEL.fontSize, room, minimum=5.0)
    if size == SUMMARY_LABEL.fontSize:
        return SUMMARY_LABEL
    return ParagraphStyle(f"{SUMMARY_LABEL.name}-{size:.1f}", parent=SUMMARY_LABEL, fontSize=size, leading=size * 1.2)


def _summary_table(briefing: Briefing, width: float) -> Table:
    s = briefing.summary
    cells = [
        (gettext("Arrivals"), s.arrivals),
        (gettext("Covers"), s.covers),
        (gettext("Returning"), s.returning),
        (gettext("First time"), s.first_time),
        (gettext("VIPs"), s.vips),
        (gettext("Occasions"), s.occasions),
        (gettext("Allergies"), s.allergies),
        (gettext("Open complaints"), s.open_complaints),
    ]
    column = width / len(cells)
    table = Table(
        [[_p(str(v), SUMMARY_NUM) for _l, v in cells], [_p(label, _fitting(label, column)) for label, _v in cells]],
        colWidths=[column] * len(cells),
    )
    table.setStyle(
        _style(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, LINE),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f1ec")),
                ("BACKGROUND", (6, 0), (6, -1), ALLERGY_BG if s.allergies else colors.HexColor("#f4f1ec")),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


class _NumberedCanvas(NumberedCanvas):
    """Page numbers in this document's margin, size and colour."""

    margin = MARGIN
    size = 9
    color = MUTED


def render_briefing(
    briefing: Briefing,
    paper: str = "A4",
    tz: ZoneInfo | None = None,
    *,
    landscape_pages: bool = False,
    page_per_outlet: bool = False,
) -> bytes:
    """Render the briefing to PDF bytes, its labels and dates in the current language (``i18n.in_language``)."""
    fonts.register_fonts()
    tz = tz or ZoneInfo("UTC")
    size = landscape(page_size(paper)) if landscape_pages else page_size(paper)
    width, height = size
    content_w = width - 2 * MARGIN
    rows = ArrivalRows(content_w, tz)
    title_date = format_weekday(briefing.day, with_year=True)
    scope = briefing.outlet_name + (f" · {period_label(briefing.period)}" if briefing.period else "")
    generated_at = briefing.generated_at.astimezone(tz)
    generated = f"{format_day(generated_at)} {format_time(generated_at)}"
    heading = gettext("Arrival briefing — %(day)s — %(scope)s", day=title_date, scope=scope)
    generated_label = gettext("generated %(when)s", when=generated)
    title = gettext("Arrival briefing %(day)s %(outlet)s", day=briefing.day.isoformat(), outlet=briefing.outlet_name)

    def header(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        top = height - MARGIN
        canvas.setFillColor(INK)
        fonts.draw_string(canvas, MARGIN, top - 11, briefing.property_name, 11, bold=True)
        fonts.draw_string(canvas, MARGIN, top - 23, heading, 9.5)
        canvas.setFillColor(MUTED)
        fonts.draw_string(canvas, width - MARGIN, top - 11, generated_label, 9, align="right")
        fonts.draw_string(canvas, MARGIN, MARGIN - 4 * mm, f"{briefing.property_name} · {title_date}", 9)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - HEADER_H + 6, width - MARGIN, top - HEADER_H + 6)
        canvas.restoreState()

    def header_with_columns(canvas: Canvas, doc: BaseDocTemplate) -> None:
        header(canvas, doc)
        canvas.saveState()
        y = height - MARGIN - HEADER_H - COLUMN_HEADER_H
        _draw_column_header(canvas, MARGIN, y, rows.widths)
        canvas.restoreState()

    body_top = height - MARGIN - HEADER_H
    body_bottom = MARGIN + FOOTER_H - 6 * mm
    later_height = body_top - COLUMN_HEADER_H - body_bottom
    first = Frame(MARGIN, body_bottom, content_w, body_top - body_bottom, 0, 0, 0, 0, id="first")
    lists = Frame(MARGIN, body_bottom, content_w, body_top - body_bottom, 0, 0, 0, 0, id="lists")
    later = Frame(MARGIN, body_bottom, content_w, later_height, 0, 0, 0, 0, id="later")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=briefing.property_name,
        subject=gettext("Arrival briefing"),
        creator="Guestbook",
        invariant=True,
        initialFontName=fonts.SANS,
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], onPage=header),
            PageTemplate(id="lists", frames=[lists], onPage=header),
            PageTemplate(id="later", frames=[later], onPage=header_with_columns),
        ]
    )
    story: list[Any] = [
        NextPageTemplate("lists"),  # a long kitchen list continues under no arrival column header
        _summary_table(briefing, content_w),
        Spacer(1, 2 * mm),
        *kitchen_page(briefing, content_w),
    ]
    if not briefing.arrivals:
        story.append(Spacer(1, 4 * mm))
        story.append(_p(gettext("No arrivals booked."), BODY))
    story.append(NextPageTemplate("later"))  # from the page after the lists end: the arrivals' columns
    for number, section in enumerate(briefing.sections):
        if page_per_outlet:
            story.append(PageBreak())
        elif number == 0:
            story.append(Spacer(1, 2 * mm))
        story.append(_SectionHeader(_section_title(section), rows.widths, later_height))
        story.extend(rows.row(a) for a in section.arrivals)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _section_title(section: OutletSection) -> tuple[str, str]:
    """The outlet's name and its counts (the summary's own labels, so every language has them)."""
    s = section.summary
    counts = [
        (gettext("Arrivals"), s.arrivals),
        (gettext("Covers"), s.covers),
        (gettext("Returning"), s.returning),
        (gettext("VIPs"), s.vips),
        (gettext("Allergies"), s.allergies),
    ]
    return section.name, " · ".join(f"{label} {value}" for label, value in counts)


def _draw_column_header(canvas: Canvas, x: float, y: float, widths: list[float]) -> None:
    """The table header: drawn under each section's title and by the page template on later pages."""
    draw_bar(canvas, x, y, widths, [str(label) for label in COLUMNS], COLUMN_HEADER_H)


class _SectionHeader(Flowable):  # type: ignore[misc]
    """An outlet's title bar with its counts, then the column header (unless the page template drew it
    already: the section starts at the top of a later page). Kept with its first row."""

    def __init__(self, title: tuple[str, str], widths: list[float], page_top_height: float) -> None:
        super().__init__()
        self.title = title
        self.widths = widths
        self.width = sum(widths)
        self.page_top_height = page_top_height
        self.with_columns = True
        self.height = SECTION_H + COLUMN_HEADER_H
        self.keepWithNext = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.with_columns = availHeight < self.page_top_height - 1
        self.height = SECTION_H + (COLUMN_HEADER_H if self.with_columns else 0)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        canvas.setFillColor(colors.HexColor("#e3efe9"))
        canvas.rect(0, top - SECTION_H, self.width, SECTION_H, stroke=0, fill=1)
        canvas.setFillColor(INK)
        name, counts = self.title
        fonts.draw_string(canvas, 4, top - SECTION_H + 1.9 * mm, name, 10.5, bold=True)
        fonts.draw_string(canvas, self.width - 4, top - SECTION_H + 1.9 * mm, counts, 9, align="right")
        if self.with_columns:
            _draw_column_header(canvas, 0, 0, self.widths)
