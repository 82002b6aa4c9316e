"""The briefing's first lists: what the kitchen and the team must know before the arrivals.

Every allergy and dietary need of the day (anaphylaxis first), every occasion with what is planned,
every VIP and every booking that may be a known guest. Plain data in (``briefing.sheet``), flowables out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer

from guestbook.briefing.render_block import (
    ALLERGY,
    ALLERGY_BG,
    ALLERGY_INK,
    BODY,
    NAME,
    SMALL,
    WARN_BG,
    WARN_LINE,
    ArrivalBlock,
    Cell,
    box,
    labelled,
    segments,
    text,
)
from guestbook.i18n import gettext
from guestbook.pdf import fonts
from guestbook.pdf.palette import ACCENT, INK
from guestbook.reservations.labels import severity_text

if TYPE_CHECKING:
    from guestbook.briefing.sheet import Briefing

BAR_H = 5.2 * mm
# Of the width: When, Outlet · table, Guest, What, and the last column (severity or what is planned).
LIST_SHARE = (0.075, 0.3, 0.2, 0.3, 0.125)


def draw_bar(canvas: Canvas, x: float, y: float, widths: Sequence[float], labels: Sequence[str], h: float) -> None:
    """A header bar: white bold labels on the accent colour, one per column."""
    canvas.setFillColor(ACCENT)
    canvas.rect(x, y, sum(widths), h, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    for label, w in zip(labels, widths, strict=True):
        size = fonts.fitting_size(label, 9.0, w - 5, minimum=6.5, bold=True)
        fonts.draw_string(canvas, x + 2.5, y + 1.5 * mm, label, size, bold=True)
        x += w


class _Bar(Flowable):  # type: ignore[misc]
    """A list's title above its column header bar; kept with the first row."""

    def __init__(self, title: str, widths: Sequence[float], labels: Sequence[str]) -> None:
        super().__init__()
        self.title = title
        self.widths = list(widths)
        self.labels = list(labels)
        self.width = sum(self.widths)
        self.height = BAR_H + 5.5 * mm
        self.keepWithNext = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(INK)
        fonts.draw_string(self.canv, 0, BAR_H + 1.5 * mm, self.title, 10.5, bold=True)
        draw_bar(self.canv, 0, 0, self.widths, self.labels, BAR_H)


def _where(time: str, outlet: str, table: str) -> list[Cell]:
    place = [(outlet, False), (" · " + table, True)] if table else [(outlet, False)]
    return [[text(time or "—", BODY, bold=True)], [segments(place)]]


def kitchen_page(briefing: Briefing, width: float) -> list[Any]:
    """The first page's lists (only those with something in them), before the outlets' sections."""
    widths = [width * share for share in LIST_SHARE]
    story: list[Any] = [_Title(gettext("What the kitchen and the team must know"), width)]
    where = [gettext("When"), gettext("Outlet"), gettext("Guest")]
    if briefing.kitchen:
        story.append(
            _Bar(gettext("Every allergy and dietary need"), widths, [*where, gettext("Allergies"), gettext("Severity")])
        )
        for k in briefing.kitchen:
            guest = [text(k.name, NAME)]
            if k.kind == "possible":
                guest.append(text(gettext("possible match: may be this booking's guest"), SMALL))
            if k.kind == "diet":
                what: list[Any] = [labelled(gettext("Diet:"), k.allergen)]
                severity: list[Any] = []
            else:
                allergen = f"{k.allergen} — {k.note}" if k.note else k.allergen
                what = [box([text(allergen, ALLERGY)], ALLERGY_BG, ALLERGY_INK)]
                severity = [text(severity_text(k.severity), ALLERGY)]
            story.append(ArrivalBlock([*_where(k.time, k.outlet_name, k.table), guest, what, severity], widths))
    if briefing.occasion_items:
        story.append(Spacer(1, 2 * mm))
        story.append(_Bar(gettext("Occasions"), widths, [*where, gettext("Occasion"), gettext("Notes")]))
        for o in briefing.occasion_items:
            cells = [[text(o.name, NAME)], [text(o.label, BODY, bold=True)], [text(o.note, BODY)] if o.note else []]
            story.append(ArrivalBlock([*_where(o.time, o.outlet_name, o.table), *cells], widths))
    vips = [a for a in briefing.arrivals if a.vip_level]
    if vips:  # one flowing paragraph: a name to greet, not a row to read
        story.append(Spacer(1, 2 * mm))
        parts: list[tuple[str, bool]] = [(gettext("VIPs") + ":", True)]
        for a in vips:
            where_ = f"{a.outlet_name} · {a.table}" if a.table else a.outlet_name
            parts += [(f"  {a.time_label} ", False), (a.name, True)]
            parts += [(f" ({gettext('VIP %(level)s', level=a.vip_level)}, {where_})", False)]
        story.append(_Paragraph(segments(parts), width))
    watch = [a for a in briefing.arrivals if a.possible_matches]
    if watch:
        story.append(Spacer(1, 2 * mm))
        story.append(_Bar(gettext("Possible matches"), widths, [*where, gettext("Tonight"), ""]))
        for a in watch:
            time = a.arrival_time.strftime("%H:%M") if a.arrival_time else ""
            what_cell: list[Any] = []
            for c in a.possible_matches:
                style, background, border = (
                    (ALLERGY, ALLERGY_BG, ALLERGY_INK) if c.allergies else (BODY, WARN_BG, WARN_LINE)
                )
                what_cell.append(box([text(c.line, style, bold=True)], background, border))
            # The warning spans the last two columns: it is the one thing to read on this row.
            story.append(
                ArrivalBlock(
                    [*_where(time, a.outlet_name, a.table), [text(a.name, NAME)], what_cell],
                    [*widths[:3], widths[3] + widths[4]],
                )
            )
    return story


class _Title(Flowable):  # type: ignore[misc]
    """The first page's title over the lists."""

    def __init__(self, title: str, width: float) -> None:
        super().__init__()
        self.title = title
        self.width = width
        self.height = 6 * mm
        self.keepWithNext = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(ACCENT)
        fonts.draw_string(self.canv, 0, 1.5 * mm, self.title, 11.5, bold=True)


def _Paragraph(paragraph: Any, width: float) -> ArrivalBlock:
    """A wrapped paragraph as a one-cell row (the same line breaker as the rows)."""
    return ArrivalBlock([[paragraph]], [width])
