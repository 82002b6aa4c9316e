"""The monthly manager report's charts as ReportLab drawings, from the dashboard's plain figures.

Guests by tier and by lifecycle stage (bars, counts on the bars), the R×F heat map (R 5 at the top, F 1 on the
left, darker the more guests), visits and covers per week (bars and a line) and the returning-guest rate by
month (bars, with each month's numbers under them). Every label is split into runs per script font
(``pdf.fonts``), so labels in any staff language print in embedded fonts. The palette is the report's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from babel.numbers import format_percent
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from guestbook.i18n import babel_locale, format_month, format_number, gettext
from guestbook.pdf import fonts
from guestbook.pdf.palette import ACCENT, INK, LINE, MUTED
from guestbook.segments.figures import Dashboard, MonthPoint
from guestbook.segments.labels import LIFECYCLE_LABELS, SEGMENT_LABELS
from guestbook.segments.scoring import LIFECYCLE_STAGES, TIERS, segment_name

# The report's own colours beside the house palette (``pdf.palette``): ``segments.render`` draws its tables in them too.
PALE = colors.HexColor("#eef5f2")
COVERS = colors.HexColor("#c0641a")
PANEL = colors.HexColor("#f4f1ec")
TIER_COLOURS = {"A": ACCENT, "B": colors.HexColor("#4f9482"), "C": colors.HexColor("#a9c9bf")}


# ----- drawing helpers --------------------------------------------------------------------------------------


def _label(
    group: Group,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    anchor: str = "start",
    colour: Any = INK,
    room: float | None = None,
) -> None:
    """Mixed-script text in a drawing, one String per font run; ``room`` shrinks it to fit that width."""
    if room is not None:
        size = fonts.fitting_size(text, size, room, minimum=4.5, bold=bold)
    width = fonts.string_width(text, size, bold)
    if anchor == "middle":
        x -= width / 2
    elif anchor == "end":
        x -= width
    for font, part in fonts.runs(text, bold):
        group.add(String(x, y, part, fontName=font, fontSize=size, fillColor=colour))
        x += pdfmetrics.stringWidth(part, font, size)


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose initial font is the embedded sans: ReportLab's renderer otherwise sets Helvetica, never
    embedded, on the page even when every label names its own font."""
    return Drawing(width, height, initialFontName=fonts.SANS)


def percent(rate: float | None) -> str:
    """A rate (0–1) as the viewer's percentage, or a dash for a month without guests."""
    return "–" if rate is None else str(format_percent(rate, locale=babel_locale()))


def _scale(top: float) -> tuple[float, float]:
    """A round maximum and step (1, 2 or 5 times a power of ten, four or five steps) for an axis up to ``top``."""
    if top <= 0:
        return 4.0, 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return step * math.ceil(top / step), step


def _axis_fonts(chart: Any, size: float = 6.5) -> None:
    """Every label a chart draws in the embedded sans (ReportLab's default is Helvetica, never embedded)."""
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize, labels.fillColor = fonts.SANS, size, MUTED
    if hasattr(chart, "barLabels"):
        chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.fillColor = fonts.SANS, 7, INK


# ----- the charts -------------------------------------------------------------------------------------------


def tiers_and_lifecycle(dash: Dashboard, width: float) -> Drawing:
    """Guests by tier (vertical bars) beside guests by lifecycle stage (horizontal bars), counts on the bars."""
    height = 62 * mm
    drawing = _drawing(width, height)
    half = (width - 10 * mm) / 2
    _label(drawing, 0, height - 10, gettext("Guests by tier"), 9.5, bold=True, room=half)
    _label(drawing, half + 10 * mm, height - 10, gettext("Guests by lifecycle stage"), 9.5, bold=True, room=half)

    counts = [dash.tiers.get(t, 0) for t in TIERS]
    tiers = VerticalBarChart()
    tiers.x, tiers.y, tiers.width, tiers.height = 6, 14, half - 12, height - 42
    tiers.data = [counts]
    tiers.valueAxis.valueMin, tiers.valueAxis.valueMax = 0, _scale(max(counts))[0] * 1.1
    tiers.valueAxis.visible = False
    tiers.categoryAxis.categoryNames = ["" for _t in TIERS]
    tiers.categoryAxis.strokeColor = LINE
    tiers.barLabelFormat, tiers.barLabelArray = "values", [[format_number(n) for n in counts]]
    tiers.barLabels.nudge, tiers.barLabels.boxAnchor = 6, "s"
    tiers.barWidth, tiers.groupSpacing = 10, 14
    tiers.bars.strokeColor = None
    for i, tier in enumerate(TIERS):
        tiers.bars[(0, i)].fillColor = TIER_COLOURS[tier]
    _axis_fonts(tiers)
    drawing.add(tiers)
    band = tiers.width / len(TIERS)
    for i, tier in enumerate(TIERS):
        _label(drawing, tiers.x + (i + 0.5) * band, 4, gettext("Tier %(tier)s", tier=tier), 7.5, anchor="middle")

    stages = [dash.lifecycle.get(s, 0) for s in LIFECYCLE_STAGES]
    names = [str(LIFECYCLE_LABELS[s]) for s in LIFECYCLE_STAGES]
    room = min(max(fonts.string_width(n, 7.5) for n in names) + 4, half * 0.4)
    life = HorizontalBarChart()
    life.x, life.y = half + 10 * mm + room + 2, 4
    life.width, life.height = half - room - 22, height - 26
    life.data = [stages]
    life.valueAxis.valueMin, life.valueAxis.valueMax = 0, _scale(max(stages))[0] * 1.15
    life.valueAxis.visible = False
    life.categoryAxis.categoryNames = ["" for _s in LIFECYCLE_STAGES]
    life.categoryAxis.reverseDirection = 1  # the first stage at the top, as the dashboard lists them
    life.categoryAxis.strokeColor, life.categoryAxis.visibleTicks = LINE, False
    life.barLabelFormat, life.barLabelArray = "values", [[format_number(n) for n in stages]]
    life.barLabels.nudge, life.barLabels.boxAnchor = 5, "w"
    life.bars.strokeColor, life.bars[0].fillColor = None, colors.HexColor("#4f9482")
    life.barWidth, life.groupSpacing = 10, 8
    _axis_fonts(life)
    drawing.add(life)
    step = life.height / len(LIFECYCLE_STAGES)
    for i, name in enumerate(names):
        y = life.y + life.height - (i + 0.5) * step - 2.6
        _label(drawing, life.x - 4, y, name, 7.5, anchor="end", room=room - 4)
    return drawing


def heat_map(dash: Dashboard, width: float) -> Drawing:
    """The R×F grid: R 5 at the top, F 1 on the left, darker the more guests; count and segment in each cell."""
    cell_w, cell_h = 30 * mm, 15 * mm
    grid_w = 5 * cell_w
    left = (width - grid_w) / 2
    bottom = 22
    height = bottom + 5 * cell_h + 6
    drawing = _drawing(width, height)
    most = max(dash.rfm.values(), default=0)
    for row, r in enumerate(range(5, 0, -1)):
        y = bottom + (4 - row) * cell_h
        _label(drawing, left - 6, y + cell_h / 2 - 3, f"R{r}", 8, bold=True, anchor="end", colour=MUTED)
        for f in range(1, 6):
            x = left + (f - 1) * cell_w
            count = dash.rfm.get((r, f), 0)
            share = count / most if most else 0.0
            fill = colors.white if count == 0 else colors.linearlyInterpolatedColor(PALE, ACCENT, 0, 1, share)
            drawing.add(Rect(x, y, cell_w, cell_h, fillColor=fill, strokeColor=LINE, strokeWidth=0.6))
            ink = colors.white if share > 0.5 else INK
            _label(
                drawing,
                x + cell_w / 2,
                y + cell_h / 2,
                format_number(count),
                11,
                bold=True,
                anchor="middle",
                colour=ink,
            )
            segment = str(SEGMENT_LABELS[segment_name(r, f)])
            muted = colors.white if share > 0.5 else MUTED
            _label(drawing, x + cell_w / 2, y + 6, segment, 6.5, anchor="middle", colour=muted, room=cell_w - 6)
    for f in range(1, 6):
        _label(drawing, left + (f - 0.5) * cell_w, bottom - 10, f"F{f}", 8, bold=True, anchor="middle", colour=MUTED)
    return drawing


def weeks_chart(dash: Dashboard, width: float) -> Drawing:
    """Visits per week as bars and covers per week as a line, on one scale; month names under the bars."""
    height = 44 * mm
    drawing = _drawing(width, height)
    weeks = dash.weeks
    visits = [w.visits for w in weeks]
    covers = [w.covers for w in weeks]
    top, step = _scale(max([*visits, *covers], default=0))
    x, y, w, h = 26, 14, width - 30, height - 30

    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = x, y, w, h
    bars.data = [visits]
    bars.valueAxis.valueMin, bars.valueAxis.valueMax, bars.valueAxis.valueStep = 0, top, step
    bars.valueAxis.labelTextFormat = lambda v: format_number(int(v))
    bars.valueAxis.visibleGrid, bars.valueAxis.gridStrokeColor = True, LINE
    bars.valueAxis.gridStrokeWidth, bars.valueAxis.strokeColor = 0.3, LINE
    bars.categoryAxis.categoryNames = ["" for _w in weeks]
    bars.categoryAxis.strokeColor = LINE
    bars.groupSpacing, bars.bars.strokeColor, bars.bars[0].fillColor = 2, None, colors.HexColor("#7fb3a4")
    _axis_fonts(bars)
    drawing.add(bars)

    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = x, y, w, h
    line.data = [covers]
    line.valueAxis.valueMin, line.valueAxis.valueMax, line.valueAxis.valueStep = 0, top, step
    line.valueAxis.visible = line.categoryAxis.visible = False
    line.categoryAxis.categoryNames = ["" for _w in weeks]
    line.lines[0].strokeColor, line.lines[0].strokeWidth = COVERS, 1.3
    _axis_fonts(line)
    drawing.add(line)

    band = w / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        if i and week.start.month != weeks[i - 1].start.month:
            _label(drawing, x + i * band, 4, format_month(week.start), 6.5, colour=MUTED)
            drawing.add(Line(x + i * band, y, x + i * band, y - 3, strokeColor=MUTED, strokeWidth=0.4))
    legend_y = height - 9
    drawing.add(Rect(width - 150, legend_y, 8, 6, fillColor=colors.HexColor("#7fb3a4"), strokeColor=None))
    _label(drawing, width - 139, legend_y, gettext("Visits"), 7, room=60)
    drawing.add(Line(width - 72, legend_y + 3, width - 62, legend_y + 3, strokeColor=COVERS, strokeWidth=1.3))
    _label(drawing, width - 58, legend_y, gettext("Covers"), 7, room=58)
    return drawing


def months_chart(dash: Dashboard, width: float) -> Drawing:
    """The returning-guest rate by month (bars, in %), with each month's guests and returning guests under it."""
    months = dash.months
    head_w = 22 * mm
    height = 46 * mm
    drawing = _drawing(width, height)
    rates = [(m.rate or 0.0) * 100 for m in months]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = head_w, 34, width - head_w, height - 40
    chart.data = [rates]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 110, 25
    chart.valueAxis.labelTextFormat = lambda v: f"{int(v)}%" if v <= 100 else ""
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, LINE
    chart.valueAxis.gridStrokeWidth, chart.valueAxis.strokeColor = 0.3, LINE
    chart.categoryAxis.categoryNames = ["" for _m in months]
    chart.categoryAxis.strokeColor = LINE
    chart.barLabelFormat, chart.barLabelArray = "values", [[percent(m.rate) for m in months]]
    chart.barLabels.nudge, chart.barLabels.boxAnchor = 5, "s"
    chart.bars.strokeColor, chart.bars[0].fillColor, chart.groupSpacing = None, ACCENT, 8
    _axis_fonts(chart)
    drawing.add(chart)
    band = chart.width / max(len(months), 1)
    rows: list[tuple[str, Callable[[MonthPoint], str], Any]] = [
        ("", lambda m: format_month(m.month), INK),
        (gettext("Guests"), lambda m: format_number(m.guests), MUTED),
        (gettext("Returning"), lambda m: format_number(m.returning), MUTED),
    ]
    for row, (head, value, ink) in enumerate(rows):
        y = chart.y - 10 - row * 9
        _label(drawing, head_w - 18, y, head, 7, bold=True, anchor="end", colour=MUTED, room=head_w - 20)
        for i, month in enumerate(months):
            _label(drawing, chart.x + (i + 0.5) * band, y, value(month), 7, anchor="middle", colour=ink, room=band - 2)
    return drawing
