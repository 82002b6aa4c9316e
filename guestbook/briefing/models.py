"""Archived briefings, who read them and who receives them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    pass

BRIEFING_TRIGGERS = ("scheduled", "manual")


class BriefingArchive(Base):
    """One archived briefing PDF. A scheduled run is unique per date and outlet; manual runs add versions."""

    __tablename__ = "briefing_archive"
    __table_args__ = (
        # ``scheduled`` is True for the nightly run and NULL otherwise: NULLs never collide, so
        # regenerations add versions while a second scheduled run for the same day fails to insert.
        UniqueConstraint("briefing_date", "outlet_code", "scheduled"),
        UniqueConstraint("briefing_date", "outlet_code", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_date: Mapped[date] = mapped_column(Date)
    outlet_code: Mapped[str] = mapped_column(String(32), default="")  # "" = every outlet
    version: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(20))
    scheduled: Mapped[bool | None] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 hex of the PDF
    size: Mapped[int] = mapped_column(Integer)
    arrivals_count: Mapped[int] = mapped_column(Integer)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(200), default="")
    mailed_to: Mapped[int] = mapped_column(Integer, default=0)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class BriefingRead(Base):
    """A member of staff opened the briefing for a date (first and last time, how often)."""

    __tablename__ = "briefing_read"
    __table_args__ = (UniqueConstraint("briefing_date", "outlet_code", "staff_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_date: Mapped[date] = mapped_column(Date, index=True)
    outlet_code: Mapped[str] = mapped_column(String(32), default="")
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_count: Mapped[int] = mapped_column(Integer, default=1)


class BriefingSubscription(Base):
    """A manager who opted in to receive the nightly briefing PDF by email."""

    __tablename__ = "briefing_subscription"

    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
