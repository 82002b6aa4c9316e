"""The audit trail: every view, edit and export of a guest is recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.actor import Actor
from guestbook.extensions import Base, db
from guestbook.models.base import UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which guest, when and from where."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    guest_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


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
    """Record an audit event in its own short transaction (for reads, which write nothing else).

    Inside an open write transaction it joins that one instead (and is committed, or rolled back, with it).
    """
    from guestbook.db import write_transaction

    with write_transaction():
        record(actor, action, guest_id, detail)
