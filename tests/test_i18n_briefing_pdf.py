"""Issue 11: the printed briefing in the language of whoever prints it; the CLI's --language; English reads back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader
from sqlalchemy import select

from guestbook import jobs
from guestbook.admin.outlets import update_property
from guestbook.admin.settings import set_setting
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.briefing.models import BriefingArchive
from guestbook.briefing.render import render_briefing
from guestbook.extensions import db
from guestbook.i18n import format_weekday, in_language
from guestbook.reservations import bookings as reservations
from guestbook.staff import auth as staff_auth
from guestbook.staff.models import StaffUser

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

DAY = date(2026, 11, 22)  # a Sunday


def _book(ext: str, guest_id: int, at: str | None = "19:30", **extra: object) -> None:
    body = {"outlet": "terrace", "arrival_date": DAY.isoformat(), "guest_id": guest_id, "party_size": 2, **extra}
    if at:
        body["arrival_time"] = at
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


@pytest.fixture
def booked(app: Flask) -> None:
    """A regular with an allergy and a birthday, a first-timer, a hotel guest with no time who has arrived."""
    regular = make_guest(
        given_name="Hans", family_name="Müller", pronunciation="HAHNS MUE-ler", vip_level=2, birthday="1961-11-22",
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
    )  # fmt: skip
    add_visits(
        regular.id, "terrace", [("Window 2", ["club sandwich", "coffee"])] * 3, start=datetime(2026, 11, 1, tzinfo=UTC)
    )
    _book("R1", regular.id, table="Window 2", notes="asked for the usual table")
    _book("R2", make_guest(given_name="New", family_name="Comer").id, at="18:00", occasion="Anniversary")
    _book("R3", make_guest(given_name="Stay", family_name="Over").id, at=None, nights=2, status="arrived")


def _text(data: bytes) -> str:
    """The PDF's text as pypdf reads it, whitespace collapsed (a long line may wrap inside its column)."""
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _compact(text: str) -> str:
    """Text without any whitespace: pypdf puts a space between runs in different fonts (年 and 2026)."""
    return "".join(text.split())


def _day(language: str) -> str:
    """The briefing's date as its heading prints it in ``language`` (``Sun, 22 Nov 2026`` in English)."""
    with in_language(language):
        return format_weekday(DAY, with_year=True)


def _japanese_day(app: Flask) -> str:
    day = _day("ja")
    assert day != _day("en")  # the test would prove nothing otherwise
    return _compact(day)


# ----- (b) English still renders and reads back ---------------------------------------------------


def test_english_briefing_renders_and_reads_back(app: Flask, booked: None) -> None:
    data = render_briefing(briefing.build_briefing(DAY, "terrace"), "A4")
    text = _text(data)
    for label in ("When", "Pax", "Table", "Guest", "Their usual", "Allergies", "Tonight"):  # the column header
        assert label in text, label
    for label in ("Arrivals", "Covers", "Returning", "First time", "VIPs", "Occasions", "Allergies", "Open complaints"):
        assert label in text, label
    assert f"Arrival briefing — {_day('en')} — Terrace" in text and "generated " in text
    assert "page 1 of 1" in text
    assert "ALLERGY: peanuts (anaphylaxis) — carries an EpiPen" in text
    assert "First visit — welcome them" in text and "Birthday today (turns 65)" in text
    # The dense rows: the visits without a label (the column is "Their usual"), the party as a number.
    assert "3 visits, last 1 Nov 2026" in text and "Seat: Window 2" in text
    assert "Say: HAHNS MUE-ler" in text and "VIP 2" in text and "19:30 2 Window 2" in text
    assert "any time" in text and "2 nights" in text and "ARRIVED" in text
    assert "Notes: asked for the usual table" in text and "Occasion: Anniversary" in text


def test_english_briefing_without_arrivals(app: Flask) -> None:
    data = render_briefing(briefing.build_briefing(DAY, None, "breakfast"), "A4")
    text = _text(data)
    assert "All outlets · Breakfast" in text and "No arrivals booked." in text and "page 1 of 1" in text


# ----- (a) the command line: --language, else the nightly language --------------------------------


def test_cli_language_option_is_accepted(app: Flask, runner: FlaskCliRunner, booked: None, tmp_path: Path) -> None:
    japanese = _japanese_day(app)
    for language in ("en", "th", "zh_Hans", "ja"):
        out = tmp_path / f"briefing-{language}.pdf"
        result = runner.invoke(
            args=[
                "briefing",
                "--date",
                DAY.isoformat(),
                "--outlet",
                "terrace",
                "--language",
                language,
                "--out",
                str(out),
            ]
        )
        assert result.exit_code == 0, result.output
        assert "3 arrivals" in result.output  # the command's own output stays English
        assert out.read_bytes().startswith(b"%PDF")
    english = _text((tmp_path / "briefing-en.pdf").read_bytes())
    assert _day("en") in english and japanese not in _compact(english)
    assert japanese in _compact(
        _text((tmp_path / "briefing-ja.pdf").read_bytes())
    )  # dates follow the language asked for


def test_cli_refuses_an_unknown_language(app: Flask, runner: FlaskCliRunner, booked: None, tmp_path: Path) -> None:
    out = tmp_path / "briefing.pdf"
    for language in ("fr", "zh-TW", "JA", ""):
        result = runner.invoke(args=["briefing", "--date", DAY.isoformat(), "--language", language, "--out", str(out)])
        assert result.exit_code == 2, (language, result.output)
        assert "--language" in result.output
    assert not out.exists()


def test_cli_defaults_to_the_nightly_language(app: Flask, runner: FlaskCliRunner, booked: None, tmp_path: Path) -> None:
    japanese = _japanese_day(app)
    out = tmp_path / "briefing.pdf"
    result = runner.invoke(args=["briefing", "--date", DAY.isoformat(), "--outlet", "terrace", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _day("en") in _text(out.read_bytes())  # nothing set: the property's default, English
    set_setting("briefing_print_language", "ja", ACTOR)
    result = runner.invoke(args=["briefing", "--date", DAY.isoformat(), "--outlet", "terrace", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert japanese in _compact(_text(out.read_bytes()))
    result = runner.invoke(
        args=["briefing", "--date", DAY.isoformat(), "--outlet", "terrace", "--language", "en", "--out", str(out)]
    )
    assert result.exit_code == 0 and _day("en") in _text(out.read_bytes())  # --language wins


# ----- the nightly job and the web route ---------------------------------------------------------


def test_nightly_job_prints_in_the_nightly_language(app: Flask, booked: None) -> None:
    japanese = _japanese_day(app)
    update_property("Test Hotel", "", "Asia/Bangkok", "THB", ACTOR)
    set_setting("briefing_print_language", "ja", ACTOR)
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 22, 1, 0, tzinfo=UTC), tick=False):  # 08:00 in Bangkok
        assert jobs.nightly_briefing(app) == 1
    db.session.rollback()
    (row,) = db.session.scalars(select(BriefingArchive))
    text = _text(row.pdf)
    assert japanese in _compact(text) and _day("en") not in text
    assert "Hans Müller" in text and "peanuts" in text  # guest data as entered


def test_web_pdf_follows_the_account_language(app: Flask, client: FlaskClient, auth: AuthActions, booked: None) -> None:
    japanese = _japanese_day(app)
    manager = db.session.scalars(select(StaffUser).where(StaffUser.role == "manager")).one()
    auth.login("manager")
    english = client.get(f"/briefing/pdf?date={DAY.isoformat()}&outlet=terrace")
    assert english.status_code == 200 and _day("en") in _text(english.data)
    staff_auth.set_language(manager.id, "ja")
    japanese_pdf = client.get(f"/briefing/pdf?date={DAY.isoformat()}&outlet=terrace")
    assert japanese_pdf.status_code == 200 and japanese in _compact(_text(japanese_pdf.data))
    # Regenerating from the archive screen archives the sheet in the language of whoever asked for it.
    token = auth.token("/briefing/archive")
    done = client.post(
        "/briefing/archive/regenerate", data={"csrf_token": token, "day": DAY.isoformat(), "outlet": "terrace"}
    )
    assert done.status_code == 302
    db.session.rollback()
    (row,) = db.session.scalars(select(BriefingArchive))
    assert japanese in _compact(_text(row.pdf))


def test_screen_strings_stay_english_for_english_staff(
    app: Flask, client: FlaskClient, auth: AuthActions, booked: None
) -> None:
    auth.login("manager")
    page = client.get(f"/briefing/?date={DAY.isoformat()}&outlet=terrace").get_data(as_text=True)
    assert _day("en") in page and "party of 2" in page and "2 nights" in page and "any time" in page
    assert '<span class="badge">Arrived</span>' in page and "say <em>HAHNS MUE-ler</em>" in page
    archive = client.get(f"/briefing/archive?date={DAY.isoformat()}").get_data(as_text=True)
    assert "Read on 22 November 2026" in archive and "Manager (Manager, terrace) — first opened" in archive
    assert briefing_archive.filename_for(DAY, "terrace") == "briefing-2026-11-22-terrace.pdf"
