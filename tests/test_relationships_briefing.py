"""The briefing groups arrivals who know each other: "with Tomás Vance, spouse — also booked 19:30" on the
screen, in the JSON and on the printed sheet (read back with pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.relations import relationships
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, make_guest

DAY = date(2026, 11, 22)


def _book(ext: str, guest_id: int, when: str | None, day: date = DAY, outlet: str = "terrace") -> None:
    body = {"outlet": outlet, "arrival_date": day.isoformat(), "guest_id": guest_id}
    if when:
        body["arrival_time"] = when
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


@pytest.fixture
def couple(app: Flask) -> dict[str, int]:
    """Ana (19:00) and her husband Tomás (19:30) tonight; Ana's assistant Mai (bar, 12:00) and her friend
    Pim (not booked tonight)."""
    ana = make_guest(given_name="Ana", family_name="Vance").id
    tomas = make_guest(given_name="Tomás", family_name="Vance").id
    mai = make_guest(given_name="Mai", family_name="Tran").id
    pim = make_guest(given_name="Pim", family_name="Sukprasert").id
    stranger = make_guest(given_name="Solo", family_name="Diner").id
    relationships.add_relationship(ana, tomas, "spouse", "", ACTOR)
    relationships.add_relationship(mai, ana, "assistant_of", "", ACTOR)
    relationships.add_relationship(ana, pim, "friend", "", ACTOR)
    _book("r-ana", ana, "19:00")
    _book("r-tomas", tomas, "19:30")
    _book("r-mai", mai, "12:00", outlet="bar")
    _book("r-solo", stranger, "20:00")
    _book("r-pim", pim, "19:00", day=date(2026, 11, 23))
    return {"ana": ana, "tomas": tomas, "mai": mai, "pim": pim, "solo": stranger}


def test_json_lists_the_companions_on_the_sheet_with_their_time(
    client: FlaskClient, api_key: Callable[[str], dict[str, str]], couple: dict[str, int]
) -> None:
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    by_guest = {a["guest_id"]: a for a in body["arrivals"]}
    assert by_guest[couple["ana"]]["companions"] == [
        {"guest_id": couple["mai"], "name": "Mai Tran", "kind": "has_assistant", "arrival_time": "12:00"},
        {"guest_id": couple["tomas"], "name": "Tomás Vance", "kind": "spouse", "arrival_time": "19:30"},
    ]
    assert by_guest[couple["tomas"]]["companions"] == [
        {"guest_id": couple["ana"], "name": "Ana Vance", "kind": "spouse", "arrival_time": "19:00"}
    ]
    assert by_guest[couple["mai"]]["companions"] == [
        {"guest_id": couple["ana"], "name": "Ana Vance", "kind": "assistant_of", "arrival_time": "19:00"}
    ]
    assert by_guest[couple["solo"]]["companions"] == []
    # One outlet's sheet: only the companions on that sheet.
    terrace = client.get(f"/api/v1/briefings/{DAY.isoformat()}?outlet=terrace", headers=api_key("floor")).get_json()
    ana = next(a for a in terrace["arrivals"] if a["guest_id"] == couple["ana"])
    assert [c["name"] for c in ana["companions"]] == ["Tomás Vance"]


def test_screen_says_who_they_come_with(client: FlaskClient, auth: AuthActions, couple: dict[str, int]) -> None:
    auth.login("floor")
    page = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "with Tomás Vance, spouse — also booked 19:30" in page
    assert "with Ana Vance, spouse — also booked 19:00" in page
    assert "with Mai Tran, assistant — also booked 12:00" in page
    assert "with Ana Vance, employer — also booked 19:00" in page
    assert "Pim Sukprasert" not in page  # related, but not booked that day
    assert f'<a href="/guests/{couple["tomas"]}">with Tomás Vance' in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_the_printed_sheet_says_it_too(app: Flask, couple: dict[str, int], tmp_path: Path) -> None:
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(briefing_archive.render_pdf(briefing.build_briefing(DAY, "terrace", None, "floor")))
    # -raw: the text in the order it is drawn, so a line wrapped inside the narrow Guest column reads on.
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = " ".join(text.split())
    assert "with Tomás Vance, spouse — also booked 19:30" in flat
    assert "with Ana Vance, spouse — also booked 19:00" in flat
    assert "Mai Tran" not in flat  # the bar's arrival is not on the terrace's sheet


def test_a_guest_without_a_time_is_also_booked_today(app: Flask) -> None:
    ana = make_guest(given_name="Ana", family_name="Vance").id
    ben = make_guest(given_name="Ben", family_name="Okafor").id
    relationships.add_relationship(ana, ben, "colleague", "", ACTOR)
    _book("h-ana", ana, "18:00")
    _book("h-ben", ben, None)
    sheet = briefing.build_briefing(DAY, None, None, "floor")
    by_guest = {a.guest_id: a for a in sheet.arrivals}
    assert [c.line for c in by_guest[ana].companions] == ["with Ben Okafor, colleague — also booked today"]


def test_a_guest_who_knows_the_whole_room_still_prints_on_one_page_row(app: Flask, tmp_path: Path) -> None:
    host = make_guest(given_name="Party", family_name="Host").id
    _book("host", host, "19:00")
    for n in range(60):
        gid = make_guest(given_name=f"Guest{n:02d}", family_name="With-A-Rather-Long-Family-Name").id
        relationships.add_relationship(host, gid, "friend", "", ACTOR)
        _book(f"g{n}", gid, "19:30")
    sheet = briefing.build_briefing(DAY, None, None, "floor")
    assert len(next(a for a in sheet.arrivals if a.guest_id == host).companions) == 60  # the screen lists all
    pdf = tmp_path / "crowd.pdf"
    pdf.write_bytes(briefing_archive.render_pdf(sheet))  # a row taller than a page would raise LayoutError
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert "and 57 more they know (see the screen)" in " ".join(text.split())


def test_an_arrival_taller_than_a_page_continues_on_the_next_with_every_allergy(app: Flask, tmp_path: Path) -> None:
    """Allergies are never cut: a guest with sixty, each with a long note, makes a row taller than a page. It is
    cut at the page's end and continues (a LayoutError stopped the whole sheet); every allergy is printed, and every
    page it continues on is headed with the time and the guest's name, so no allergy reads as another guest's."""
    note = "kept apart in the kitchen, ask the chef before anything is served " * 2
    allergies = [{"allergen": f"allergen{n:02d}", "severity": "severe", "note": note} for n in range(60)]
    gid = make_guest(given_name="Many", family_name="Allergies", allergies=allergies).id
    _book("many", gid, "19:00")
    for n in range(3):  # rows before and after it still move whole
        _book(f"o{n}", make_guest(given_name=f"Other{n}", family_name="Guest").id, f"{18 + n}:30")
    sheet = briefing.build_briefing(DAY, None, None, "floor")
    pdf = tmp_path / "allergies.pdf"
    pdf.write_bytes(briefing_archive.render_pdf(sheet))
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = " ".join(text.split())
    assert all(f"allergen{n:02d}" in flat for n in range(60))
    assert text.count("\f") >= 3 and "Other2" in flat  # the row ran over more than one page, the sheet went on
    pages = [" ".join(page.split()) for page in text.split("\f")]
    with_allergies = [page for page in pages if "ALLERGY: allergen" in page]  # the arrivals' table, not the summary
    assert len(with_allergies) >= 3
    assert "(continued)" not in with_allergies[0]
    assert all("19:00 Many Allergies (continued)" in page for page in with_allergies[1:])
