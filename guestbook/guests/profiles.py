"""Guest profiles: create, read (audited), change with optimistic locking, and present by role."""

from __future__ import annotations

import re
from typing import Any

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import extras, history, photos, search_index
from guestbook.guests.models import Allergy, Guest
from guestbook.guests.schemas import GuestCreate, GuestFields, GuestPatch, PartialDate, parse_partial_date
from guestbook.models.base import utcnow
from guestbook.security import role_at_least

SIMPLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronunciation",
    "salutation",
    "language",
    "email",
    "phone",
    "company",
    "vip_level",
    "marketing_consent",
    "do_not_contact",
    "notes",
)
_CLEARED: dict[str, Any] = {"vip_level": 0, "marketing_consent": False, "do_not_contact": False, "language": "en"}
ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")


class GuestNotFound(LookupError):
    """No guest has this id."""


class VersionConflict(Exception):
    """The client edited an old version; nothing was written. ``current`` is the stored guest."""

    def __init__(self, current: Guest) -> None:
        super().__init__(f"guest {current.id} is at version {current.version}")
        self.current = current


def digits_of(phone: str | None) -> str | None:
    """The digits of a phone number, for searching by any run of digits."""
    if not phone:
        return None
    return re.sub(r"\D", "", phone) or None


def _apply(guest: Guest, fields: GuestFields) -> list[str]:
    """Copy the fields that were sent onto the guest; return the names of the fields that changed.

    No autoflush while copying: reading the property's "today" to check a date must not flush a
    half-applied guest, which would bump its version twice in one save.
    """
    with db.session.no_autoflush:
        return _copy_fields(guest, fields)


def _copy_fields(guest: Guest, fields: GuestFields) -> list[str]:
    """The body of ``_apply``."""
    sent = fields.model_fields_set
    changed: list[str] = []
    for name in SIMPLE_FIELDS:
        if name in sent:
            value = getattr(fields, name)
            if value is None and name not in ("email", "phone"):
                value = _CLEARED.get(name, "")
            if getattr(guest, name) != value:
                setattr(guest, name, value)
                changed.append(name)
    if "phone" in sent:
        guest.phone_digits = digits_of(guest.phone)
    if "address" in sent:
        address = fields.address.model_dump() if fields.address else dict.fromkeys(ADDRESS_FIELDS, "")
        for key in ADDRESS_FIELDS:
            if getattr(guest, f"address_{key}") != address[key]:
                setattr(guest, f"address_{key}", address[key])
                changed.append(f"address.{key}")
    for kind in ("birthday", "anniversary"):
        if kind in sent:
            raw = getattr(fields, kind)
            parsed = parse_partial_date(raw) if raw else None
            old = (getattr(guest, f"{kind}_month"), getattr(guest, f"{kind}_day"), getattr(guest, f"{kind}_year"))
            new = (parsed.month, parsed.day, parsed.year) if parsed else (None, None, None)
            if old != new:
                setattr(guest, f"{kind}_month", new[0])
                setattr(guest, f"{kind}_day", new[1])
                setattr(guest, f"{kind}_year", new[2])
                changed.append(kind)
    if "allergies" in sent:
        new_allergies = [(a.allergen, a.severity, a.note) for a in fields.allergies or []]
        if new_allergies != [(a.allergen, a.severity, a.note) for a in guest.allergies]:
            guest.allergies = [Allergy(allergen=a, severity=s, note=n) for a, s, n in new_allergies]
            changed.append("allergies")
    return changed


CONTACT_FIELDS = ("email", "phone", "address", "birthday")  # what a masked role sees only in part
# A masked role (floor) may add one of these when none is on file (heard at the table), never change one.
OCCASION_FIELDS = ("birthday", "anniversary")


class ContactNotAllowed(PermissionError):
    """A role that sees contact details masked (floor) tried to set or change them."""


def check_contact_change(fields: set[str], role: str) -> None:
    """Floor staff may not change contact details: ContactNotAllowed names the fields they sent.

    Birthdays and anniversaries are checked against the stored guest (``check_occasion_change``).
    """
    hidden = (set(CONTACT_FIELDS) - set(OCCASION_FIELDS)) & fields
    if hidden and not can_see_contact(role):
        raise ContactNotAllowed(f"your role cannot change: {', '.join(sorted(hidden))}")


def check_occasion_change(guest: Guest, fields: set[str], role: str) -> None:
    """Floor staff may add a birthday or anniversary the guest has not given before, not change or clear one."""
    if can_see_contact(role):
        return
    on_file = [kind for kind in OCCASION_FIELDS if kind in fields and partial_date(guest, kind) is not None]
    if on_file:
        raise ContactNotAllowed(f"your role cannot change: {', '.join(on_file)}")


class ErasedContactBlocked(Exception):
    """The e-mail or phone belongs to a guest who asked to be forgotten; ``field`` says which."""

    def __init__(self, field: str) -> None:
        super().__init__(f"this {field} belongs to a guest who asked to be forgotten")
        self.field = field


def create_guest(data: GuestCreate, actor: Actor, *, allow_erased: bool = False) -> Guest:
    """Create a guest profile and index it for search (a postal address needs the concierge role or above).

    An e-mail or phone of an erased guest raises ErasedContactBlocked, unless an admin passes ``allow_erased``.
    """
    from guestbook.guests.erased import is_erased_contact

    if data.address is not None and not can_see_contact(actor.role):
        raise ContactNotAllowed("postal addresses need the concierge role or above")
    if allow_erased and not role_at_least(actor.role, "admin"):
        raise ContactNotAllowed("only an admin may re-create an erased guest's contact")
    with write_transaction():
        blocked = None if allow_erased else is_erased_contact(data.email, data.phone)
        if blocked is not None:
            raise ErasedContactBlocked(blocked)
        guest = Guest()
        db.session.add(guest)
        _apply(guest, data)
        db.session.flush()
        search_index.index_guest(guest)
        audit.record(actor, "guest_create", guest.id)
    return guest


def get_guest(guest_id: int) -> Guest:
    """Load a guest or raise GuestNotFound (not audited: use ``view_guest`` for people looking)."""
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id)
    return guest


def view_guest(guest_id: int, actor: Actor, context: str = "") -> Guest:
    """Load a guest for someone to look at, and record that they did."""
    guest = get_guest(guest_id)
    audit.record_now(actor, "guest_view", guest_id, context)
    return guest


def update_guest(guest_id: int, patch: GuestPatch, actor: Actor) -> Guest:
    """Apply a change made against ``patch.version``; a stale version raises VersionConflict and writes nothing.

    Floor staff may not change contact details, nor a birthday or anniversary on file (ContactNotAllowed,
    nothing written); they may add a birthday or anniversary the guest has not given before.
    """
    check_contact_change(patch.model_fields_set, actor.role)
    with write_transaction():
        guest = db.session.get(Guest, guest_id)
        if guest is None:
            raise GuestNotFound(guest_id)
        check_occasion_change(guest, patch.model_fields_set, actor.role)
        if guest.version != patch.version:
            raise VersionConflict(get_guest(guest_id))
        _check_erased_contacts(guest, patch, actor)
        changed = _apply(guest, patch)
        if changed:
            guest.updated_at = utcnow()  # also bumps the version, even when only allergies changed
            db.session.flush()
            search_index.index_guest(guest)
            audit.record(actor, "guest_edit", guest.id, "changed: " + ", ".join(changed))
    return guest


def _check_erased_contacts(guest: Guest, patch: GuestPatch, actor: Actor) -> None:
    """A new e-mail or phone that belonged to an erased guest raises ErasedContactBlocked (admins may set it)."""
    from guestbook.guests.erased import is_erased_contact

    if role_at_least(actor.role, "admin"):
        return
    sent = patch.model_fields_set
    email = patch.email if "email" in sent and patch.email and patch.email != guest.email else None
    phone = patch.phone if "phone" in sent and patch.phone and digits_of(patch.phone) != guest.phone_digits else None
    blocked = is_erased_contact(email, phone)
    if blocked is not None:
        raise ErasedContactBlocked(blocked)


def partial_date(guest: Guest, kind: str) -> PartialDate | None:
    """A guest's birthday or anniversary as a PartialDate."""
    month, day = getattr(guest, f"{kind}_month"), getattr(guest, f"{kind}_day")
    if not month or not day:
        return None
    return PartialDate(month=month, day=day, year=getattr(guest, f"{kind}_year"))


def mask_email(email: str | None) -> str | None:
    """``j•••@example.com``: enough to confirm, not enough to copy."""
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}•••@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """Only the last four digits of a phone number: the same digits a masked role can search by."""
    digits = digits_of(phone)
    if not digits:
        return None
    return "••• " + digits[-4:]


def can_see_contact(role: str) -> bool:
    """Floor staff see masked contact details; concierge and above see them in full."""
    return role_at_least(role, "concierge")


def guest_to_dict(guest: Guest, role: str, *, panels: bool = True) -> dict[str, Any]:
    """The guest as JSON for the API, with contact details masked for the floor role.

    ``panels=False`` leaves out what the card page's own panels load (the photo flag and the higher
    domains' extras: segment, relations), so the card does not read them twice.
    """
    full = can_see_contact(role)
    birthday = partial_date(guest, "birthday")
    anniversary = partial_date(guest, "anniversary")
    if birthday and not full:
        birthday = PartialDate(month=birthday.month, day=birthday.day)
    return {
        "id": guest.id,
        "version": guest.version,
        "given_name": guest.given_name,
        "family_name": guest.family_name,
        "full_name": guest.full_name,
        "preferred_name": guest.preferred_name,
        "pronunciation": guest.pronunciation,
        "salutation": guest.salutation,
        "language": guest.language,
        "email": guest.email if full else mask_email(guest.email),
        "phone": guest.phone if full else mask_phone(guest.phone),
        "address": {key: getattr(guest, f"address_{key}") for key in ADDRESS_FIELDS} if full else None,
        "birthday": birthday.iso() if birthday else None,
        "anniversary": anniversary.iso() if anniversary else None,
        "company": guest.company,
        "vip_level": guest.vip_level,
        "marketing_consent": guest.marketing_consent,
        "do_not_contact": guest.do_not_contact,
        "notes": guest.notes,
        "allergies": [{"allergen": a.allergen, "severity": a.severity, "note": a.note} for a in guest.allergies],
        "visit_count": guest.visit_count,
        "last_visit_at": guest.last_visit_at.isoformat() if guest.last_visit_at else None,
        "created_at": guest.created_at.isoformat(),
        "updated_at": guest.updated_at.isoformat(),
        "contact_masked": not full,
        "tags": [t.name for t in guest.tags],
        "history": history.history_for(guest.id, role),
        **(
            {"has_photo": photos.photo_state(guest.id).has_photo, **extras.guest_extras(guest.id, role)}
            if panels
            else {}
        ),
    }
