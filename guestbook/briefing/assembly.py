"""The arrival briefing: who comes on a date, and everything staff should know before they arrive.

One builder feeds the screen, the JSON API, the PDF and the nightly archive. Complaints slot in
through ``register_complaint_provider`` (a complaints domain registers, in create_app, a function
returning per guest id the open complaints or recent bad experiences with what was promised).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import default_property, list_outlets, outlet_by_code, property_tz
from guestbook.briefing import record, sections
from guestbook.briefing.models import BriefingRead
from guestbook.briefing.sheet import Arrival, Briefing, Companion, Complaint, Summary
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import address, recognition
from guestbook.guests.diets import diets_of, split_allergies
from guestbook.guests.history import histories_for, history_line
from guestbook.guests.models import Guest
from guestbook.guests.profiles import can_see_contact
from guestbook.guests.visits import last_said
from guestbook.i18n import format_weekday, gettext, ngettext
from guestbook.models.base import utcnow
from guestbook.reservations import possible_matches
from guestbook.reservations.models import Reservation
from guestbook.staff.models import StaffUser

PERIODS: dict[str, tuple[time, time]] = {
    "breakfast": (time(5, 0), time(10, 59)),
    "lunch": (time(11, 0), time(15, 59)),
    "dinner": (time(16, 0), time(23, 59)),
}


ComplaintProvider = Callable[[list[int]], dict[int, list[Complaint]]]
COMPLAINT_PROVIDERS_KEY = "guestbook.complaint_providers"


def register_complaint_provider(app: Flask, provider: ComplaintProvider) -> None:
    """Add a source of complaints to this app's briefings (each takes guest ids, returns {guest_id: [...]})."""
    app.extensions.setdefault(COMPLAINT_PROVIDERS_KEY, []).append(provider)


def _complaint_providers() -> list[ComplaintProvider]:
    providers: list[ComplaintProvider] = current_app.extensions.get(COMPLAINT_PROVIDERS_KEY, [])
    return providers


StandingProvider = Callable[[list[int]], dict[int, tuple[str, str]]]
STANDING_PROVIDERS_KEY = "guestbook.standing_providers"


def register_standing_provider(app: Flask, provider: StandingProvider) -> None:
    """Add where guests stand to this app's briefings: guest ids in, {guest_id: (tier, influence)} out."""
    app.extensions.setdefault(STANDING_PROVIDERS_KEY, []).append(provider)


CompanionProvider = Callable[[list[tuple[int, int]]], dict[int, list[Companion]]]
COMPANION_PROVIDERS_KEY = "guestbook.companion_providers"


def register_companion_provider(app: Flask, provider: CompanionProvider) -> None:
    """Add who arrives together to this app's briefings: the sheet's (guest id, reservation id) in, per guest id
    the related guests also on the sheet out."""
    app.extensions.setdefault(COMPANION_PROVIDERS_KEY, []).append(provider)


CareProvider = Callable[[list[int]], dict[int, dict[str, Any]]]
CARE_PROVIDERS_KEY = "guestbook.care_providers"


def register_care_provider(app: Flask, provider: CareProvider) -> None:
    """Add the "handle with care" block to this app's briefings: guest ids in, {guest_id: care object} out."""
    app.extensions.setdefault(CARE_PROVIDERS_KEY, []).append(provider)


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # the days a briefing can be asked for


class BriefingError(ValueError):
    """A briefing request that cannot be answered (unknown outlet or period)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _occasion_label(kind: str, when: date, start: date, years: int | None) -> str:
    """``Birthday today (turns 65)``, ``Anniversary on Thu 3 Dec (25 years)`` in the current language."""
    today = when == start
    day = format_weekday(when)
    if kind == "birthday":
        if years is None:
            return gettext("Birthday today") if today else gettext("Birthday on %(day)s", day=day)
        if today:
            return gettext("Birthday today (turns %(age)d)", age=years)
        return gettext("Birthday on %(day)s (turns %(age)d)", day=day, age=years)
    if years is None:
        return gettext("Anniversary today") if today else gettext("Anniversary on %(day)s", day=day)
    if today:
        return ngettext("Anniversary today (%(num)d year)", "Anniversary today (%(num)d years)", years)
    return ngettext("Anniversary on %(day)s (%(num)d year)", "Anniversary on %(day)s (%(num)d years)", years, day=day)


def _occasions(
    guest: Guest, booked: str, start: date, nights: int, show_age: bool
) -> list[tuple[str, str, date | None]]:
    """Birthday or anniversary today or during the stay, with the age when known and allowed:
    ``(label, kind, date)``; a booked occasion not already named is ``(text, "occasion", day)``."""
    found: list[str] = []
    facts: list[tuple[str, date | None]] = []
    kinds: list[str] = []  # the English kind of each, so a booked "Birthday" is not listed twice in any language
    last = start + timedelta(days=max(nights - 1, 0))
    for kind in ("birthday", "anniversary"):
        month, day, year = (getattr(guest, f"{kind}_{p}") for p in ("month", "day", "year"))
        if not month or not day:
            continue
        for candidate_year in {start.year, last.year}:
            try:
                when = date(candidate_year, month, day)
            except ValueError:
                when = date(candidate_year, 2, 28)
            if start <= when <= last:
                years = when.year - year if year and show_age else None
                found.append(_occasion_label(kind, when, start, years))
                facts.append((kind, when))
                kinds.append(f"{kind} today" if when == start else kind)
                break
    if booked and not any(booked.lower() in f.lower() for f in [*found, *kinds]):
        found.append(booked)
        lowered = booked.lower()
        kind = "birthday" if "birthday" in lowered else "anniversary" if "anniversary" in lowered else "occasion"
        facts.append((kind, start))
    return [(label, kind, when) for label, (kind, when) in zip(found, facts, strict=True)]


def _seat_evidence(seat: recognition.UsualSeat | None) -> str:
    if seat is None:
        return ""
    if seat.source == "derived":
        return ngettext(
            "%(count)d of the last %(num)d visit", "%(count)d of the last %(num)d visits", seat.of, count=seat.count
        )
    return gettext("stated by the guest") if seat.source == "stated" else gettext("observed by staff")


def resolve_outlet(outlet_code: str | None) -> Outlet | None:
    """The outlet for a code, None for every outlet; BriefingError for an unknown code."""
    if not outlet_code:
        return None
    outlet = outlet_by_code(outlet_code)
    if outlet is None:
        raise BriefingError("outlet", f"no outlet with code {outlet_code!r}")
    return outlet


def build_briefing(
    day: date,
    outlet_code: str | None = None,
    period: str | None = None,
    role: str = "manager",
    *,
    spend_role: str | None = None,
) -> Briefing:
    """Assemble the briefing (read-only; the caller audits who saw it). ``role`` decides ages and what else
    the reader may see; ``spend_role`` (default ``role``) whether the guests' record shows spend."""
    if not FIRST_DAY <= day <= LAST_DAY:  # dates near year 1 or 9999 would overflow "the last 180 days"
        raise BriefingError("day", f"a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
    outlet = resolve_outlet(outlet_code)
    if period and period not in PERIODS:
        raise BriefingError("period", f"one of {', '.join(PERIODS)}")
    stmt = (
        select(Reservation)
        .where(Reservation.arrival_date == day)
        .options(
            selectinload(Reservation.guest).selectinload(Guest.allergies),
            selectinload(Reservation.guest).selectinload(Guest.preferences),
            selectinload(Reservation.outlet),
        )
        .order_by(Reservation.arrival_time.is_(None), Reservation.arrival_time, Reservation.id)
    )
    if outlet is not None:
        stmt = stmt.where(Reservation.outlet_id == outlet.id)
    rows = list(db.session.scalars(stmt))
    if period:
        start, end = PERIODS[period]
        rows = [r for r in rows if r.arrival_time is not None and start <= r.arrival_time <= end]
    summary = Summary(cancelled=sum(1 for r in rows if r.status == "cancelled"))
    live = [r for r in rows if r.status != "cancelled"]
    complaints: dict[int, list[Complaint]] = {}
    guest_ids = [r.guest_id for r in live]
    for provider in _complaint_providers():
        for gid, items in provider(guest_ids).items():
            complaints.setdefault(gid, []).extend(items)
    care: dict[int, dict[str, Any]] = {}
    for care_provider in current_app.extensions.get(CARE_PROVIDERS_KEY, []):
        care.update(care_provider(guest_ids))
    show_age = can_see_contact(role)
    facts = recognition_for_day(live)
    candidates = possible_matches.candidates_by_reservation(r.id for r in live)
    arrivals = [
        _arrival(r, day, show_age, facts[(r.guest_id, r.outlet_id)], complaints.get(r.guest_id, [])) for r in live
    ]
    for a in arrivals:
        a.possible_matches = candidates.get(a.reservation_id, [])
        a.care = care.get(a.guest_id)
    said = last_said([a.guest_id for a in arrivals], datetime.combine(day, time(0), tzinfo=property_tz()))
    for a in arrivals:
        a.last_said = said.get(a.guest_id, "")
    for companion_provider in current_app.extensions.get(COMPANION_PROVIDERS_KEY, []):
        together = companion_provider([(a.guest_id, a.reservation_id) for a in arrivals])
        for a in arrivals:
            a.companions = [*a.companions, *together.get(a.guest_id, [])]
    _add_records(arrivals, spend_role or role)
    sections.count(arrivals, summary)
    outlet_order = [(o.code, o.name, o.kind) for o in list_outlets(include_inactive=True)]
    return Briefing(
        day=day,
        outlet_code=outlet.code if outlet else "",
        outlet_name=outlet.name if outlet else gettext("All outlets"),
        period=period or "",
        property_name=default_property().name,
        generated_at=utcnow(),
        summary=summary,
        arrivals=arrivals,
        sections=sections.by_outlet(arrivals, outlet_order),
        kitchen=sections.kitchen_list(arrivals),
        occasion_items=sections.occasion_list(arrivals),
    )


def _add_records(arrivals: Sequence[Arrival], role: str) -> None:
    """Each arrival's tags, record (and its line) and photo flag: a few queries for the whole day."""
    ids = {a.guest_id for a in arrivals}
    records = histories_for(ids, role)
    tags = record.tags_for(ids)
    photographed = record.with_photo(ids)
    standing: dict[int, tuple[str, str]] = {}
    for provider in current_app.extensions.get(STANDING_PROVIDERS_KEY, []):
        standing.update(provider(ids))
    for a in arrivals:
        a.tags = tags.get(a.guest_id, [])
        a.record = records[a.guest_id]
        a.record_line = history_line(a.record)
        a.has_photo = a.guest_id in photographed
        a.tier, a.influence = standing.get(a.guest_id, ("", ""))


def add_photos(briefing: Briefing) -> None:
    """Load the photos of the arrivals that have one, for the printed sheet (one query)."""
    data = record.photo_data({a.guest_id for a in briefing.arrivals if a.has_photo})
    for a in briefing.arrivals:
        a.photo = data.get(a.guest_id)


@dataclass(frozen=True)
class Facts:
    """What ``recognition.recognise(guest, outlet_id)`` says about a guest, as the briefing needs it."""

    visit_count: int
    usual_seat: recognition.UsualSeat | None
    usual_order: list[str]
    last_visit_at: datetime | None
    last_visit_outlet: str
    seat_elsewhere: recognition.SeatElsewhere | None = None


def recognition_for_day(reservations: Sequence[Reservation]) -> dict[tuple[int, int], Facts]:
    """The recognition facts per (guest id, outlet id) for a whole day (``recognition.recognise_many``)."""
    recs = recognition.recognise_many((r.guest_id, r.outlet_id) for r in reservations)
    outlet_names = {oid: name for oid, name in db.session.execute(select(Outlet.id, Outlet.name))}
    facts: dict[tuple[int, int], Facts] = {}
    for (guest_id, outlet_id), rec in recs.items():
        assert outlet_id is not None
        last = rec.last_visit
        facts[(guest_id, outlet_id)] = Facts(
            visit_count=rec.visit_count,
            usual_seat=rec.usual_seat,
            usual_order=[i.item for i in rec.usual_order],
            last_visit_at=last.visited_at if last else None,
            last_visit_outlet=outlet_names.get(last.outlet_id, "") if last else "",
            seat_elsewhere=rec.seat_elsewhere,
        )
    return facts


def _arrival(r: Reservation, day: date, show_age: bool, facts: Facts, complaints: list[Complaint]) -> Arrival:
    guest = r.guest
    occasions = _occasions(guest, r.occasion, day, r.nights, show_age)
    greeting = address.spoken_greeting(
        guest.given_name, guest.family_name, guest.salutation, guest.preferred_name, guest.full_name
    )
    return Arrival(
        reservation_id=r.id,
        guest_id=guest.id,
        name=guest.full_name,
        family_name=guest.family_name,
        salutation=guest.salutation,
        preferred_name=guest.preferred_name,
        pronunciation=guest.pronunciation,
        language=guest.language,
        company=guest.company,
        outlet_code=r.outlet.code,
        outlet_name=r.outlet.name,
        arrival_time=r.arrival_time,
        party_size=r.party_size,
        table=r.table,
        nights=r.nights,
        status=r.status,
        booked_occasion=r.occasion,
        notes=r.notes,
        vip_level=guest.vip_level,
        visit_count=facts.visit_count,
        last_visit_at=facts.last_visit_at,
        last_visit_outlet=facts.last_visit_outlet,
        usual_seat=facts.usual_seat.value if facts.usual_seat else "",
        usual_seat_evidence=_seat_evidence(facts.usual_seat),
        usual_order=facts.usual_order,
        allergies=[(a.allergen, a.severity, a.note) for a in split_allergies(guest.allergies)[0]],
        diets=diets_of(guest),
        occasions=[label for label, _kind, _when in occasions],
        occasion_facts=[(kind, when) for _label, kind, when in occasions],
        guest_notes=guest.notes,
        complaints=complaints,
        # Another outlet's habit only when there is none here: beside a seat here it is noise on a full sheet.
        seat_elsewhere=facts.seat_elsewhere if facts.usual_seat is None else None,
        greeting=greeting,
        say=address.sayable(
            greeting or address.spaced_name(guest.given_name, guest.family_name, guest.full_name),
            guest.pronunciation,
            guest.language,
        ),
    )


def audit_briefing(briefing: Briefing, actor: Actor, action: str) -> None:
    """Record one audit event per arriving guest (viewing or exporting the briefing reads their data)."""
    with write_transaction():
        detail = f"{briefing.day.isoformat()} {briefing.outlet_code or 'all'}"
        shown = {a.guest_id for a in briefing.arrivals}
        shown.update(c.guest_id for a in briefing.arrivals for c in a.possible_matches)  # their allergies are shown
        for guest_id in sorted(shown):
            audit.record(actor, action, guest_id, detail)
        if actor.staff_user_id is not None:
            _record_read(briefing.day, briefing.outlet_code, actor.staff_user_id)


def _record_read(day: date, outlet_code: str, staff_user_id: int) -> None:
    """Note that this member of staff opened the briefing (inside a write)."""
    read = db.session.scalar(
        select(BriefingRead).where(
            BriefingRead.briefing_date == day,
            BriefingRead.outlet_code == outlet_code,
            BriefingRead.staff_user_id == staff_user_id,
        )
    )
    now = utcnow()
    if read is None:
        db.session.add(
            BriefingRead(
                briefing_date=day,
                outlet_code=outlet_code,
                staff_user_id=staff_user_id,
                first_opened_at=now,
                last_opened_at=now,
            )
        )
    else:
        read.last_opened_at = now
        read.opened_count += 1


@dataclass(frozen=True)
class Reader:
    """A member of staff who opened a briefing."""

    name: str
    role: str
    outlet_code: str
    first_opened_at: datetime
    last_opened_at: datetime
    opened_count: int


def readers(day: date) -> list[Reader]:
    """Who opened the briefing for a date (any outlet), first reader first."""
    stmt = (
        select(BriefingRead, StaffUser)
        .join(StaffUser, StaffUser.id == BriefingRead.staff_user_id)
        .where(BriefingRead.briefing_date == day)
        .order_by(BriefingRead.first_opened_at)
    )
    return [
        Reader(u.name, u.role, r.outlet_code, r.first_opened_at, r.last_opened_at, r.opened_count)
        for r, u in db.session.execute(stmt)
    ]
