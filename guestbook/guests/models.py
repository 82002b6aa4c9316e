"""Guest profiles, their allergies and their preferences."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from guestbook.admin.models import Outlet
    from guestbook.staff.models import StaffUser

PREFERENCE_CATEGORIES = ("seating", "food", "drink", "diet", "room", "amenity", "service", "other")
PREFERENCE_SOURCES = ("stated", "observed", "derived")
ALLERGY_SEVERITIES = ("intolerance", "mild", "severe", "anaphylaxis", "dietary")


class Guest(Base):
    """One guest's profile: the memory staff use to recognise them."""

    __tablename__ = "guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(120), default="")
    family_name: Mapped[str] = mapped_column(String(120), default="")
    preferred_name: Mapped[str] = mapped_column(String(120), default="")
    pronunciation: Mapped[str] = mapped_column(String(200), default="")
    salutation: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_digits: Mapped[str | None] = mapped_column(String(40), index=True)
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    address_city: Mapped[str] = mapped_column(String(120), default="")
    address_region: Mapped[str] = mapped_column(String(120), default="")
    address_postal_code: Mapped[str] = mapped_column(String(20), default="")
    address_country: Mapped[str] = mapped_column(String(2), default="")
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_year: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_month: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_day: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_year: Mapped[int | None] = mapped_column(SmallInteger)
    company: Mapped[str] = mapped_column(String(200), default="")
    vip_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when the guest was anonymised (a privacy request or the retention rule): only counts are left.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    allergies: Mapped[list[Allergy]] = relationship(
        back_populates="guest", cascade="all, delete-orphan", order_by="Allergy.id"
    )
    preferences: Mapped[list[Preference]] = relationship(
        back_populates="guest", cascade="all, delete-orphan", order_by="Preference.id"
    )
    visits: Mapped[list[Visit]] = relationship(back_populates="guest", cascade="all, delete-orphan")
    tags: Mapped[list[Tag]] = relationship(secondary="guest_tag", order_by="Tag.name_key", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        """Name in the order the guest's script uses (family first for CJK names)."""
        return full_name_of(self.given_name, self.family_name)

    @property
    def display_name(self) -> str:
        """How staff address the guest: salutation and family name, or the preferred name."""
        return self.preferred_name or self.full_name


def full_name_of(given_name: str, family_name: str) -> str:
    """A full name in the order its script uses: family name first, without a space, for CJK names."""
    if _is_cjk(family_name) or _is_cjk(given_name):
        return f"{family_name}{given_name}"
    return " ".join(p for p in (given_name, family_name) if p)


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text)


class Allergy(Base):
    """An allergy or dietary restriction, kept apart from preferences so it is always shown first."""

    __tablename__ = "allergy"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    allergen: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(20), default="severe")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guest: Mapped[Guest] = relationship(back_populates="allergies")


class Preference(Base):
    """Something the guest likes, with where it came from and when."""

    __tablename__ = "preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlet.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(20), default="observed")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guest: Mapped[Guest] = relationship(back_populates="preferences")


class GuestNote(Base):
    """A dated note about a guest, written by a member of staff."""

    __tablename__ = "guest_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Visit(Base):
    """One visit of a guest to an outlet."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_guest_visited", "guest_id", "visited_at"),
        # Visits by time across guests (covering: the dashboard's weeks and months, kept current by each refresh).
        Index("ix_visit_visited_at", "visited_at", "guest_id", "party_size"),
        # An imported visit's identity in its source system: importing the same file twice adds nothing.
        UniqueConstraint("source", "source_id", name="uq_visit_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    table: Mapped[str] = mapped_column(String(40), default="")
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    spend: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="THB")
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    served_by_name: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str | None] = mapped_column(String(40))  # None for a visit logged here
    source_id: Mapped[str | None] = mapped_column(String(120))

    guest: Mapped[Guest] = relationship(back_populates="visits")
    outlet: Mapped[Outlet] = relationship()
    served_by: Mapped[StaffUser | None] = relationship()


# Which team tags a guest carries ("wine lover", "press"); gone with either side.
guest_tag = Table(
    "guest_tag",
    Base.metadata,
    Column("guest_id", ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_guest_tag_tag", "tag_id", "guest_id"),
)


class Tag(Base):
    """A label the team uses among itself, with a colour; ``name_key`` keeps names unique whatever their case."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_key: Mapped[str] = mapped_column(String(40), unique=True)
    color: Mapped[str] = mapped_column(String(7), default="#6b7280")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuestPhoto(Base):
    """A guest's photo consent (who recorded it, when) and, once taken, the photo itself (re-encoded, small)."""

    __tablename__ = "guest_photo"

    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    consent_by: Mapped[str] = mapped_column(String(200), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(20), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


CONTACT_SUGGESTION_KINDS = ("phone", "email")
CONTACT_SUGGESTION_STATUSES = ("pending", "accepted", "rejected")


class ContactSuggestion(Base):
    """A phone or e-mail a guest gave at the table: a manager accepts it onto the profile or rejects it."""

    __tablename__ = "contact_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    suggested_by: Mapped[str] = mapped_column(String(200), default="")
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    suggested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    guest: Mapped[Guest] = relationship()


class ErasedContact(Base):
    """A one-way keyed hash (HMAC) of an erased guest's e-mail or phone digits: they never come back by import.

    Only the hash is kept, never the value; ``guests.erased.is_erased_contact`` answers "was this erased?".
    """

    __tablename__ = "erased_contact"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | phone
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
