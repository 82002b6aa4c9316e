"""The access log: who looked at or changed one guest, read back from the audit trail (read only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.guests import profiles as guest_service
from guestbook.staff.models import ApiKey, StaffUser

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
CARD_LIMIT = 20  # the card's folded panel shows the last few; the API pages through the rest

GuestNotFound = guest_service.GuestNotFound


@dataclass(frozen=True)
class AccessEntry:
    """One line of a guest's access log, as plain data."""

    id: int
    at: datetime
    who: str
    action: str
    device: str
    address: str


def _device(event: AuditEvent) -> str:
    """The channel the event came through: the audit trail keeps no user agent, only who and from where."""
    if event.api_key_id is not None:
        return "api"
    if event.staff_user_id is not None:
        return "web"
    return "system"


def entries_for_guest(guest_id: int, *, limit: int = DEFAULT_LIMIT, before: int | None = None) -> list[AccessEntry]:
    """The guest's audit events, newest first (``before``: only events with a smaller id, for the next page).

    ``who`` is the staff member's name or the API key's name; events by the system (CLI, scheduled jobs)
    keep the label they were recorded with. Raises GuestNotFound for an unknown guest.
    """
    guest_service.get_guest(guest_id)
    limit = max(1, min(limit, MAX_LIMIT))
    query = (
        select(AuditEvent, StaffUser.name, ApiKey.name)
        .outerjoin(StaffUser, StaffUser.id == AuditEvent.staff_user_id)
        .outerjoin(ApiKey, ApiKey.id == AuditEvent.api_key_id)
        .where(AuditEvent.guest_id == guest_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return [
        AccessEntry(
            id=event.id,
            at=event.at,
            who=staff_name or key_name or event.actor,
            action=event.action,
            device=_device(event),
            address=event.ip,
        )
        for event, staff_name, key_name in db.session.execute(query).all()
    ]


def read_access_log(
    guest_id: int, actor: Actor, *, limit: int = DEFAULT_LIMIT, before: int | None = None
) -> list[AccessEntry]:
    """The guest's access log for someone to read through the API, recording that they read it."""
    guest_service.get_guest(guest_id)
    audit.record_now(actor, "access_log_view", guest_id)
    return entries_for_guest(guest_id, limit=limit, before=before)


def entry_to_dict(entry: AccessEntry) -> dict[str, object]:
    """The API's JSON shape of one entry (``at`` in ISO 8601 UTC)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "who": entry.who,
        "action": entry.action,
        "device": entry.device,
        "address": entry.address,
    }
