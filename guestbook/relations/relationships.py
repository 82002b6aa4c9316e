"""Who knows whom: relationships between guests, each stored in both directions (the other with the inverse kind).

A relationship reads from the guest it is listed under: ``kind`` is what *this* guest is to the other one
(``assistant_of``: this guest is the other's assistant), so what is sent for a guest is what comes back for it,
and the other guest carries the inverse (``has_assistant``). Adding a pair that already exists replaces its
kind and note on both sides: staff who learn that two friends married expect the card to say "spouse" at
once, not an error to resolve first (the old kind is kept in the audit trail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, bindparam, delete, select

from guestbook import audit, db_rows
from guestbook.actor import Actor
from guestbook.briefing.sheet import Companion
from guestbook.db import rows, write_transaction
from guestbook.errors import MAX_URL_ID
from guestbook.extensions import db
from guestbook.guests.models import Guest, full_name_of
from guestbook.i18n import code_label, lazy_gettext
from guestbook.relations.models import INVERSE_KIND, GuestRelationship
from guestbook.reservations.models import Reservation
from guestbook.text import Text

KINDS = tuple(INVERSE_KIND)
SYMMETRIC = tuple(kind for kind, inverse in INVERSE_KIND.items() if kind == inverse)
NOTE_LENGTH = 500

# What the *other* guest is to the one whose card or arrival lists them, in staff words: a row (A, B, kind)
# shows B under A as ``OTHER_IS[INVERSE_KIND[kind]]`` ("with Tomás Vance, spouse"; "Mai Tran, assistant").
OTHER_IS: dict[str, Any] = {
    "spouse": lazy_gettext("spouse"),
    "partner": lazy_gettext("partner"),
    "family": lazy_gettext("family"),
    "friend": lazy_gettext("friend"),
    "colleague": lazy_gettext("colleague"),
    # Translators: this person is the assistant of the guest (books for them).
    "assistant_of": lazy_gettext("assistant"),
    # Translators: the guest is this person's assistant.
    "has_assistant": lazy_gettext("employer"),
    # Translators: this person was recommended to us by the guest.
    "referred_by": lazy_gettext("referred by them"),
    # Translators: this person recommended us to the guest.
    "referred": lazy_gettext("referred them"),
}


class RelationshipIn(BaseModel):
    """A relationship to add from a guest's side: the other guest, what this guest is to them, and a note."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    other_id: int = Field(ge=1, le=MAX_URL_ID, description="the other guest (not this one)")
    kind: Literal[KINDS] = Field(  # type: ignore[valid-type]
        description="what this guest is to the other: spouse, partner, family, friend and colleague go both ways; "
        "assistant_of (this guest is their assistant) and has_assistant, referred_by (this guest came on their "
        "recommendation) and referred are each other's inverse"
    )
    note: Annotated[str, Text(NOTE_LENGTH)] = ""


class RelationshipError(Exception):
    """A relationship that cannot be added or removed; ``status`` is the HTTP answer, ``field`` names the culprit."""

    status = 422
    field = ""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field or self.field


class GuestNotFound(RelationshipError):
    """No guest with this id (``guest_id`` says which)."""

    status = 404

    def __init__(self, guest_id: int, field: str = "") -> None:
        super().__init__(f"no guest with id {guest_id}", field)
        self.guest_id = guest_id


class RelationshipNotFound(RelationshipError):
    """The two guests are not related."""

    status = 404


class ErasedGuest(RelationshipError):
    """An erased guest is kept only for counts: nobody can be related to them."""

    status = 409


@dataclass(frozen=True)
class Related:
    """One relationship as listed under a guest: the other guest, and what this guest is to them."""

    guest_id: int
    name: str
    kind: str
    note: str

    @property
    def other_is(self) -> str:
        """What the other guest is to this one, in the current language ("spouse", "assistant")."""
        return other_is_label(self.kind)


def other_is_label(kind: str) -> str:
    """The words for the other guest of a relationship of ``kind`` (what this guest is to them)."""
    return code_label(OTHER_IS, INVERSE_KIND.get(kind, kind))


def _guest(guest_id: int, field: str = "") -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id, field)
    if guest.erased_at is not None:
        raise ErasedGuest(f"guest {guest_id} was erased", field)
    return guest


def _row(guest_id: int, other_id: int) -> GuestRelationship | None:
    return db.session.scalar(
        select(GuestRelationship).where(GuestRelationship.guest_id == guest_id, GuestRelationship.other_id == other_id)
    )


def add_relationship(guest_id: int, other_id: int, kind: str, note: str, actor: Actor) -> bool:
    """Relate two guests (``kind``: what ``guest_id`` is to ``other_id``); True when new, False when replaced.

    Raises RelationshipError: 422 for themself or an unknown kind, 404 for an unknown guest, 409 for an erased one.
    """
    if kind not in INVERSE_KIND:
        raise RelationshipError(f"one of {', '.join(KINDS)}", "kind")
    if guest_id == other_id:
        raise RelationshipError("a guest cannot be related to themself", "other_id")
    note = note.strip()[:NOTE_LENGTH]
    with write_transaction():
        _guest(guest_id)
        _guest(other_id, "other_id")
        mine, theirs = _row(guest_id, other_id), _row(other_id, guest_id)
        created = mine is None and theirs is None
        before = mine.kind if mine is not None else ""
        for row, a, b, k in ((mine, guest_id, other_id, kind), (theirs, other_id, guest_id, INVERSE_KIND[kind])):
            if row is None:
                db.session.add(GuestRelationship(guest_id=a, other_id=b, kind=k, note=note, created_by=actor.label))
            else:
                row.kind, row.note = k, note
        detail = f"{kind} of guest {other_id}" + (f" (was {before})" if before and before != kind else "")
        audit.record(actor, "relationship_added" if created else "relationship_changed", guest_id, detail)
        audit.record(
            actor,
            "relationship_added" if created else "relationship_changed",
            other_id,
            f"{INVERSE_KIND[kind]} of guest {guest_id}",
        )
    return created


def remove_relationship(guest_id: int, other_id: int, actor: Actor) -> None:
    """Remove the relationship between two guests, both directions; RelationshipNotFound when there is none."""
    with write_transaction():
        if db.session.get(Guest, guest_id) is None:
            raise GuestNotFound(guest_id)
        mine = _row(guest_id, other_id)
        theirs = _row(other_id, guest_id)
        if mine is None and theirs is None:
            raise RelationshipNotFound(f"guest {guest_id} is not related to guest {other_id}", "other_id")
        kind = mine.kind if mine is not None else INVERSE_KIND.get(theirs.kind if theirs else "", "")
        db.session.execute(
            delete(GuestRelationship).where(
                ((GuestRelationship.guest_id == guest_id) & (GuestRelationship.other_id == other_id))
                | ((GuestRelationship.guest_id == other_id) & (GuestRelationship.other_id == guest_id))
            )
        )
        audit.record(actor, "relationship_removed", guest_id, f"{kind} of guest {other_id}")
        audit.record(actor, "relationship_removed", other_id, f"{INVERSE_KIND.get(kind, kind)} of guest {guest_id}")


@db_rows.statement
def _relationships_stmt() -> Select[int, str, str, str, str]:
    """Built once (every card runs it): columns, not models, so a card whose guest knows nobody (most) costs one
    bare statement."""
    return (
        select(
            GuestRelationship.other_id,
            Guest.given_name,
            Guest.family_name,
            GuestRelationship.kind,
            GuestRelationship.note,
        )
        .join(Guest, Guest.id == GuestRelationship.other_id)
        .where(GuestRelationship.guest_id == bindparam("guest_id"))
    )


def relationships_of(guest_id: int) -> list[Related]:
    """The guest's relationships, by the other guest's name (one query)."""
    found = [
        Related(other_id, full_name_of(given, family), kind, note)
        for other_id, given, family, kind, note in rows(_relationships_stmt(), {"guest_id": guest_id})
    ]
    return sorted(found, key=lambda r: (r.name.casefold(), r.guest_id))


def related_to_dict(related: Related) -> dict[str, Any]:
    """One relationship as the guest JSON lists it."""
    return {"guest_id": related.guest_id, "name": related.name, "kind": related.kind, "note": related.note}


def relationships_json(guest_id: int, role: str) -> list[dict[str, Any]]:
    """The guest JSON's ``relationships`` (every role sees them: the floor greets "her husband Tomás")."""
    return [related_to_dict(r) for r in relationships_of(guest_id)]


def companions_on_sheet(arrivals: Iterable[tuple[int, int]]) -> dict[int, list[Companion]]:
    """For the briefing: per arriving guest, the guests they are related to who are on the same sheet.

    ``arrivals`` are the sheet's (guest id, reservation id); a companion booked twice shows their earliest time.
    """
    pairs = list(arrivals)
    guest_ids = {gid for gid, _rid in pairs}
    if len(guest_ids) < 2:
        return {}
    times: dict[int, time | None] = {}
    stmt = select(Reservation.guest_id, Reservation.arrival_time).where(Reservation.id.in_({r for _g, r in pairs}))
    for gid, when in db.session.execute(stmt):
        known = times.get(gid)
        if gid not in times or (when is not None and (known is None or when < known)):
            times[gid] = when
    pairs_on_sheet = db.session.execute(
        select(GuestRelationship, Guest)
        .join(Guest, Guest.id == GuestRelationship.other_id)
        .where(GuestRelationship.guest_id.in_(guest_ids), GuestRelationship.other_id.in_(guest_ids))
    )
    found: dict[int, list[Companion]] = {}
    for rel, other in pairs_on_sheet:
        found.setdefault(rel.guest_id, []).append(
            Companion(other.id, other.full_name, rel.kind, other_is_label(rel.kind), times.get(other.id))
        )
    for items in found.values():
        items.sort(key=lambda c: (c.arrival_time is None, c.arrival_time or time(0), c.name))
    return found
