"""The segments domain's tables: each guest's figures as of the last refresh, and the tiers people set by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

INFLUENCE_KINDS = ("press", "critic", "official", "travel_trade", "community", "other")


class GuestSegment(Base):
    """A guest's figures, RFM scores, tier, lifecycle stage and lapse-model answers as of ``as_of``.

    Written only by the refresh (nightly or ``flask segments refresh``); a guest without a row has not been
    refreshed yet. Counts and spend are anonymous statistics: they stay when a guest is erased.
    """

    __tablename__ = "guest_segment"

    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    first_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    visit_days: Mapped[int] = mapped_column(Integer, default=0)  # several visits on one day count once
    visits_12m: Mapped[int] = mapped_column(Integer, default=0)
    spend_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    # The pyramid's window; indexed for the dashboard's top guests and lists (highest spend first).
    spend_window: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0), index=True)
    average_spend: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    days_since_last: Mapped[int | None] = mapped_column(Integer)
    typical_gap_days: Mapped[float | None] = mapped_column(Float)  # median days between visit days
    r: Mapped[int | None] = mapped_column(SmallInteger)
    f: Mapped[int | None] = mapped_column(SmallInteger)
    m: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_name: Mapped[str | None] = mapped_column(String(30), index=True)
    tier: Mapped[str] = mapped_column(String(1), default="C", index=True)  # computed; an override wins
    lifecycle: Mapped[str | None] = mapped_column(String(20), index=True)
    p_active: Mapped[float | None] = mapped_column(Float)
    expected_visits_90d: Mapped[float | None] = mapped_column(Float)
    value_12m: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    model_note: Mapped[str] = mapped_column(String(40), default="")  # why the model figures are null
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SegmentOverride(Base):
    """A tier set by hand (with the reason, required, and who set it) and the guest's influence."""

    __tablename__ = "segment_override"

    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[str | None] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(Text, default="")
    influence: Mapped[str | None] = mapped_column(String(20))
    set_by: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SegmentModelRun(Base):
    """One fit of the lapse model: its parameters and how many guests it learnt from (the latest is used)."""

    __tablename__ = "segment_model_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    r: Mapped[float | None] = mapped_column(Float)
    alpha: Mapped[float | None] = mapped_column(Float)
    a: Mapped[float | None] = mapped_column(Float)
    b: Mapped[float | None] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    q: Mapped[float | None] = mapped_column(Float)
    v: Mapped[float | None] = mapped_column(Float)
    log_likelihood: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(200), default="")
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SegmentSummary(Base):
    """The dashboard's figures as of the last refresh: counts by tier, lifecycle and RFM cell, visits and covers
    per week and the returning-guest rate per month (one row, replaced by each refresh)."""

    __tablename__ = "segment_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
