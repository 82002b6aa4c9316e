"""A guest's data export (GDPR art. 15, Thai PDPA): everything held about one guest, as plain JSON-able data.

Every column of the profile (contacts in full), and every row that hangs off the guest: allergies,
preferences, notes, tags, the photo consent (the photo's bytes are not exported, only that one is held),
visits, letters, reservations, contact suggestions, import references, possible duplicates, merges,
erasures, the access log, and the rows of any other table that points at the guest (``other``, by table:
another domain's figures or flags). Exporting is audited (``guest_export`` / ``guest_export_pdf``), with no
personal data in the event's detail.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.data import access_log
from guestbook.data.models import DuplicatePair, Erasure, GuestMerge, GuestSourceRef, NotDuplicate
from guestbook.extensions import Base, db
from guestbook.guests.models import (
    Allergy,
    ContactSuggestion,
    Guest,
    GuestNote,
    GuestPhoto,
    Preference,
    Visit,
)
from guestbook.letters.models import Letter
from guestbook.models.base import utcnow
from guestbook.reservations.models import PossibleMatch, Reservation

FORMAT_VERSION = 1
SECTIONS = (
    "profile",
    "allergies",
    "preferences",
    "notes",
    "tags",
    "photo",
    "visits",
    "letters",
    "reservations",
    "contact_suggestions",
    "source_refs",
    "possible_matches",
    "duplicate_pairs",
    "not_duplicates",
    "merges",
    "erasures",
    "access_log",
    "other",
)


class GuestNotFound(LookupError):
    """No guest has this id."""


def _value(value: Any) -> Any:
    """A column value as JSON: ISO dates and times, decimals as strings, bytes left out."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: Base, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every mapped column of ``obj`` by name (deferred ones too), except ``leave_out``."""
    table = obj.__table__
    return {
        column.key: _value(getattr(obj, column.key))
        for column in table.columns
        if column.key not in leave_out and hasattr(obj, column.key)
    }


def _all(model: Any, *where: Any, order: Any = None) -> list[Any]:
    query = select(model).where(*where)
    if order is not None:
        query = query.order_by(order)
    return list(db.session.scalars(query))


# Tables pointing at the guest that the sections above already show, or that only index the profile for search.
SHOWN_TABLES = frozenset(
    {
        "guest",
        "allergy",
        "preference",
        "guest_note",
        "guest_tag",
        "guest_photo",
        "visit",
        "letter",
        "reservation",
        "contact_suggestion",
        "guest_source_ref",
        "possible_match",
        "duplicate_pair",
        "not_duplicate",
        "guest_token",
        "guest_search_key",
    }
)


def _other_tables(guest_id: int) -> dict[str, list[dict[str, Any]]]:
    """Rows of every other table that point at the guest, or at such a row, by table.

    Another domain's figures and flags point at the guest directly (a complaint's ``guest_id``); their own
    details point at those rows (a complaint's follow-up notes at the complaint), and are the guest's data
    too. Tables come parents first, so one pass follows the chain to any depth.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SHOWN_TABLES:
            continue
        clauses = []
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if parent == "guest":
                clauses.append(fk.parent == guest_id)
            elif parent in found:
                ids = [row[fk.column.name] for row in found[parent]]
                clauses.append(fk.parent.in_(ids))
        if not clauses:
            continue
        rows = db.session.execute(select(table).where(or_(*clauses))).mappings()
        listed = [{key: _value(value) for key, value in row.items()} for row in rows]
        if listed:
            found[table.name] = listed
    return found


def _full_access_log(guest_id: int) -> list[dict[str, Any]]:
    """Every access-log entry of the guest, newest first (read page by page)."""
    out: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        page = access_log.entries_for_guest(guest_id, limit=access_log.MAX_LIMIT, before=before)
        out.extend(access_log.entry_to_dict(entry) for entry in page)
        if len(page) < access_log.MAX_LIMIT:
            return out
        before = page[-1].id


def collect_export(guest_id: int) -> dict[str, Any]:
    """Everything held about the guest (not audited: ``export_guest`` is the audited door)."""
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id)
    outlets = {o.id: o.code for o in db.session.scalars(select(Outlet))}
    photo = db.session.get(GuestPhoto, guest_id)
    visits = []
    for visit in _all(Visit, Visit.guest_id == guest_id, order=Visit.visited_at):
        item = _row(visit, ("guest_id",))
        item["outlet"] = outlets.get(visit.outlet_id, "")
        visits.append(item)
    reservations = []
    for booking in _all(Reservation, Reservation.guest_id == guest_id, order=Reservation.arrival_date):
        item = _row(booking, ("guest_id",))
        item["outlet"] = outlets.get(booking.outlet_id, "")
        reservations.append(item)
    preferences = []
    for preference in _all(Preference, Preference.guest_id == guest_id, order=Preference.id):
        item = _row(preference, ("guest_id",))
        item["outlet"] = outlets.get(preference.outlet_id, "") if preference.outlet_id else None
        preferences.append(item)
    merges = _all(GuestMerge, or_(GuestMerge.keep_id == guest_id, GuestMerge.other_id == guest_id), order=GuestMerge.id)
    return {
        "format_version": FORMAT_VERSION,
        "guest_id": guest_id,
        "exported_at": utcnow().isoformat(),
        "erased_at": guest.erased_at.isoformat() if guest.erased_at else None,
        "profile": _row(guest),
        "allergies": [_row(a, ("guest_id",)) for a in _all(Allergy, Allergy.guest_id == guest_id, order=Allergy.id)],
        "preferences": preferences,
        "notes": [_row(n, ("guest_id",)) for n in _all(GuestNote, GuestNote.guest_id == guest_id, order=GuestNote.id)],
        "tags": [{"name": t.name, "color": t.color} for t in guest.tags],
        "photo": {
            "consent": photo is not None,
            "consent_by": photo.consent_by if photo else None,
            "consent_at": _value(photo.consent_at) if photo else None,
            "has_photo": bool(photo is not None and photo.data),
            "mime": photo.mime if photo and photo.data else None,
            "width": photo.width if photo and photo.data else None,
            "height": photo.height if photo and photo.data else None,
            "uploaded_by": photo.uploaded_by if photo and photo.data else None,
            "uploaded_at": _value(photo.uploaded_at) if photo and photo.data else None,
        },
        "visits": visits,
        "letters": [
            _row(letter, ("guest_id",)) for letter in _all(Letter, Letter.guest_id == guest_id, order=Letter.id)
        ],
        "reservations": reservations,
        "contact_suggestions": [
            _row(s, ("guest_id",))
            for s in _all(ContactSuggestion, ContactSuggestion.guest_id == guest_id, order=ContactSuggestion.id)
        ],
        "source_refs": [
            _row(r, ("guest_id", "row_digest"))
            for r in _all(GuestSourceRef, GuestSourceRef.guest_id == guest_id, order=GuestSourceRef.source)
        ],
        "possible_matches": [
            _row(m)
            for m in _all(
                PossibleMatch,
                or_(PossibleMatch.new_guest_id == guest_id, PossibleMatch.candidate_guest_id == guest_id),
                order=PossibleMatch.id,
            )
        ],
        "duplicate_pairs": [
            {"guest_ids": [p.guest_low_id, p.guest_high_id], "score": p.score, "reasons": list(p.reasons or [])}
            for p in _all(
                DuplicatePair, or_(DuplicatePair.guest_low_id == guest_id, DuplicatePair.guest_high_id == guest_id)
            )
        ],
        "not_duplicates": [
            {
                "guest_ids": [p.guest_low_id, p.guest_high_id],
                "decided_by": p.decided_by,
                "decided_at": _value(p.decided_at),
            }
            for p in _all(
                NotDuplicate, or_(NotDuplicate.guest_low_id == guest_id, NotDuplicate.guest_high_id == guest_id)
            )
        ],
        # The merge's snapshots are copies of the profile above (or of the other guest): not repeated here.
        "merges": [_row(m, ("keep_before", "other_before", "moved")) for m in merges],
        "erasures": [_row(e, ("guest_id",)) for e in _all(Erasure, Erasure.guest_id == guest_id, order=Erasure.id)],
        "access_log": _full_access_log(guest_id),
        "other": _other_tables(guest_id),
    }


def export_guest(guest_id: int, actor: Actor) -> dict[str, Any]:
    """The guest's data export as a dict (JSON-ready), audited ``guest_export``. Raises GuestNotFound."""
    if db.session.get(Guest, guest_id) is None:
        raise GuestNotFound(guest_id)
    audit.record_now(actor, "guest_export", guest_id)
    return collect_export(guest_id)


def export_guest_pdf(guest_id: int, actor: Actor) -> bytes:
    """The guest's data export as a readable PDF, audited ``guest_export_pdf``. Raises GuestNotFound."""
    from flask import current_app

    from guestbook.admin.outlets import property_tz
    from guestbook.data.privacy_pdf import render_export

    if db.session.get(Guest, guest_id) is None:
        raise GuestNotFound(guest_id)
    audit.record_now(actor, "guest_export_pdf", guest_id)
    data = collect_export(guest_id)
    return render_export(data, paper=str(current_app.config.get("PAPER_SIZE", "A4")), tz=property_tz())
