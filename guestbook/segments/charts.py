"""The dashboard's charts laid out as plain geometry; ``templates/segments/_charts.html`` draws them as inline SVG.

Server-side SVG needs no script and no style attribute, so it works under the strict Content-Security-Policy
(only presentation attributes such as ``fill`` are used), prints, and scales with the tablet. Every chart is
drawn in a fixed ``viewBox`` and stretched to its box by the browser; the numbers behind each chart are also
given as a table (``<details>`` under the chart) for screen readers and for anyone who prefers to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guestbook.segments.figures import MonthPoint, WeekPoint

# Heat map shades, lightest to darkest (the count's share of the fullest cell picks one).
SHADES = ("#f3efe8", "#e6d9c3", "#d7bf98", "#c49c64", "#a8773a", "#7c531f")
# Dark shades need light text.
DARK_FROM = 4


@dataclass(frozen=True)
class HBar:
    """One horizontal bar: its label, value, link key and length in chart units."""

    key: str
    label: str
    value: int
    y: float
    length: float


@dataclass(frozen=True)
class HBarChart:
    """Horizontal bars, one per category."""

    bars: list[HBar]
    width: float
    height: float
    label_width: float
    bar_height: float
    total: int


def hbars(items: Sequence[tuple[str, str, int]], width: float = 320, label_width: float = 110) -> HBarChart:
    """Bars for ``(key, label, value)`` items, the longest reaching the right edge (minus room for the value)."""
    bar_height, gap = 22.0, 8.0
    room = width - label_width - 48
    biggest = max((v for _, _, v in items), default=0) or 1
    bars = [
        HBar(key, label, value, i * (bar_height + gap), room * value / biggest)
        for i, (key, label, value) in enumerate(items)
    ]
    height = max(len(items) * (bar_height + gap) - gap, bar_height)
    return HBarChart(bars, width, height, label_width, bar_height, sum(v for _, _, v in items))


@dataclass(frozen=True)
class Cell:
    """One cell of the R×F heat map."""

    r: int
    f: int
    count: int
    name: str
    x: float
    y: float
    fill: str
    dark: bool


@dataclass(frozen=True)
class HeatMap:
    """The 5×5 R×F grid, R 5 at the top and F 1 on the left."""

    cells: list[Cell]
    size: float
    origin: float
    width: float
    height: float


def heatmap(counts: dict[tuple[int, int], int], names: dict[tuple[int, int], str]) -> HeatMap:
    """The grid's cells, each shaded by its count's share of the fullest cell."""
    size, origin = 56.0, 28.0
    fullest = max(counts.values(), default=0) or 1
    cells = []
    for row, r in enumerate(range(5, 0, -1)):
        for col, f in enumerate(range(1, 6)):
            count = counts.get((r, f), 0)
            shade = 0 if count == 0 else 1 + min(len(SHADES) - 2, int((len(SHADES) - 1) * count / fullest))
            cells.append(
                Cell(r, f, count, names[(r, f)], origin + col * size, row * size, SHADES[shade], shade >= DARK_FROM)
            )
    return HeatMap(cells, size, origin, origin + 5 * size, 5 * size + origin)


@dataclass(frozen=True)
class Column:
    """One vertical bar of a time chart."""

    x: float
    y: float
    height: float
    label: str  # an axis label under this bar, or ""


@dataclass(frozen=True)
class TimeChart:
    """Vertical bars over time, with an optional line (``points``) and gridlines."""

    columns: list[Column]
    points: str
    width: float
    height: float
    plot_height: float
    bar_width: float
    grid: list[tuple[float, str]]  # (y, label)


def _grid(top: float, plot_height: float, steps: int = 4) -> list[tuple[float, str]]:
    return [(plot_height - plot_height * i / steps, _short(top * i / steps)) for i in range(steps + 1)]


def _short(value: float) -> str:
    """A compact axis number: 950, 1.2k, 15k."""
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1_000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def _nice(value: float, steps: int = 4) -> float:
    """The smallest round top at or above ``value`` whose ``steps`` gridlines fall on whole round numbers."""
    if value <= 0:
        return float(steps)
    raw = value / steps
    power = float(10 ** (len(str(int(raw))) - 1)) if raw >= 1 else 1.0
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if (step * power) % 1:
            continue  # a gridline on a fraction
        if raw <= step * power:
            return step * power * steps
    return 10.0 * power * steps


def weekly(weeks: Sequence[WeekPoint], month_labels: dict[int, str]) -> TimeChart:
    """Visits per week as bars and covers as a line; ``month_labels`` maps a week's index to its axis label."""
    width, plot_height = 640.0, 180.0
    slot = width / max(len(weeks), 1)
    top = _nice(max((max(w.visits, w.covers) for w in weeks), default=0))
    columns = []
    points = []
    for i, week in enumerate(weeks):
        h = plot_height * week.visits / top
        columns.append(Column(i * slot + 1, plot_height - h, h, month_labels.get(i, "")))
        points.append(f"{i * slot + slot / 2:.1f},{plot_height - plot_height * week.covers / top:.1f}")
    return TimeChart(columns, " ".join(points), width, plot_height + 20, plot_height, slot - 2, _grid(top, plot_height))


def monthly_rate(months: Sequence[MonthPoint], labels: Sequence[str]) -> TimeChart:
    """The returning-guest rate per month as bars on a 0–100% scale."""
    width, plot_height = 640.0, 150.0
    slot = width / max(len(months), 1)
    columns = []
    for i, month in enumerate(months):
        rate = month.rate or 0.0
        h = plot_height * rate
        columns.append(Column(i * slot + 6, plot_height - h, h, labels[i] if i < len(labels) else ""))
    grid = [(plot_height - plot_height * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]
    return TimeChart(columns, "", width, plot_height + 20, plot_height, slot - 12, grid)
