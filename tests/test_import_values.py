"""Importing arrivals: outlet values mapped like columns, past dates warned, control characters refused per row."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook import create_app, demo
from guestbook.extensions import db
from guestbook.reservations import bookings as reservations
from guestbook.reservations import file_import as reservation_import
from guestbook.reservations import import_outlets
from guestbook.reservations.models import Reservation

from .conftest import AuthActions, FreshContextClient, _config, csrf_from
from .factories import ACTOR

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "arrivals_sample.csv").read_bytes()
NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 12:00 on 2 December in Bangkok


@pytest.fixture
def demo_app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh install with the demo loaded (its outlets: rooms, terrace, bamboo, cafe; no outlet coded 'bar')."""
    app = create_app(_config(db_url), instance_path=str(tmp_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        with time_machine.travel(NOW, tick=False):
            assert demo.load_demo(seed=7, guests=40)
        yield app
        db.session.remove()
        db.engine.dispose()


def _count() -> int:
    return db.session.scalar(select(func.count(Reservation.id))) or 0


def _login_manager(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": "manager@demo.guestbook", "password": demo.DEMO_PASSWORD, "csrf_token": csrf_from(page)},
    )
    return csrf_from(client.get("/reservations/import").get_data(as_text=True))


def _upload(client: FlaskClient, token: str, content: bytes, source: str = "opentable") -> str:
    return client.post(
        "/reservations/import",
        data={"csrf_token": token, "source": source, "file": (io.BytesIO(content), "arrivals.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def _token_of(page: str) -> str:
    found = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    assert found, "no upload token on the page"
    return found.group(1)


def test_the_projects_own_sample_imports_cleanly_on_the_demo(demo_app: Flask) -> None:
    with time_machine.travel(NOW, tick=False):
        report = reservation_import.dry_run("opentable", "arrivals_sample.csv", SAMPLE)
        assert report.ok, [str(e) for e in report.errors]
        mapped = {v.value: (v.code, v.how) for v in report.outlet_values}
        assert mapped == {"terrace": ("terrace", "code"), "bar": ("bamboo", "kind")}
        # 22 November is before today: warned about, not refused.
        assert len(report.warnings) == 6
        assert str(report.warnings[0]) == "row 2, column Date: 22 Nov 2026 is before today (2 Dec 2026): a past booking"
        assert report.rows[3].outlet == "Bamboo Bar" and report.rows[0].guest == "Hans Müller"
        done = reservation_import.commit_import("opentable", "arrivals_sample.csv", SAMPLE, ACTOR)
    assert done.committed and done.created == 6
    bar = reservations.find_reservation("opentable", "OT-1004")
    assert bar is not None and bar.outlet.code == "bamboo"


def test_outlet_values_are_mapped_per_source_and_kept_with_the_columns(demo_app: Flask) -> None:
    content = b"Booking ID,Date,Outlet,Last name\nP1,2026-12-05,Main Dining Room,Lee\nP2,2026-12-05,CAFE,Kim\n"
    with time_machine.travel(NOW, tick=False):
        first = reservation_import.dry_run("pms", "a.csv", content)
        assert [(e.row, e.column) for e in first.errors] == [(2, "Outlet")]
        assert "Main Dining Room" in first.errors[0].message
        assert {v.value: v.how for v in first.outlet_values} == {"Main Dining Room": "", "CAFE": "code"}
        with pytest.raises(import_outlets.MappingError):
            import_outlets.save_outlet_values("pms", {"Main Dining Room": "moon"}, ACTOR)
        import_outlets.save_outlet_values("pms", {"Main Dining Room": "terrace"}, ACTOR)
        # Saving the column mapping later keeps the value mapping.
        reservation_import.save_mapping("pms", reservation_import.default_mapping(), ACTOR)
        again = reservation_import.dry_run("pms", "a.csv", content)
        assert again.ok and {v.value: v.how for v in again.outlet_values}["Main Dining Room"] == "saved"
        # Another source has its own values.
        assert not reservation_import.dry_run("other", "a.csv", content).ok
        # Outlet names match too.
        by_name = reservation_import.dry_run(
            "x", "a.csv", content.replace(b"Main Dining Room", b"Verandah Caf\xc3\xa9")
        )
    assert by_name.ok and by_name.outlet_values[0].how == "name"


def test_import_page_maps_values_then_lands_on_the_first_date_imported(demo_app: Flask) -> None:
    client = demo_app.test_client()
    content = (
        b"Booking ID,Date,Time,Outlet,First name,Last name\n"
        b"W1,2026-11-30,19:00,Rooftop,Ana,Lima\n"
        b"W2,2026-12-04,19:30,Rooftop,Bo,Chen\n"
        b"W3,2026-12-03,20:00,terrace,Cy,Dee\n"
    )
    with time_machine.travel(NOW, tick=False):
        csrf = _login_manager(client)
        page = _upload(client, csrf, content, source="web")
        assert "no outlet of ours matches &#39;Rooftop&#39;" in page and "Outlet values" in page
        upload = _token_of(page)
        page = client.post(
            "/reservations/import/values",
            data={"csrf_token": csrf, "source": "web", "token": upload, "values-0": "Rooftop", "outlets-0": "terrace"},
        ).get_data(as_text=True)
        assert "0 problems" in page and "1 warning" in page and "saved for this source" in page
        done = client.post("/reservations/import/commit", data={"csrf_token": csrf, "source": "web", "token": upload})
    assert done.status_code == 302
    # The first imported date from today on (2026-12-02 at the property): 3 December.
    assert done.headers["Location"].endswith("/briefing/?date=2026-12-03")
    assert _count() - 100 == 3  # the demo's 100 bookings plus these three
    assert not list((Path(demo_app.instance_path) / "imports").iterdir()), "the upload is deleted once imported"


def test_landing_date_is_the_first_date_when_all_are_past(demo_app: Flask) -> None:
    with time_machine.travel(NOW, tick=False):
        report = reservation_import.dry_run("opentable", "arrivals_sample.csv", SAMPLE)
        assert report.dates == [date(2026, 11, 22)] and report.landing_date == date(2026, 11, 22)


def test_control_characters_are_a_per_row_error_and_real_text_is_kept(app: Flask) -> None:
    content = (
        "Booking ID,Date,Outlet,First name,Last name,Notes\n"
        "C1,2026-12-05,terrace,Ha\x00ns,Müller,\n"
        "C2,2026-12-05,terrace,Dana,Levi,ring\x07 the bell\n"
        "C3,2026-12-05,terrace,שרה,כהן,יום הולדת 🎂 \u200fמזל טוב\n"
        'C4,2026-12-05,terrace,สมชาย,ใจดี,"first line\nsecond\tline"\n'
        "C5,2026-12-05,terrace,Esc\x1b,Ape,\n"
    ).encode()
    report = reservation_import.dry_run("pms", "a.csv", content)
    assert [str(e) for e in report.errors] == [
        "row 2, column First name: control characters are not allowed (found U+0000)",
        "row 3, column Notes: control characters are not allowed (found U+0007)",
        "row 6, column First name: control characters are not allowed (found U+001B)",
    ]
    header, *rows = content.split(b"\nC")
    clean = b"\nC".join([header, *(row for row in rows if row.startswith((b"3,", b"4,")))])
    done = reservation_import.commit_import("pms", "a.csv", clean, ACTOR)
    assert done.committed and done.created == 2, [str(e) for e in done.errors]
    hebrew = reservations.find_reservation("pms", "C3")
    thai = reservations.find_reservation("pms", "C4")
    assert hebrew is not None and hebrew.guest.given_name == "שרה" and hebrew.notes == "יום הולדת 🎂 \u200fמזל טוב"
    assert thai is not None and thai.notes == "first line\nsecond\tline" and thai.guest.family_name == "ใจดี"


def test_error_report_csv_names_row_and_column(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    csrf = auth.token("/reservations/import")
    page = _upload(client, csrf, b"Booking ID,Date,Outlet,Last name\nZ1,2026-12-05,terrace,Nu\x00ll\n", source="pms")
    assert "control characters are not allowed (found U+0000)" in page
    report = client.post(
        "/reservations/import/errors.csv", data={"csrf_token": csrf, "source": "pms", "token": _token_of(page)}
    ).get_data(as_text=True)
    assert "2,Last name,control characters are not allowed (found U+0000)" in report
