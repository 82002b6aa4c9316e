"""The sundown rule's escalation: every overdue critical complaint is mailed to every active manager, once.

Exactly once: the complaint's ``escalated_at`` is set in the write transaction that picks it, before anything is
sent, so a second run (or a second scheduler) finds nothing to send. When the mail server then refuses or is down,
the complaints whose mail did not go out are unmarked (their audit rows stay, followed by a failure row), so the
next run tries them again; the complaint stays in the managers' overdue list and badge either way. Without
``SMTP_HOST`` nothing is marked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select, update

from guestbook import audit, mail
from guestbook.actor import Actor
from guestbook.admin.outlets import property_tz
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import format_day, format_time, gettext
from guestbook.relations.care import CATEGORY_LABELS
from guestbook.relations.feedback import overdue_clause
from guestbook.relations.models import Feedback
from guestbook.staff.models import StaffUser

ACTOR = Actor.system("scheduler:feedback-escalation")


def managers() -> list[StaffUser]:
    """Active managers with an e-mail address (the people the sundown rule escalates to)."""
    stmt = (
        select(StaffUser)
        .where(StaffUser.active.is_(True), StaffUser.role == "manager", StaffUser.email != "")
        .order_by(StaffUser.id)
    )
    return list(db.session.scalars(stmt))


def _message(feedback: Feedback, recipients: list[StaffUser]) -> EmailMessage:
    tz = property_tz()
    guest = db.session.get(Guest, feedback.guest_id) if feedback.guest_id is not None else None
    who = guest.full_name if guest is not None else gettext("an anonymous guest")
    due = feedback.due_by.astimezone(tz) if feedback.due_by else None
    reported = feedback.reported_at.astimezone(tz)
    message = mail.new_message(
        gettext("Overdue critical complaint from %(guest)s", guest=who), [u.email for u in recipients]
    )
    lines = [
        gettext(
            "A critical complaint about %(category)s was not acknowledged before sundown (due %(day)s %(time)s).",
            category=str(CATEGORY_LABELS.get(feedback.category, feedback.category)),
            day=format_day(due),
            time=format_time(due),
        ),
        "",
        gettext("Guest: %(guest)s", guest=who),
        gettext("Reported: %(day)s %(time)s", day=format_day(reported), time=format_time(reported)),
        "",
        feedback.text,
        "",
        gettext("Acknowledge it in Guestbook (feedback %(id)d).", id=feedback.id),
    ]
    message.set_content("\n".join(lines) + "\n")
    return message


def escalate_overdue(now: datetime) -> int:
    """Mail every active manager about each overdue critical complaint not escalated yet; returns how many
    complaints were escalated (mailed). Nothing happens (and nothing is marked) without SMTP_HOST or managers."""
    if not mail.configured():
        return 0
    with write_transaction():
        recipients = managers()
        if not recipients:
            return 0
        stmt = (
            select(Feedback)
            .where(overdue_clause(now), Feedback.severity == "critical", Feedback.escalated_at.is_(None))
            .order_by(Feedback.due_by, Feedback.id)
        )
        due = list(db.session.scalars(stmt))
        for feedback in due:
            feedback.escalated_at = now.astimezone(UTC)
            audit.record(ACTOR, "feedback_escalate", feedback.guest_id, f"feedback {feedback.id} to {len(recipients)}")
        messages = [(f.id, f.guest_id, _message(f, recipients)) for f in due]
    if not messages:
        return 0
    sent = mail.send([m for _id, _guest, m in messages], "complaint escalation")
    unsent = messages[sent:]
    if unsent:  # the next run tries these again
        with write_transaction():
            ids = [fid for fid, _guest, _m in unsent]
            db.session.execute(update(Feedback).where(Feedback.id.in_(ids)).values(escalated_at=None))
            for fid, guest_id, _m in unsent:
                audit.record(ACTOR, "feedback_escalate_failed", guest_id, f"feedback {fid}: mail not sent")
    return sent
