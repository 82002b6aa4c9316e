"""Labels on the sheets people buy and envelopes, read back from the PDF: every label where the maker says it is."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader

from guestbook.actor import Actor
from guestbook.admin import settings
from guestbook.letters import batches as letter_batches
from guestbook.letters import exports as letter_exports
from guestbook.letters import render_sheets
from guestbook.letters import selection as letters

from .conftest import AuthActions
from .factories import make_guest

SYSTEM = Actor.system("tests")
MM = 72 / 25.4  # points per millimetre
INCH = 72.0

# The makers' published figures, written out here rather than read from the code's table:
# name: (page width, page height, columns, rows, label width, label height, side margin, top margin,
#        horizontal pitch, vertical pitch), all in millimetres (5160 from its inch figures).
SPECS: dict[str, tuple[float, ...]] = {
    "L7160": (210, 297, 3, 7, 63.5, 38.1, 7.25, 15.15, 66.04, 38.1),
    "L7163": (210, 297, 2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1),
    "L7159": (210, 297, 3, 8, 63.5, 33.9, 7.25, 12.9, 66.04, 33.9),
    "5160": (215.9, 279.4, 3, 10, 2.625 * 25.4, 1 * 25.4, 0.1875 * 25.4, 0.5 * 25.4, 2.75 * 25.4, 1 * 25.4),
}
# The code's inner padding: text 4 mm inside the label's left edge; a block of lines at 9 pt with 1.25 leading,
# centred top to bottom, so a four-line address's first baseline is (height - 4 × 11.25 pt) / 2 + 9 pt down.
PAD_X_MM = 4.0
FOUR_LINES = ["Street 1", "Town", "Country"]


def _first_baselines(page: Any, prefix: str = "Guest ") -> dict[str, tuple[float, float]]:
    """Text starting with ``prefix`` and where it starts: (x from the left, y from the top) in millimetres."""
    height = float(page.mediabox.height)
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.startswith(prefix):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found[text.strip()] = (x / MM, (height - y) / MM)

    page.extract_text(visitor_text=visit)
    return found


def _recipients(count: int) -> list[list[str]]:
    return [[f"Guest {n:02d}", *FOUR_LINES] for n in range(1, count + 1)]


@pytest.mark.parametrize("name", list(SPECS))
def test_every_label_starts_where_the_sheet_says(app: Flask, tmp_path: Path, name: str) -> None:
    page_w, page_h, cols, rows, w, h, side, top, pitch_x, pitch_y = SPECS[name]
    per_sheet = int(cols * rows)
    out = tmp_path / f"{name}.pdf"
    paper = "Letter" if name == "5160" else "A4"
    render_sheets.write_labels(_recipients(per_sheet + 2), out, paper, name)
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) / MM - page_w) < 0.5 and abs(float(page.mediabox.height) / MM - page_h) < 0.5
    seen = _first_baselines(page)
    assert len(seen) == per_sheet
    block_mm = 4 * 9 * 1.25 / MM
    for n in range(1, per_sheet + 1):
        col, row = (n - 1) % cols, (n - 1) // cols
        want_x = side + col * pitch_x + PAD_X_MM
        want_y = top + row * pitch_y + (h - block_mm) / 2 + 9 / MM
        x, y = seen[f"Guest {n:02d}"]
        assert abs(x - want_x) < 1 and abs(y - want_y) < 1, (name, n, (x, y), (want_x, want_y))
        # and the whole label stays on its label
        assert side + col * pitch_x < x < side + col * pitch_x + w
    assert set(_first_baselines(reader.pages[1])) == {f"Guest {per_sheet + 1:02d}", f"Guest {per_sheet + 2:02d}"}


@pytest.mark.parametrize("name", ["L7160", "5160"])
def test_start_at_skips_the_used_labels_of_a_part_used_sheet(app: Flask, tmp_path: Path, name: str) -> None:
    _page_w, _page_h, cols, rows, _w, h, side, top, pitch_x, pitch_y = SPECS[name]
    out = tmp_path / "part-used.pdf"
    per_sheet = int(cols * rows)
    count = per_sheet - 4 + 1  # fills positions 5 .. end, and one more on a fresh sheet
    render_sheets.write_labels(_recipients(count), out, "Letter" if name == "5160" else "A4", name, start_at=5)
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    seen = _first_baselines(reader.pages[0])
    assert len(seen) == per_sheet - 4
    col, row = 4 % cols, 4 // cols  # position 5
    x, y = seen["Guest 01"]
    assert abs(x - (side + col * pitch_x + PAD_X_MM)) < 1
    assert abs(y - (top + row * pitch_y + (h - 4 * 9 * 1.25 / MM) / 2 + 9 / MM)) < 1
    # the next sheet starts at position 1 again
    x, y = _first_baselines(reader.pages[1])[f"Guest {count:02d}"]
    assert abs(x - (side + PAD_X_MM)) < 1 and y < top + pitch_y


def test_positions_off_the_sheet_are_refused(app: Flask, tmp_path: Path) -> None:
    for bad in (0, 22, -3):
        with pytest.raises(render_sheets.SheetError):
            render_sheets.write_labels(_recipients(2), tmp_path / "x.pdf", "A4", "L7160", start_at=bad)
    render_sheets.write_labels(_recipients(1), tmp_path / "last.pdf", "A4", "L7160", start_at=21)
    assert len(_first_baselines(PdfReader(tmp_path / "last.pdf").pages[0])) == 1
    with pytest.raises(render_sheets.SheetError):
        render_sheets.label_sheet("A4", "L9999")
    with pytest.raises(render_sheets.SheetError):
        render_sheets.envelope("A4", "C6")


def test_the_old_setting_values_keep_their_geometry(app: Flask) -> None:
    # "auto" always printed 70 × 36 mm labels edge to edge on A4 (Zweckform 3475) and Avery 5160 on US Letter.
    for value in ("auto", "", "3x8"):
        sheet = render_sheets.label_sheet("A4", value)
        assert (sheet.name, sheet.columns, sheet.rows) == ("3475", 3, 8)
        assert round(sheet.label_width / MM, 2) == 70 and round(sheet.top / MM, 2) == 4.5 and sheet.left == 0
    assert render_sheets.label_sheet("Letter", "auto").name == "5160"
    assert render_sheets.label_sheet("Letter", "3x10").name == "5160"
    grid = render_sheets.label_sheet("A4", "4x10")
    assert (grid.columns, grid.rows, grid.per_sheet) == (4, 10, 40)
    assert render_sheets.label_sheet("Letter", "l7163").name == "L7163"  # a named sheet wins over the paper


# Envelopes: (name, width, height in mm, address window: left, bottom, width, height in mm)
ENVELOPES = [
    ("DL", 220, 110, (20, 15, 90, 45)),  # DIN 680 window
    ("C5", 229, 162, (20, 67, 90, 45)),  # DIN 5008 address field of an A4 folded once
    ("US10", 9.5 * 25.4, 4.125 * 25.4, (0.875 * 25.4, 0.5 * 25.4, 4.5 * 25.4, 1.125 * 25.4)),  # #10 window
]


@pytest.mark.parametrize(("name", "width", "height", "window"), ENVELOPES)
def test_envelopes_carry_the_address_in_the_window_and_the_sender_top_left(
    app: Flask, tmp_path: Path, name: str, width: float, height: float, window: tuple[float, ...]
) -> None:
    out = tmp_path / f"{name}.pdf"
    guests = [
        ["Guest One", "Mr Wei Yu", "12 Marina View", "Singapore 018961", "SINGAPORE"],
        ["Guest Two", "Hans Müller", "Marienplatz 8", "80331 München", "GERMANY", "c/o Hotel", "Floor 3"],
    ]
    render_sheets.write_envelopes(guests, ["Sender Hotel", "Sender 99 Beach Road", "Sender Phuket"], out, "A4", name)
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    for page, lines in zip(reader.pages, guests, strict=True):
        assert abs(float(page.mediabox.width) / MM - width) < 0.5
        assert abs(float(page.mediabox.height) / MM - height) < 0.5
        left, bottom, w, h = window
        top_of_window = height - bottom - h
        where = _first_baselines(page)
        assert set(where) == {lines[0]}
        x, y = where[lines[0]]
        assert left < x < left + w and top_of_window < y < top_of_window + h, (x, y)
        # the last line's baseline too: the whole block stays inside the window
        last = _first_baselines(page, lines[-1][:6])
        _lx, ly = next(iter(last.values()))
        assert top_of_window < ly < top_of_window + h, ly
        sender = _first_baselines(page, "Sender")
        sx, sy = sender["Sender Hotel"]
        assert sx < 15 and sy < 20  # top left
        text = page.extract_text()
        assert all(line in text for line in lines[1:3])


@pytest.fixture
def batch_id(app: Flask) -> int:
    for n in range(3):
        make_guest(
            given_name=f"Wei{n}",
            family_name="Yu",
            salutation="Mr",
            marketing_consent=True,
            birthday="--03-15",
            address={"line1": f"{n + 1} Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"},
        )
    batch = letters.run_daily(date(2027, 3, 5), SYSTEM)
    letter_batches.approve_batch(batch.id, SYSTEM)
    return batch.id


def _position_of(page: Any, needle: str, sheet: str) -> int:
    """Which label position (from 1) the text ``needle`` starts in, by the sheet's published figures."""
    _pw, _ph, cols, _rows, _w, _h, side, top, pitch_x, pitch_y = SPECS[sheet]
    found: list[tuple[float, float]] = []
    height = float(page.mediabox.height)

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if needle in text:
            found.append((tm[4] / MM, (height - tm[5]) / MM))

    page.extract_text(visitor_text=visit)
    assert found, needle
    x, y = found[0]
    col, row = int((x - side) // pitch_x), int((y - top) // pitch_y)
    return int(row * cols + col + 1)


def test_cli_label_sheet_start_at_and_envelopes(
    app: Flask, runner: FlaskCliRunner, batch_id: int, tmp_path: Path
) -> None:
    labels, envelopes = tmp_path / "labels.pdf", tmp_path / "envelopes.pdf"
    args = ["letters", "pdf", "--batch", str(batch_id), "--labels", str(labels)]
    result = runner.invoke(args=[*args, "--label-sheet", "L7160", "--start-at", "5"])
    assert result.exit_code == 0, result.output
    assert "L7160" in result.output and "from position 5" in result.output
    page = PdfReader(labels).pages[0]
    assert [_position_of(page, f"{n} Marina View", "L7160") for n in (1, 2, 3)] == [5, 6, 7]

    result = runner.invoke(
        args=["letters", "pdf", "--batch", str(batch_id), "--envelopes", str(envelopes), "--envelope", "DL"]
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(envelopes)
    assert len(reader.pages) == 3
    assert round(float(reader.pages[0].mediabox.width) / MM) == 220

    for bad, message in (
        (["--start-at", "22"], "positions run from 1 to 21"),
        (["--start-at", "0"], "positions run from 1 to 21"),
        (["--label-sheet", "L9999"], "Unknown label sheet L9999"),
    ):
        labels.unlink(missing_ok=True)
        sheet = [] if "--label-sheet" in bad else ["--label-sheet", "L7160"]
        result = runner.invoke(args=[*args, *sheet, *bad])
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert not labels.exists()
    result = runner.invoke(
        args=["letters", "pdf", "--batch", str(batch_id), "--envelopes", str(envelopes), "--envelope", "B4"]
    )
    assert result.exit_code == 1 and "Unknown envelope B4" in result.output


def test_the_property_default_sheet_and_envelope_are_used(app: Flask, batch_id: int) -> None:
    settings.set_setting("letters_label_layout", "L7163", SYSTEM)
    settings.set_setting("letters_envelope", "C5", SYSTEM)
    buffer = io.BytesIO()
    letter_exports.export_pdf(batch_id, SYSTEM, buffer, labels=True)
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    assert [_position_of(page, f"{n} Marina View", "L7163") for n in (1, 2, 3)] == [1, 2, 3]
    buffer = io.BytesIO()
    assert letter_exports.export_envelopes(batch_id, SYSTEM, buffer) == 3
    assert round(float(PdfReader(io.BytesIO(buffer.getvalue())).pages[0].mediabox.height) / MM) == 162


def test_batch_page_offers_sheets_and_envelopes(
    app: Flask, client: FlaskClient, auth: AuthActions, batch_id: int
) -> None:
    auth.login("concierge")
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert 'name="sheet"' in page and 'value="L7160"' in page and 'name="start_at"' in page
    assert 'name="envelope"' in page and 'value="US10"' in page
    response = client.get(f"/letters/batches/{batch_id}/labels.pdf?sheet=L7160&start_at=5")
    assert response.mimetype == "application/pdf"
    page_one = PdfReader(io.BytesIO(response.get_data())).pages[0]
    assert _position_of(page_one, "1 Marina View", "L7160") == 5
    refused = client.get(f"/letters/batches/{batch_id}/labels.pdf?sheet=L7163&start_at=15", follow_redirects=True)
    assert refused.status_code == 200
    assert "positions run from 1 to 14" in refused.get_data(as_text=True)
    words = client.get(f"/letters/batches/{batch_id}/labels.pdf?sheet=L7163&start_at=two", follow_redirects=True)
    assert "whole number" in words.get_data(as_text=True)
    envelopes = client.get(f"/letters/batches/{batch_id}/envelopes.pdf?envelope=US10")
    assert envelopes.mimetype == "application/pdf"
    assert round(float(PdfReader(io.BytesIO(envelopes.get_data())).pages[0].mediabox.width) / INCH, 2) == 9.5
    unknown = client.get(f"/letters/batches/{batch_id}/envelopes.pdf?envelope=B4", follow_redirects=True)
    assert "Unknown envelope B4" in unknown.get_data(as_text=True)
