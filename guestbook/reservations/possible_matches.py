"""What an open possible match tells staff before a manager decides: the candidates and their allergies.

A reservation matched by name only gets a new profile (see ``reservations.bookings``), which is blank:
"first visit", no allergies. Until a manager links or rejects the match, every screen and sheet that
shows the arrival also shows who it may be — "May be Hans Müller (4 visits) — ALLERGY peanuts
(anaphylaxis)" — because a name-only match must never hide what matters for safety.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TypeVarTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from guestbook import db_rows
from guestbook.admin.outlets import property_tz
from guestbook.db import rows
from guestbook.extensions import db
from guestbook.guests.diets import split_allergies
from guestbook.guests.models import Guest
from guestbook.guests.profiles import mask_email, mask_phone
from guestbook.i18n import gettext, ngettext
from guestbook.reservations.labels import severity_text
from guestbook.reservations.models import PossibleMatch, Reservation

Ts = TypeVarTuple("Ts")
IN_CHUNK = 500


@dataclass(frozen=True)
class Candidate:
    """An existing guest a reservation may belong to (an open possible match), with what staff must know."""

    match_id: int
    reservation_id: int
    guest_id: int
    name: str
    visit_count: int
    last_visit: date | None  # the property's date of the last visit
    allergies: tuple[tuple[str, str, str], ...]  # (allergen, severity, note)
    company: str
    email_masked: str | None
    phone_masked: str | None

    @property
    def line(self) -> str:
        """``May be Hans Müller (4 visits) — ALLERGY peanuts (anaphylaxis)``."""
        return candidate_line(self)


def candidate_line(candidate: Candidate) -> str:
    """One line naming the candidate, their visits and every allergy with its severity."""
    if not candidate.allergies:
        return ngettext(
            "May be %(name)s (%(num)d visit)",
            "May be %(name)s (%(num)d visits)",
            candidate.visit_count,
            name=candidate.name,
        )
    allergies = ", ".join(
        gettext("%(allergen)s (%(severity)s)", allergen=allergen, severity=severity_text(severity))
        for allergen, severity, _n in candidate.allergies
    )
    return ngettext(
        "May be %(name)s (%(num)d visit) — ALLERGY %(allergies)s",
        "May be %(name)s (%(num)d visits) — ALLERGY %(allergies)s",
        candidate.visit_count,
        name=candidate.name,
        allergies=allergies,
    )


def candidate_to_dict(candidate: Candidate) -> dict[str, object]:
    """A candidate as briefing JSON (no contact details: the briefing goes to floor staff too)."""
    return {
        "guest_id": candidate.guest_id,
        "name": candidate.name,
        "visit_count": candidate.visit_count,
        "last_visit": candidate.last_visit.isoformat() if candidate.last_visit else None,
        "allergies": [{"allergen": a, "severity": s, "note": n} for a, s, n in candidate.allergies],
    }


def _candidate(match: PossibleMatch) -> Candidate:
    guest = match.candidate
    last = guest.last_visit_at.astimezone(property_tz()).date() if guest.last_visit_at else None
    return Candidate(
        match_id=match.id,
        reservation_id=match.reservation_id,
        guest_id=guest.id,
        name=guest.full_name,
        visit_count=guest.visit_count or 0,
        last_visit=last,
        allergies=tuple((a.allergen, a.severity, a.note) for a in split_allergies(guest.allergies)[0]),
        company=guest.company,
        email_masked=mask_email(guest.email),
        phone_masked=mask_phone(guest.phone),
    )


def _only_open(stmt: Select[*Ts]) -> Select[*Ts]:
    """``stmt`` over open matches whose reservation still points at the profile made for it (not linked since)."""
    return stmt.join(Reservation, Reservation.id == PossibleMatch.reservation_id).where(
        PossibleMatch.status == "open", Reservation.guest_id == PossibleMatch.new_guest_id
    )


def _open_matches_query() -> Select[PossibleMatch]:
    """Open matches with their candidates and allergies, in reservation order."""
    return (
        _only_open(select(PossibleMatch))
        .options(selectinload(PossibleMatch.candidate).selectinload(Guest.allergies))
        .order_by(PossibleMatch.reservation_id, PossibleMatch.id)
    )


def candidates_by_reservation(reservation_ids: Iterable[int]) -> dict[int, list[Candidate]]:
    """The open candidates of each reservation (in a few queries for a whole day)."""
    ids = sorted(set(reservation_ids))
    found: dict[int, list[Candidate]] = defaultdict(list)
    for start in range(0, len(ids), IN_CHUNK):
        stmt = _open_matches_query().where(PossibleMatch.reservation_id.in_(ids[start : start + IN_CHUNK]))
        for match in db.session.scalars(stmt):
            found[match.reservation_id].append(_candidate(match))
    return dict(found)


@functools.cache
def _open_matches_of_guest() -> Select[PossibleMatch]:
    """Built once: every card asks (building it cost more than running it)."""
    return _open_matches_query().where(Reservation.guest_id == bindparam("guest_id"))


@db_rows.statement
def _any_open_match_of_guest() -> Select[int]:
    """Built once: whether the guest has an open match at all, as one bare column (most cards: no)."""
    return _only_open(select(PossibleMatch.id)).where(Reservation.guest_id == bindparam("guest_id")).limit(1)


def candidates_for_guest(guest_id: int) -> list[Candidate]:
    """Who the profile made for a name-only booking may really be (one line per candidate guest).

    Every card asks, and almost every guest has none: a bare check comes first, and only a guest with an open
    match loads the matches with their candidates and allergies.
    """
    if not rows(_any_open_match_of_guest(), {"guest_id": guest_id}):
        return []
    seen: set[int] = set()
    found: list[Candidate] = []
    for match in db.session.scalars(_open_matches_of_guest(), {"guest_id": guest_id}):
        if match.candidate_guest_id not in seen:
            seen.add(match.candidate_guest_id)
            found.append(_candidate(match))
    return found


@dataclass(frozen=True)
class MatchGroup:
    """One reservation waiting for a decision, with every candidate under it."""

    reservation_id: int
    arrival_date: date
    arrival_time: time | None
    outlet_name: str
    party_size: int
    table: str
    source: str
    external_id: str
    guest_id: int
    guest_name: str
    guest_email_masked: str | None
    guest_phone_masked: str | None
    candidates: list[Candidate]


def match_groups(limit: int = 200) -> list[MatchGroup]:
    """The queue for the possible-matches screen: each reservation once, soonest arrival first."""
    stmt = (
        _open_matches_query()
        .options(
            selectinload(PossibleMatch.reservation).selectinload(Reservation.guest),
            selectinload(PossibleMatch.reservation).selectinload(Reservation.outlet),
        )
        .limit(limit * 5)
    )
    groups: dict[int, MatchGroup] = {}
    for match in db.session.scalars(stmt):
        group = groups.get(match.reservation_id)
        if group is None:
            r = match.reservation
            group = groups[r.id] = MatchGroup(
                reservation_id=r.id,
                arrival_date=r.arrival_date,
                arrival_time=r.arrival_time,
                outlet_name=r.outlet.name,
                party_size=r.party_size,
                table=r.table,
                source=r.source,
                external_id=r.external_id,
                guest_id=r.guest_id,
                guest_name=r.guest.full_name,
                guest_email_masked=mask_email(r.guest.email),
                guest_phone_masked=mask_phone(r.guest.phone),
                candidates=[],
            )
        group.candidates.append(_candidate(match))
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.arrival_date, g.arrival_time is None, g.arrival_time or time(0), g.reservation_id),
    )
    return ordered[:limit]
