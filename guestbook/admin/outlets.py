"""The property and its outlets; a fresh database always has one default property."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.models import Outlet, Property
from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.admin.settings import get_setting
from guestbook.db import cached, forget, rows, write_transaction
from guestbook.extensions import db
from guestbook.i18n import gettext

DEFAULT_PROPERTY_NAME = "My Property"
PROPERTY_CACHE_KEY = "property"
PROPERTY_TZ_KEY = "property.timezone"
PROPERTY_CURRENCY_KEY = "property.currency"
OUTLET_CHOICES_KEY = "property.outlet_choices"
OUTLET_IDS_KEY = "property.outlet_ids"
OUTLET_NAMES_KEY = "property.outlet_names"
OUTLET_CODES_KEY = "property.outlet_codes"


class OutletError(ValueError):
    """An outlet request that cannot be carried out."""


class OutletNotFound(LookupError):
    """No outlet with this id."""


def _unsaved_default() -> Property:
    return Property(
        name=DEFAULT_PROPERTY_NAME,
        address="",
        timezone=current_app.config["GUESTBOOK_TIMEZONE"],
        currency="THB",
    )


def default_property() -> Property:
    """The property (the first migration creates it); reading never writes.

    A database built without migrations (never in normal use) gets an unsaved default here; the
    first rule that changes the property or adds an outlet stores it (``property_for_update``).
    """
    prop = cached(PROPERTY_CACHE_KEY, _first_property)  # read by many helpers per page: once per transaction
    return prop if prop is not None else _unsaved_default()


def _first_property() -> Property | None:
    return db.session.scalar(select(Property).order_by(Property.id).limit(1))


def property_for_update() -> Property:
    """The property inside the caller's write_transaction(); added, not committed, if missing."""
    prop = db.session.scalar(select(Property).order_by(Property.id).limit(1))
    if prop is None:
        prop = _unsaved_default()
        db.session.add(prop)
        db.session.flush()
        forget(PROPERTY_CACHE_KEY)
    forget(PROPERTY_TZ_KEY)  # the caller may change the timezone or currency; this transaction reads them afresh
    forget(PROPERTY_CURRENCY_KEY)
    return prop


def zone_of(prop: Property) -> ZoneInfo:
    """A property's timezone (UTC when unset or unknown)."""
    return _zone(prop.timezone)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def property_tz() -> ZoneInfo:
    """The property's timezone: the one source for every local date and time (bookings, letters, pages).

    Asked on every page (today's bookings, dates shown): the worker keeps its name until the property changes.
    """
    return _zone(cached(PROPERTY_TZ_KEY, lambda: default_property().timezone, topic="property"))


def property_currency() -> str:
    """The property's currency (the spend of visits, totals on the card and in reports).

    Asked on every card and visit: the worker keeps it until the property changes.
    """
    return str(cached(PROPERTY_CURRENCY_KEY, lambda: default_property().currency, topic="property"))


def property_today(now: datetime | None = None) -> date:
    """Today's date at the property."""
    return (now or datetime.now(UTC)).astimezone(property_tz()).date()


def list_outlets(include_inactive: bool = False) -> list[Outlet]:
    """The active outlets by name (for pickers); with ``include_inactive`` every outlet (admin, history)."""
    stmt = select(Outlet).order_by(Outlet.name)
    if not include_inactive:
        stmt = stmt.where(Outlet.active.is_(True))
    return list(db.session.scalars(stmt))


def outlet_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) of the active outlets by name: the pickers of every card and visit form.

    Kept by the worker until an outlet or the property changes (the ``property`` cache generation).
    """
    return cached(
        OUTLET_CHOICES_KEY,
        lambda: tuple((o.code, o.name) for o in list_outlets()),
        outside_writes=True,
        topic="property",
    )


def property_language() -> str:
    """The property's own language: what an outlet's names are written in unless it says otherwise."""
    return str(get_setting("letters_default_language") or "en")


def outlet_by_code(code: str) -> Outlet | None:
    """The outlet with this short code."""
    return db.session.scalar(select(Outlet).where(Outlet.code == code))


def outlet_names() -> dict[int, str]:
    """Every outlet's name by id (a card's "usually at the terrace"), kept by the worker as ``outlet_choices``."""
    names: dict[int, str] = cached(
        OUTLET_NAMES_KEY, lambda: dict(rows(select(Outlet.id, Outlet.name))), outside_writes=True, topic="property"
    )
    return names


def outlet_code_of(outlet_id: int) -> str:
    """The short code of outlet ``outlet_id`` ("" for none): a card's visit form picks the last visit's outlet.

    Kept by the worker like ``outlet_names`` (the ``property`` cache generation), so the card does not load the
    outlet's row for it.
    """
    codes: dict[int, str] = cached(
        OUTLET_CODES_KEY, lambda: dict(rows(select(Outlet.id, Outlet.code))), outside_writes=True, topic="property"
    )
    return codes.get(outlet_id, "")


def outlet_id_for_code(code: str) -> int | None:
    """The id of the outlet with this short code (any outlet, as ``outlet_by_code``), or None.

    Every visit logged asks; kept by the worker like ``outlet_choices`` (the ``property`` cache generation).
    """
    ids: dict[str, int] = cached(
        OUTLET_IDS_KEY, lambda: dict(rows(select(Outlet.code, Outlet.id))), outside_writes=True, topic="property"
    )
    return ids.get(code)


def create_outlet(data: OutletCreate, actor: Actor) -> Outlet:
    """Add an outlet to the property; codes are unique."""
    with write_transaction():
        prop = property_for_update()
        if db.session.scalar(select(Outlet.id).where(Outlet.code == data.code)):
            raise OutletError(gettext("an outlet with code %(code)s already exists", code=repr(data.code)))
        outlet = Outlet(
            property_id=prop.id,
            code=data.code,
            name=data.name,
            kind=data.kind,
            language=data.language or property_language(),
            active=True,
        )
        db.session.add(outlet)
        audit.record(actor, "outlet_create", detail=data.code)
    return outlet


def update_outlet(outlet_id: int, patch: OutletPatch, actor: Actor) -> Outlet:
    """Rename an outlet, set its language, or deactivate/reactivate it (its code and history never change)."""
    with write_transaction():
        outlet = db.session.get(Outlet, outlet_id)
        if outlet is None:
            raise OutletNotFound(outlet_id)
        changes = []
        if patch.name is not None and patch.name != outlet.name:
            changes.append(f"name {outlet.name!r}->{patch.name!r}")
            outlet.name = patch.name
        if patch.language is not None and patch.language != outlet.language:
            changes.append(f"language {outlet.language}->{patch.language}")
            outlet.language = patch.language
        if patch.active is not None and patch.active != outlet.active:
            changes.append("reactivated" if patch.active else "deactivated")
            outlet.active = patch.active
        if changes:
            audit.record(actor, "outlet_update", detail=f"{outlet.code}: {'; '.join(changes)}")
    return outlet


def outlet_to_dict(outlet: Outlet) -> dict[str, object]:
    """An outlet as JSON."""
    return {
        "id": outlet.id,
        "code": outlet.code,
        "name": outlet.name,
        "kind": outlet.kind,
        "language": outlet.language,
        "active": outlet.active,
    }


def update_property(name: str, address: str, timezone: str, currency: str, actor: Actor) -> Property:
    """Rename the property and set its address, timezone and currency (settings page)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OutletError(gettext("unknown timezone %(timezone)s", timezone=repr(timezone))) from None
    if not name.strip():
        raise OutletError(gettext("the property needs a name"))
    with write_transaction():
        prop = property_for_update()
        prop.name, prop.address, prop.timezone, prop.currency = (
            name.strip(),
            address.strip(),
            timezone,
            currency.upper()[:3],
        )
        audit.record(actor, "settings_update", detail="property")
    return prop
