"""Visits: each time a guest was served, with what they had."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from guestbook.admin.models import Outlet
    from guestbook.models.guest import Guest
    from guestbook.staff.models import StaffUser


class Visit(Base):
    """One visit of a guest to an outlet."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_guest_visited", "guest_id", "visited_at"),)

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

    guest: Mapped[Guest] = relationship(back_populates="visits")
    outlet: Mapped[Outlet] = relationship()
    served_by: Mapped[StaffUser | None] = relationship()
