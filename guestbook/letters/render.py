"""Print-ready letters and address labels with ReportLab, built in chunks so memory stays bounded.

Letters: letterhead, the recipient block placed for a window envelope (DIN 5008 form B, which suits DL and C5
window envelopes, on A4; a #10 window envelope on US Letter), fold marks, date, subject, greeting, body,
sign-off and signature space; one letter per page, optionally a blank back for duplex printers.
Labels and envelopes (the sheets people buy) are drawn by ``render_sheets`` with the helpers here.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from guestbook.pdf.fonts import SANS, draw_string, register_fonts, runs
from guestbook.pdf.textlayout import text_width, wrap_text

CHUNK_PAGES = 5000  # letters per ReportLab document (about 45 MB of page streams) before it is written and merged


@dataclass(frozen=True)
class PrintLetter:
    """One letter as plain data for the PDF: recipient block, date and the four text parts."""

    letter_id: int
    language: str
    recipient: list[str]
    date_text: str
    subject: str
    greeting: str
    body: str
    sign_off: str


@dataclass(frozen=True)
class Letterhead:
    """The sender: property name, address lines, signer and an optional logo."""

    name: str
    address: str
    signer: str
    logo_path: str


@dataclass(frozen=True)
class EnvelopeLayout:
    """Where things go on the page, in points from the bottom-left corner."""

    size: tuple[float, float]
    left: float
    right: float
    bottom: float
    window_left: float  # recipient block: left edge, top edge (from the page top), width, height
    window_top: float
    window_width: float
    window_height: float
    date_top: float  # from the page top
    folds: tuple[float, ...]  # fold marks, from the page top


LAYOUTS = {
    # DIN 5008 form B: window 45 mm from the top, 20 mm from the left, 85 × 45 mm; fits DL and C5 envelopes.
    "A4": EnvelopeLayout(
        A4, 25 * mm, 20 * mm, 22 * mm, 25 * mm, 50 * mm, 80 * mm, 38 * mm, 98 * mm, (105 * mm, 210 * mm)
    ),
    # #10 window envelope: window 7/8" from the left, 4 1/2" × 1 1/8"; letter folded in thirds.
    "Letter": EnvelopeLayout(
        LETTER,
        1 * inch,
        1 * inch,
        0.8 * inch,
        1.0 * inch,
        2.05 * inch,
        3.3 * inch,
        1.0 * inch,
        3.75 * inch,
        (11 * inch / 3, 22 * inch / 3),
    ),
}


# Text sizes: (font size, leading, space after) per part of the letter.
SUBJECT = (11.5, 16.0, 10.0)
BODY = (10.5, 15.5, 8.0)


def draw_lines(c: Canvas, x: float, y: float, lines: list[list[tuple[str, str]]], size: float, leading: float) -> float:
    """Draw wrapped lines from baseline ``y`` downwards in one text object; returns the next baseline."""
    text = c.beginText()
    current = ""
    for line in lines:
        text.setTextOrigin(x, y)
        merged: list[tuple[str, str]] = []  # one textOut per font run, not per word
        for font, piece in line:
            if merged and merged[-1][0] == font:
                merged[-1] = (font, merged[-1][1] + piece)
            else:
                merged.append((font, piece))
        for n, (font, piece) in enumerate(merged):
            if font != current:
                text.setFont(font, size)
                current = font
            text.textOut(piece.rstrip() if n == len(merged) - 1 else piece)
        y -= leading
    c.drawText(text)
    return y


class _LetterWriter:
    """Draws letters onto one ReportLab canvas; the letterhead is drawn once and reused on every page."""

    def __init__(self, target: str | BinaryIO, head: Letterhead, paper: str, blank_backs: bool) -> None:
        self.layout = LAYOUTS.get(paper, LAYOUTS["A4"])
        self.canvas = Canvas(target, pagesize=self.layout.size, pageCompression=1, initialFontName=SANS)
        self.canvas.setTitle(f"{head.name} — letters")
        self.canvas.setAuthor(head.name)
        self.head = head
        self.blank_backs = blank_backs
        self.logo = head.logo_path if head.logo_path and os.path.isfile(head.logo_path) else ""
        self.sender_line = " · ".join(p for p in (head.name, head.address) if p)
        self.text_width = self.layout.size[0] - self.layout.left - self.layout.right
        self.closing = [wrap_text(part, BODY[0], self.text_width) for part in (head.signer, head.name)]
        self._letterhead_form()

    def _letterhead_form(self) -> None:
        """Letterhead, fold marks and the sender line above the window, as one reusable form."""
        c, lay = self.canvas, self.layout
        width, height = lay.size
        c.beginForm("letterhead")
        top = height - 16 * mm
        if self.logo:
            c.drawImage(
                self.logo, lay.left, top - 14 * mm, width=30 * mm, height=16 * mm, preserveAspectRatio=True, mask="auto"
            )
        draw_string(c, width - lay.right, top - 4 * mm, self.head.name, 15, bold=True, align="right")
        y = top - 9 * mm
        for part in _wrap_address(self.head.address):
            draw_string(c, width - lay.right, y, part, 8, align="right")
            y -= 3.6 * mm
        c.setStrokeColorRGB(0.55, 0.55, 0.55)
        c.setLineWidth(0.4)
        c.line(lay.left, top - 21 * mm, width - lay.right, top - 21 * mm)
        for fold in lay.folds:  # fold marks on the left edge
            c.line(4 * mm, height - fold, 9 * mm, height - fold)
        c.setFillColorRGB(0.35, 0.35, 0.35)
        _fit_string(c, lay.window_left, height - lay.window_top - 2.5 * mm, self.sender_line, 6.5, lay.window_width)
        c.endForm()

    def _recipient(self, lines: Sequence[str]) -> None:
        lay = self.layout
        y = lay.size[1] - lay.window_top - 2.5 * mm - 5.5 * mm
        size = 10.0 if len(lines) <= 6 else 8.5
        draw_fitted(self.canvas, lay.window_left, y, lines[:8], size, size * 1.3, lay.window_width)

    def add(self, letter: PrintLetter) -> None:
        """Draw one letter (one page, more only if its text is very long)."""
        c, lay = self.canvas, self.layout
        width, height = lay.size
        c.doForm("letterhead")
        self._recipient(letter.recipient)
        draw_string(c, width - lay.right, height - lay.date_top, letter.date_text, 10, align="right")
        w = self.text_width
        blocks: list[tuple[list[list[tuple[str, str]]], tuple[float, float, float]]] = [
            (wrap_text(letter.subject, SUBJECT[0], w, bold=True), SUBJECT),
            (wrap_text(letter.greeting, BODY[0], w), BODY),
        ]
        blocks += [(wrap_text(par.strip(), BODY[0], w), BODY) for par in letter.body.split("\n\n") if par.strip()]
        blocks.append((wrap_text(letter.sign_off, BODY[0], w), (BODY[0], BODY[1], 14 * mm)))
        blocks += [(lines, (BODY[0], BODY[1], 2.0)) for lines in self.closing]
        y = height - lay.date_top - 8 * mm - SUBJECT[0]
        for lines, (size, leading, after) in blocks:
            while lines:
                if y < lay.bottom:
                    c.showPage()
                    y = height - 20 * mm
                room = max(1, int((y - lay.bottom) // leading) + 1)
                y = draw_lines(c, lay.left, y, lines[:room], size, leading)
                lines = lines[room:]
                if lines:  # a very long letter continues on the next page
                    c.showPage()
                    y = height - 20 * mm
            y -= after
        c.showPage()
        if self.blank_backs:
            c.showPage()

    def save(self) -> None:
        """Write the document."""
        self.canvas.save()


def _wrap_address(address: str) -> list[str]:
    parts = [p.strip() for p in address.split(",") if p.strip()]
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(part) < 48:
            lines[-1] = f"{lines[-1]}, {part}"
        else:
            lines.append(part)
    return lines[:3]


def _fit_string(c: Canvas, x: float, y: float, text: str, size: float, max_width: float) -> None:
    """Draw one line, shrunk (down to 70 %) so it stays inside the window or label."""
    draw_fitted(c, x, y, [text], size, size, max_width)


def draw_fitted(
    c: Canvas, x: float, y: float, lines: Sequence[str], size: float, leading: float, max_width: float
) -> None:
    """Draw address lines in one text object, each shrunk (down to 70 %) to fit ``max_width``."""
    text = c.beginText()
    for line in lines:
        pieces = runs(line)
        width = sum(text_width(part, font, size) for font, part in pieces)
        fitted = size if width <= max_width else max(size * 0.7, size * max_width / width)
        text.setTextOrigin(x, y)
        for font, part in pieces:
            text.setFont(font, fitted)
            text.textOut(part)
        y -= leading
    c.drawText(text)


def _chunked(
    items: Sequence[Any],
    out: Path | str | BinaryIO | io.BufferedIOBase,
    per_chunk: int,
    draw: Callable[[Sequence[Any], str | BinaryIO], None],
) -> None:
    """Render ``items`` chunk by chunk into temporary files, then merge them into ``out`` with pypdf."""
    register_fonts()
    if len(items) <= per_chunk:
        if isinstance(out, (str, Path)):
            draw(items, str(out))
        else:
            buffer = io.BytesIO()
            draw(items, buffer)
            out.write(buffer.getvalue())
        return
    with tempfile.TemporaryDirectory(prefix="guestbook-letters-") as folder:
        paths = []
        for n, start in enumerate(range(0, len(items), per_chunk)):
            path = os.path.join(folder, f"part-{n:05d}.pdf")
            draw(items[start : start + per_chunk], path)
            paths.append(path)
        merged = os.path.join(folder, "merged.pdf")
        _merge(paths, merged)
        if isinstance(out, (str, Path)):
            shutil.move(merged, out)
        else:
            with open(merged, "rb") as handle:
                shutil.copyfileobj(handle, out)


def _merge(paths: list[str], target: str) -> None:
    """Concatenate PDFs: poppler's pdfunite when installed (fast, streams), else pypdf (pure Python)."""
    tool = shutil.which("pdfunite")
    if tool:
        subprocess.run([tool, *paths, target], check=True, capture_output=True)  # noqa: S603 (fixed program, our files)
        return
    writer = PdfWriter()
    for path in paths:
        writer.append(path)
    with open(target, "wb") as handle:
        writer.write(handle)
    writer.close()


def write_letters(
    letters: Sequence[PrintLetter],
    head: Letterhead,
    out: Path | str | BinaryIO | io.BufferedIOBase,
    paper: str = "A4",
    blank_backs: bool = False,
    per_chunk: int = CHUNK_PAGES,
) -> None:
    """Write one page per letter (and a blank back each, for duplex, when asked) to ``out``."""

    def draw(chunk: Sequence[PrintLetter], target: str | BinaryIO) -> None:
        writer = _LetterWriter(target, head, paper, blank_backs)
        if not chunk:
            draw_string(writer.canvas, writer.layout.left, writer.layout.size[1] / 2, "No approved letters.", 12)
            writer.canvas.showPage()
        for letter in chunk:
            writer.add(letter)
        writer.save()

    _chunked(letters, out, per_chunk, draw)
