"""What the floor hears at the table: a phone or e-mail the guest gives is a suggestion a manager decides on.

Floor staff see contact details masked, so they may not write them onto a profile. What a guest says
at the table is kept as a pending suggestion; a manager accepts it (the value is written onto the guest
through the normal profile rules, audited) or rejects it. The floor never sees the value again unmasked.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from sqlalchemy import Select, bindparam, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import profiles
from guestbook.guests.models import ContactSuggestion, Guest
from guestbook.guests.schemas import EMAIL_CORE, PHONE_CORE, Email, GuestPatch, Phone
from guestbook.models.base import utcnow
from guestbook.text import padded


class ContactSuggestionIn(BaseModel):
    """A phone or an e-mail the guest gave at the table: exactly one of them."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        # Exactly one of phone and email holds a value (the other absent, null or blank), as _exactly_one checks.
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["phone"],
                    "properties": {"phone": {"type": "string", "pattern": padded(PHONE_CORE, True)}},
                },
                {
                    "required": ["email"],
                    "properties": {"email": {"type": "string", "pattern": padded(EMAIL_CORE, True)}},
                },
            ]
        },
    )

    phone: Phone | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ContactSuggestionIn:
        given = [kind for kind in ("phone", "email") if getattr(self, kind)]
        if len(given) != 1:
            raise ValueError("send exactly one of phone and email")
        kind = given[0]
        # The same checks a profile edit makes, so accepting it later cannot fail on the value.
        try:
            checked = GuestPatch.model_validate({"version": 1, kind: getattr(self, kind)})
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"]) from None
        setattr(self, kind, getattr(checked, kind))
        return self

    @property
    def kind(self) -> str:
        """``phone`` or ``email``."""
        return "phone" if self.phone else "email"

    @property
    def value(self) -> str:
        """The phone number or e-mail address."""
        return self.phone or self.email or ""


class SuggestionNotFound(LookupError):
    """No contact suggestion has this id."""


class AlreadyDecided(Exception):
    """The suggestion was accepted or rejected before; nothing was written."""

    def __init__(self, suggestion: ContactSuggestion) -> None:
        super().__init__(f"contact suggestion {suggestion.id} is already {suggestion.status}")
        self.suggestion = suggestion


def suggest_contact(guest_id: int, data: ContactSuggestionIn, actor: Actor) -> ContactSuggestion:
    """Keep a phone or e-mail given at the table for a manager to decide (GuestNotFound when there is no guest).

    The same value already waiting for this guest is not queued twice: that suggestion is returned.
    """
    with write_transaction():
        if db.session.get(Guest, guest_id) is None:
            raise profiles.GuestNotFound(guest_id)
        waiting = db.session.scalar(
            select(ContactSuggestion).where(
                ContactSuggestion.guest_id == guest_id,
                ContactSuggestion.kind == data.kind,
                ContactSuggestion.value == data.value,
                ContactSuggestion.status == "pending",
            )
        )
        if waiting is not None:
            return waiting
        suggestion = ContactSuggestion(
            guest_id=guest_id,
            kind=data.kind,
            value=data.value,
            status="pending",
            suggested_by=actor.label,
            suggested_by_id=actor.staff_user_id,
            suggested_at=utcnow(),
        )
        db.session.add(suggestion)
        db.session.flush()
        audit.record(actor, "contact_suggest", guest_id, f"{data.kind} suggestion {suggestion.id}")
    return suggestion


def pending_suggestions() -> list[ContactSuggestion]:
    """Every suggestion waiting for a manager, oldest first."""
    stmt = select(ContactSuggestion).where(ContactSuggestion.status == "pending").order_by(ContactSuggestion.id)
    return list(db.session.scalars(stmt))


def pending_for_guest(guest_id: int) -> list[ContactSuggestion]:
    """One guest's suggestions waiting for a manager (the card shows them masked)."""
    return list(db.session.scalars(_pending_stmt(), {"guest_id": guest_id}))


@functools.cache
def _pending_stmt() -> Select[ContactSuggestion]:
    """Built once: every card runs it."""
    return (
        select(ContactSuggestion)
        .where(ContactSuggestion.guest_id == bindparam("guest_id"), ContactSuggestion.status == "pending")
        .order_by(ContactSuggestion.id)
    )


def _pending(suggestion_id: int) -> ContactSuggestion:
    suggestion = db.session.get(ContactSuggestion, suggestion_id)
    if suggestion is None:
        raise SuggestionNotFound(suggestion_id)
    if suggestion.status != "pending":
        raise AlreadyDecided(suggestion)
    return suggestion


def accept_suggestion(suggestion_id: int, actor: Actor) -> ContactSuggestion:
    """Write the suggested value onto the guest (profile rules and audit as any edit) and close the suggestion."""
    with write_transaction():
        suggestion = _pending(suggestion_id)
        guest = profiles.get_guest(suggestion.guest_id)
        patch = GuestPatch.model_validate({"version": guest.version, suggestion.kind: suggestion.value})
        profiles.update_guest(guest.id, patch, actor)  # joins this transaction; ContactNotAllowed rolls back
        suggestion.status, suggestion.decided_at, suggestion.decided_by = "accepted", utcnow(), actor.label
        audit.record(actor, "contact_suggestion_accept", guest.id, f"{suggestion.kind} suggestion {suggestion.id}")
    return suggestion


def reject_suggestion(suggestion_id: int, actor: Actor) -> ContactSuggestion:
    """Close the suggestion without touching the guest."""
    with write_transaction():
        suggestion = _pending(suggestion_id)
        suggestion.status, suggestion.decided_at, suggestion.decided_by = "rejected", utcnow(), actor.label
        audit.record(
            actor, "contact_suggestion_reject", suggestion.guest_id, f"{suggestion.kind} suggestion {suggestion.id}"
        )
    return suggestion


def masked_value(suggestion: ContactSuggestion) -> str:
    """The value as a masked role may see it (the card's rules)."""
    if suggestion.kind == "email":
        return profiles.mask_email(suggestion.value) or ""
    return profiles.mask_phone(suggestion.value) or ""


def suggestion_to_dict(suggestion: ContactSuggestion) -> dict[str, Any]:
    """A suggestion as the managers' API shows it (the value in full)."""
    return {
        "id": suggestion.id,
        "guest_id": suggestion.guest_id,
        "kind": suggestion.kind,
        "value": suggestion.value,
        "status": suggestion.status,
        "suggested_by": suggestion.suggested_by,
        "suggested_at": suggestion.suggested_at.isoformat(),
        "decided_by": suggestion.decided_by or None,
        "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
    }


def receipt_dict(suggestion: ContactSuggestion) -> dict[str, Any]:
    """What whoever suggested a value gets back: never the value itself."""
    return {"id": suggestion.id, "guest_id": suggestion.guest_id, "kind": suggestion.kind, "status": suggestion.status}
