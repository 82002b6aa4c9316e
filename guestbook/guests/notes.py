"""Notes, preferences and allergies added from the card, with the sensitive-word check."""

from __future__ import annotations

import functools
import re

from sqlalchemy import Select, bindparam, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import outlet_by_code
from guestbook.admin.settings import get_setting
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import diets
from guestbook.guests.models import Allergy, Guest, GuestNote, Preference
from guestbook.guests.profiles import GuestNotFound
from guestbook.guests.schemas import AllergyIn, PreferenceCreate
from guestbook.i18n import gettext
from guestbook.models.base import utcnow


def sensitive_words_in(text: str) -> list[str]:
    """The words from the editable list that appear in ``text`` (whole words, any case)."""
    words: list[str] = get_setting("sensitive_words")
    found = []
    for word in words:
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE):
            found.append(word)
    return found


class NeedsConfirmation(Exception):
    """The note holds words the guest should not read; save again with ``confirmed=True``."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(", ".join(words))
        self.words = words


def _guest(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id)
    return guest


def add_note(guest_id: int, body: str, actor: Actor, confirmed: bool = False) -> GuestNote:
    """Add a note; one with sensitive words needs ``confirmed``."""
    body = body.strip()
    if not body:
        raise ValueError("the note is empty")
    words = sensitive_words_in(body)
    if words and not confirmed:
        raise NeedsConfirmation(words)
    with write_transaction():
        _guest(guest_id)
        note = GuestNote(guest_id=guest_id, body=body[:5000], author_id=actor.staff_user_id, author_name=actor.label)
        db.session.add(note)
        audit.record(actor, "note_add", guest_id, "confirmed sensitive words" if words else "")
    return note


def notes_for(guest_id: int, limit: int = 50) -> list[GuestNote]:
    """A guest's notes, newest first."""
    return list(db.session.scalars(_notes_stmt(), {"guest_id": guest_id, "limit": limit}))


@functools.cache
def _notes_stmt() -> Select[GuestNote]:
    """Built once: every card runs it."""
    by_guest = GuestNote.guest_id == bindparam("guest_id")
    return select(GuestNote).where(by_guest).order_by(GuestNote.created_at.desc()).limit(bindparam("limit"))


def add_preference(guest_id: int, data: PreferenceCreate, actor: Actor) -> Preference:
    """Record a preference with its source (stated by the guest or observed by staff)."""
    outlet_id = None
    if data.outlet:
        outlet = outlet_by_code(data.outlet)
        if outlet is None:
            raise ValueError(gettext("no outlet with code %(code)s", code=repr(data.outlet)))
        outlet_id = outlet.id
    with write_transaction():
        _guest(guest_id)
        pref = Preference(
            guest_id=guest_id,
            category=data.category,
            value=data.value,
            outlet_id=outlet_id,
            note=data.note,
            source=data.source,
            recorded_by_id=actor.staff_user_id,
            recorded_at=utcnow(),
        )
        db.session.add(pref)
        audit.record(actor, "preference_add", guest_id, f"{data.category}: {data.value}")
    return pref


def add_allergy(guest_id: int, data: AllergyIn, actor: Actor) -> Allergy | Preference:
    """Record an allergy; a diet typed into the allergy form (vegetarian, halal…) is saved as a diet instead.

    The caller tells the two apart by the returned type (a Preference of category ``diet``).
    """
    if diets.is_diet(data.allergen, data.severity):
        return add_preference(
            guest_id,
            PreferenceCreate(category=diets.DIET_CATEGORY, value=data.allergen, note=data.note, source="observed"),
            actor,
        )
    with write_transaction():
        _guest(guest_id)
        allergy = Allergy(guest_id=guest_id, allergen=data.allergen, severity=data.severity, note=data.note)
        db.session.add(allergy)
        audit.record(actor, "allergy_add", guest_id, data.allergen)
    return allergy
