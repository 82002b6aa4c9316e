"""Reservations from every door (API upsert, file import, manual form) and guest matching.

Matching a reservation's guest: an exact email, then exact phone digits, links the existing profile
(``linked``); a name-only match creates a new profile for tonight and queues a PossibleMatch for a
manager to link or reject (``match_queue``; ``possible``: never merged automatically); otherwise a
new profile (``new``).
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from flask import Flask
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import outlet_by_code, property_today
from guestbook.admin.schemas import OutletCode
from guestbook.db import cached, write_transaction
from guestbook.errors import MAX_ID
from guestbook.extensions import db
from guestbook.guests import search, search_index
from guestbook.guests.erased import is_erased_contact
from guestbook.guests.models import Guest
from guestbook.guests.profiles import digits_of
from guestbook.guests.schemas import (
    Email,
    GuestCreate,
    GuestFields,
    PartialDateText,
    Phone,
    one_name_required,
    parse_partial_date,
)
from guestbook.guests.tonight import BookingSource, register_booking_source
from guestbook.i18n import gettext
from guestbook.models.base import utcnow
from guestbook.reservations.models import RESERVATION_STATUSES, PossibleMatch, Reservation
from guestbook.text import Text
from guestbook.validation import Language, one_of

LIVE_STATUSES = ("booked", "arrived")  # a booking still expected or already seated
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$"
POSSIBLE_CAP = 5
MAX_YEARS_AHEAD = 2  # a booking further out is a typo (9999-12-31), not a plan


class ReservationError(ValueError):
    """A reservation request that cannot be carried out; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class GuestRef(BaseModel):
    """The guest of a reservation when the caller has no guest id: matched by email, phone, then name."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra=one_name_required("given_name", "family_name", "name"),
    )

    given_name: Annotated[str, Text(120)] = ""
    family_name: Annotated[str, Text(120)] = ""
    name: Annotated[str, Text(240)] = Field(
        default="", description="full name, when given and family names are not separate"
    )
    email: Email | None = None
    phone: Phone | None = None
    birthday: PartialDateText | None = Field(
        default=None, description="YYYY-MM-DD, or --MM-DD when the year is unknown"
    )
    language: Language | None = None
    pronunciation: Annotated[str, Text(200)] | None = None

    @model_validator(mode="after")
    def _named(self) -> GuestRef:
        if not (self.given_name or self.family_name or self.name):
            raise ValueError(gettext("the guest needs a name (given_name/family_name or name)"))
        if self.name and not (self.given_name or self.family_name):
            parts = self.name.rsplit(" ", 1)
            self.given_name, self.family_name = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        # Email, phone, birthday and language go through the guest schema's own rules.
        GuestFields.model_validate(self.profile_fields())
        return self

    def profile_fields(self) -> dict[str, Any]:
        """The fields as a guest-create payload."""
        fields: dict[str, Any] = {"given_name": self.given_name, "family_name": self.family_name}
        for key in ("email", "phone", "birthday", "language", "pronunciation"):
            value = getattr(self, key)
            if value:
                fields[key] = value
        return fields


class ReservationIn(BaseModel):
    """A reservation as sent to ``PUT /api/v1/reservations/<source>/<external_id>`` (and built by import/form)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        # Exactly one of guest_id and guest (the other absent or null), as _one_guest checks.
        json_schema_extra={
            "oneOf": [
                {"required": ["guest_id"], "properties": {"guest_id": {"type": "integer"}}},
                {"required": ["guest"], "properties": {"guest": {"type": "object"}}},
            ]
        },
    )

    guest_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    guest: GuestRef | None = None
    outlet: OutletCode = Field(description="outlet code")
    arrival_date: date = Field(
        description="YYYY-MM-DD, in the property's timezone; at most two years ahead",
        json_schema_extra={"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    )
    arrival_time: time | None = Field(default=None, description="HH:MM local time; omit for hotel arrivals at any time")
    party_size: int = Field(default=1, ge=1, le=500)
    table: Annotated[str, Text(40)] = Field(default="", description="table or room")
    nights: int = Field(default=0, ge=0, le=365)
    status: str = Field(default="booked", json_schema_extra={"enum": list(RESERVATION_STATUSES)})
    occasion: Annotated[str, Text(120)] = ""
    notes: Annotated[str, Text(5000)] = ""

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        return one_of(value, RESERVATION_STATUSES)

    @field_validator("arrival_date")
    @classmethod
    def _not_too_far_ahead(cls, value: date) -> date:
        if value > latest_arrival_date():
            raise ValueError(
                gettext(
                    "at most %(num)d years ahead (until %(day)s)",
                    num=MAX_YEARS_AHEAD,
                    day=latest_arrival_date().isoformat(),
                )
            )
        return value

    @field_validator("arrival_time")
    @classmethod
    def _naive_time(cls, value: time | None) -> time | None:
        return value.replace(tzinfo=None, second=0, microsecond=0) if value else value

    @model_validator(mode="after")
    def _one_guest(self) -> ReservationIn:
        if (self.guest_id is None) == (self.guest is None):
            raise ValueError(gettext("send either guest_id or guest, not both"))
        return self


def latest_arrival_date() -> date:
    """The furthest arrival date accepted: two years from today at the property (UTC outside an app)."""
    from flask import has_app_context

    today = property_today() if has_app_context() else datetime.now(UTC).date()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _name_candidates(ref: GuestRef) -> list[int]:
    """Guests whose full name matches exactly (accents, case and word order aside)."""
    query = " ".join(p for p in (ref.given_name, ref.family_name) if p)
    return [hit.guest_id for hit in search.search_hits(query, 20) if hit.match == 0][:POSSIBLE_CAP]


def _match_guest(ref: GuestRef, actor: Actor) -> tuple[Guest, str, list[int]]:
    """Find or create the guest for ``ref`` (inside the caller's write transaction)."""
    if ref.email:
        guest = db.session.scalar(
            select(Guest).where(func.lower(Guest.email) == ref.email.lower()).order_by(Guest.id).limit(1)
        )
        if guest is not None:
            return guest, "linked", []
    digits = digits_of(ref.phone)
    if digits and len(digits) >= 6:
        guest = db.session.scalar(select(Guest).where(Guest.phone_digits == digits).order_by(Guest.id).limit(1))
        if guest is not None:
            return guest, "linked", []
    candidates = _name_candidates(ref)
    fields = ref.profile_fields()
    # A contact of a guest who asked to be forgotten is not stored again: the booking's guest gets none.
    if is_erased_contact(ref.email, ref.phone) is not None:
        fields.pop("email", None)
        fields.pop("phone", None)
    guest = _new_guest(GuestCreate.model_validate(fields))
    db.session.add(guest)
    db.session.flush()
    search_index.index_guest(guest)
    audit.record(actor, "guest_create", guest.id, "from a reservation")
    return guest, ("possible" if candidates else "new"), candidates


def _new_guest(data: GuestCreate) -> Guest:
    """A profile from the reservation's guest fields (validated by the shared guest schema)."""
    birthday = parse_partial_date(data.birthday) if data.birthday else None
    return Guest(
        given_name=data.given_name or "",
        family_name=data.family_name or "",
        pronunciation=data.pronunciation or "",
        language=data.language or "en",
        email=data.email,
        phone=data.phone,
        phone_digits=digits_of(data.phone),
        birthday_month=birthday.month if birthday else None,
        birthday_day=birthday.day if birthday else None,
        birthday_year=birthday.year if birthday else None,
    )


def find_reservation(source: str, external_id: str) -> Reservation | None:
    """The reservation with this identity."""
    return db.session.scalar(
        select(Reservation).where(Reservation.source == source, Reservation.external_id == external_id)
    )


def upsert_reservation(source: str, external_id: str, data: ReservationIn, actor: Actor) -> tuple[Reservation, bool]:
    """Create or update the reservation ``(source, external_id)``; returns it and whether it was created.

    Idempotent: the same call twice leaves one reservation and one guest. A later call updates the
    booking; the guest is matched once, when the reservation is first seen (or when guest_id changes).
    Called inside another rule's write transaction (the file import, the demo) it joins that one.
    """
    with write_transaction():
        reservation, created = _upsert(source, external_id, data, actor)
    return reservation, created


def _upsert(source: str, external_id: str, data: ReservationIn, actor: Actor) -> tuple[Reservation, bool]:
    """The upsert itself, inside upsert_reservation's write transaction."""
    if not re.fullmatch(SOURCE_PATTERN, source):
        raise ReservationError("source", gettext("lower-case letters, digits, . _ - (up to 40)"))
    if not re.fullmatch(EXTERNAL_ID_PATTERN, external_id):
        raise ReservationError("external_id", gettext("letters, digits, . _ : - (up to 120)"))
    outlet = outlet_by_code(data.outlet)
    if outlet is None:
        raise ReservationError("outlet", gettext("no outlet with code %(code)s", code=repr(data.outlet)))
    reservation = find_reservation(source, external_id)
    created = reservation is None
    candidates: list[int] = []
    if data.guest_id is not None:
        guest = db.session.get(Guest, data.guest_id)
        if guest is None:
            raise ReservationError("guest_id", gettext("no guest with id %(id)d", id=data.guest_id))
        guest_id, match = guest.id, "linked"
    elif reservation is not None:
        guest_id, match = reservation.guest_id, reservation.match
    else:
        assert data.guest is not None
        guest, match, candidates = _match_guest(data.guest, actor)
        guest_id = guest.id
    if reservation is None:
        reservation = Reservation(source=source, external_id=external_id)
        db.session.add(reservation)
    reservation.guest_id = guest_id
    reservation.match = match
    reservation.outlet_id = outlet.id
    reservation.arrival_date = data.arrival_date
    reservation.arrival_time = data.arrival_time
    reservation.party_size = data.party_size
    reservation.table = data.table
    reservation.nights = data.nights
    # The moment of cancellation is known only when we see a live booking become cancelled (a booking
    # first sent already cancelled, as in an import of history, has no such moment).
    if not created and data.status == "cancelled" and reservation.status != "cancelled":
        reservation.cancelled_at = utcnow()
    elif data.status != "cancelled":
        reservation.cancelled_at = None
    reservation.status = data.status
    reservation.occasion = data.occasion
    reservation.notes = data.notes
    if not created:
        reservation.updated_at = utcnow()
    db.session.flush()
    for candidate in candidates:
        db.session.add(
            PossibleMatch(reservation_id=reservation.id, new_guest_id=guest_id, candidate_guest_id=candidate)
        )
    audit.record(
        actor,
        "reservation_create" if created else "reservation_update",
        guest_id,
        f"{source}/{external_id} {data.arrival_date.isoformat()} match={match}",
    )
    return reservation, created


def create_manual(data: ReservationIn, actor: Actor) -> Reservation:
    """A walk-in or phone booking entered by staff (source ``manual``, a generated external id)."""
    reservation, _created = upsert_reservation("manual", uuid.uuid4().hex[:16], data, actor)
    return reservation


def reservation_to_dict(reservation: Reservation) -> dict[str, Any]:
    """A reservation as JSON."""
    return {
        "id": reservation.id,
        "source": reservation.source,
        "external_id": reservation.external_id,
        "guest_id": reservation.guest_id,
        "outlet": reservation.outlet.code,
        "arrival_date": reservation.arrival_date.isoformat(),
        "arrival_time": reservation.arrival_time.strftime("%H:%M") if reservation.arrival_time else None,
        "party_size": reservation.party_size,
        "table": reservation.table,
        "nights": reservation.nights,
        "status": reservation.status,
        "occasion": reservation.occasion,
        "notes": reservation.notes,
        "match": reservation.match,
        "created_at": reservation.created_at.isoformat(),
        "updated_at": reservation.updated_at.isoformat(),
    }


LIVE_ON_DAY_KEY = "reservations.live_on_day"


def _live_on(day: date) -> list[tuple[int, str, time | None]]:
    """(guest id, table, arrival time) of every live booking on ``day``, read once per read transaction.

    A search asks three questions of today's bookings (who arrives, who sits at the table typed, at what
    time): one query answers them all. Inside a write transaction it is read afresh each time.
    """

    def load() -> list[tuple[int, str, time | None]]:
        stmt = select(Reservation.guest_id, Reservation.table, Reservation.arrival_time).where(
            Reservation.arrival_date == day, Reservation.status.in_(LIVE_STATUSES)
        )
        return [(gid, table or "", at) for gid, table, at in db.session.execute(stmt)]

    return cached(f"{LIVE_ON_DAY_KEY}:{day.isoformat()}", load, outside_writes=True, topic="reservation")


def arriving_guest_ids(day: date | None = None) -> set[int]:
    """Guests with a live reservation today (search ranks them first)."""
    return {gid for gid, _table, _at in _live_on(day or property_today())}


def guests_at_table_today(query: str, day: date | None = None) -> set[int]:
    """Guests whose live reservation today is at this table or room ("Window 2", "1204"), any case."""
    wanted = " ".join(query.split()).casefold()
    if not wanted:
        return set()
    return {
        gid for gid, table, _at in _live_on(day or property_today()) if " ".join(table.split()).casefold() == wanted
    }


def bookings_on(guest_id: int, day: date) -> list[Reservation]:
    """A guest's bookings on ``day``, every status, in time order (no time last), outlet loaded."""
    return list(db.session.scalars(_bookings_on_stmt(), {"guest_id": guest_id, "day": day}))


@functools.cache
def _bookings_on_stmt() -> Select[Reservation]:
    """Built once: every card runs it."""
    return (
        select(Reservation)
        .where(Reservation.guest_id == bindparam("guest_id"), Reservation.arrival_date == bindparam("day"))
        .options(selectinload(Reservation.outlet))
        .order_by(Reservation.arrival_time.is_(None), Reservation.arrival_time, Reservation.id)
    )


def booking_by_id(booking_id: int) -> Reservation | None:
    """One booking, or None."""
    return db.session.get(Reservation, booking_id)


def live_arrival_times(guest_ids: list[int], day: date) -> list[tuple[int, time | None]]:
    """(guest id, arrival time) of the live bookings of ``guest_ids`` on ``day``, earliest first (no time last)."""
    wanted = set(guest_ids)
    rows = [(gid, at) for gid, _table, at in _live_on(day) if gid in wanted]
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or time.min))


def register_with_guests(app: Flask) -> None:
    """Give the guests domain today's bookings: search ranks and finds arrivals, the card and visits see them."""
    source = BookingSource(bookings_on, booking_by_id, live_arrival_times, arriving_guest_ids, guests_at_table_today)
    register_booking_source(app, source)
