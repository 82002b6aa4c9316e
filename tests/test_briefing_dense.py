"""The dense briefing: by outlet with counts, 15+ arrivals a page, the kitchen's first page, list view."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from guestbook import demo
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.extensions import db
from guestbook.reservations import bookings as reservations
from guestbook.reservations.models import Reservation

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

DAY = date(2026, 11, 22)


def _pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def _book(ext: str, guest_id: int, outlet: str, at: str | None, **extra: object) -> None:
    body = {"outlet": outlet, "arrival_date": DAY.isoformat(), "guest_id": guest_id, "party_size": 2, **extra}
    if at:
        body["arrival_time"] = at
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


@pytest.fixture
def day_of_three_outlets(app: Flask) -> dict[str, int]:
    """Terrace (two, one allergic to shellfish, one anaphylactic to peanuts), the bar, the rooms."""
    outlets.create_outlet(OutletCreate(code="rooms", name="Riverside Rooms", kind="rooms"), ACTOR)
    hans = make_guest(
        given_name="Hans", family_name="Müller", salutation="Mr", vip_level=2, birthday="1961-11-22",
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
    )  # fmt: skip
    add_visits(hans.id, "terrace", [("Window 2", ["club sandwich"])] * 3, start=datetime(2026, 11, 1, tzinfo=UTC))
    sue = make_guest(given_name="Sue", family_name="Shell", allergies=[{"allergen": "shellfish", "severity": "mild"}])
    bar = make_guest(given_name="Barry", family_name="Counter")
    room = make_guest(given_name="Rita", family_name="Roomer", vip_level=1)
    _book("T1", sue.id, "terrace", "18:00", table="Table 4", occasion="Anniversary", notes="cake at dessert")
    _book("T2", hans.id, "terrace", "20:00", table="Window 2")
    _book("B1", bar.id, "bar", "17:00")
    _book("R1", room.id, "rooms", None, table="Room 422", nights=7)
    return {"hans": hans.id, "sue": sue.id, "bar": bar.id, "room": room.id}


def test_the_demo_busiest_day_prints_on_at_most_four_pages(app: Flask) -> None:
    assert demo.load_demo(seed=7) is True
    counts = db.session.execute(select(Reservation.arrival_date, func.count()).group_by(Reservation.arrival_date)).all()
    busiest = max(n for _day, n in counts)
    assert busiest >= 45
    for day in [d for d, n in counts if n == busiest]:
        result = briefing.build_briefing(day, None, None, "floor")
        pages = _pages(briefing_archive.render_pdf(result))
        assert len(pages) <= 4, (day, len(pages))
        for a in result.arrivals:  # every arrival is on the sheet, once
            assert sum(a.name.replace(" ", "") in p.replace(" ", "") for p in pages) >= 1


def test_sections_follow_the_outlet_order_with_their_counts(day_of_three_outlets: dict[str, int]) -> None:
    result = briefing.build_briefing(DAY, None, None, "floor")
    # The admin lists outlets by name (there is no order field): Bamboo Bar, Riverside Rooms, Terrace.
    assert [s.code for s in result.sections] == ["bar", "rooms", "terrace"]
    terrace = result.sections[2].summary
    assert (terrace.arrivals, terrace.covers, terrace.returning, terrace.vips, terrace.allergies) == (2, 4, 1, 1, 2)
    text = " ".join(_pages(briefing_archive.render_pdf(result)))
    starts = [text.index(f"{name} Arrivals") for name in ("Bamboo Bar", "Riverside Rooms", "Terrace")]
    assert starts == sorted(starts)
    assert "Arrivals 2 · Covers 4 · Returning 1 · VIPs 1 · Allergies 2" in text
    assert "Arrivals 1 · Covers 2 · Returning 0 · VIPs 1 · Allergies 0" in text  # the rooms
    assert "Room 422" in text and "7 nights" in text


def test_page_per_outlet_starts_each_outlet_on_a_new_page(day_of_three_outlets: dict[str, int]) -> None:
    result = briefing.build_briefing(DAY, None, None, "floor")
    together = _pages(briefing_archive.render_pdf(result))
    assert len(together) == 1
    apart = _pages(briefing_archive.render_pdf(result, page_per_outlet=True))
    assert len(apart) == 4  # the kitchen's page, then one per outlet
    assert "What the kitchen and the team must know" in apart[0]
    for page, name in zip(
        apart[1:], ("Bamboo Bar Arrivals", "Riverside Rooms Arrivals", "Terrace Arrivals"), strict=True
    ):
        assert name in page


def test_landscape_pages(day_of_three_outlets: dict[str, int]) -> None:
    result = briefing.build_briefing(DAY, None, None, "floor")
    reader = PdfReader(io.BytesIO(briefing_archive.render_pdf(result, landscape=True)))
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
    portrait = PdfReader(io.BytesIO(briefing_archive.render_pdf(result))).pages[0]
    assert float(portrait.mediabox.width) < float(portrait.mediabox.height)


def test_the_kitchen_list_on_page_one_puts_anaphylaxis_first(day_of_three_outlets: dict[str, int]) -> None:
    result = briefing.build_briefing(DAY, None, None, "floor")
    first = _pages(briefing_archive.render_pdf(result))[0]
    kitchen = first.index("What the kitchen and the team must know")
    listing = first.index("Riverside Rooms Arrivals")  # the first outlet's section comes after the lists
    peanuts, shellfish = first.index("peanuts — carries an EpiPen"), first.index("shellfish")
    assert kitchen < peanuts < shellfish < listing
    assert first.index("Anniversary", kitchen) < listing and "cake at dessert" in first[kitchen:listing]
    assert "VIPs: " in first and "Rita Roomer (VIP 1, Riverside Rooms · Room 422)" in first


def test_json_kitchen_and_occasions(client: FlaskClient, api_key, day_of_three_outlets: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    kitchen = body["kitchen"]
    assert [k["allergen"] for k in kitchen] == ["peanuts", "shellfish"]
    assert kitchen[0] == {
        "time": "20:00",
        "outlet": "terrace",
        "table": "Window 2",
        "guest_id": day_of_three_outlets["hans"],
        "name": "Hans Müller",
        "allergen": "peanuts",
        "severity": "anaphylaxis",
        "note": "carries an EpiPen",
        "kind": "allergy",
    }
    kinds = {(o["kind"], o["guest_id"]) for o in body["occasions"]}
    assert ("birthday", day_of_three_outlets["hans"]) in kinds
    assert ("anniversary", day_of_three_outlets["sue"]) in kinds
    anniversary = next(o for o in body["occasions"] if o["kind"] == "anniversary")
    assert anniversary["note"] == "cake at dessert" and anniversary["date"] == DAY.isoformat()
    assert anniversary["time"] == "18:00" and anniversary["table"] == "Table 4"
    assert [s["outlet"] for s in body["sections"]] == ["bar", "rooms", "terrace"]


def test_cli_page_per_outlet_and_landscape(app: Flask, day_of_three_outlets: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "b.pdf"
    args = ["briefing", "--date", DAY.isoformat(), "--out", str(out), "--page-per-outlet", "--landscape"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    pages = PdfReader(str(out)).pages
    assert len(pages) == 4 and float(pages[0].mediabox.width) > float(pages[0].mediabox.height)


def test_the_screen_list_view_and_the_print_checkboxes(
    client: FlaskClient, auth: AuthActions, day_of_three_outlets: dict[str, int]
) -> None:
    auth.login("manager")
    cards = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert 'class="arrivals"' in cards and "<details>" not in cards
    assert 'data-briefing-view-current="cards"' in cards and "data-briefing-view-chosen" not in cards
    html = client.get(f"/briefing/?date={DAY.isoformat()}&view=list").get_data(as_text=True)
    assert 'data-briefing-view-current="list"' in html and "data-briefing-view-chosen" in html
    lines = re.findall(r'<summary class="arrival-line">(.*?)</summary>', html, re.S)
    assert len(lines) == 4
    hans = next(line for line in lines if "Hans Müller" in line)
    assert "20:00" in hans and "Window 2" in hans and "Mr Hans Müller" in hans and "VIP 2" in hans
    assert "peanuts (anaphylaxis)" in hans
    sections = re.findall(r'<section class="outlet-section" id="outlet-(\w+)">', html)
    assert sections == ["bar", "rooms", "terrace"]
    assert "What the kitchen and the team must know" in html
    # The print form carries the two checkboxes as query parameters of the PDF link.
    assert 'action="/briefing/pdf"' in html
    assert 'name="page_per_outlet" value="1"' in html and 'name="landscape" value="1"' in html
    pdf = client.get(f"/briefing/pdf?date={DAY.isoformat()}&page_per_outlet=1&landscape=1")
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    assert len(pages) == 4 and float(pages[0].mediabox.width) > float(pages[0].mediabox.height)
