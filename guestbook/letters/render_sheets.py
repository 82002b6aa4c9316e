"""Address labels on the sheets people buy, and addresses printed straight onto envelopes (plain data in, PDF out).

Labels: named sheets with their makers' published geometry (Avery L7160, L7163, L7159, 5160; Zweckform 3475,
the 70 × 36 mm sheet the "auto" setting has always printed on A4), or any even "COLUMNSxROWS" grid; a
part-used sheet is finished first (``start_at``). Envelopes: one per page, the page the envelope's size, the
sender top left and the guest in the addressee position (where the matching window envelope has its window).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from guestbook.letters.render import CHUNK_PAGES, _chunked, draw_fitted
from guestbook.pdf.fonts import SANS

LABEL_PAD_X = 4 * mm  # text starts this far inside the label's left edge (and keeps as far from its right edge)
LABEL_SIZE, LABEL_SMALL = 9.0, 7.5  # font sizes: up to five lines, then more (at most seven)
LABEL_LEADING = 1.25  # line spacing, as a multiple of the font size


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of address labels, in points: the first label's top-left corner and the pitch between labels."""

    name: str
    size: tuple[float, float]
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float  # side margin: page's left edge to the first column's left edge
    top: float  # top margin: page's top edge to the first row's top edge
    pitch_x: float  # left edge to left edge of neighbouring labels
    pitch_y: float  # top edge to top edge

    @property
    def paper(self) -> str:
        """ "A4" or "Letter"."""
        return "A4" if self.size == A4 else "Letter"

    @property
    def per_sheet(self) -> int:
        """Labels on one sheet."""
        return self.columns * self.rows

    def origin(self, position: int) -> tuple[float, float]:
        """Top-left corner (x, y from the page's bottom) of a position, numbered from 1 across then down."""
        col, row = (position - 1) % self.columns, (position - 1) // self.columns
        return self.left + col * self.pitch_x, self.size[1] - self.top - row * self.pitch_y


# Geometry as the makers publish it on their template pages (avery.co.uk / avery.com product templates; the
# same figures as Label Planet's compatible LP21/63, LP14/99, LP24/63 templates). L7159's horizontal figures are
# those of L7160 (same 63.5 mm labels, three across with 2.54 mm gaps): 7.25 mm sides and a 66.04 mm pitch add up
# to 210 mm; the 6.45 mm side margin sometimes quoted would leave 8 mm on the right.
LABEL_SHEETS: dict[str, LabelSheet] = {
    "L7160": LabelSheet("L7160", A4, 3, 7, 63.5 * mm, 38.1 * mm, 7.25 * mm, 15.15 * mm, 66.04 * mm, 38.1 * mm),
    "L7163": LabelSheet("L7163", A4, 2, 7, 99.1 * mm, 38.1 * mm, 4.65 * mm, 15.15 * mm, 101.6 * mm, 38.1 * mm),
    "L7159": LabelSheet("L7159", A4, 3, 8, 63.5 * mm, 33.9 * mm, 7.25 * mm, 12.9 * mm, 66.04 * mm, 33.9 * mm),
    # Avery Zweckform 3475: 70 × 36 mm, edge to edge across, 4.5 mm top margin. What "auto" printed on A4
    # before sheets had names; kept so a property stocked with these sheets prints exactly as before.
    "3475": LabelSheet("3475", A4, 3, 8, 70 * mm, 36 * mm, 0, 4.5 * mm, 70 * mm, 36 * mm),
    "5160": LabelSheet("5160", LETTER, 3, 10, 2.625 * inch, 1 * inch, 0.1875 * inch, 0.5 * inch, 2.75 * inch, 1 * inch),
}
# What the old setting's values mean: "auto" and the old default grids keep their exact geometry.
LEGACY_SHEETS = {("A4", "auto"): "3475", ("A4", "3x8"): "3475", ("Letter", "auto"): "5160", ("Letter", "3x10"): "5160"}


class SheetError(ValueError):
    """A label sheet, envelope or start position that does not exist."""


def sheet_names() -> list[str]:
    """The named label sheets, as offered on screen and on the command line."""
    return list(LABEL_SHEETS)


def label_sheet(paper: str, layout: str = "auto") -> LabelSheet:
    """The sheet a layout names: a sheet's name, "auto" (by paper), or an even "COLUMNSxROWS" grid on ``paper``."""
    key = (layout or "auto").strip()
    for name, sheet in LABEL_SHEETS.items():
        if key.upper() == name:
            return sheet
    legacy = LEGACY_SHEETS.get(("A4" if paper == "A4" else "Letter", key.lower()))
    if legacy:
        return LABEL_SHEETS[legacy]
    columns, sep, rows = key.lower().partition("x")
    if not (sep and columns.isdigit() and rows.isdigit() and 0 < int(columns) <= 10 and 0 < int(rows) <= 40):
        raise SheetError(f"unknown label sheet {layout!r}")
    cols, rws = int(columns), int(rows)
    size = A4 if paper == "A4" else LETTER
    margin = 5 * mm
    width, height = (size[0] - 2 * margin) / cols, (size[1] - 2 * margin) / rws
    return LabelSheet(key.lower(), size, cols, rws, width, height, margin, margin, width, height)


@dataclass(frozen=True)
class Envelope:
    """An envelope printed on directly, landscape, in points; the address zone as from the envelope's bottom-left."""

    name: str
    size: tuple[float, float]
    window_left: float
    window_bottom: float
    window_width: float
    window_height: float
    sender_left: float  # the return address: from the left and top edges
    sender_top: float


# The addressee zone is where the matching window envelope has its window, so the address sits where the post
# expects it and the stamp corner stays clear. DL: DIN 680 / ISO 269 window, 90 × 45 mm, 20 mm from the left and
# 15 mm from the bottom. C5: the DIN 5008 address field of an A4 letter folded once (20 mm in, 50 mm down),
# 90 × 45 mm. US #10: the standard #10 window, 4 1/2 × 1 1/8 in, 7/8 in from the left and 1/2 in from the bottom.
ENVELOPES: dict[str, Envelope] = {
    "DL": Envelope("DL", (220 * mm, 110 * mm), 20 * mm, 15 * mm, 90 * mm, 45 * mm, 10 * mm, 8 * mm),
    "C5": Envelope("C5", (229 * mm, 162 * mm), 20 * mm, 67 * mm, 90 * mm, 45 * mm, 10 * mm, 8 * mm),
    "US10": Envelope(
        "US10", (9.5 * inch, 4.125 * inch), 0.875 * inch, 0.5 * inch, 4.5 * inch, 1.125 * inch, 0.375 * inch, 0.3 * inch
    ),
}
ENVELOPE_ALIASES = {"#10": "US10", "10": "US10", "COM10": "US10", "COM-10": "US10"}
ENVELOPE_PAD = 3 * mm  # inside the window: the film's edge and the glue seam


def envelope_names() -> list[str]:
    """The envelope sizes, as offered on screen and on the command line."""
    return list(ENVELOPES)


def envelope(paper: str, name: str = "auto") -> Envelope:
    """The envelope a name gives: DL, C5, US10 (or #10), or "auto": DL with A4 paper, #10 with US Letter."""
    key = (name or "auto").strip().upper()
    if key == "AUTO":
        key = "DL" if paper == "A4" else "US10"
    key = ENVELOPE_ALIASES.get(key, key)
    if key not in ENVELOPES:
        raise SheetError(f"unknown envelope {name!r}")
    return ENVELOPES[key]


def check_start(sheet: LabelSheet, start_at: int) -> None:
    """Refuse a first position that is not on the sheet."""
    if not 1 <= start_at <= sheet.per_sheet:
        raise SheetError(f"start position {start_at} is not on a {sheet.name} sheet (1 to {sheet.per_sheet})")


def write_labels(
    recipients: Sequence[Sequence[str]],
    out: Path | str | BinaryIO | io.BufferedIOBase,
    paper: str = "A4",
    layout: str = "auto",
    start_at: int = 1,
    per_chunk: int = CHUNK_PAGES * 24,
) -> None:
    """Write address labels in the order given, left to right then down, from position ``start_at`` of sheet one."""
    sheet = label_sheet(paper, layout)
    check_start(sheet, start_at)
    per_sheet = sheet.per_sheet
    skipped = start_at - 1
    per_chunk = max(per_sheet, per_chunk - per_chunk % per_sheet)
    # Blanks for the used positions keep every chunk starting on a fresh sheet.
    items: list[Sequence[str] | None] = [None] * skipped + list(recipients)

    def draw(chunk: Sequence[Sequence[str] | None], target: str | BinaryIO) -> None:
        c = Canvas(target, pagesize=sheet.size, pageCompression=1, initialFontName=SANS)
        c.setTitle("Address labels")
        c.setCreator(f"Guestbook labels {sheet.name}")
        if not chunk:
            c.showPage()
        for n, lines in enumerate(chunk):
            slot = n % per_sheet
            if slot == 0 and n:
                c.showPage()
            if lines is None:
                continue
            x, top = sheet.origin(slot + 1)
            shown = list(lines[:7])
            size = LABEL_SIZE if len(shown) <= 5 else LABEL_SMALL
            leading = size * LABEL_LEADING
            block = len(shown) * leading
            y = top - (sheet.label_height - block) / 2 - size  # the block centred; y is the first baseline
            draw_fitted(c, x + LABEL_PAD_X, y, shown, size, leading, sheet.label_width - 2 * LABEL_PAD_X)
        if chunk:
            c.showPage()
        c.save()

    _chunked(items, out, per_chunk, draw)


def write_envelopes(
    recipients: Sequence[Sequence[str]],
    sender: Sequence[str],
    out: Path | str | BinaryIO | io.BufferedIOBase,
    paper: str = "A4",
    name: str = "auto",
    per_chunk: int = CHUNK_PAGES,
) -> None:
    """One envelope per page: the sender's lines top left, the guest's address in the addressee zone."""
    env = envelope(paper, name)
    width, height = env.size

    def draw(chunk: Sequence[Sequence[str]], target: str | BinaryIO) -> None:
        c = Canvas(target, pagesize=env.size, pageCompression=1, initialFontName=SANS)
        c.setTitle("Envelopes")
        c.setCreator(f"Guestbook envelopes {env.name}")
        c.beginForm("sender")
        c.setFillColorRGB(0.2, 0.2, 0.2)
        sender_lines = [line for line in sender if line.strip()][:5]
        draw_fitted(c, env.sender_left, height - env.sender_top - 8, sender_lines, 8, 10, width * 0.45)
        c.endForm()
        if not chunk:
            c.showPage()
        inner_width = env.window_width - 2 * ENVELOPE_PAD
        inner_height = env.window_height - 2 * ENVELOPE_PAD
        for lines in chunk:
            c.doForm("sender")
            shown = list(lines[:8])
            leading = min(13.0, inner_height / max(1, len(shown)))
            size = min(10.0, leading / 1.2)
            top = env.window_bottom + env.window_height - ENVELOPE_PAD
            draw_fitted(c, env.window_left + ENVELOPE_PAD, top - size, shown, size, leading, inner_width)
            c.showPage()
        c.save()

    _chunked(recipients, out, per_chunk, draw)
