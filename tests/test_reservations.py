"""Reservations in: the idempotent API upsert, the three match outcomes, the queue, import and the manual form."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.reservations import bookings as reservations
from guestbook.reservations import file_import as reservation_import
from guestbook.reservations import match_queue
from guestbook.reservations.models import PossibleMatch, Reservation

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, make_guest

DATA = Path(__file__).parent / "data"


def _count(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _put(client: FlaskClient, headers: dict[str, str], ext: str, body: dict[str, object], source: str = "pms"):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/reservations/{source}/{ext}", json=body, headers=headers)


BOOKING = {"outlet": "terrace", "arrival_date": "2026-11-22", "arrival_time": "19:30", "party_size": 2}


def test_upsert_is_idempotent_and_a_later_call_updates(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("floor")
    body = {**BOOKING, "guest": {"given_name": "Ana", "family_name": "Pérez", "email": "ana@example.es"}}
    guests_before = _count(Guest)
    first = _put(client, headers, "B-1", body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["match"] == "new" and first.get_json()["created"] is True
    again = _put(client, headers, "B-1", body)
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _count(Reservation) == 1 and _count(Guest) == guests_before + 1
    later = _put(client, headers, "B-1", {**body, "party_size": 6, "status": "arrived", "table": "Table 9"})
    assert later.status_code == 200
    data = later.get_json()
    assert (data["party_size"], data["status"], data["table"]) == (6, "arrived", "Table 9")
    assert _count(Reservation) == 1 and _count(Guest) == guests_before + 1


def test_three_match_outcomes(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("floor")
    known = make_guest(given_name="Hans", family_name="Müller", email="hans@example.de", phone="+49 89 1234 5678")
    by_email = _put(client, headers, "E", {**BOOKING, "guest": {"name": "H Mueller", "email": "HANS@example.de"}})
    assert by_email.get_json()["match"] == "linked" and by_email.get_json()["guest_id"] == known.id
    by_phone = _put(client, headers, "P", {**BOOKING, "guest": {"name": "Hans M", "phone": "+49 (89) 1234-5678"}})
    assert by_phone.get_json()["match"] == "linked" and by_phone.get_json()["guest_id"] == known.id
    by_id = _put(client, headers, "I", {**BOOKING, "guest_id": known.id})
    assert by_id.get_json()["match"] == "linked"
    guests = _count(Guest)
    by_name = _put(client, headers, "N", {**BOOKING, "guest": {"given_name": "HANS", "family_name": "Mueller"}})
    assert by_name.status_code == 201
    assert by_name.get_json()["match"] == "possible"
    assert by_name.get_json()["guest_id"] != known.id  # never merged automatically
    assert _count(Guest) == guests + 1
    queued = db.session.scalars(select(PossibleMatch)).all()
    assert [(m.candidate_guest_id, m.status) for m in queued] == [(known.id, "open")]
    stranger = _put(client, headers, "S", {**BOOKING, "guest": {"given_name": "Zoë", "family_name": "Unknown"}})
    assert stranger.get_json()["match"] == "new"


def test_upsert_validation_names_each_field(client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("floor")
    response = _put(client, headers, "V", {"outlet": "nowhere", "arrival_date": "22/11", "party_size": 0})
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert {"arrival_date", "party_size"} <= set(fields)
    unknown_outlet = _put(client, headers, "V", {**BOOKING, "outlet": "nowhere", "guest": {"name": "A B"}})
    assert unknown_outlet.status_code == 422 and "outlet" in unknown_outlet.get_json()["fields"]
    both = _put(client, headers, "V", {**BOOKING, "guest_id": 1, "guest": {"name": "A B"}})
    assert both.status_code == 422
    bad_source = _put(client, headers, "V", {**BOOKING, "guest": {"name": "A B"}}, source="Bad Source")
    assert bad_source.status_code == 422 and "source" in bad_source.get_json()["fields"]


def test_manager_links_or_rejects_possible_matches(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    known = make_guest(given_name="Søren", family_name="Kierkegaard", email="s@example.dk")
    data = reservations.ReservationIn.model_validate(
        {**BOOKING, "guest": {"given_name": "Soren", "family_name": "Kierkegaard"}}
    )
    first, _ = reservations.upsert_reservation("pms", "M1", data, ACTOR)
    second, _ = reservations.upsert_reservation("pms", "M2", data, ACTOR)
    provisional = first.guest_id
    assert first.match == "possible"
    auth.login("manager")
    page = client.get("/reservations/matches").get_data(as_text=True)
    assert "Kierkegaard" in page and "Same guest" in page
    token = csrf_from(page)
    to_known = {
        m.reservation_id: m.id for m in db.session.scalars(select(PossibleMatch)) if m.candidate_guest_id == known.id
    }
    linked = client.post(f"/reservations/matches/{to_known[first.id]}/link", data={"csrf_token": token})
    assert linked.status_code == 302
    rejected = client.post(f"/reservations/matches/{to_known[second.id]}/reject", data={"csrf_token": token})
    assert rejected.status_code == 302
    db.session.rollback()
    assert db.session.get(Reservation, first.id).guest_id == known.id  # type: ignore[union-attr]
    assert db.session.get(Guest, provisional) is None  # the empty provisional profile was removed
    assert db.session.get(Reservation, second.id).guest_id == second.guest_id  # type: ignore[union-attr]
    assert match_queue.count_open_matches() == 0
    assert (
        client.post(f"/reservations/matches/{to_known[first.id]}/link", data={"csrf_token": token}).status_code == 404
    )


def test_import_dry_run_reports_every_error_and_writes_nothing(app: Flask) -> None:
    content = (
        b"Booking ID,Date,Time,Outlet,First name,Last name,Covers\n"
        b"A1,2026-11-22,19:00,terrace,Ana,Lima,2\n"
        b"A2,not-a-date,19:00,terrace,Bo,Chen,2\n"
        b",2026-11-22,19:00,terrace,Cy,Dee,2\n"
        b"A4,2026-11-22,25:99,terrace,Di,Eve,0\n"
        b"A5,2026-11-22,19:00,moon,Ed,Fay,2\n"
    )
    report = reservation_import.dry_run("pms", "arrivals.csv", content)
    assert report.total_rows == 5 and not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert (3, "Date") in found and (4, "Booking ID") in found
    assert (5, "Time") in found and (5, "Covers") in found
    assert report.preview[0]["Last name"] == "Lima" and len(report.preview) == 5
    assert _count(Reservation) == 0
    csv_text = reservation_import.error_report_csv(report)
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["row", "column", "problem"] and len(rows) == len(report.errors) + 1
    # Once the other rows are fixed, the unknown outlet is reported too (by row and column).
    only_outlet = reservation_import.dry_run(
        "pms", "a.csv", b"Booking ID,Date,Outlet,Last name\nA5,2026-11-22,moon,Fay\n"
    )
    assert [(e.row, e.column) for e in only_outlet.errors] == [(2, "Outlet")]


def test_import_is_all_or_nothing(app: Flask) -> None:
    good = (DATA / "arrivals_sample.csv").read_bytes()
    broken = good.replace(b"OT-1005,2026-11-22,21:00,bar", b"OT-1005,2026-11-22,21:00,nowhere")
    failed = reservation_import.commit_import("opentable", "arrivals.csv", broken, ACTOR)
    assert not failed.committed and failed.errors and _count(Reservation) == 0
    report = reservation_import.commit_import("opentable", "arrivals.csv", good, ACTOR)
    assert report.committed and report.created == 6 and not report.errors
    assert _count(Reservation) == 6
    again = reservation_import.commit_import("opentable", "arrivals.csv", good, ACTOR)
    assert again.committed and again.created == 0 and again.updated == 6 and _count(Reservation) == 6
    db.session.rollback()
    cancelled = reservations.find_reservation("opentable", "OT-1006")
    assert cancelled is not None and cancelled.status == "cancelled"


def test_import_xlsx_with_a_saved_mapping(app: Flask) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Ref", "Arrival", "Venue", "Guest surname", "Guest first", "Pax", "Room", "Nights"])
    sheet.append(["X-1", "2026-11-22", "terrace", "Tanaka", "健", 2, "Room 1204", 3])
    sheet.append(["X-2", "2026-11-23", "bar", "Nowak", "Łukasz", 1, "", 0])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = reservation_import.default_mapping()
    mapping.update(
        external_id="Ref", arrival_date="Arrival", outlet="Venue", family_name="Guest surname",
        given_name="Guest first", party_size="Pax", table="Room", nights="Nights",
    )  # fmt: skip
    reservation_import.save_mapping("hotelpms", mapping, ACTOR)
    assert reservation_import.mapping_for("hotelpms")["external_id"] == "Ref"
    report = reservation_import.commit_import("hotelpms", "export.xlsx", buffer.getvalue(), ACTOR)
    assert report.committed, report.errors
    stay = reservations.find_reservation("hotelpms", "X-1")
    assert stay is not None and stay.nights == 3 and stay.table == "Room 1204" and stay.arrival_time is None
    assert stay.guest.family_name == "Tanaka"


def test_import_pages_dry_run_error_report_and_commit(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    token = auth.token("/reservations/import")
    bad = b"Booking ID,Date,Outlet,Last name\nQ1,2026-13-40,terrace,Lee\n"
    page = client.post(
        "/reservations/import",
        data={"csrf_token": token, "source": "pms", "file": (io.BytesIO(bad), "bad.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 problem" in page and "1 problems" not in page and "Download error report" in page
    upload = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    report = client.post(
        "/reservations/import/errors.csv", data={"csrf_token": token, "source": "pms", "token": upload}
    )
    assert report.mimetype == "text/csv" and "2,Date," in report.get_data(as_text=True)
    good = (DATA / "arrivals_sample.csv").read_bytes()
    page = client.post(
        "/reservations/import",
        data={"csrf_token": token, "source": "pms", "file": (io.BytesIO(good), "arrivals_sample.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "0 problems" in page and "Müller" in page
    upload = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/reservations/import/commit", data={"csrf_token": token, "source": "pms", "token": upload})
    assert done.status_code == 302
    assert _count(Reservation) == 6


def test_manual_form_books_a_walk_in(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    token = auth.token("/reservations/new")
    response = client.post(
        "/reservations/new",
        data={
            "csrf_token": token, "given_name": "Walk", "family_name": "In", "outlet": "terrace",
            "arrival_date": "2026-11-22", "arrival_time": "19:45", "party_size": "3", "status": "booked",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    booked = db.session.scalars(select(Reservation)).one()
    assert booked.source == "manual" and booked.party_size == 3 and booked.guest.family_name == "In"
    bad = client.post(
        "/reservations/new", data={"csrf_token": token, "outlet": "terrace", "arrival_date": "2026-11-22"}
    )
    assert bad.status_code == 200 and "name" in bad.get_data(as_text=True)


def test_todays_arrivals_rank_first_in_search(app: Flask) -> None:
    from guestbook.guests import search

    older = make_guest(given_name="Maria", family_name="Silva")
    newer = make_guest(given_name="Maria", family_name="Silva", email="other@example.pt")
    today = property_today().isoformat()
    data = reservations.ReservationIn.model_validate({**BOOKING, "arrival_date": today, "guest_id": older.id})
    reservations.upsert_reservation("pms", "RANK", data, ACTOR)
    hits = search.search_hits("Maria Silva", 5)
    assert hits[0].guest_id == older.id and hits[0].arriving_today
    assert newer.id in [h.guest_id for h in hits]


def test_search_finds_todays_guests_by_table_or_room(app: Flask) -> None:
    from guestbook.guests import search

    guest = make_guest(given_name="Tablo", family_name="Roomsky")
    other = make_guest(given_name="Someone", family_name="Else")
    today = property_today().isoformat()
    for ext, gid, table in (("T1", guest.id, "Window 2"), ("T2", other.id, "1204")):
        data = reservations.ReservationIn.model_validate(
            {**BOOKING, "arrival_date": today, "guest_id": gid, "table": table}
        )
        reservations.upsert_reservation("pms", ext, data, ACTOR)
    assert search.search_guests("window 2")[0].id == guest.id
    assert search.search_guests("1204")[0].id == other.id
    tomorrow = (property_today() + timedelta(days=1)).isoformat()
    data = reservations.ReservationIn.model_validate(
        {**BOOKING, "arrival_date": tomorrow, "guest_id": guest.id, "table": "Booth 9"}
    )
    reservations.upsert_reservation("pms", "T3", data, ACTOR)
    assert guest.id not in [g.id for g in search.search_guests("booth 9")]
