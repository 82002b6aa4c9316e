"""Retention (issue 13 item 6): guests with no visit for more than N years are erased by the nightly job and
the ``retention`` command; a dry run lists them first and changes nothing; the setting defaults to off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from guestbook import jobs
from guestbook.admin import settings
from guestbook.admin.outlets import property_today
from guestbook.data import retention
from guestbook.data.models import Erasure
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.guests.schemas import VisitCreate
from guestbook.guests.visits import log_visit
from guestbook.reservations.bookings import ReservationIn, upsert_reservation
from guestbook.scheduler import RETENTION_JOB, build_scheduler

from .conftest import AuthActions
from .factories import ACTOR, make_guest

YEAR = timedelta(days=365)


def _visited(given: str, family: str, ago: timedelta) -> int:
    guest = make_guest(given_name=given, family_name=family)
    log_visit(guest.id, VisitCreate(outlet="terrace", visited_at=datetime.now(UTC) - ago), ACTOR)
    return guest.id


def _created_long_ago(given: str, ago: timedelta) -> int:
    gid = make_guest(given_name=given, family_name="Never").id
    with write_transaction():
        db.session.execute(update(Guest).where(Guest.id == gid).values(created_at=datetime.now(UTC) - ago))
    return gid


def _population() -> dict[str, int]:
    """Two guests past three years (one visited, one never came), and four that are not."""
    ids = {
        "old": _visited("Olga", "Oldman", 5 * YEAR),
        "never_old": _created_long_ago("Nadia", 4 * YEAR),
        "recent": _visited("Rita", "Recent", 30 * timedelta(days=1)),
        "never_new": make_guest(given_name="Nina", family_name="New").id,
        "edge": _visited("Edgar", "Edge", 2 * YEAR + 300 * timedelta(days=1)),
        "booked": _visited("Boris", "Booked", 6 * YEAR),
    }
    upsert_reservation(
        "pms",
        "B-1",
        ReservationIn(guest_id=ids["booked"], outlet="terrace", arrival_date=property_today() + timedelta(days=7)),
        ACTOR,
    )
    return ids


def _erased_ids() -> set[int]:
    db.session.rollback()
    return set(db.session.scalars(select(Guest.id).where(Guest.erased_at.is_not(None))))


def test_off_by_default_nothing_is_due_and_the_command_says_so(app: Flask, runner: FlaskCliRunner) -> None:
    _population()
    assert settings.get_setting("retention_years") == 0
    assert retention.due_for_retention() == []
    assert retention.apply_retention(ACTOR) == []
    for args in (["retention", "--dry-run"], ["retention"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "retention is off" in result.output
    assert _erased_ids() == set()


def test_the_dry_run_lists_exactly_the_old_guests_and_changes_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    ids = _population()
    settings.set_setting("retention_years", 3, ACTOR)

    assert retention.due_for_retention() == sorted([ids["old"], ids["never_old"]])
    result = runner.invoke(args=["retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [int(line.split("\t")[0]) for line in lines[:-1]] == sorted([ids["old"], ids["never_old"]])
    assert "O••• O•••" in result.output and "Oldman" not in result.output  # masked names
    assert "no visit (created" in result.output
    assert lines[-1].startswith("2 guest(s)") and "dry run" in lines[-1]
    assert _erased_ids() == set()
    assert db.session.scalar(select(func.count()).select_from(Erasure)) == 0


def test_the_run_erases_them_with_the_retention_reason(app: Flask, runner: FlaskCliRunner) -> None:
    ids = _population()
    settings.set_setting("retention_years", 3, ACTOR)

    result = runner.invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert "erased 2 guest(s)" in result.output
    assert _erased_ids() == {ids["old"], ids["never_old"]}
    rows = list(db.session.scalars(select(Erasure).order_by(Erasure.guest_id)))
    assert {(r.kind, r.reason) for r in rows} == {("retention", "retention: no visit for more than 3 years")}
    old = db.session.get(Guest, ids["old"])
    assert old is not None and old.family_name == "" and old.visit_count == 1
    assert retention.due_for_retention() == []


def test_the_nightly_job_is_idempotent_and_scheduled(app: Flask, db_url: str) -> None:
    ids = _population()
    settings.set_setting("retention_years", 3, ACTOR)
    db.session.remove()

    assert jobs.retention(app) == 2
    assert jobs.retention(app) == 0
    assert _erased_ids() == {ids["old"], ids["never_old"]}
    assert db.session.scalar(select(func.count()).select_from(Erasure)) == 2

    scheduler = build_scheduler(app)
    job = scheduler.get_job(RETENTION_JOB)
    assert job is not None
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "3"
    assert {f.name: str(f) for f in job.trigger.fields}["minute"] == "15"


def test_the_erase_command_needs_yes_and_a_reason(app: Flask, runner: FlaskCliRunner) -> None:
    gid = make_guest(given_name="Carla", family_name="Command").id
    refused = runner.invoke(args=["erase", str(gid), "--reason", "asked"])
    assert refused.exit_code != 0 and "--yes" in refused.output
    blank = runner.invoke(args=["erase", str(gid), "--reason", "  ", "--yes"])
    assert blank.exit_code != 0 and "reason" in blank.output
    assert _erased_ids() == set()
    done = runner.invoke(args=["erase", str(gid), "--reason", "asked by letter", "--yes"])
    assert done.exit_code == 0, done.output
    assert _erased_ids() == {gid}
    again = runner.invoke(args=["erase", str(gid), "--reason", "asked by letter", "--yes"])
    assert again.exit_code != 0 and "already erased" in again.output


def test_the_retention_page_saves_the_setting_and_previews_masked_names(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids = _population()
    auth.login("admin")
    assert "/data/retention" in client.get("/admin/settings").get_data(as_text=True)
    page = client.get("/data/retention")
    assert page.status_code == 200 and "The rule is off." in page.get_data(as_text=True)
    token = auth.token("/data/retention")
    assert client.post("/data/retention", data={"years": "-1", "csrf_token": token}).status_code == 422
    saved = client.post("/data/retention", data={"years": "3", "csrf_token": token})
    assert saved.status_code == 302
    assert settings.get_setting("retention_years") == 3
    html = client.get("/data/retention").get_data(as_text=True)
    assert f"#{ids['old']}" in html and f"#{ids['recent']}" not in html
    assert "O••• O•••" in html and "Oldman" not in html
    assert _erased_ids() == set()  # the page only previews
