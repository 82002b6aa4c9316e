"""The briefing: JSON, screen, PDF round-trip in every script, reads, archive exactly once, schedulers, mail."""

from __future__ import annotations

import io
import subprocess
import threading
import time as clock
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader
from sqlalchemy import func, select

from guestbook import create_app
from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.briefing.models import BriefingArchive
from guestbook.extensions import db
from guestbook.guests import notes, recognition
from guestbook.guests.schemas import PreferenceCreate
from guestbook.reservations import bookings as reservations
from guestbook.scheduler import build_scheduler
from guestbook.staff.models import StaffUser

from .conftest import AuthActions, _config, close_app
from .factories import ACTOR, add_visits, make_guest
from .smtp_sink import Inbox

DAY = date(2026, 11, 22)
NAMES = {
    "latin": ("Zoë", "Müller-Lefèvre"),
    "greek": ("Αλέξης", "Παπαδόπουλος"),
    "cyrillic": ("Дмитрий", "Иванов"),
    "chinese": ("小明", "王"),
    "japanese": ("さくら", "高橋"),
    "korean": ("민준", "김"),
}


def _book(ext: str, guest_id: int, outlet: str = "terrace", at: str | None = "19:30", **extra: object) -> None:
    body = {"outlet": outlet, "arrival_date": DAY.isoformat(), "guest_id": guest_id, "party_size": 2, **extra}
    if at:
        body["arrival_time"] = at
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


@pytest.fixture
def booked(app: Flask) -> dict[str, int]:
    """Tonight: a regular with an allergy and a birthday, a first-timer, one per script, a cancellation."""
    regular = make_guest(
        given_name="Hans", family_name="Müller", pronunciation="HAHNS MUE-ler", vip_level=2, birthday="1961-11-22",
        allergies=[{"allergen": "peanuts", "severity": "anaphylaxis", "note": "carries an EpiPen"}],
    )  # fmt: skip
    add_visits(
        regular.id, "terrace", [("Window 2", ["club sandwich", "coffee"])] * 3, start=datetime(2026, 11, 1, tzinfo=UTC)
    )
    first = make_guest(given_name="New", family_name="Comer")
    _book("R1", regular.id, at="19:30", table="Window 2", notes="asked for the usual table")
    _book("R2", first.id, at="18:00", occasion="Anniversary")
    ids = {"regular": regular.id, "first": first.id}
    for n, (script, (given, family)) in enumerate(NAMES.items()):
        guest = make_guest(given_name=given, family_name=family)
        _book(f"S{n}", guest.id, at=f"20:{n:02d}")
        ids[script] = guest.id
    gone = make_guest(given_name="Gone", family_name="Away")
    _book("C1", gone.id, status="cancelled")
    _book("B1", first.id, outlet="bar", at="12:00")
    return ids


def test_briefing_json_summary_and_arrivals(client: FlaskClient, api_key, booked: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/briefings/{DAY.isoformat()}?outlet=terrace", headers=api_key("manager"))
    assert response.status_code == 200
    body = response.get_json()
    summary = body["summary"]
    assert summary["arrivals"] == 8 and summary["covers"] == 16 and summary["cancelled"] == 1
    assert summary["returning"] == 1 and summary["first_time"] == 7 and summary["vips"] == 1
    assert summary["allergies"] == 1 and summary["occasions"] == 2 and summary["open_complaints"] == 0
    times = [a["arrival_time"] for a in body["arrivals"]]
    assert times == sorted(times)
    regular = next(a for a in body["arrivals"] if a["guest_id"] == booked["regular"])
    assert regular["name"] == "Hans Müller" and regular["pronunciation"] == "HAHNS MUE-ler"
    assert regular["allergies"][0]["allergen"] == "peanuts"
    assert regular["usual_seat"] == "Window 2" and regular["usual_order"] == ["club sandwich", "coffee"]
    assert regular["visit_count"] == 3 and regular["last_visit"] == "2026-11-01"
    assert regular["occasions"] == ["Birthday today (turns 65)"] and regular["first_visit"] is False
    first = next(a for a in body["arrivals"] if a["guest_id"] == booked["first"])
    assert first["first_visit"] is True and first["occasions"] == ["Anniversary"]
    assert booked["regular"] not in [a["guest_id"] for a in body["arrivals"] if a["status"] == "cancelled"]
    dinner = client.get(f"/api/v1/briefings/{DAY.isoformat()}?period=lunch", headers=api_key("manager")).get_json()
    assert [a["outlet"] for a in dinner["arrivals"]] == ["bar"]
    assert client.get("/api/v1/briefings/22-11-2026", headers=api_key("manager")).status_code == 422
    assert client.get(f"/api/v1/briefings/{DAY}?outlet=moon", headers=api_key("manager")).status_code == 422
    assert client.get(f"/api/v1/briefings/{DAY}", headers=api_key("floor")).status_code == 200  # issue 8.5


def _pdf_text(data: bytes, tmp_path: Path) -> tuple[str, list[str], str]:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return text, pages, fonts


def _assert_all_embedded(fonts: str) -> None:
    rows = fonts.strip().splitlines()[2:]
    assert rows, fonts
    for row in rows:
        parts = row.split()
        assert parts[-5] == "yes", f"font not embedded: {row}"


def test_pdf_round_trip_in_every_script(client: FlaskClient, api_key, booked: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/briefings/{DAY.isoformat()}.pdf?outlet=terrace", headers=api_key("manager"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, pages, fonts = _pdf_text(response.data, tmp_path)
    joined = " ".join("\n".join(pages).split())  # a long name may wrap inside its column
    flat = " ".join(text.split())
    for given, family in NAMES.values():
        full = f"{family}{given}" if family in "王高橋김" else f"{given} {family}"
        assert full in joined, f"pypdf lost {full}"
        assert given in flat and family in flat, f"pdftotext lost {full}"  # -layout interleaves columns
    assert "ALLERGY: peanuts (anaphylaxis)" in joined and "First visit — welcome them" in joined
    assert "Birthday today (turns 65)" in joined and "page 1 of 1" in joined
    _assert_all_embedded(fonts)
    assert "DejaVuSans" in fonts and "DroidSansFallback" in fonts and "NanumGothic" in fonts


def test_long_briefing_repeats_header_and_never_splits_an_arrival(app: Flask, tmp_path: Path) -> None:
    for n in range(60):
        guest = make_guest(
            given_name=f"Guest{n:02d}",
            family_name="Longname",
            notes="",
            allergies=[{"allergen": "gluten"}] if n % 3 else [],
        )
        _book(f"L{n}", guest.id, at=f"{17 + n // 20}:{n % 20 * 2:02d}", notes="a note that wraps " * (n % 4))
    result = briefing.build_briefing(DAY, "terrace")
    data = briefing_archive.render_pdf(result)
    _text, pages, fonts = _pdf_text(data, tmp_path)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {total}" in page
    # The kitchen's list comes first (40 allergies here); from the outlet's section on, every page has the header.
    listing = next(n for n, page in enumerate(pages) if "Terrace Arrivals" in " ".join(page.split()))
    assert all("When" in page and "Their usual" in page and "Tonight" in page for page in pages[listing:])
    assert all("Their usual" not in page for page in pages[:listing])
    flat = [" ".join(page.split()) for page in pages]
    for n in range(60):  # once in its row, once more in the kitchen's list when allergic; never cut in two
        name = f"Guest{n:02d} Longname"
        assert sum(page.count(name) for page in flat) == (2 if n % 3 else 1)
        assert all(page.count(f"Guest{n:02d}") == page.count(name) for page in flat)
    _assert_all_embedded(fonts)
    assert min(_font_sizes(data)) >= 9  # at least 9 pt everywhere


def test_a_huge_note_is_cut_not_fatal(app: Flask, tmp_path: Path) -> None:
    guest = make_guest(given_name="Verbose", family_name="Notes", allergies=[{"allergen": "sesame"}])
    _book("HUGE", guest.id, at="19:00", notes="The guest asked us to remember many things. " * 110)
    data = briefing_archive.render_pdf(briefing.build_briefing(DAY, "terrace"))
    text, pages, _fonts = _pdf_text(data, tmp_path)
    assert "Verbose Notes" in text and "sesame" in text
    assert "more on the guest's card" in text.replace("\u2019", "'")
    assert len(pages) == 1


def _font_sizes(data: bytes) -> set[float]:
    """Every effective font size of visible text in the PDF."""
    sizes: set[float] = set()

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            sizes.add(round(size * (tm[3] or 1) * (cm[3] or 1), 2))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    assert sizes
    return sizes


def test_long_text_wraps_inside_its_column_in_every_script(app: Flask, tmp_path: Path) -> None:
    note = "窓際の席を希望。誕生日のケーキを用意してください。" * 6 + " Ελληνικά και Русский текст " * 4
    guest = make_guest(given_name="长长长长长长长长长长长长长长长长长长", family_name="王")
    _book("W1", guest.id, at="19:00", notes=note)
    data = briefing_archive.render_pdf(briefing.build_briefing(DAY, "terrace"))
    _text, pages, fonts = _pdf_text(data, tmp_path)
    joined = "".join("".join(pages).split())
    assert "".join(note.split()) in joined  # every character came back, in order
    assert "王长长长长长长长长长长长长长长长长长长" in joined
    _assert_all_embedded(fonts)
    # The wrapper itself: no line wider than the column, CJK broken between characters, never before 。 or 、.
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from guestbook.briefing.render import BODY
    from guestbook.pdf.textlayout import wrap

    lines = wrap([(note, False)], BODY.fontSize, 120)
    assert len(lines) > 10
    assert all(sum(stringWidth(text, font, BODY.fontSize) for font, text in line) <= 120.01 for line in lines)
    assert all(line[0][1][0] not in "。、" for line in lines)
    assert "".join(text for line in lines for _font, text in line).replace(" ", "") == note.replace(" ", "")


def test_letter_paper_size(app: Flask, booked: dict[str, int]) -> None:
    from guestbook.briefing.render import render_briefing

    data = render_briefing(briefing.build_briefing(DAY, "terrace"), "Letter")
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_cli_writes_the_pdf(runner: FlaskCliRunner, booked: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = runner.invoke(args=["briefing", "--date", DAY.isoformat(), "--outlet", "terrace", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "8 arrivals" in result.output and out.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["briefing", "--date", "tomorrow", "--out", str(out)])
    assert bad.exit_code != 0


def test_screen_and_read_acknowledgement(
    app: Flask, client: FlaskClient, auth: AuthActions, booked: dict[str, int]
) -> None:
    auth.login("manager")
    page = client.get(f"/briefing/?date={DAY.isoformat()}&outlet=terrace").get_data(as_text=True)
    assert "Hans Müller" in page and "peanuts" in page and "First visit" in page and "王小明" in page
    assert "<script>" not in page
    readers = briefing.readers(DAY)
    assert [(r.name, r.opened_count) for r in readers] == [("Manager", 1)]
    client.get(f"/briefing/pdf?date={DAY.isoformat()}&outlet=terrace")
    assert briefing.readers(DAY)[0].opened_count == 2
    archive = client.get(f"/briefing/archive?date={DAY.isoformat()}").get_data(as_text=True)
    assert "Manager (Manager" in archive
    from guestbook.audit import AuditEvent

    db.session.rollback()
    seen = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "briefing_view", AuditEvent.guest_id == booked["regular"]
        )
    )
    assert seen == 1


def _archived() -> list[BriefingArchive]:
    db.session.rollback()
    return list(db.session.scalars(select(BriefingArchive).order_by(BriefingArchive.id)))


def test_scheduled_archive_is_exactly_once_by_unique_key(app: Flask, booked: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    system = Actor.system("scheduler")
    first = briefing_archive.archive_briefing(DAY, "terrace", system, "scheduled")
    assert first is not None and first.version == 1 and first.arrivals_count == 8
    # Even with the existence check defeated, the database refuses a second scheduled row.
    monkeypatch.setattr(briefing_archive, "_scheduled_exists", lambda day, outlet: False)
    assert briefing_archive.archive_briefing(DAY, "terrace", system, "scheduled") is None
    regenerated = briefing_archive.regenerate(DAY, "terrace", ACTOR)
    assert regenerated.version == 2 and regenerated.trigger == "manual"
    rows = _archived()
    assert [(r.version, r.trigger) for r in rows] == [(1, "scheduled"), (2, "manual")]
    assert rows[0].pdf.startswith(b"%PDF") and len(rows[0].checksum) == 64


def test_misfire_catch_up_runs_once_after_the_scheduled_time(app: Flask, booked: dict[str, int]) -> None:
    from guestbook.admin.outlets import update_property

    update_property("Test Hotel", "", "Asia/Bangkok", "THB", ACTOR)
    with time_machine.travel(datetime(2026, 11, 21, 21, 0, tzinfo=UTC), tick=False):  # 04:00 in Bangkok
        assert briefing_archive.catch_up() == []
    with time_machine.travel(datetime(2026, 11, 22, 1, 0, tzinfo=UTC), tick=False):  # 08:00: the 05:00 run was missed
        made = briefing_archive.catch_up()
        assert sorted(r.outlet_code for r in made) == ["bar", "terrace"]
        assert briefing_archive.catch_up() == []  # a second start is a no-op
    assert len(_archived()) == 2


@pytest.mark.app_config(BRIEFING_TIME="22:00", BRIEFING_DAY_OFFSET=1)
def test_evening_schedule_builds_the_next_day(app: Flask, booked: dict[str, int]) -> None:
    from guestbook.admin.outlets import update_property

    update_property("Test Hotel", "", "UTC", "THB", ACTOR)  # the times below are the property's own
    with time_machine.travel(datetime(2026, 11, 21, 21, 30, tzinfo=UTC), tick=False):  # before 22:00 the day before
        assert briefing_archive.due_days() == [date(2026, 11, 21)]
    with time_machine.travel(datetime(2026, 11, 21, 22, 30, tzinfo=UTC), tick=False):  # 22:30 the evening before
        assert briefing_archive.due_days() == [date(2026, 11, 21), DAY]
        assert len(briefing_archive.catch_up()) == 2


def test_two_schedulers_against_one_database_archive_once(app: Flask, db_url: str, tmp_path: Path) -> None:
    today = property_today()
    guest = make_guest(given_name="Only", family_name="Once")
    body = {"outlet": "terrace", "arrival_date": today.isoformat(), "arrival_time": "19:00", "guest_id": guest.id}
    reservations.upsert_reservation("pms", "ONCE", reservations.ReservationIn.model_validate(body), ACTOR)
    db.session.remove()
    config = {**_config(db_url), "BRIEFING_TIME": "00:00"}
    done = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []
    schedulers = []
    apps = [create_app(config, instance_path=str(tmp_path / f"instance{n}")) for n in range(2)]
    for n in range(2):
        scheduler = build_scheduler(apps[n])

        def listener(event, n=n):  # type: ignore[no-untyped-def]
            if event.exception:
                errors.append(event.exception)
            if event.job_id == "nightly-briefing":  # the letters job runs too; wait for this one
                done[n].set()

        scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        schedulers.append(scheduler)
    for scheduler in schedulers:
        scheduler.start()
    try:
        assert all(event.wait(60) for event in done)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
        for each in apps:
            close_app(each)
    assert errors == []
    rows = _archived()
    assert [(r.briefing_date, r.outlet_code, r.trigger) for r in rows] == [(today, "terrace", "scheduled")]


def test_create_app_never_starts_a_scheduler(app: Flask) -> None:
    assert not any("APScheduler" in t.name or "scheduler" in t.name.lower() for t in threading.enumerate())


class TestMail:
    """The nightly mail, through a local SMTP server the app is built to use."""

    @pytest.fixture
    def app_config(self, smtp_server: tuple[int, Inbox]) -> dict[str, object]:
        port, _inbox = smtp_server
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}

    def test_scheduled_briefing_is_mailed_once_to_opted_in_managers(
        self, app: Flask, booked: dict[str, int], smtp_server: tuple[int, Inbox]
    ) -> None:
        _port, inbox = smtp_server
        manager = db.session.scalar(select(StaffUser).where(StaffUser.role == "manager"))
        floor = db.session.scalar(select(StaffUser).where(StaffUser.role == "floor"))
        assert manager is not None and floor is not None
        briefing_archive.set_subscription(manager.id, True, ACTOR)
        briefing_archive.set_subscription(floor.id, True, ACTOR)  # floor staff never receive it
        made = briefing_archive.run_scheduled(DAY)
        assert len(made) == 2 and briefing_archive.run_scheduled(DAY) == []
        deadline = clock.monotonic() + 5
        while len(inbox.messages) < 2 and clock.monotonic() < deadline:
            clock.sleep(0.05)
        assert len(inbox.messages) == 2
        assert all(rcpt == ["manager@example.test"] for _from, rcpt, _c in inbox.messages)
        assert b"application/pdf" in inbox.messages[0][2]
        assert [r.mailed_to for r in _archived()] == [1, 1]


def test_scheduled_and_archived_briefing_pdf_is_floor_level(app: Flask, booked: dict[str, int], tmp_path: Path) -> None:
    """The nightly sheet is handed out at pre-shift: no ages or birth years, no contact details."""
    guest = make_guest(
        given_name="Olga", family_name="Petrova", email="olga.petrova@example.test", phone="+66 81 234 5678",
        birthday="1980-11-22", anniversary="2001-11-22",
    )  # fmt: skip
    _book("P1", guest.id, at="21:00")
    made = briefing_archive.run_scheduled(DAY)  # what the nightly job (jobs.nightly_briefing → catch_up) runs
    terrace = next(row for row in made if row.outlet_code == "terrace")
    regenerated = briefing_archive.regenerate(DAY, "terrace", ACTOR)  # an admin's "regenerate now" too
    for row in (terrace, regenerated):
        _text, pages, _fonts = _pdf_text(row.pdf, tmp_path)
        joined = " ".join("\n".join(pages).split())
        assert "Birthday today" in joined and "Olga Petrova" in joined  # the occasion itself is there
        assert "turns" not in joined and "years)" not in joined, "an age on the printed sheet"
        for secret in ("1961", "1980", "2001", "olga.petrova", "example.test", "234 5678", "5678"):
            assert secret not in joined, secret
    # A manager looking at the briefing on their own still sees the age.
    manager = Actor(label="manager", role="manager")
    _briefing, pdf = briefing_archive.export_pdf(DAY, "terrace", None, manager)
    joined = " ".join("\n".join(_pdf_text(pdf, tmp_path)[1]).split())
    assert "Birthday today (turns 65)" in joined and "Birthday today (turns 46)" in joined


def test_day_recognition_matches_per_guest_recognition(app: Flask, booked: dict[str, int]) -> None:
    """The batched facts for the whole day say exactly what recognition.recognise says per guest."""
    from guestbook.guests.models import Guest
    from guestbook.reservations.models import Reservation

    many = make_guest(given_name="Many", family_name="Visits")  # more visits than the window, at two outlets
    add_visits(many.id, "terrace", [(f"T{n % 3}", ["tea", f"dish {n % 2}"]) for n in range(14)])
    add_visits(many.id, "bar", [("Bar 1", ["gin"])] * 4, start=datetime.now(UTC))
    elsewhere = make_guest(given_name="Only", family_name="Bar")  # never at the terrace: no seat there (8.4)
    add_visits(elsewhere.id, "bar", [("Bar 5", ["negroni", "olives"])] * 3)
    stated = make_guest(given_name="Says", family_name="Corner")  # a stated seat beats the derived one
    add_visits(stated.id, "terrace", [("Table 4", ["soup"])] * 3)
    notes.add_preference(stated.id, PreferenceCreate(category="seating", value="Corner 9", outlet="terrace"), ACTOR)
    for n, guest in enumerate((many, elsewhere, stated)):
        _book(f"M{n}", guest.id, at=f"21:{n:02d}")
    _book("M9", many.id, outlet="bar", at="12:30")  # the same guest at another outlet the same day
    db.session.rollback()
    rows = list(db.session.scalars(select(Reservation).where(Reservation.arrival_date == DAY)))
    facts = briefing.recognition_for_day(rows)
    assert len(facts) == len({(r.guest_id, r.outlet_id) for r in rows}) >= 10
    for r in rows:
        guest = db.session.get(Guest, r.guest_id)
        assert guest is not None
        rec = recognition.recognise(guest, r.outlet_id, today=DAY)
        got = facts[(r.guest_id, r.outlet_id)]
        assert got.visit_count == rec.visit_count
        assert got.usual_seat == rec.usual_seat
        assert got.usual_order == [i.item for i in rec.usual_order]
        assert got.last_visit_at == (rec.last_visit.visited_at if rec.last_visit else None)
        assert got.last_visit_outlet == (rec.last_visit.outlet.name if rec.last_visit else "")
    terrace_seat = next(facts[(r.guest_id, r.outlet_id)].usual_seat for r in rows if r.guest_id == stated.id)
    assert terrace_seat is not None and terrace_seat.value == "Corner 9"
    bar = next(facts[(r.guest_id, r.outlet_id)] for r in rows if r.guest_id == elsewhere.id)
    assert bar.usual_seat is None and bar.usual_order == ["negroni", "olives"]  # the order still travels
    assert bar.seat_elsewhere is not None and bar.seat_elsewhere.label == "at Bamboo Bar: Bar 5"


def test_job_times_come_from_the_configuration(app: Flask, db_url: str, tmp_path: Path) -> None:
    config = {**_config(db_url), "BRIEFING_TIME": "22:15", "LETTERS_TIME": "07:30"}
    scheduler_app = create_app(config, instance_path=str(tmp_path / "instance"))
    scheduler = build_scheduler(scheduler_app)
    close_app(scheduler_app)
    briefing_job = scheduler.get_job("nightly-briefing")
    letters_job = scheduler.get_job("daily-letters")
    assert briefing_job is not None and letters_job is not None
    assert "hour='22', minute='15'" in str(briefing_job.trigger)
    assert "hour='7', minute='30'" in str(letters_job.trigger)
    assert not scheduler.running


def test_a_registered_complaint_provider_feeds_the_briefing(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key, booked: dict[str, int]
) -> None:
    from guestbook.briefing.assembly import register_complaint_provider
    from guestbook.briefing.sheet import Complaint

    def complaints(guest_ids: list[int]) -> dict[int, list[Complaint]]:
        return {booked["regular"]: [Complaint("Soup was cold", promised="a dessert on us")]}

    register_complaint_provider(app, complaints)
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}?outlet=terrace", headers=api_key("manager")).get_json()
    assert body["summary"]["open_complaints"] == 1
