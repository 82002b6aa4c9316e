"""Limits: impossible dates refused with the field named, upload size capped (413), uploads not kept forever."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guestbook import create_app
from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations import bookings as reservations
from guestbook.reservations import uploads as import_uploads

from .conftest import AuthActions, FreshContextClient, _config, close_app, csrf_from
from .factories import PASSWORD, make_guest

DATA = Path(__file__).parent / "data"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def test_api_refuses_a_visit_dated_in_the_far_future(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest(family_name="Future")
    headers = api_key("floor")
    url = f"/api/v1/guests/{guest.id}/visits"
    for when in ("9999-12-31T00:00:00+00:00", _iso(datetime.now(UTC) + timedelta(days=1, hours=1))):
        response = client.post(url, json={"outlet": "terrace", "visited_at": when}, headers=headers)
        assert response.status_code == 422, when
        assert "visited_at" in response.get_json()["fields"]
        if not when.startswith("9999"):  # the year 9999 is already outside the documented format
            assert "at most a day in the future" in response.get_json()["fields"]["visited_at"]
    ok = client.post(
        url, json={"outlet": "terrace", "visited_at": _iso(datetime.now(UTC) + timedelta(hours=20))}, headers=headers
    )
    assert ok.status_code == 201
    too_old = client.post(url, json={"outlet": "terrace", "visited_at": "0001-01-01T00:00:00+00:00"}, headers=headers)
    assert too_old.status_code == 422 and "visited_at" in too_old.get_json()["fields"]


def test_visit_schema_names_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        VisitCreate(outlet="terrace", visited_at=datetime(9999, 12, 31, tzinfo=UTC))
    assert exc.value.errors()[0]["loc"] == ("visited_at",)


def test_api_refuses_a_reservation_more_than_two_years_ahead(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("manager")
    today = property_today()
    limit = reservations.latest_arrival_date()
    assert limit.year == today.year + 2
    body = {"outlet": "terrace", "guest": {"given_name": "Far", "family_name": "Ahead"}}
    for day in ("9999-12-31", (limit + timedelta(days=1)).isoformat()):
        response = client.put("/api/v1/reservations/pms/FAR1", json={**body, "arrival_date": day}, headers=headers)
        assert response.status_code == 422, day
        assert "at most 2 years ahead" in response.get_json()["fields"]["arrival_date"]
    ok = client.put("/api/v1/reservations/pms/FAR1", json={**body, "arrival_date": limit.isoformat()}, headers=headers)
    assert ok.status_code in (200, 201)


def test_booking_form_shows_the_date_error_on_the_field(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    token = auth.token("/reservations/new")
    page = client.post(
        "/reservations/new",
        data={
            "csrf_token": token, "given_name": "Far", "family_name": "Ahead", "outlet": "terrace",
            "arrival_date": "2099-01-01", "party_size": "2", "status": "booked",
        },
    )  # fmt: skip
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="arrival_date-err">at most 2 years ahead', html), "the error sits under the date field"


# ----- uploads -------------------------------------------------------------------------------


def test_default_upload_limit_is_twenty_megabytes(app: Flask) -> None:
    assert app.config["MAX_UPLOAD_MB"] == 20
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


def _small_limit_app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("GUESTBOOK_MAX_UPLOAD_MB", "1")
    small = create_app(_config(db_url), instance_path=str(tmp_path / "small"))
    small.test_client_class = FreshContextClient
    return small


def test_an_upload_over_the_limit_gets_413_with_the_limit(
    app: Flask, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_key
) -> None:  # type: ignore[no-untyped-def]
    small = _small_limit_app(db_url, tmp_path, monkeypatch)
    client = small.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "manager@example.test", "password": PASSWORD, "csrf_token": csrf_from(page)})
    token = csrf_from(client.get("/reservations/import").get_data(as_text=True))
    big = b"Booking ID,Date,Outlet,Last name\n" + b"B1,2026-12-05,terrace,Lee\n" * 60_000  # about 1.5 MB
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": token, "source": "pms", "file": FileStorage(io.BytesIO(big), "big.csv")}
    )
    response = client.post("/reservations/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "the limit is 1 MB" in response.get_data(as_text=True)
    assert not list(import_uploads.folder(small.instance_path).iterdir()), "nothing was kept"
    api = client.post("/api/v1/guests", data=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=api_key("admin"))
    assert api.status_code == 413 and api.is_json  # the API says so in JSON
    with small.app_context():  # the second app's own connections (PostgreSQL warns about unclosed ones)
        db.engine.dispose()


def _upload(client: FlaskClient, token: str, content: bytes) -> str:
    page = client.post(
        "/reservations/import",
        data={"csrf_token": token, "source": "pms", "file": (io.BytesIO(content), "arrivals.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    found = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_uploads_are_deleted_when_imported_or_cancelled_and_leftovers_after_a_day(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    folder = import_uploads.folder(app.instance_path)
    auth.login("manager")
    token = auth.token("/reservations/import")
    sample = (DATA / "arrivals_sample.csv").read_bytes()
    # Cancelled: deleted at once.
    upload = _upload(client, token, sample)
    assert upload and len(list(folder.iterdir())) == 1
    cancelled = client.post("/reservations/import/cancel", data={"csrf_token": token, "source": "pms", "token": upload})
    assert cancelled.status_code == 302 and not list(folder.iterdir())
    assert (
        client.post(
            "/reservations/import/commit", data={"csrf_token": token, "source": "pms", "token": upload}
        ).status_code
        == 404
    )
    # A file that cannot be read is not kept either.
    assert not _upload(client, token, b"") and not list(folder.iterdir())
    # Abandoned after a dry run: cleared by the next upload once older than a day.
    old = _upload(client, token, sample)
    recent = _upload(client, token, sample)
    day_old = time.time() - 25 * 3600
    os.utime(folder / f"{old}.csv", (day_old, day_old))
    newest = _upload(client, token, sample)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{recent}.csv", f"{newest}.csv"])
    # Imported: deleted.
    done = client.post("/reservations/import/commit", data={"csrf_token": token, "source": "pms", "token": newest})
    assert done.status_code == 302
    assert [p.name for p in folder.iterdir()] == [f"{recent}.csv"]


def test_clear_stale_counts_what_it_removed(tmp_path: Path) -> None:
    folder = import_uploads.folder(str(tmp_path))
    for n in range(3):
        (folder / f"{'x' * 24}{n}.csv").write_bytes(b"a")
    past = time.time() - 2 * 86400
    os.utime(folder / f"{'x' * 24}0.csv", (past, past))
    assert import_uploads.clear_stale(str(tmp_path)) == 1
    assert len(list(folder.iterdir())) == 2


def test_the_scheduler_clears_abandoned_uploads_every_hour(app: Flask, db_url: str, tmp_path: Path) -> None:
    """Issue 9.8: an upload nobody committed or cancelled is gone within a day and an hour, with no new upload."""
    from guestbook import create_app, jobs
    from guestbook.scheduler import STALE_UPLOADS_JOB, build_scheduler

    instance = tmp_path / "instance"
    scheduler_app = create_app(_config(db_url), instance_path=str(instance))
    scheduler = build_scheduler(scheduler_app)
    job = scheduler.get_job(STALE_UPLOADS_JOB)
    assert job is not None and "minute='17'" in str(job.trigger) and "hour" not in str(job.trigger)
    folder = import_uploads.folder(str(instance))
    (folder / f"{'a' * 24}.csv").write_bytes(b"old")
    (folder / f"{'b' * 24}.csv").write_bytes(b"new")
    past = time.time() - 25 * 3600
    os.utime(folder / f"{'a' * 24}.csv", (past, past))
    assert jobs.clear_stale_uploads(scheduler_app) == 1
    assert [p.name for p in folder.iterdir()] == [f"{'b' * 24}.csv"]
    assert jobs.clear_stale_uploads(scheduler_app) == 0  # a second run finds nothing to do
    close_app(scheduler_app)
