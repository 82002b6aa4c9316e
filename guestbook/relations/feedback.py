"""Feedback rules: log a complaint or a compliment, and each step of a complaint's handling (acknowledge, resolve,
follow up, close), recording who and when, in order, and never over another manager's step."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, not_, or_, select
from sqlalchemy.orm.exc import StaleDataError

from guestbook import audit, db_rows
from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import outlet_by_code, property_tz
from guestbook.admin.settings import get_setting
from guestbook.db import rows, write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.models.base import utcnow
from guestbook.relations import sundown
from guestbook.relations.models import Feedback, FeedbackNote
from guestbook.relations.schemas import AmendIn, FeedbackCreate
from guestbook.staff.models import StaffUser

# Where each step may start from. A compliment is ``recorded`` and has no steps.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "acknowledge": ("open",),
    "resolve": ("acknowledged",),
    "follow_up": ("resolved",),
    "close": ("open", "acknowledged", "resolved"),
}
STILL_OPEN = ("open", "acknowledged")  # a complaint nobody has resolved or closed yet
NOTE_MAX_LENGTH = 2000  # a note in the internal discussion, as the steps' notes


class FeedbackError(Exception):
    """A feedback request that cannot be carried out."""


class FeedbackNotFound(FeedbackError, LookupError):
    """No feedback has this id."""


class GuestNotFound(FeedbackError, LookupError):
    """No guest has this id."""


class StaffNotFound(FeedbackError, LookupError):
    """The owner named is not a member of staff."""


class BadField(FeedbackError, ValueError):
    """A field that names something which does not exist (an outlet code)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class Conflict(FeedbackError):
    """The step does not fit the feedback as it now is: out of order, or acted on a stale version."""

    def __init__(self, message: str, feedback: Feedback) -> None:
        super().__init__(message)
        self.message = message
        self.status = feedback.status
        self.version = feedback.version


@dataclass(frozen=True)
class Filters:
    """What the feedback list is narrowed to (each optional)."""

    status: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    guest_id: int | None = None
    limit: int = 200


def _at(now: datetime | None) -> datetime:
    return (now or utcnow()).astimezone(UTC)


def _guest(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id)
    return guest


def _outlet(code: str | None) -> Outlet | None:
    if not code:
        return None
    outlet = outlet_by_code(code)
    if outlet is None:
        raise BadField("outlet", f"no outlet with code {code!r}")
    return outlet


def _owner(staff_id: int | None) -> int | None:
    if staff_id is None:
        return None
    if db.session.get(StaffUser, staff_id) is None:
        raise StaffNotFound(f"no member of staff with id {staff_id}")
    return staff_id


def _note(feedback: Feedback, step: str, body: str, actor: Actor, now: datetime) -> None:
    if body:
        db.session.add(FeedbackNote(feedback_id=feedback.id, step=step, body=body, author=actor.label, created_at=now))


def create_feedback(guest_id: int | None, data: FeedbackCreate, actor: Actor, now: datetime | None = None) -> Feedback:
    """Log a complaint (``open``, due by the sundown deadline) or a compliment (``recorded``); ``guest_id`` None
    for anonymous feedback, linked later."""
    at = _at(now)
    with write_transaction():
        if guest_id is not None:
            _guest(guest_id)
        outlet = _outlet(data.outlet)
        owner_id = _owner(data.owner)
        reported_at = (data.reported_at or at).astimezone(UTC)
        complaint = data.kind == "complaint"
        feedback = Feedback(
            guest_id=guest_id,
            kind=data.kind,
            category=data.category,
            severity=data.severity,
            channel=data.channel,
            text=data.text,
            outlet_id=outlet.id if outlet else None,
            reported_at=reported_at,
            staff_involved=data.staff_involved,
            owner_id=owner_id,
            status="open" if complaint else "recorded",
            due_by=sundown.due_by(reported_at, property_tz(), sundown.business_day_end()) if complaint else None,
            created_at=at,
            created_by=actor.label,
            amends=[],
        )
        db.session.add(feedback)
        db.session.flush()
        audit.record(actor, "feedback_create", guest_id, f"feedback {feedback.id} {data.kind} {data.category}")
    return feedback


def get_feedback(feedback_id: int) -> Feedback:
    """One feedback by id."""
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None:
        raise FeedbackNotFound(feedback_id)
    return feedback


def notes_of(feedback_id: int) -> list[FeedbackNote]:
    """The internal discussion of one feedback, oldest first."""
    stmt = select(FeedbackNote).where(FeedbackNote.feedback_id == feedback_id).order_by(FeedbackNote.id)
    return list(db.session.scalars(stmt))


def overdue_clause(now: datetime) -> Any:
    """SQL: complaints still open past their sundown deadline (``sundown.is_overdue`` as a filter)."""
    return and_(Feedback.kind == "complaint", Feedback.status == "open", Feedback.due_by < now.astimezone(UTC))


def list_feedback(filters: Filters, now: datetime | None = None) -> list[Feedback]:
    """Feedback newest first (by when it was reported), narrowed by ``filters``."""
    stmt = select(Feedback)
    if filters.status is not None:
        stmt = stmt.where(Feedback.status == filters.status)
    if filters.kind is not None:
        stmt = stmt.where(Feedback.kind == filters.kind)
    if filters.guest_id is not None:
        stmt = stmt.where(Feedback.guest_id == filters.guest_id)
    if filters.overdue is not None:
        clause = overdue_clause(_at(now))
        stmt = stmt.where(clause if filters.overdue else not_(clause))
    stmt = stmt.order_by(Feedback.reported_at.desc(), Feedback.id.desc()).limit(filters.limit)
    return list(db.session.scalars(stmt))


@contextmanager
def _step(feedback_id: int, step: str, version: int | None) -> Iterator[Feedback]:
    """Run one workflow step in a write transaction: the feedback as it is now, refused (Conflict) when the step is
    out of order or the manager acted on an older version; a write that loses a race is a Conflict too."""
    try:
        with write_transaction():
            feedback = db.session.get(Feedback, feedback_id, populate_existing=True)
            if feedback is None:
                raise FeedbackNotFound(feedback_id)
            if version is not None and version != feedback.version:
                raise Conflict(f"feedback {feedback_id} changed since version {version}", feedback)
            if feedback.status not in ALLOWED_FROM[step]:
                raise Conflict(f"cannot {step.replace('_', ' ')} feedback that is {feedback.status}", feedback)
            yield feedback
            db.session.flush()
    except StaleDataError:
        current = get_feedback(feedback_id)
        raise Conflict(f"feedback {feedback_id} was changed by someone else", current) from None


def acknowledge(
    feedback_id: int, actor: Actor, note: str = "", version: int | None = None, now: datetime | None = None
) -> Feedback:
    """Acknowledge an open complaint (who and when): it is no longer overdue."""
    at = _at(now)
    with _step(feedback_id, "acknowledge", version) as feedback:
        feedback.status, feedback.acknowledged_at, feedback.acknowledged_by = "acknowledged", at, actor.label
        _note(feedback, "acknowledge", note, actor, at)
        audit.record(actor, "feedback_acknowledge", feedback.guest_id, f"feedback {feedback.id}")
    return feedback


def resolve(
    feedback_id: int,
    actor: Actor,
    amends: list[AmendIn],
    promise: str = "",
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Resolve an acknowledged complaint: the amends made, what was promised, and the follow-up date for the owner
    (``relations_follow_up_days`` after today at the property)."""
    at = _at(now)
    with _step(feedback_id, "resolve", version) as feedback:
        # Read before changing the row: a query would flush it early, and each flush is a new version.
        follow_up_on = at.astimezone(property_tz()).date() + timedelta(
            days=int(get_setting("relations_follow_up_days"))
        )
        feedback.status, feedback.resolved_at, feedback.resolved_by = "resolved", at, actor.label
        feedback.amends = [{"kind": a.kind, "value": a.value, "note": a.note} for a in amends]
        feedback.promise, feedback.follow_up_on = promise, follow_up_on
        _note(feedback, "resolve", note, actor, at)
        audit.record(actor, "feedback_resolve", feedback.guest_id, f"feedback {feedback.id} {len(amends)} amends")
    return feedback


def follow_up(
    feedback_id: int,
    actor: Actor,
    outcome: str,
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Record the call back after a resolved complaint: satisfied or unsatisfied."""
    at = _at(now)
    with _step(feedback_id, "follow_up", version) as feedback:
        feedback.status, feedback.followed_up_at, feedback.followed_up_by = "followed_up", at, actor.label
        feedback.outcome = outcome
        _note(feedback, "follow_up", note, actor, at)
        audit.record(actor, "feedback_follow_up", feedback.guest_id, f"feedback {feedback.id} {outcome}")
    return feedback


def close(
    feedback_id: int,
    actor: Actor,
    reason: str,
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Close a complaint that cannot be resolved (the reason is required; the caller validated it)."""
    at = _at(now)
    with _step(feedback_id, "close", version) as feedback:
        feedback.status, feedback.closed_at, feedback.closed_by = "closed", at, actor.label
        feedback.close_reason = reason
        _note(feedback, "close", note, actor, at)
        audit.record(actor, "feedback_close", feedback.guest_id, f"feedback {feedback.id}")
    return feedback


def link(feedback_id: int, guest_id: int, actor: Actor, note: str = "", now: datetime | None = None) -> Feedback:
    """Link anonymous feedback to its guest; linking it again to the same guest changes nothing, to another is a
    Conflict (it is someone's already)."""
    at = _at(now)
    with write_transaction():
        feedback = db.session.get(Feedback, feedback_id, populate_existing=True)
        if feedback is None:
            raise FeedbackNotFound(feedback_id)
        _guest(guest_id)
        if feedback.guest_id == guest_id:
            return feedback
        if feedback.guest_id is not None:
            raise Conflict(f"feedback {feedback_id} belongs to guest {feedback.guest_id}", feedback)
        feedback.guest_id = guest_id
        _note(feedback, "link", note, actor, at)
        audit.record(actor, "feedback_link", guest_id, f"feedback {feedback.id}")
    return feedback


def add_note(feedback_id: int, body: str, actor: Actor, now: datetime | None = None) -> FeedbackNote:
    """Add a manager's note to the internal discussion without taking a step: the status and version stay as they
    are, so nobody's open step form goes stale. The body is stripped, required and at most ``NOTE_MAX_LENGTH``."""
    text = body.strip()
    if not text:
        raise BadField("body", "a note needs some text")
    if len(text) > NOTE_MAX_LENGTH:
        raise BadField("body", f"at most {NOTE_MAX_LENGTH} characters")
    at = _at(now)
    with write_transaction():
        feedback = db.session.get(Feedback, feedback_id)
        if feedback is None:
            raise FeedbackNotFound(feedback_id)
        note = FeedbackNote(feedback_id=feedback.id, step="note", body=text, author=actor.label, created_at=at)
        db.session.add(note)
        db.session.flush()
        audit.record(actor, "feedback_note", feedback.guest_id, f"feedback {feedback.id} note {note.id}")
    return note


def note_to_dict(note: FeedbackNote) -> dict[str, Any]:
    """A note added on its own, as the API answers it."""
    return {"id": note.id, "body": note.body, "author": note.author, "created_at": _iso(note.created_at)}


def still_open(feedback: Feedback) -> bool:
    """A complaint nobody has resolved or closed yet."""
    return feedback.kind == "complaint" and feedback.status in STILL_OPEN


def active_for(guest_ids: list[int], since: datetime) -> list[Feedback]:
    """The guests' complaints still open or resolved since ``since``, and their compliments reported since then,
    newest first (the care block and the briefing)."""
    if not guest_ids:
        return []
    return list(db.session.scalars(_active_stmt(), {"ids": sorted(set(guest_ids)), "since": since}))


def has_feedback(guest_id: int) -> bool:
    """Whether any feedback was ever linked to the guest: one bare index probe, before the card's care block
    loads anything (most guests have none)."""
    return bool(rows(_any_feedback_stmt(), {"guest_id": guest_id}))


@db_rows.statement
def _any_feedback_stmt() -> Select[int]:
    return select(Feedback.id).where(Feedback.guest_id == bindparam("guest_id")).limit(1)


@functools.cache
def _active_stmt() -> Select[Feedback]:
    """Built once (every card runs it): building the statement cost more than running it."""
    since: BindParameter[datetime] = bindparam("since")
    complaint = and_(
        Feedback.kind == "complaint",
        or_(Feedback.status.in_(STILL_OPEN), Feedback.resolved_at >= since),
    )
    compliment = and_(Feedback.kind == "compliment", Feedback.reported_at >= since)
    return (
        select(Feedback)
        .where(Feedback.guest_id.in_(bindparam("ids", expanding=True)), or_(complaint, compliment))
        .order_by(Feedback.reported_at.desc(), Feedback.id.desc())
    )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def feedback_to_dict(feedback: Feedback, now: datetime | None = None) -> dict[str, Any]:
    """The feedback as JSON (managers only): the guest's words, each step's who and when, the amends, the promise,
    the follow-up and the internal discussion (``notes``)."""
    outlet = db.session.get(Outlet, feedback.outlet_id) if feedback.outlet_id is not None else None
    owner = db.session.get(StaffUser, feedback.owner_id) if feedback.owner_id is not None else None
    return {
        "id": feedback.id,
        "version": feedback.version,
        "guest_id": feedback.guest_id,
        "kind": feedback.kind,
        "category": feedback.category,
        "severity": feedback.severity,
        "channel": feedback.channel,
        "text": feedback.text,
        "outlet": outlet.code if outlet else None,
        "reported_at": _iso(feedback.reported_at),
        "staff_involved": feedback.staff_involved,
        "owner": feedback.owner_id,
        "owner_name": owner.name if owner else None,
        "status": feedback.status,
        "due_by": _iso(feedback.due_by),
        "overdue": sundown.is_overdue(feedback, _at(now)),
        "created_at": _iso(feedback.created_at),
        "created_by": feedback.created_by,
        "acknowledged_at": _iso(feedback.acknowledged_at),
        "acknowledged_by": feedback.acknowledged_by or None,
        "resolved_at": _iso(feedback.resolved_at),
        "resolved_by": feedback.resolved_by or None,
        "amends": [
            {"kind": a.get("kind"), "value": a.get("value"), "note": a.get("note") or ""} for a in feedback.amends or []
        ],
        "promise": feedback.promise,
        "follow_up_on": feedback.follow_up_on.isoformat() if feedback.follow_up_on else None,
        "followed_up_at": _iso(feedback.followed_up_at),
        "followed_up_by": feedback.followed_up_by or None,
        "outcome": feedback.outcome,
        "closed_at": _iso(feedback.closed_at),
        "closed_by": feedback.closed_by or None,
        "close_reason": feedback.close_reason,
        "escalated_at": _iso(feedback.escalated_at),
        "notes": [
            {"step": n.step, "body": n.body, "author": n.author, "created_at": _iso(n.created_at)}
            for n in notes_of(feedback.id)
        ],
    }
