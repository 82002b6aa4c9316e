"""The property and its outlets; a fresh database always has one default property."""

from __future__ import annotations

from sqlalchemy import select

from ..db import begin_write
from ..extensions import db
from ..models import Outlet, Property
from . import audit
from .actor import Actor
from .schemas import OutletCreate

DEFAULT_PROPERTY_NAME = "My Property"


class OutletError(ValueError):
    """An outlet request that cannot be carried out."""


def default_property() -> Property:
    """The property; created by the first migration so the app works before anything is configured."""
    prop = db.session.scalar(select(Property).order_by(Property.id).limit(1))
    if prop is None:  # a database built without migrations (never in normal use)
        begin_write()
        prop = Property(name=DEFAULT_PROPERTY_NAME, timezone="UTC")
        db.session.add(prop)
        db.session.commit()
    return prop


def list_outlets() -> list[Outlet]:
    """Every outlet, by name."""
    return list(db.session.scalars(select(Outlet).order_by(Outlet.name)))


def outlet_by_code(code: str) -> Outlet | None:
    """The outlet with this short code."""
    return db.session.scalar(select(Outlet).where(Outlet.code == code))


def create_outlet(data: OutletCreate, actor: Actor) -> Outlet:
    """Add an outlet to the property; codes are unique."""
    prop = default_property()
    begin_write()
    if db.session.scalar(select(Outlet.id).where(Outlet.code == data.code)):
        db.session.rollback()
        raise OutletError(f"an outlet with code {data.code!r} already exists")
    outlet = Outlet(property_id=prop.id, code=data.code, name=data.name, kind=data.kind)
    db.session.add(outlet)
    audit.record(actor, "outlet_create", detail=data.code)
    db.session.commit()
    return outlet


def outlet_to_dict(outlet: Outlet) -> dict[str, object]:
    """An outlet as JSON."""
    return {"id": outlet.id, "code": outlet.code, "name": outlet.name, "kind": outlet.kind}


def update_property(name: str, address: str, timezone: str, currency: str, actor: Actor) -> Property:
    """Rename the property and set its address, timezone and currency (settings page)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OutletError(f"unknown timezone {timezone!r}") from None
    if not name.strip():
        raise OutletError("the property needs a name")
    prop = default_property()
    begin_write()
    prop = db.session.get(Property, prop.id) or prop
    prop.name, prop.address, prop.timezone, prop.currency = (
        name.strip(),
        address.strip(),
        timezone,
        currency.upper()[:3],
    )
    audit.record(actor, "settings_update", detail="property")
    db.session.commit()
    return prop
