"""Issue 11: the briefing PDF printed by a Thai-language manager has Thai headings (read back with pdftotext),
drawn in the shipped Thai font; a forced line break never strands a Thai vowel or tone mark."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.admin.settings import set_setting
from guestbook.i18n import format_weekday, gettext, in_language
from guestbook.pdf.fonts import THAI, THAI_BOLD
from guestbook.pdf.textlayout import wrap_text
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

THAI_CHARS = re.compile(r"[\u0E00-\u0E7F]")
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def _fonts(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "fonts.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout


def _book_tomorrow(day: date) -> None:
    guest = make_guest(
        given_name="สมชาย", family_name="ใจดี", vip_level=1,
        allergies=[{"allergen": "ถั่วลิสง", "severity": "anaphylaxis", "note": "พกยาฉีด"}],
    )  # fmt: skip
    add_visits(guest.id, "terrace", [("ริมหน้าต่าง 2", ["ต้มยำกุ้ง", "ข้าวเหนียวมะม่วง"])] * 3)
    body = {"outlet": "terrace", "arrival_date": day.isoformat(), "arrival_time": "19:30", "guest_id": guest.id}
    reservations.upsert_reservation("pms", "T1", reservations.ReservationIn.model_validate(body), ACTOR)


def test_thai_manager_prints_the_briefing_with_thai_headings(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    day = date.today() + timedelta(days=1)
    _book_tomorrow(day)
    auth.login("manager")
    assert client.post("/account/language", data={"language": "th", "csrf_token": auth.token()}).status_code == 302
    response = client.get(f"/briefing/pdf?date={day.isoformat()}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = _pdftotext(response.data, tmp_path)
    with app.test_request_context("/"), in_language("th"):
        expected = [gettext("Allergies"), gettext("Arrivals"), gettext("Their usual"), gettext("Covers")]
        title_day = format_weekday(day, with_year=True)
    for heading in expected:
        assert THAI_CHARS.search(heading), f"{heading!r} is not Thai: the catalog is missing"
        assert heading in text, f"{heading!r} not in the PDF text"
    assert "Allergies" not in text and "Arrivals" not in text  # the English headings are gone
    assert title_day.split()[0] in text  # the Thai weekday of the title
    assert "2569" in text or str(day.year + 543) in text  # Buddhist year by default
    assert "สมชาย" in text and "ถั่วลิสง" in text  # guest data, as entered
    fonts = _fonts(response.data, tmp_path)
    assert "Loma" in fonts, fonts  # the embedded Thai font, not a fallback box


def test_the_nightly_sheet_follows_its_language_setting(app: Flask, tmp_path: Path) -> None:
    day = date.today() + timedelta(days=1)
    _book_tomorrow(day)
    set_setting("briefing_print_language", "th", ACTOR)
    out = tmp_path / "nightly.pdf"
    result = app.test_cli_runner().invoke(args=["briefing", "--date", day.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdftotext(out.read_bytes(), tmp_path)
    with app.test_request_context("/"), in_language("th"):
        assert gettext("Allergies") in text
    assert not THAI_CHARS.search(result.output)  # the command's own output stays English


def test_forced_breaks_keep_thai_marks_with_their_letter() -> None:
    # No spaces, a narrow column: the line breaker must cut between characters, never before a mark.
    lines = wrap_text("ผู้เข้าพักที่ต้องรู้ก่อนเข้ากะทุกคนต้องอ่านนี่", 9, 40)
    assert len(lines) > 2
    for line in lines:
        text = "".join(part for _font, part in line)
        assert text and not re.match(r"[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]", text), f"line starts with a mark: {text!r}"
        assert {font for font, _ in line} <= {THAI, THAI_BOLD}
