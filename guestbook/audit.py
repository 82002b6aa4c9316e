"""The audit trail: every view, edit and export of a guest is recorded.

With ``GUESTBOOK_AUDIT_JSONL`` set, every event is also appended to that file as one JSON line once its
transaction has committed (a rolled-back one writes nothing), for a log shipper to tail.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import ForeignKey, Insert, Integer, String, Table, Text, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, mapped_column

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
    What the request has loaded stays loaded: an audit row changes none of it. On SQLite the row goes in past the
    ORM's transaction machinery (``db.append_now``) unless the JSON-lines copy is on.
    """
    from guestbook.db import append_now, write_transaction

    if not _jsonl_path():  # the JSON-lines copy follows the ORM's commit: that way only
        values = {
            "at": utcnow(),
            "actor": actor.label,
            "staff_user_id": actor.staff_user_id,
            "api_key_id": actor.api_key_id,
            "action": action,
            "guest_id": guest_id,
            "ip": actor.ip,
            "detail": detail[:2000],
        }
        if append_now(cast(Table, AuditEvent.__table__), values):
            return
    with write_transaction(keep_loaded=True, append_only=True):
        record(actor, action, guest_id, detail)


# The JSON-lines copy. The database stays the record; the file is a copy for an external log, written
# after the commit so that it never holds an event the database does not.
JSONL_CONFIG = "GUESTBOOK_AUDIT_JSONL"
_PENDING = "guestbook_audit_jsonl_pending"  # db.session.info: events flushed in the open transaction
_FIELDS = ("id", "at", "actor", "staff_user_id", "api_key_id", "action", "guest_id", "ip", "detail")
log = logging.getLogger(__name__)


def _jsonl_path() -> str:
    if not has_app_context():
        return ""
    return str(current_app.config.get(JSONL_CONFIG) or "")


def _as_line(values: dict[str, Any]) -> dict[str, Any]:
    line = {name: values.get(name) for name in _FIELDS}
    line["ip"] = line["ip"] or ""
    line["detail"] = line["detail"] or ""
    if isinstance(line["at"], datetime):
        line["at"] = line["at"].isoformat()
    return line


def _pending(session: Session) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING, [])
    return pending


@event.listens_for(AuditEvent, "after_insert")
def _remember_inserted(mapper: Mapper[AuditEvent], connection: Connection, target: AuditEvent) -> None:
    """An event flushed by the unit of work: keep its line until the transaction ends."""
    session = Session.object_session(target)
    if session is not None and _jsonl_path():
        _pending(session).append(_as_line({name: getattr(target, name) for name in _FIELDS}))


@event.listens_for(Session, "do_orm_execute")
def _remember_bulk_inserted(state: ORMExecuteState) -> Any:
    """Events inserted in bulk (``session.execute(insert(AuditEvent), rows)``): keep their lines, ids included."""
    statement = state.statement
    if not (state.is_insert and isinstance(statement, Insert) and statement.table.name == AuditEvent.__tablename__):
        return None
    if statement._returning or not _jsonl_path():  # a caller's own RETURNING is left alone
        return None
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    if not rows:
        return None
    # RETURNING in the order the rows were given, so each line carries its event's id.
    result = state.invoke_statement(statement=statement.returning(AuditEvent.id, sort_by_parameter_order=True))
    ids = list(result.scalars().all())
    for row, event_id in zip(rows, ids, strict=True):
        _pending(state.session).append(_as_line({**row, "id": event_id}))
    return result


@event.listens_for(Session, "after_commit")
def _write_committed(session: Session) -> None:
    """After the commit: append the transaction's events to the JSON-lines file (one write, so lines stay whole)."""
    lines = session.info.pop(_PENDING, None)
    path = _jsonl_path()
    if not lines or not path:
        return
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError:
        # The commit has happened: the database holds the events; the copy is missed, and said so.
        log.exception("could not append %d audit events to %s", len(lines), path)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    """A rolled-back transaction's events never happened: nothing reaches the file."""
    session.info.pop(_PENDING, None)
