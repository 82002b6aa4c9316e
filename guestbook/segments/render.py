"""The monthly manager report: the dashboard's figures as a two-page A4 PDF (the document and its tables; the
charts are ``segments.render_charts``).

Page 1: the key figures, guests by tier and by lifecycle stage (bar charts), the R×F heat map (R 5 at the
top, F 1 on the left, each cell darker the more guests it holds) and the returning-guest rate by month (bars).
Page 2: visits and covers per week (bars and a line), the top guests and the slipping-away guests side by
side, and this month's birthdays and anniversaries: the dashboard's lists at their full length still fit.
Every chart prints its numbers too (labels on the bars, counts in the cells, a table under the weekly and
monthly charts): the print equivalent of the dashboard's tables.

Input is a ``segments.figures.Dashboard`` (plain data); output is PDF bytes. Text is split into runs per
script font (``pdf.fonts``) everywhere, chart labels included, so names and labels in any staff language
print in embedded fonts. Before the first refresh the report is one page that says there are no figures yet.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_skeleton
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from guestbook.i18n import babel_locale, format_day, format_money, format_number, gettext
from guestbook.pdf import fonts
from guestbook.pdf.numbered import NumberedCanvas
from guestbook.pdf.palette import ACCENT, INK, LINE, MUTED
from guestbook.segments.figures import Dashboard, GuestLine, MonthPoint, Occasion
from guestbook.segments.labels import OCCASION_LABELS
from guestbook.segments.render_charts import (
    COVERS,
    PANEL,
    heat_map,
    months_chart,
    percent,
    tiers_and_lifecycle,
    weeks_chart,
)
from guestbook.segments.scoring import TIERS

MARGIN = 13 * mm
HEADER_H = 15 * mm
FOOTER_H = 6 * mm

BODY = ParagraphStyle("report-body", fontName=fonts.SANS, fontSize=8, leading=9.6, textColor=INK)
SMALL = ParagraphStyle("report-small", parent=BODY, fontSize=7, leading=8.4, textColor=MUTED)
HEADING = ParagraphStyle(
    "report-heading", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=10.5, leading=13, textColor=ACCENT
)
FIGURE = ParagraphStyle("report-figure", parent=BODY, fontName=fonts.SANS_BOLD, fontSize=14, leading=17, alignment=1)
FIGURE_LABEL = ParagraphStyle("report-figure-label", parent=SMALL, alignment=1)
CELL = ParagraphStyle("report-cell", parent=BODY, fontSize=7.5, leading=9)
CELL_RIGHT = ParagraphStyle("report-cell-right", parent=CELL, alignment=2)
TINY_RIGHT = ParagraphStyle("report-tiny-right", parent=CELL, fontSize=6, leading=7, alignment=2)
CELL_HEAD = ParagraphStyle("report-cell-head", parent=CELL, fontName=fonts.SANS_BOLD, textColor=MUTED)


# ----- text helpers ---------------------------------------------------------------------------------------


def _p(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    """A paragraph of plain text in mixed scripts (escaped, one font per run, CJK lines break between characters)."""
    if fonts.needs_cjk_wrap(text):
        style = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
    return Paragraph(fonts.markup(text, bold or style.fontName == fonts.SANS_BOLD), style)


def _fit_p(text: str, style: ParagraphStyle, room: float) -> Paragraph:
    """A label whose longest word shrinks to fit ``room``: a Thai label has no spaces to break at."""
    bold = style.fontName == fonts.SANS_BOLD
    widest = max(text.split(), key=lambda word: fonts.string_width(word, style.fontSize, bold), default="")
    size = fonts.fitting_size(widest, style.fontSize, room, minimum=4.5, bold=bold)
    if size != style.fontSize:
        style = ParagraphStyle(f"{style.name}-{size:.1f}", parent=style, fontSize=size, leading=size * 1.2)
    return _p(text, style)


def _one_line(text: str, style: ParagraphStyle, room: float) -> Paragraph:
    """A date or an amount on one line, smaller when it would not fit ``room`` (``2026年7月15日`` must not wrap)."""
    size = fonts.fitting_size(text, style.fontSize, room - 1, minimum=4.5)  # inside: ReportLab splits at the edge
    if size != style.fontSize:
        style = ParagraphStyle(f"{style.name}-{size:.2f}", parent=style, fontSize=size, leading=style.leading)
    return Paragraph(fonts.markup(text), style)


def _table_style(commands: list[tuple[Any, ...]], padding: tuple[float, float, float] = (1.5, 2, 3)) -> TableStyle:
    """A TableStyle whose cells use the embedded font (a table otherwise sets Helvetica, never embedded) and
    ``padding`` (top, bottom, each side) in every cell."""
    top, bottom, side = padding
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("TOPPADDING", (0, 0), (-1, -1), top),
            ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
            ("LEFTPADDING", (0, 0), (-1, -1), side),
            ("RIGHTPADDING", (0, 0), (-1, -1), side),
            *commands,
        ]
    )


def _heads(texts: Sequence[str], widths: Sequence[float]) -> list[Paragraph]:
    """Column headings, each shrunk to fit its column (cell padding taken off)."""
    return [_fit_p(text, CELL_HEAD, width - 6) for text, width in zip(texts, widths, strict=True)]


def _title_month(day: date) -> str:
    """The report's month in full with its year (``November 2026``, ``2026年11月``); in Thai with the year the
    dates print (the Buddhist year when the property asks for it)."""
    month = str(format_skeleton("yMMMM", day, locale=babel_locale()))
    if str(day.year + 543) in format_day(day):
        month = month.replace(str(day.year), str(day.year + 543))
    return month


def _full_month(day: date) -> str:
    """A month's full name (``November``, ``พฤศจิกายน``, ``11月``); ``format_month`` gives the short one."""
    return str(format_date(day, "MMMM", locale=babel_locale()))


def _month_day(day: date) -> str:
    """A week's first day as day and month in digits (``30/11``, ``11/30``): 53 of them fit a page's width."""
    return str(format_skeleton("Md", day, locale=babel_locale()))


# ----- page 1 -----------------------------------------------------------------------------------------------


def _this_month(dash: Dashboard, title_month: date) -> MonthPoint | None:
    """The report month's point (or the latest month when the report's month is not among them)."""
    first = title_month.replace(day=1)
    return next((m for m in dash.months if m.month == first), dash.months[-1] if dash.months else None)


def _key_figures(dash: Dashboard, title_month: date, width: float) -> Table:
    """Guests scored, the three tiers and this month's returning-guest rate, as big numbers."""
    month = _this_month(dash, title_month)
    cells = [
        (gettext("Guests scored"), format_number(dash.guests_scored)),
        *((gettext("Tier %(tier)s", tier=t), format_number(dash.tiers.get(t, 0))) for t in TIERS),
        (
            gettext("Returning guests in %(month)s", month=_full_month(month.month) if month else ""),
            percent(month.rate if month else None),
        ),
    ]
    column = width / len(cells)
    table = Table(
        [[_p(v, FIGURE) for _l, v in cells], [_fit_p(label, FIGURE_LABEL, column - 8) for label, _v in cells]],
        colWidths=[column] * len(cells),
    )
    lines = [("BACKGROUND", (0, 0), (-1, -1), PANEL), ("LINEAFTER", (0, 0), (-2, -1), 0.6, colors.white)]
    table.setStyle(_table_style(lines, padding=(2, 3, 4)))
    return table


# ----- page 2 -----------------------------------------------------------------------------------------------


def _weeks_table(dash: Dashboard, width: float) -> Table:
    """The chart's 53 weeks as numbers: three strips of week start, visits and covers."""
    per_strip = math.ceil(len(dash.weeks) / 3)
    head_w = 22 * mm
    column = (width - head_w) / per_strip
    heads = [gettext("Week of"), gettext("Visits"), gettext("Covers")]
    rows: list[list[Any]] = []
    for start in range(0, len(dash.weeks), per_strip):
        strip = dash.weeks[start : start + per_strip]
        pad = [""] * (per_strip - len(strip))
        labels = [_fit_p(head, CELL_HEAD, head_w - 4) for head in heads]
        rows.append([labels[0], *(_p(_month_day(w.start), TINY_RIGHT) for w in strip), *pad])
        rows.append([labels[1], *(format_number(w.visits) for w in strip), *pad])
        rows.append([labels[2], *(format_number(w.covers) for w in strip), *pad])
    table = Table(rows, colWidths=[head_w, *([column] * per_strip)])
    commands: list[tuple[Any, ...]] = [
        ("FONTSIZE", (1, 0), (-1, -1), 6),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TEXTCOLOR", (1, 0), (-1, -1), INK),
    ]
    for first in range(0, len(rows), 3):
        commands += [
            ("TEXTCOLOR", (1, first), (-1, first), MUTED),
            ("LINEBELOW", (0, first + 2), (-1, first + 2), 0.4, LINE),
            ("TEXTCOLOR", (1, first + 2), (-1, first + 2), COVERS),
        ]
    table.setStyle(_table_style(commands, padding=(0.5, 1, 1.5)))
    return table


# The room (points, padding taken off) of the date and money columns of the half-width tables on page 2.
_HALF = (A4[0] - 2 * MARGIN - 5 * mm) / 2
_DATE_ROOM = _HALF * 0.24 - 6
_MONEY_ROOM = _HALF * 0.30 - 6


def _guest_tables(dash: Dashboard, width: float) -> Table:
    """The top guests beside the slipping-away guests: one table, so a long list still splits across pages."""
    gap = 5 * mm
    half = (width - gap) / 2
    top_widths = [half * 0.42, half * 0.1, half * 0.18, half * 0.30]
    slip_widths = [half * 0.36, half * 0.1, half * 0.24, half * 0.30]
    spend = gettext("Spend, %(months)d months", months=dash.window_months)
    at_stake = gettext("Yearly value at stake")
    rows: list[list[Any]] = [
        [_p(gettext("Top guests"), HEADING), "", "", "", "", _p(gettext("Slipping away"), HEADING), "", "", ""],
        [
            *_heads([gettext("Guest"), gettext("Tier"), gettext("Visits, 12 months"), spend], top_widths),
            "",
            *_heads([gettext("Guest"), gettext("Tier"), gettext("Last visit"), at_stake], slip_widths),
        ],
    ]
    length = max(len(dash.top), len(dash.slipping), 1)
    for i in range(length):
        rows.append([*_top_cells(dash, dash.top, i), "", *_slipping_cells(dash, dash.slipping, i)])
    table = Table(rows, colWidths=[*top_widths, gap, *slip_widths], repeatRows=2)
    commands: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (3, 0)),
        ("SPAN", (5, 0), (8, 0)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
        ("ALIGN", (2, 1), (3, -1), "RIGHT"),
        ("ALIGN", (7, 1), (8, -1), "RIGHT"),
        ("LINEBELOW", (0, 1), (3, 1), 0.6, MUTED),
        ("LINEBELOW", (5, 1), (8, 1), 0.6, MUTED),
    ]
    for i in range(2, len(rows), 2):
        if i < len(dash.top) + 2:
            commands.append(("BACKGROUND", (0, i), (3, i), PANEL))
        if i < len(dash.slipping) + 2:
            commands.append(("BACKGROUND", (5, i), (8, i), PANEL))
    table.setStyle(_table_style(commands))
    return table


def _top_cells(dash: Dashboard, lines: Sequence[GuestLine], i: int) -> list[Any]:
    """One row of the top guests (or the list's empty line, or blanks under a shorter list)."""
    if i >= len(lines):
        return _no_guest_row(i)
    g = lines[i]
    return [_p(g.name, CELL), g.tier, _p(format_number(g.visits_12m), CELL_RIGHT), _money(g.spend_window, dash)]


def _slipping_cells(dash: Dashboard, lines: Sequence[GuestLine], i: int) -> list[Any]:
    """One row of the slipping-away guests (or the list's empty line, or blanks under a shorter list)."""
    if i >= len(lines):
        return _no_guest_row(i)
    g = lines[i]
    last = _one_line(format_day(g.last_visit), CELL_RIGHT, _DATE_ROOM)
    return [_p(g.name, CELL), g.tier, last, _money(g.yearly_value, dash)]


def _no_guest_row(i: int) -> list[Any]:
    """The empty list's line in the first row, blanks under a list shorter than its neighbour."""
    return [_p(gettext("No guests on this list yet."), SMALL) if i == 0 else "", "", "", ""]


def _money(value: Decimal, dash: Dashboard) -> Paragraph:
    """An amount in the property's currency, right-aligned (a Paragraph: the symbol may need another font)."""
    return _one_line(format_money(value, dash.currency), CELL_RIGHT, _MONEY_ROOM)


def _occasions_table(occasions: Sequence[Occasion], width: float) -> Table | Paragraph:
    """This month's birthdays and anniversaries by day, two to a row so a long month stays short."""
    if not occasions:
        return _p(gettext("No birthdays or anniversaries this month."), SMALL)
    gap = 5 * mm
    half = (width - gap) / 2
    widths = [_DATE_ROOM + 6, half - _DATE_ROOM - 6 - half * 0.26, half * 0.26]
    heads = _heads([gettext("Date"), gettext("Guest"), gettext("Occasion")], widths)
    rows: list[list[Any]] = [[*heads, "", *heads]]
    for start in range(0, len(occasions), 2):
        pair = [_occasion_cells(o) for o in occasions[start : start + 2]]
        rows.append([*pair[0], "", *(pair[1] if len(pair) > 1 else ["", "", ""])])
    table = Table(rows, colWidths=[*widths, gap, *widths], repeatRows=1)
    table.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (2, 0), 0.6, MUTED),
                ("LINEBELOW", (4, 0), (6, 0), 0.6, MUTED),
            ]
        )
    )
    return table


def _occasion_cells(o: Occasion) -> list[Any]:
    kind = str(OCCASION_LABELS.get(o.kind, o.kind))
    if o.years:
        kind = gettext("%(occasion)s (%(years)d)", occasion=kind, years=o.years)
    return [_one_line(format_day(o.day), CELL, _DATE_ROOM), _p(o.name, CELL), _p(kind, CELL)]


# ----- the document ---------------------------------------------------------------------------------------


class _NumberedCanvas(NumberedCanvas):
    """Page numbers in this document's margin, size and colour."""

    margin = MARGIN
    size = 8
    color = MUTED


def _section(title: str, *flowables: Any) -> KeepTogether:
    """A heading kept on the page with what it heads."""
    return KeepTogether([_p(title, HEADING), Spacer(1, 1.5 * mm), *flowables, Spacer(1, 4 * mm)])


def report_pdf(dash: Dashboard, property_name: str, title_month: date) -> bytes:
    """The monthly manager report as A4 PDF bytes, its labels and formats in the current language."""
    fonts.register_fonts()
    width, height = A4
    content_w = width - 2 * MARGIN
    month = _title_month(title_month)
    heading = gettext("Manager report — %(month)s", month=month)
    as_of = gettext("figures as of %(day)s", day=format_day(dash.as_of)) if dash.as_of else gettext("no figures yet")

    def header(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        top = height - MARGIN
        canvas.setFillColor(INK)
        fonts.draw_string(canvas, MARGIN, top - 12, property_name, 13, bold=True)
        fonts.draw_string(canvas, MARGIN, top - 26, heading, 10)
        canvas.setFillColor(MUTED)
        fonts.draw_string(canvas, width - MARGIN, top - 12, as_of, 9, align="right")
        fonts.draw_string(canvas, MARGIN, MARGIN - 4 * mm, f"{property_name} · {heading}", 8)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - HEADER_H + 4, width - MARGIN, top - HEADER_H + 4)
        canvas.restoreState()

    body_top = height - MARGIN - HEADER_H
    body_bottom = MARGIN + FOOTER_H - 4 * mm
    frame = Frame(MARGIN, body_bottom, content_w, body_top - body_bottom, 0, 0, 0, 0, id="body")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=gettext("Manager report %(month)s %(property)s", month=month, property=property_name),
        author=property_name,
        subject=gettext("Manager report"),
        creator="Guestbook",
        invariant=True,
        initialFontName=fonts.SANS,
    )
    doc.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=header)])
    doc.build(_story(dash, title_month, content_w), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _story(dash: Dashboard, title_month: date, width: float) -> list[Any]:
    """Both pages' flowables; before the first refresh, only the note that there are no figures yet."""
    if dash.as_of is None:
        return [
            Spacer(1, 8 * mm),
            _p(gettext("No figures yet."), HEADING),
            Spacer(1, 2 * mm),
            _p(gettext("The figures appear after the first nightly refresh of the guest segments."), BODY),
        ]
    return [
        _key_figures(dash, title_month, width),
        Spacer(1, 5 * mm),
        tiers_and_lifecycle(dash, width),
        Spacer(1, 5 * mm),
        _section(
            gettext("Guests by recency and frequency"),
            heat_map(dash, width),
            _p(
                gettext(
                    "R: how recently they came (5: most recently). F: how often they come (5: most often). "
                    "Each cell shows how many guests have that pair of scores, and their segment; "
                    "the darker the cell, the more guests."
                ),
                SMALL,
            ),
        ),
        # On page 1, beside the month's returning rate: page 2 keeps its room for the lists, which vary in length.
        _section(gettext("Returning guests by month"), months_chart(dash, width)),
        PageBreak(),
        _section(gettext("Visits and covers per week"), weeks_chart(dash, width), _weeks_table(dash, width)),
        _guest_tables(dash, width),
        Spacer(1, 4 * mm),
        _p(gettext("Birthdays and anniversaries this month"), HEADING),
        Spacer(1, 1.5 * mm),
        _occasions_table(dash.occasions, width),
    ]
