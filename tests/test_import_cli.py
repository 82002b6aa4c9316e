"""``flask --app wsgi import guests|visits``: the exact output contract (error lines, then one JSON line)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from guestbook.audit import AuditEvent
from guestbook.data.models import GuestSourceRef, ImportRun
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.erased import remember_erased
from guestbook.guests.models import Guest, Visit

GUESTS = "source_id,given_name,family_name,email\ng1,Niran,Smith,niran@example.com\ng2,伟,王,\n"
VISITS = "source_id,guest_source_id,outlet,visited_at\nv1,g1,terrace,2025-04-03 19:30\nv2,g2,bar,2025-04-04\n"


def counts() -> tuple[int, int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Guest)) or 0,
        db.session.scalar(select(func.count()).select_from(Visit)) or 0,
        db.session.scalar(select(func.count()).select_from(GuestSourceRef)) or 0,
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_guests_then_visits_print_one_json_line(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", "guests", write(tmp_path, "g.csv", GUESTS), "--source", "opera"])
    assert result.exit_code == 0, result.output
    assert result.output == '{"created": 2, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 0}\n'
    result = runner.invoke(args=["import", "visits", write(tmp_path, "v.csv", VISITS), "--source", "opera"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1]) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "errors": 0,
    }
    again = runner.invoke(args=["import", "visits", write(tmp_path, "v.csv", VISITS), "--source", "opera"])
    assert again.output == '{"created": 0, "updated": 0, "unchanged": 2, "skipped": 0, "errors": 0}\n'
    assert counts() == (2, 2, 2)
    db.session.rollback()
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("%_import"))))
    assert actions == ["guest_import", "visit_import", "visit_import"]
    details = " ".join(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action.like("%_import"))))
    assert "Niran" not in details and "niran@" not in details
    assert [r.kind for r in db.session.scalars(select(ImportRun).order_by(ImportRun.id))] == [
        "guests",
        "visits",
        "visits",
    ]


def test_errors_are_listed_then_the_counts_and_exit_status_is_1(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = "source_id,given_name,birthday,email\ng1,Ann,1990-13-45,ann@example.com\ng2,Bo,,not-mail\ng1,Cy,,\n"
    result = runner.invoke(args=["import", "guests", write(tmp_path, "bad.csv", bad), "--source", "opera"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 2, column birthday: value '1990-13-45': not a date",
        "row 3, column email: value 'not-mail': not an email address",
        "row 4, column source_id: value 'g1': the same source id is on an earlier row",
        '{"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 3}',
    ]
    assert counts() == (0, 0, 0)


def test_dry_run_counts_without_writing(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["import", "guests", write(tmp_path, "g.csv", GUESTS), "--source", "opera", "--dry-run"]
    )
    assert result.exit_code == 0
    assert result.output == '{"created": 2, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 0}\n'
    assert counts() == (0, 0, 0)


def test_a_visit_for_an_unknown_guest(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", "visits", write(tmp_path, "v.csv", VISITS), "--source", "opera"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 2, column guest_source_id: value 'g1': no guest with this source id for this source",
        "row 3, column guest_source_id: value 'g2': no guest with this source id for this source",
        '{"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 2}',
    ]
    assert counts() == (0, 0, 0)


def test_an_empty_file(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", "guests", write(tmp_path, "e.csv", ""), "--source", "opera"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "file: the file is empty",
        '{"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 1}',
    ]


def test_erased_guests_are_skipped_unless_allow_erased(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    with write_transaction():
        remember_erased(None, "+66 81 234 5678")
    text = "source_id,given_name,phone\ng1,Niran,081 234 5678\ng2,Wei,\n"
    path = write(tmp_path, "g.csv", text)
    result = runner.invoke(args=["import", "guests", path, "--source", "opera"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "row 2: skipped: the phone belongs to an erased guest",
        '{"created": 1, "updated": 0, "unchanged": 0, "skipped": 1, "errors": 0}',
    ]
    result = runner.invoke(args=["import", "guests", path, "--source", "opera", "--allow-erased"])
    assert result.output.splitlines() == ['{"created": 1, "updated": 0, "unchanged": 1, "skipped": 0, "errors": 0}']


def test_a_bad_source_name_is_refused(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", "guests", write(tmp_path, "g.csv", GUESTS), "--source", "Bad Name"])
    assert result.exit_code == 2
    assert counts() == (0, 0, 0)
