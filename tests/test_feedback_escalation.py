"""Overdue critical complaints are mailed to every active manager, once, through a real local SMTP server;
nothing without SMTP, nothing for minor or acknowledged ones; a mail server that is down leaves the complaint for
the next run; the scheduler runs the job every 15 minutes."""

from __future__ import annotations

import socket
import time as clock
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import select

from guestbook import create_app
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.relations import escalation
from guestbook.relations import feedback as rules
from guestbook.relations.models import Feedback
from guestbook.relations.schemas import FeedbackCreate
from guestbook.scheduler import FEEDBACK_ESCALATION_JOB, build_scheduler
from guestbook.staff.models import StaffUser

from .conftest import _config, close_app
from .factories import ACTOR, make_guest, make_staff
from .smtp_sink import Inbox

REPORTED = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 15:00 in Bangkok: due 23:00 (16:00 UTC)
LATE = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # 23:30 in Bangkok: overdue


def _complaint(severity: str, text: str = "Found glass in the salad") -> Feedback:
    guest = make_guest(given_name="Niran", family_name="Chaiyaporn")
    data = FeedbackCreate.model_validate(
        {"kind": "complaint", "category": "food", "severity": severity, "text": text, "reported_at": REPORTED}
    )
    return rules.create_feedback(guest.id, data, ACTOR, now=REPORTED)


def _wait_for(inbox: Inbox, count: int) -> None:
    deadline = clock.monotonic() + 5
    while len(inbox.messages) < count and clock.monotonic() < deadline:
        clock.sleep(0.05)


class TestWithSmtp:
    """The app is built to use the local SMTP server."""

    @pytest.fixture
    def app_config(self, smtp_server: tuple[int, Inbox]) -> dict[str, object]:
        port, _inbox = smtp_server
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}

    def test_an_overdue_critical_complaint_is_mailed_to_every_manager_once(
        self, app: Flask, smtp_server: tuple[int, Inbox]
    ) -> None:
        _port, inbox = smtp_server
        make_staff("manager", email="second.manager@example.test", name="Second")
        gone = make_staff("manager", email="gone.manager@example.test", name="Gone")
        gone.active = False
        db.session.commit()
        critical = _complaint("critical")
        _complaint("minor", "Napkins were paper")  # overdue too, but not critical: no mail
        acknowledged = _complaint("critical", "Waited an hour")
        rules.acknowledge(acknowledged.id, ACTOR, now=REPORTED + timedelta(hours=1))

        assert escalation.escalate_overdue(REPORTED + timedelta(hours=2)) == 0  # not overdue yet
        assert escalation.escalate_overdue(LATE) == 1
        assert escalation.escalate_overdue(LATE) == 0  # a second run sends nothing
        assert escalation.escalate_overdue(LATE + timedelta(hours=6)) == 0
        _wait_for(inbox, 1)
        clock.sleep(0.2)  # anything wrongly sent twice would have arrived by now
        assert len(inbox.messages) == 1
        _from, recipients, content = inbox.messages[0]
        assert sorted(recipients) == ["manager@example.test", "second.manager@example.test"]
        mail: Message = message_from_bytes(content)
        assert "Niran Chaiyaporn" in str(mail["Subject"])
        body = mail.get_payload(decode=True)
        assert isinstance(body, bytes)
        text = body.decode()
        assert "Found glass in the salad" in text and f"feedback {critical.id}" in text
        db.session.expire_all()
        stored = db.session.get(Feedback, critical.id)
        assert stored is not None and stored.escalated_at == LATE
        others = db.session.scalars(select(Feedback.escalated_at).where(Feedback.id != critical.id)).all()
        assert others == [None, None]

    def test_a_mail_server_that_is_down_leaves_the_complaint_for_the_next_run(
        self, app: Flask, smtp_server: tuple[int, Inbox]
    ) -> None:
        port, inbox = smtp_server
        with socket.socket() as probe:  # a loopback port nothing listens on: the connection is refused
            probe.bind(("127.0.0.1", 0))
            dead = probe.getsockname()[1]
        complaint = _complaint("critical")
        app.config["SMTP_PORT"] = dead
        assert escalation.escalate_overdue(LATE) == 0
        db.session.expire_all()
        assert db.session.get(Feedback, complaint.id).escalated_at is None  # type: ignore[union-attr]
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("feedback_escalate%")).order_by(AuditEvent.id)
        ).all()
        assert actions == ["feedback_escalate", "feedback_escalate_failed"]
        app.config["SMTP_PORT"] = port  # the server is back: the next run sends it, once
        assert escalation.escalate_overdue(LATE + timedelta(minutes=15)) == 1
        assert escalation.escalate_overdue(LATE + timedelta(minutes=30)) == 0
        _wait_for(inbox, 1)
        clock.sleep(0.2)
        assert len(inbox.messages) == 1
        db.session.expire_all()
        stored = db.session.get(Feedback, complaint.id)
        assert stored is not None and stored.escalated_at == LATE + timedelta(minutes=15)

    def test_no_managers_means_nothing_marked(self, app: Flask, smtp_server: tuple[int, Inbox]) -> None:
        _port, inbox = smtp_server
        for manager in db.session.scalars(select(StaffUser).where(StaffUser.role == "manager")):
            manager.active = False
        db.session.commit()
        complaint = _complaint("critical")
        assert escalation.escalate_overdue(LATE) == 0
        assert db.session.get(Feedback, complaint.id).escalated_at is None  # type: ignore[union-attr]
        assert inbox.messages == []


def test_nothing_is_sent_or_marked_without_smtp(app: Flask) -> None:
    assert not app.config.get("SMTP_HOST")
    complaint = _complaint("critical")
    assert escalation.escalate_overdue(LATE) == 0
    db.session.expire_all()
    assert db.session.get(Feedback, complaint.id).escalated_at is None  # type: ignore[union-attr]


def test_the_scheduler_runs_the_escalation_every_15_minutes(app: Flask, db_url: str, tmp_path: Path) -> None:
    scheduler_app = create_app(_config(db_url), instance_path=str(tmp_path / "instance"))
    scheduler = build_scheduler(scheduler_app)
    close_app(scheduler_app)
    job = scheduler.get_job(FEEDBACK_ESCALATION_JOB)
    assert job is not None and job.kwargs == {"app": scheduler_app}
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.fields[job.trigger.FIELD_NAMES.index("minute")]) == "*/15"
    assert not scheduler.running


def test_the_job_function_runs_in_its_app(app: Flask, db_url: str, tmp_path: Path) -> None:
    from guestbook import jobs

    _complaint("critical")
    db.session.remove()
    other = create_app(_config(db_url), instance_path=str(tmp_path / "job"))
    try:
        assert jobs.feedback_escalation(other) == 0  # no SMTP configured: nothing sent, nothing marked
    finally:
        close_app(other)
    assert db.session.scalar(select(Feedback.escalated_at)) is None
