"""What a letter may quote from a guest's history, in the letter's language.

Table and item names are data written in their outlet's language (``Outlet.language``): a German letter
never says "Ihr fried egg", a Japanese one never "Window 4のお席". The usual seat and order are quoted
only from the guest's main outlet among those written in the letter's language; otherwise they are left
empty and the templates leave that sentence out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from guestbook.admin.models import Outlet
from guestbook.admin.outlets import property_language
from guestbook.extensions import db
from guestbook.guests.models import Preference, Visit
from guestbook.guests.recognition import recognise_many

CHUNK = 500  # ids per IN (...) list


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass(frozen=True)
class GuestFacts:
    """What a letter may quote from a guest's history (the rules of ``recognition.recognise``)."""

    visit_count: int
    last_visit: datetime | None
    first_visit: datetime | None
    seat: str
    order: list[str]


def same_language(a: str, b: str) -> bool:
    """Whether text written in language ``a`` reads right in a letter in ``b`` (``de-AT`` ≈ ``de``; 繁 ≠ 简)."""

    def key(tag: str) -> str:
        tag = tag.strip().lower()
        base = tag.split("-")[0]
        if base == "zh":
            return "zh-hant" if any(part in tag for part in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"
        return base

    return bool(a and b) and key(a) == key(b)


def _visits_by_outlet(guest_ids: Sequence[int]) -> dict[int, list[tuple[int, int, datetime]]]:
    """For each guest: (outlet id, visits there, last visit there)."""
    found: dict[int, list[tuple[int, int, datetime]]] = defaultdict(list)
    for chunk in _chunks(guest_ids):
        stmt = (
            select(Visit.guest_id, Visit.outlet_id, func.count(Visit.id), func.max(Visit.visited_at))
            .where(Visit.guest_id.in_(chunk))
            .group_by(Visit.guest_id, Visit.outlet_id)
        )
        for guest_id, outlet_id, count, last in db.session.execute(stmt):
            found[guest_id].append((outlet_id, count, last))
    return found


def _stated_seats(guest_ids: Sequence[int]) -> dict[int, list[Preference]]:
    found: dict[int, list[Preference]] = defaultdict(list)
    for chunk in _chunks(guest_ids):
        stmt = select(Preference).where(Preference.guest_id.in_(chunk), Preference.category == "seating")
        for pref in db.session.scalars(stmt):
            found[pref.guest_id].append(pref)
    return found


def facts_for(languages: dict[int, str]) -> dict[int, GuestFacts]:
    """History facts for each guest's letter (``recognition.recognise_many``), in a few queries per 500 guests.

    Table and item names are data written in their outlet's language, so a letter quotes the usual seat
    and order only from the guest's main outlet among those whose language is the letter's (a staff-entered
    seating preference for no particular outlet counts as written in the property's language). A letter in
    another language gets them empty, and the templates leave the sentence out.
    """
    ids = sorted(languages)
    outlet_language: dict[int, str] = {
        oid: lang for oid, lang in db.session.execute(select(Outlet.id, Outlet.language))
    }
    home_language = property_language()
    chosen: dict[int, int] = {}
    for gid, rows in _visits_by_outlet(ids).items():
        fitting = [row for row in rows if same_language(outlet_language.get(row[0], ""), languages[gid])]
        if fitting:
            chosen[gid] = max(fitting, key=lambda row: (row[1], row[2], row[0]))[0]
    # Count, first and last visit span every outlet whatever the key; seat and order come from the key's outlet.
    recs = recognise_many((gid, chosen.get(gid)) for gid in ids)
    stated = _stated_seats(
        [
            gid
            for gid in chosen
            if (found := recs[(gid, chosen[gid])].usual_seat) is not None and found.source != "derived"
        ]
    )
    facts: dict[int, GuestFacts] = {}
    for gid in ids:
        rec = recs[(gid, chosen.get(gid))]
        seat, order = "", []
        if gid in chosen:
            order = [item.item for item in rec.usual_order]
            usual = rec.usual_seat
            if usual is not None and usual.source != "derived":
                entered = [p for p in stated.get(gid, []) if p.outlet_id in (None, chosen[gid])]
                newest = max(entered, key=lambda p: (p.recorded_at, p.id)) if entered else None
                if newest is not None and newest.outlet_id is None and not same_language(home_language, languages[gid]):
                    usual = rec.derived_seat
            seat = usual.value if usual else ""
        facts[gid] = GuestFacts(
            rec.visit_count,
            rec.last_visit.visited_at if rec.last_visit else None,
            rec.first_visit_at,
            seat,
            order,
        )
    return facts
