"""Recognition: the facts that let staff greet a guest as a regular (usual seat, usual order, last time)."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, or_, select
from sqlalchemy import inspect as sa_inspect

from guestbook.admin import outlets
from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests.models import Guest, Preference, Visit
from guestbook.i18n import gettext, ngettext

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
class SeatElsewhere:
    """A seat habit at another outlet than the one asked about: shown labelled ("at Bamboo Bar: Bar 5")."""

    outlet_id: int
    outlet_name: str
    value: str
    count: int
    of: int
    source: str  # "derived", or "stated"/"observed" for a preference entered for that outlet

    @property
    def label(self) -> str:
        """``at Bamboo Bar: Bar 5`` (in the viewer's language)."""
        return gettext("at %(outlet)s: %(seat)s", outlet=self.outlet_name, seat=self.value)

    @property
    def evidence(self) -> str:
        """``3 of the last 4 visits there``, or who entered it (in the viewer's language)."""
        if self.source == "derived":
            return ngettext(
                "%(count)d of the last %(num)d visit there",
                "%(count)d of the last %(num)d visits there",
                self.of,
                count=self.count,
            )
        return gettext("stated by the guest") if self.source == "stated" else gettext("observed by staff")


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
    seat_elsewhere: SeatElsewhere | None = None  # only when an outlet was asked about
    order_from_elsewhere: bool = False  # never been to the asked outlet: the order comes from the others
    latest: list[Visit] = field(default_factory=list)  # the last RECENT_WINDOW visits anywhere, newest first


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


@functools.cache
def _recognition_stmts() -> tuple[Select[Visit, int, int], Select[int, int, datetime | None], Select[Preference]]:
    """recognise_many's three statements over a chunk of guest ids (``ids``), built once: building costs more
    than running them. Window functions rank each guest's visits so only the recent ones are loaded."""
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    newest = (Visit.visited_at.desc(), Visit.id.desc())
    ranked = (
        select(
            Visit.id.label("visit_id"),
            func.row_number().over(partition_by=(Visit.guest_id, Visit.outlet_id), order_by=newest).label("at"),
            func.row_number().over(partition_by=Visit.guest_id, order_by=newest).label("anywhere"),
        )
        .where(Visit.guest_id.in_(ids))
        .subquery()
    )
    visits = (
        select(Visit, ranked.c.at, ranked.c.anywhere)
        .join(ranked, ranked.c.visit_id == Visit.id)
        .where(or_(ranked.c.at <= RECENT_WINDOW, ranked.c.anywhere <= RECENT_WINDOW))
        .order_by(Visit.guest_id, *newest)
    )
    totals = (
        select(Visit.guest_id, func.count(Visit.id), func.min(Visit.visited_at))
        .where(Visit.guest_id.in_(ids))
        .group_by(Visit.guest_id)
    )
    seating = select(Preference).where(Preference.guest_id.in_(ids), Preference.category == "seating")
    return visits, totals, seating


def recognise_many(
    keys: Iterable[RecognitionKey], *, seating: dict[int, list[Preference]] | None = None
) -> dict[RecognitionKey, Recognition]:
    """Recognition facts for many (guest, outlet) pairs in a few queries per 500 guests.

    The one implementation of the rules, used by the card, the briefing and letters. With an outlet,
    the usual seat comes only from that outlet: its last ``RECENT_WINDOW`` visits, or the newest
    staff-entered seating preference for that outlet or for any outlet (which wins); a table at the
    Bamboo Bar says nothing about the Terrace, and a restaurant table nothing about a hotel room. The
    strongest habit at another outlet is returned apart, as ``seat_elsewhere``, for a labelled line.
    The usual order comes from the outlet's visits too, and from the visits anywhere when the guest
    has never been there (what a guest eats and drinks travels with them better than a table number).
    Without an outlet everything comes from the last visits anywhere. The last visit, the first visit
    and the count span every outlet. Window functions rank each guest's visits so only those windows
    are loaded. ``seating``: the guests' seating preferences when the caller has them loaded (the card).
    """
    wanted = list(dict.fromkeys(keys))
    guest_ids = sorted({gid for gid, _outlet in wanted})
    ranked_visits: dict[int, list[tuple[Visit, int, int]]] = defaultdict(list)
    totals: dict[int, tuple[int, datetime | None]] = {}
    stated: dict[int, list[Preference]] = defaultdict(list)
    visits_stmt, totals_stmt, seating_stmt = _recognition_stmts()
    for start in range(0, len(guest_ids), IN_CHUNK):
        chunk = {"ids": guest_ids[start : start + IN_CHUNK]}
        for visit, at, anywhere in db.session.execute(visits_stmt, chunk):
            ranked_visits[visit.guest_id].append((visit, at, anywhere))
        totals.update({gid: (count, first) for gid, count, first in db.session.execute(totals_stmt, chunk)})
        if seating is None:
            for pref in db.session.scalars(seating_stmt, chunk):
                stated[pref.guest_id].append(pref)
    if seating is not None:
        stated.update(seating)
    outlet_names: dict[int, str] | None = None
    found: dict[RecognitionKey, Recognition] = {}
    for gid, outlet_id in wanted:
        rows = ranked_visits.get(gid, [])
        anywhere_recent = [v for v, _at, anywhere in rows if anywhere <= RECENT_WINDOW]
        elsewhere: SeatElsewhere | None = None
        order_elsewhere = False
        if outlet_id is None:
            derived_seat, usual_order = derive_usual(anywhere_recent)
            recent = anywhere_recent
        else:
            recent = [v for v, at, _a in rows if v.outlet_id == outlet_id and at <= RECENT_WINDOW]
            derived_seat, usual_order = derive_usual(recent)
            if not recent:
                _no_seat, usual_order = derive_usual(anywhere_recent)
                order_elsewhere = bool(usual_order)
            if outlet_names is None:
                outlet_names = outlets.outlet_names()
            elsewhere = _strongest_elsewhere(rows, stated.get(gid, []), outlet_id, outlet_names)
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
            recent_of=len(recent) or len(anywhere_recent),
            order_from_elsewhere=order_elsewhere,
            first_visit_at=first,
            seat_elsewhere=elsewhere,
            latest=anywhere_recent,
        )
    return found


def _strongest_elsewhere(
    rows: list[tuple[Visit, int, int]], prefs: list[Preference], outlet_id: int, outlet_names: dict[int, str]
) -> SeatElsewhere | None:
    """The seat habit at the other outlet where it is strongest: a preference entered for that outlet,
    else the most supported derived seat (ties: the outlet visited most recently)."""
    by_outlet: dict[int, list[Visit]] = defaultdict(list)
    for visit, at, _anywhere in rows:  # rows are newest first
        if visit.outlet_id != outlet_id and at <= RECENT_WINDOW:
            by_outlet[visit.outlet_id].append(visit)
    options: list[tuple[tuple[int, int, int], SeatElsewhere]] = []
    for other, pref in _newest_per_outlet(prefs, outlet_id).items():
        newest = int(pref.recorded_at.timestamp())
        seat = SeatElsewhere(other, outlet_names.get(other, ""), pref.value, 0, 0, pref.source)
        options.append(((1, 0, newest), seat))
    stated_at = {seat.outlet_id for _key, seat in options}
    for other, visits in by_outlet.items():
        if other in stated_at:
            continue
        derived, _order = derive_usual(visits)
        if derived is not None:
            name = outlet_names.get(other, "")
            seat = SeatElsewhere(other, name, derived.value, derived.count, derived.of, "derived")
            options.append(((0, derived.count, int(visits[0].visited_at.timestamp())), seat))
    return max(options, key=lambda pair: pair[0])[1] if options else None


def _newest_per_outlet(prefs: list[Preference], outlet_id: int) -> dict[int, Preference]:
    """The newest seating preference entered for each specific outlet other than ``outlet_id``."""
    newest: dict[int, Preference] = {}
    for pref in prefs:
        if pref.outlet_id is None or pref.outlet_id == outlet_id:
            continue
        kept = newest.get(pref.outlet_id)
        if kept is None or (pref.recorded_at, pref.id) > (kept.recorded_at, kept.id):
            newest[pref.outlet_id] = pref
    return newest


def seat_elsewhere(guest_id: int, outlet_id: int) -> SeatElsewhere | None:
    """The guest's seat habit at another outlet than ``outlet_id`` (for a labelled "at Bamboo Bar: Bar 5" line)."""
    return recognise_many([(guest_id, outlet_id)])[(guest_id, outlet_id)].seat_elsewhere


def recognise(guest: Guest, outlet_id: int | None = None, today: date | None = None) -> Recognition:
    """Derive the recognition facts for one guest, optionally for one outlet, with coming occasions."""
    # The card has loaded the guest's preferences (it lists them): their seating ones need no second query.
    loaded = "preferences" not in sa_inspect(guest).unloaded
    seating = {guest.id: [p for p in guest.preferences if p.category == "seating"]} if loaded else None
    rec = recognise_many([(guest.id, outlet_id)], seating=seating)[(guest.id, outlet_id)]
    rec.occasions = upcoming_occasions(guest, today or property_today())
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


@functools.cache
def _history_page_stmt() -> Select[Visit]:
    return (
        select(Visit)
        .where(Visit.guest_id == bindparam("guest_id"))
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .offset(bindparam("skip"))
        .limit(bindparam("take"))
    )


def visit_history(guest_id: int, page: int, per_page: int) -> tuple[list[Visit], bool]:
    """One page of a guest's visits, newest first, and whether there are more."""
    window = {"guest_id": guest_id, "skip": (page - 1) * per_page, "take": per_page + 1}
    rows = list(db.session.scalars(_history_page_stmt(), window))
    return rows[:per_page], len(rows) > per_page
