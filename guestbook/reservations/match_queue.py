"""The possible-match queue: a manager links a name-only reservation to the existing guest, or rejects the match.

What an open match shows staff meanwhile (the candidates and their allergies) is ``possible_matches``.
"""

from __future__ import annotations

from sqlalchemy import func, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import search_index
from guestbook.guests.models import Guest
from guestbook.models.base import utcnow
from guestbook.reservations.models import PossibleMatch, Reservation


class MatchNotFound(LookupError):
    """No open possible match has this id."""


def count_open_matches() -> int:
    """How many possible matches wait for a decision."""
    return db.session.scalar(select(func.count(PossibleMatch.id)).where(PossibleMatch.status == "open")) or 0


def _open_match(match_id: int) -> PossibleMatch:
    match = db.session.get(PossibleMatch, match_id)
    if match is None or match.status != "open":
        raise MatchNotFound(match_id)
    return match


def link_match(match_id: int, actor: Actor) -> PossibleMatch:
    """Confirm a possible match: the reservation moves to the existing guest.

    The profile created for the reservation is removed when nothing else refers to it (no visits,
    no other reservation); otherwise it stays, for the duplicate-merge tool.
    """
    with write_transaction():
        match = _open_match(match_id)
        reservation = match.reservation
        provisional_id = reservation.guest_id
        reservation.guest_id = match.candidate_guest_id
        reservation.match = "linked"
        match.status, match.decided_at, match.decided_by = "linked", utcnow(), actor.label
        for sibling in db.session.scalars(
            select(PossibleMatch).where(
                PossibleMatch.reservation_id == reservation.id,
                PossibleMatch.id != match.id,
                PossibleMatch.status == "open",
            )
        ):
            sibling.status, sibling.decided_at, sibling.decided_by = "rejected", utcnow(), actor.label
        db.session.flush()
        if provisional_id != match.candidate_guest_id and _is_orphan(provisional_id):
            provisional = db.session.get(Guest, provisional_id)
            if provisional is not None:
                search_index.remove_guest(provisional_id)
                db.session.delete(provisional)
        audit.record(actor, "match_link", match.candidate_guest_id, f"reservation {reservation.id}")
    return match


def _is_orphan(guest_id: int) -> bool:
    from guestbook.guests.models import Visit

    visits = db.session.scalar(select(func.count(Visit.id)).where(Visit.guest_id == guest_id)) or 0
    bookings = db.session.scalar(select(func.count(Reservation.id)).where(Reservation.guest_id == guest_id)) or 0
    return visits == 0 and bookings == 0


def reject_match(match_id: int, actor: Actor) -> PossibleMatch:
    """Decide that a possible match is a different person: the reservation keeps its new profile."""
    with write_transaction():
        match = _open_match(match_id)
        match.status, match.decided_at, match.decided_by = "rejected", utcnow(), actor.label
        audit.record(actor, "match_reject", match.new_guest_id, f"not guest {match.candidate_guest_id}")
    return match
