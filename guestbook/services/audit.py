"""The audit trail: every view, edit and export of a guest is recorded."""

from __future__ import annotations

from guestbook.extensions import db
from guestbook.models import AuditEvent
from guestbook.services.actor import Actor


def record(actor: Actor, action: str, guest_id: int | None = None, detail: str = "") -> AuditEvent:
    """Add an audit event to the current unit of work (the caller commits)."""
    event = AuditEvent(
        actor=actor.label,
        staff_user_id=actor.staff_user_id,
        api_key_id=actor.api_key_id,
        action=action,
        guest_id=guest_id,
        ip=actor.ip,
        detail=detail[:2000],
    )
    db.session.add(event)
    return event


def record_now(actor: Actor, action: str, guest_id: int | None = None, detail: str = "") -> None:
    """Record an audit event in its own short transaction (for reads, which write nothing else)."""
    from guestbook.db import begin_write

    begin_write()
    record(actor, action, guest_id, detail)
    db.session.commit()
