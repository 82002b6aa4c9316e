"""Issue 13.7: online SQLite backups, atomic restores, the nightly backup job, and the PostgreSQL answer."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from guestbook import create_app, jobs
from guestbook.admin import settings
from guestbook.data import backups
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.scheduler import NIGHTLY_BACKUP_JOB, build_scheduler

from .conftest import _config, close_app
from .factories import ACTOR, add_visits, make_guest

pytestmark = pytest.mark.sqlite_only("backups of SQLite files; PostgreSQL uses pg_dump")


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _backup(runner: FlaskCliRunner, out: Path, *extra: str) -> str:
    result = runner.invoke(args=["backup", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _refused(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 1, result.output
    return result.output


def _head() -> str:
    _every, heads = backups.known_revisions()
    return ",".join(sorted(heads))


def test_backup_change_restore_brings_the_earlier_state_back(
    app: Flask, runner: FlaskCliRunner, client, auth, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    kept = make_guest(given_name="Niran", family_name="Smith")
    kept_id = kept.id
    add_visits(kept_id, "terrace", [("T1", ["tom yum"]), ("T2", ["pad thai"])])
    out = tmp_path / "out" / "before.sqlite3"
    before = (_count(Guest), _count(Visit))

    output = _backup(runner, out)
    assert str(out) in output and f"{out.stat().st_size} bytes" in output and f"revision {_head()}" in output
    assert out.read_bytes()[:16] == backups.SQLITE_MAGIC
    plain = sqlite3.connect(out)  # a plain file: rollback journal, opened with nothing beside it
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert plain.execute("SELECT count(*) FROM guest").fetchone()[0] == before[0]
    plain.close()
    assert not Path(f"{out}-wal").exists()

    for n in range(3):
        make_guest(given_name=f"Later{n}")
    guest = db.session.get(Guest, kept_id)
    assert guest is not None
    guest.family_name = "Changed"
    db.session.commit()
    assert _count(Guest) == before[0] + 3

    output = runner.invoke(args=["restore", str(out), "--yes"]).output
    assert f"restored {out} (migration revision {_head()})" in output
    assert "kept the database as it was in" in output
    db.session.remove()
    assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"  # the live file stays in WAL mode
    assert (_count(Guest), _count(Visit)) == before
    restored = db.session.get(Guest, kept_id)
    assert restored is not None and restored.family_name == "Smith"
    assert list((Path(app.instance_path) / "backups").glob("pre-restore-*.sqlite3"))  # the replaced database kept
    assert db.session.scalar(select(func.count()).select_from(Guest).where(Guest.given_name.like("Later%"))) == 0

    # The app keeps serving on the restored database: sign-in, search and the guest's page.
    auth.login("admin")
    page = client.get("/guests/?q=Smith")
    assert page.status_code == 200 and "Niran" in page.get_data(as_text=True)
    assert client.get(f"/guests/{kept_id}").status_code == 200
    make_guest(given_name="After")  # and takes writes
    assert _count(Guest) == before[0] + 1


@pytest.mark.app_config(SEARCH_RATE_LIMIT=0)
def test_round_trip_while_another_thread_reads_and_writes(
    app: Flask, runner: FlaskCliRunner, api_key, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("admin")  # made before the backup, so the restored database still knows it
    guest = make_guest(given_name="Busy", family_name="Traffic")
    guest_id = guest.id
    db.session.remove()
    stop = threading.Event()
    errors: list[str] = []
    requests = [0]
    logged_count = [0]  # visits the thread logged, from the start

    def traffic() -> None:
        with app.app_context():  # the test client ends its own context's session after each request
            try:
                requests_until_stopped()
            except Exception as exc:  # reported by the main thread's assertion
                errors.append(repr(exc))

    def requests_until_stopped() -> None:
        other = app.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            found = other.get("/api/v1/guests?q=Traffic", headers=headers)
            if found.status_code != 200 or not found.get_json()["results"]:
                errors.append(f"search {found.status_code}: {found.get_data(as_text=True)[:200]}")
            body = {"outlet": "bar", "visited_at": datetime.now(UTC).isoformat(), "items": [f"drink {n}"]}
            logged = other.post(f"/api/v1/guests/{guest_id}/visits", json=body, headers=headers)
            if logged.status_code != 201:
                errors.append(f"visit {logged.status_code}: {logged.get_data(as_text=True)[:200]}")
            else:
                logged_count[0] += 1
            requests[0] += 2

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        time.sleep(0.3)
        out = tmp_path / "busy.sqlite3"
        _backup(runner, out)
        time.sleep(0.3)
        result = runner.invoke(args=["restore", str(out), "--yes"])
        assert result.exit_code == 0, result.output
        time.sleep(0.3)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    assert errors == []
    assert requests[0] > 10, requests
    db.session.remove()
    # Every visit of the backup is back; the ones logged between backup and restore are gone; the thread's
    # visits logged after the switch were kept on top.
    snapshot = sqlite3.connect(out)
    backed_up = {row[0] for row in snapshot.execute("SELECT id FROM visit")}
    snapshot.close()
    live = set(db.session.scalars(select(Visit.id)))
    assert backed_up <= live
    assert len(live) < logged_count[0]
    check = sqlite3.connect(out)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"


def test_backup_refuses_an_existing_file_unless_forced(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "exists.sqlite3"
    out.write_bytes(b"keep me")
    assert "exists; use --force" in _refused(runner, "backup", "--out", str(out))
    assert out.read_bytes() == b"keep me"
    _backup(runner, out, "--force")
    assert out.read_bytes()[:16] == backups.SQLITE_MAGIC
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_restore_refuses_what_is_not_a_guestbook_backup_and_leaves_the_database_alone(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    make_guest(given_name="Untouched")
    before = _count(Guest)
    text = tmp_path / "notes.txt"
    text.write_text("name,email\nNiran,niran@example.test\n")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(bytes(range(256)) * 64)
    fake = tmp_path / "fake.sqlite3"
    fake.write_bytes(backups.SQLITE_MAGIC + b"\x00" * 200)  # right header, nothing behind it
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.close()
    assert "is not a SQLite database" in _refused(runner, "restore", str(text), "--yes")
    assert "is not a SQLite database" in _refused(runner, "restore", str(junk), "--yes")
    assert "not a usable SQLite database" in _refused(runner, "restore", str(fake), "--yes")
    assert "is not a Guestbook database" in _refused(runner, "restore", str(other), "--yes")
    assert "no such file" in _refused(runner, "restore", str(tmp_path / "missing.sqlite3"), "--yes")

    good = tmp_path / "good.sqlite3"
    _backup(runner, good)
    unknown = tmp_path / "unknown.sqlite3"
    unknown.write_bytes(good.read_bytes())
    conn = sqlite3.connect(unknown)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.commit()
    conn.close()
    assert "revision ffff9999, which this Guestbook does not know" in _refused(runner, "restore", str(unknown), "--yes")
    older = tmp_path / "older.sqlite3"
    older.write_bytes(good.read_bytes())
    conn = sqlite3.connect(older)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.commit()
    conn.close()
    assert "upgrade a copy of the backup first" in _refused(runner, "restore", str(older), "--yes")

    output = _refused(runner, "restore", str(good))  # a good file, but no --yes
    assert "run again with --yes" in output
    db.session.remove()
    assert _count(Guest) == before
    assert not (Path(app.instance_path) / "backups").exists()  # nothing restored, so nothing kept either


def test_nightly_job_keeps_the_newest_n_and_makes_one_a_day(app: Flask, tmp_path: Path) -> None:
    settings.set_setting("backup_keep", 3, ACTOR)
    folder = Path(app.instance_path) / "backups"
    for day in range(1, 6):
        made, _removed = backups.nightly_backup(date(2026, 11, day))
        assert made is not None and made.path.parent == folder
    again, removed = backups.nightly_backup(date(2026, 11, 5))
    assert again is None and removed == []  # the same day twice: no second backup
    names = [p.name for p in backups.nightly_backups(folder)]
    assert names == ["guestbook-2026-11-03.sqlite3", "guestbook-2026-11-04.sqlite3", "guestbook-2026-11-05.sqlite3"]
    (folder / "pre-restore-20261101T000000000000Z.sqlite3").write_bytes(b"kept by hand")
    backups.nightly_backup(date(2026, 11, 6))
    assert (folder / "pre-restore-20261101T000000000000Z.sqlite3").exists()  # only nightly files are rotated
    assert len(backups.nightly_backups(folder)) == 3

    # The scheduled job: today's backup once, however often it runs.
    db.session.remove()
    assert jobs.nightly_backup(app) == 1
    assert jobs.nightly_backup(app) == 0
    assert len(backups.nightly_backups(folder)) == 3


def test_the_scheduler_registers_the_nightly_backup(app: Flask, db_url: str, tmp_path: Path) -> None:
    scheduler_app = create_app(_config(db_url), instance_path=str(tmp_path / "instance"))
    scheduler = build_scheduler(scheduler_app)
    close_app(scheduler_app)
    job = scheduler.get_job(NIGHTLY_BACKUP_JOB)
    assert job is not None and "hour='3', minute='30'" in str(job.trigger)
    assert not scheduler.running


def test_postgresql_is_told_to_use_pg_dump(tmp_path: Path) -> None:
    pg = create_app(_config("postgresql+psycopg://guestbook@127.0.0.1:9/guestbook"), instance_path=str(tmp_path))
    runner = pg.test_cli_runner()
    out = tmp_path / "never.sqlite3"
    for args in (["backup", "--out", str(out)], ["restore", str(out), "--yes"], ["restore", str(out)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "pg_dump" in result.output and "pg_restore" in result.output, result.output
    assert not out.exists()
    assert jobs.nightly_backup(pg) == 0


def test_a_backup_that_cannot_be_written_in_leaves_the_live_database_alone(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    make_guest(given_name="Stays")
    good = tmp_path / "good.sqlite3"
    _backup(runner, good)
    make_guest(given_name="Newer")
    before = _count(Guest)
    other_pages = tmp_path / "pages.sqlite3"
    other_pages.write_bytes(good.read_bytes())
    conn = sqlite3.connect(other_pages, isolation_level=None)
    conn.execute("PRAGMA page_size=8192")
    conn.execute("VACUUM")  # a valid Guestbook backup, but with pages the WAL-mode live file cannot take
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    assert "the database is unchanged" in _refused(runner, "restore", str(other_pages), "--yes")
    db.session.remove()
    assert _count(Guest) == before
    assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"
