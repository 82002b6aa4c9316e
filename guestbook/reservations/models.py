"""Reservations, the possible-match queue, import mappings, archived briefings and who read them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from guestbook.admin.models import Outlet
    from guestbook.guests.models import Guest

RESERVATION_STATUSES = ("booked", "arrived", "cancelled", "no-show")
MATCH_OUTCOMES = ("linked", "possible", "new")
POSSIBLE_MATCH_STATUSES = ("open", "linked", "rejected")


class Reservation(Base):
    """One booking from any door (API, import, manual form); ``(source, external_id)`` is its identity."""

    __tablename__ = "reservation"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_reservation_day", "arrival_date", "outlet_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(120))
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"))
    arrival_date: Mapped[date] = mapped_column(Date)  # in the property's timezone
    arrival_time: Mapped[time | None] = mapped_column(Time)  # local wall-clock time, None for "any time"
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    table: Mapped[str] = mapped_column(String(40), default="")  # table or room
    nights: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    occasion: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    match: Mapped[str] = mapped_column(String(10), default="new")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the booking became cancelled (None while it is not): a cancellation within LATE_CANCELLATION of
    # the arrival counts as late on the guest's record. Kept as first seen: a re-import does not move it.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    guest: Mapped[Guest] = relationship()
    outlet: Mapped[Outlet] = relationship()


class PossibleMatch(Base):
    """A reservation whose guest matched an existing profile by name only: a person decides."""

    __tablename__ = "possible_match"
    __table_args__ = (UniqueConstraint("reservation_id", "candidate_guest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id", ondelete="CASCADE"), index=True)
    new_guest_id: Mapped[int | None] = mapped_column(ForeignKey("guest.id", ondelete="SET NULL"))
    candidate_guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(200), default="")

    reservation: Mapped[Reservation] = relationship()
    new_guest: Mapped[Guest | None] = relationship(foreign_keys=[new_guest_id])
    candidate: Mapped[Guest] = relationship(foreign_keys=[candidate_guest_id])


class ImportMapping(Base):
    """The saved column mapping of one import source: reservation field → column header."""

    __tablename__ = "import_mapping"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
