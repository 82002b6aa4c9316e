"""Property (a hotel or restaurant group) and its outlets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

OUTLET_KINDS = ("restaurant", "bar", "cafe", "rooms", "spa", "other")


class Property(Base):
    """A hotel or a restaurant group: the owner of outlets, guests' letters and briefings."""

    __tablename__ = "property"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="THB")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outlets: Mapped[list[Outlet]] = relationship(back_populates="property", order_by="Outlet.name")


class Outlet(Base):
    """A place where guests are served: restaurant, bar, café, rooms, spa."""

    __tablename__ = "outlet"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="restaurant")
    # Inactive outlets leave the pickers of new visits and bookings; their history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The language its menu items and table names are written in (BCP-47): letters quote them only in it.
    language: Mapped[str] = mapped_column(String(35), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    property: Mapped[Property] = relationship(back_populates="outlets")


class Setting(Base):
    """One named setting with a JSON value."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
