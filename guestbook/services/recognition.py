"""Recognition: the facts that let staff greet a guest as a regular (usual seat, usual order, last time)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Guest, Preference, Visit

RECENT_WINDOW = 10  # look at the last N visits
MIN_EVIDENCE = 2  # a usual seat/item needs at least this many of them
STALE_AFTER = timedelta(days=548)  # about 18 months: ask the guest to re-confirm


@dataclass(frozen=True)
class UsualSeat:
    """The seat a guest usually takes, with the evidence, or a staff-entered preference."""

    value: str
    count: int
    of: int
    source: str  # "derived" or "stated"/"observed" (a staff-entered preference wins)


@dataclass(frozen=True)
class ItemCount:
    """An item and how many of the recent visits included it."""

    item: str
    count: int


@dataclass
class Recognition:
    """Everything derived from a guest's history for the card, the briefing and letters."""

    visit_count: int
    usual_seat: UsualSeat | None
    derived_seat: UsualSeat | None
    usual_order: list[ItemCount]
    last_visit: Visit | None
    recent_of: int
    first_visit_at: datetime | None = None
    occasions: list[tuple[str, date]] = field(default_factory=list)


def _item_key(item: str) -> str:
    return " ".join(item.casefold().split())


def derive_usual(visits: list[Visit], min_evidence: int = MIN_EVIDENCE) -> tuple[UsualSeat | None, list[ItemCount]]:
    """The most frequent table and the items ordered on several of the given visits."""
    seats = Counter(v.table.strip() for v in visits if v.table and v.table.strip())
    seat = None
    if seats:
        value, count = seats.most_common(1)[0]
        if count >= min_evidence:
            seat = UsualSeat(value=value, count=count, of=len(visits), source="derived")
    names: dict[str, str] = {}
    items: Counter[str] = Counter()
    for visit in visits:
        for item in {_item_key(i): i for i in visit.items or []}.items():
            names.setdefault(item[0], item[1])
            items[item[0]] += 1
    order = [ItemCount(names[key], count) for key, count in items.most_common() if count >= min_evidence]
    return seat, order[:6]


def upcoming_occasions(guest: Guest, today: date, days: int = 14) -> list[tuple[str, date]]:
    """Birthday and anniversary dates falling within the next ``days`` days (29 Feb → 28 Feb)."""
    found: list[tuple[str, date]] = []
    for kind in ("birthday", "anniversary"):
        month, day = getattr(guest, f"{kind}_month"), getattr(guest, f"{kind}_day")
        if not month or not day:
            continue
        for year in (today.year, today.year + 1):
            try:
                when = date(year, month, day)
            except ValueError:
                when = date(year, 2, 28)
            if today <= when <= today + timedelta(days=days):
                found.append((kind, when))
                break
    return sorted(found, key=lambda pair: pair[1])


IN_CHUNK = 500  # guest ids per IN (...) list, well under any SQLite variable limit
RecognitionKey = tuple[int, int | None]  # (guest id, outlet id or None for "anywhere")


def recognise_many(keys: Iterable[RecognitionKey]) -> dict[RecognitionKey, Recognition]:
    """Recognition facts for many (guest, outlet) pairs in a few queries per 500 guests.

    The one implementation of the rules, used by the card, the briefing and letters: the last
    ``RECENT_WINDOW`` visits at the outlet (or anywhere, when the guest has never been there or no
    outlet is given) give the usual seat and order; the newest staff-entered seating preference for
    that outlet or for any outlet wins; the last visit, the first visit and the count span every
    outlet. Window functions rank each guest's visits so only those windows are loaded.
    """
    wanted = list(dict.fromkeys(keys))
    guest_ids = sorted({gid for gid, _outlet in wanted})
    newest = (Visit.visited_at.desc(), Visit.id.desc())
    ranked_visits: dict[int, list[tuple[Visit, int, int]]] = defaultdict(list)
    totals: dict[int, tuple[int, datetime | None]] = {}
    stated: dict[int, list[Preference]] = defaultdict(list)
    for start in range(0, len(guest_ids), IN_CHUNK):
        chunk = guest_ids[start : start + IN_CHUNK]
        ranked = (
            select(
                Visit.id.label("visit_id"),
                func.row_number().over(partition_by=(Visit.guest_id, Visit.outlet_id), order_by=newest).label("at"),
                func.row_number().over(partition_by=Visit.guest_id, order_by=newest).label("anywhere"),
            )
            .where(Visit.guest_id.in_(chunk))
            .subquery()
        )
        stmt = (
            select(Visit, ranked.c.at, ranked.c.anywhere)
            .join(ranked, ranked.c.visit_id == Visit.id)
            .where(or_(ranked.c.at <= RECENT_WINDOW, ranked.c.anywhere <= RECENT_WINDOW))
            .order_by(Visit.guest_id, *newest)
        )
        for visit, at, anywhere in db.session.execute(stmt):
            ranked_visits[visit.guest_id].append((visit, at, anywhere))
        count_stmt = (
            select(Visit.guest_id, func.count(Visit.id), func.min(Visit.visited_at))
            .where(Visit.guest_id.in_(chunk))
            .group_by(Visit.guest_id)
        )
        totals.update({gid: (count, first) for gid, count, first in db.session.execute(count_stmt)})
        prefs = select(Preference).where(Preference.guest_id.in_(chunk), Preference.category == "seating")
        for pref in db.session.scalars(prefs):
            stated[pref.guest_id].append(pref)
    found: dict[RecognitionKey, Recognition] = {}
    for gid, outlet_id in wanted:
        rows = ranked_visits.get(gid, [])
        recent = [v for v, at, _a in rows if outlet_id is not None and v.outlet_id == outlet_id and at <= RECENT_WINDOW]
        if not recent:
            recent = [v for v, _at, anywhere in rows if anywhere <= RECENT_WINDOW]
        derived_seat, usual_order = derive_usual(recent)
        seat = derived_seat
        entered = [p for p in stated.get(gid, []) if p.outlet_id in (None, outlet_id)]
        if entered:
            newest_pref = max(entered, key=lambda p: (p.recorded_at, p.id))
            seat = UsualSeat(value=newest_pref.value, count=0, of=0, source=newest_pref.source)
        count, first = totals.get(gid, (0, None))
        found[(gid, outlet_id)] = Recognition(
            visit_count=count,
            usual_seat=seat,
            derived_seat=derived_seat,
            usual_order=usual_order,
            last_visit=next((v for v, _at, anywhere in rows if anywhere == 1), None),
            recent_of=len(recent),
            first_visit_at=first,
        )
    return found


def recognise(guest: Guest, outlet_id: int | None = None, today: date | None = None) -> Recognition:
    """Derive the recognition facts for one guest, optionally for one outlet, with coming occasions."""
    rec = recognise_many([(guest.id, outlet_id)])[(guest.id, outlet_id)]
    rec.occasions = upcoming_occasions(guest, today or date.today())
    return rec


def is_stale(preference: Preference, now: datetime) -> bool:
    """Preferences older than about 18 months should be re-confirmed with the guest."""
    return now - preference.recorded_at > STALE_AFTER


def recognition_dict(guest: Guest) -> dict[str, Any]:
    """The recognition facts as JSON (the ``recognition`` member of a guest)."""
    rec = recognise(guest)
    last = rec.last_visit
    return {
        "visit_count": rec.visit_count,
        "usual_seat": (
            {
                "value": rec.usual_seat.value,
                "count": rec.usual_seat.count,
                "of": rec.usual_seat.of,
                "source": rec.usual_seat.source,
            }
            if rec.usual_seat
            else None
        ),
        "usual_order": [{"item": i.item, "count": i.count} for i in rec.usual_order],
        "last_visit": (
            {
                "visited_at": last.visited_at.isoformat(),
                "outlet": last.outlet.code,
                "table": last.table,
                "items": list(last.items or []),
                "served_by": last.served_by_name,
            }
            if last
            else None
        ),
    }


def visit_history(guest_id: int, page: int, per_page: int) -> tuple[list[Visit], bool]:
    """One page of a guest's visits, newest first, and whether there are more."""
    stmt = (
        select(Visit)
        .where(Visit.guest_id == guest_id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(db.session.scalars(stmt))
    return rows[:per_page], len(rows) > per_page
