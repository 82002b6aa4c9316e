"""Merging two guest profiles into one, and undoing a merge exactly.

A merge moves every row of the other guest onto the survivor (every table with a foreign key to
guest.id, so later domains are covered without code here), deletes the other guest's row and leaves a
tombstone (``MergedGuest``): reading the other id answers "merged into <keep id>" and nothing else in
the app has to filter merged guests. ``GuestMerge`` keeps both guests as they were and what moved, so
``undo_merge`` puts the other guest back under its own id and both exactly as they were.

Field rules (``fields``: guest field -> "keep" | "other"; a field not named):
- takes the other's value when the survivor's is empty (no e-mail, no birthday, no address, VIP 0, …);
- ``notes``: both guests' notes, the survivor's first, when both have different notes (nothing is lost
  unless a person chooses "keep" or "other" explicitly);
- ``do_not_contact``: set when either guest asked not to be contacted (the safe side);
- ``marketing_consent``: the survivor's (consent is never widened without a person choosing it).
Allergies are always the union (identical duplicates are dropped); tags the union; the survivor's
photo wins when both have one. Duplicate-pair suggestions about the other guest are dropped. When both
guests have a letter for one period, both are kept: the moved letter's key gets a suffix (restored by
the undo). Audit rows are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.data import merge_moves as moves
from guestbook.data import merge_rows as rows
from guestbook.data.models import GuestMerge, MergedGuest
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import search_index
from guestbook.guests.models import Guest
from guestbook.guests.profiles import ADDRESS_FIELDS
from guestbook.guests.visits import refresh_visit_stats
from guestbook.models.base import utcnow

# The guest JSON's field names -> the columns each one stands for.
GUEST_FIELDS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name",),
    "family_name": ("family_name",),
    "preferred_name": ("preferred_name",),
    "pronunciation": ("pronunciation",),
    "salutation": ("salutation",),
    "language": ("language",),
    "email": ("email",),
    "phone": ("phone", "phone_digits"),
    "address": tuple(f"address_{key}" for key in ADDRESS_FIELDS),
    "birthday": ("birthday_month", "birthday_day", "birthday_year"),
    "anniversary": ("anniversary_month", "anniversary_day", "anniversary_year"),
    "company": ("company",),
    "vip_level": ("vip_level",),
    "marketing_consent": ("marketing_consent",),
    "do_not_contact": ("do_not_contact",),
    "notes": ("notes",),
}
CHOICES = ("keep", "other")
# Columns an undo does not copy back onto the survivor: its identity, its lock, and what is recomputed.
NOT_RESTORED = frozenset({"id", "version", "updated_at", "visit_count", "last_visit_at"})
MAX_CHAIN = 100  # merged_into() gives up after this many hops (a cycle cannot happen, but never loop)


class MergeError(Exception):
    """A merge or an undo that cannot be done; ``status`` is the HTTP status the API answers with."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldChoiceError(MergeError):
    """A field choice names an unknown field or an unknown value (``field`` names it)."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SameGuest(MergeError):
    """A guest cannot be merged into itself."""

    status = 422


class GuestNotFound(MergeError):
    """No guest with this id (``merged_into`` says where it went when it was merged away)."""

    status = 404

    def __init__(self, guest_id: int, merged_into: int | None) -> None:
        super().__init__(f"no guest with id {guest_id}")
        self.guest_id = guest_id
        self.merged_into = merged_into


class MergeNotFound(MergeError):
    """No merge with this id."""

    status = 404


@dataclass(frozen=True)
class AddedRow:
    """A row added to the survivor after the merge: it stays with the survivor; a person reviews it."""

    table: str
    id: Any
    summary: str


@dataclass(frozen=True)
class UndoResult:
    """An undone merge, both guests as they are now, and what was added to the survivor since the merge."""

    merge: GuestMerge
    keep: Guest
    other: Guest
    added_since: list[AddedRow]


def check_fields(fields: dict[str, Any]) -> dict[str, str]:
    """The field choices, or FieldChoiceError naming the first unknown field or value."""
    for name, value in fields.items():
        if name not in GUEST_FIELDS:
            raise FieldChoiceError(f"fields.{name}", "unknown field")
        if value not in CHOICES:
            raise FieldChoiceError(f"fields.{name}", "one of keep, other")
    return dict(fields)


def merged_into(guest_id: int) -> int | None:
    """The guest a merged-away id lives on in now (following merges of merges), or None."""
    current, found = guest_id, None
    for _ in range(MAX_CHAIN):
        target = db.session.scalar(select(MergedGuest.merged_into_id).where(MergedGuest.guest_id == current))
        if target is None or target == guest_id:
            break
        found = current = target
        if db.session.get(Guest, current) is not None:
            break
    return found


def get_guest(guest_id: int) -> Guest:
    """A guest, or GuestNotFound (saying where it went when it was merged away)."""
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id, merged_into(guest_id))
    return guest


_guest = get_guest


def _is_empty(guest: Guest, columns: tuple[str, ...]) -> bool:
    return all(getattr(guest, c) in (None, "", 0) for c in columns)


def _effective_choices(keep: Guest, other: Guest, chosen: dict[str, str]) -> dict[str, str]:
    """Every field's choice: the person's, else the rules in the module docstring ("both" for notes)."""
    effective: dict[str, str] = {}
    for name, columns in GUEST_FIELDS.items():
        choice = chosen.get(name)
        if choice is None:
            if name == "notes":
                mine, theirs = keep.notes.strip(), other.notes.strip()
                choice = "both" if mine and theirs and mine != theirs else ("other" if theirs and not mine else "keep")
            elif name == "marketing_consent":
                choice = "keep"
            elif name == "do_not_contact":
                choice = "other" if other.do_not_contact and not keep.do_not_contact else "keep"
            else:
                choice = "other" if _is_empty(keep, columns) and not _is_empty(other, columns) else "keep"
        effective[name] = choice
    return effective


def default_choices(keep: Guest, other: Guest) -> dict[str, str]:
    """What each field takes when nobody chooses (the merge screen preselects it; notes may be "both")."""
    return _effective_choices(keep, other, {})


def _apply_choices(keep: Guest, other: Guest, effective: dict[str, str]) -> None:
    for name, choice in effective.items():
        if choice == "other":
            for column in GUEST_FIELDS[name]:
                setattr(keep, column, getattr(other, column))
        elif choice == "both":
            keep.notes = f"{keep.notes.rstrip()}\n\n{other.notes.strip()}"


def merge_guests(keep_id: int, other_id: int, fields: dict[str, Any], actor: Actor) -> GuestMerge:
    """Merge ``other_id`` into ``keep_id`` (see the module docstring); the survivor's version goes up.

    Raises FieldChoiceError (422), SameGuest (422), GuestNotFound (404) or MergeError (409: an erased guest).
    """
    chosen = check_fields(fields)
    if keep_id == other_id:
        raise SameGuest("a guest cannot be merged into itself")
    with write_transaction():
        keep, other = _guest(keep_id), _guest(other_id)
        if keep.erased_at is not None or other.erased_at is not None:
            raise MergeError("an erased guest cannot be merged")
        db.session.flush()
        merge = GuestMerge(keep_id=keep_id, other_id=other_id, merged_by=actor.label)
        merge.keep_before = moves.snapshot(keep_id)
        merge.other_before = moves.snapshot(other_id)
        db.session.add(merge)
        db.session.flush()
        effective = _effective_choices(keep, other, chosen)
        merge.fields = effective
        _apply_choices(keep, other, effective)
        keep.updated_at = utcnow()  # bumps the version even when no field changed: the profile did
        db.session.flush()
        search_index.remove_guest(other_id)
        moved: dict[str, Any] = {}
        for link in rows.guest_links():
            if link.table.name not in rows.SEARCH_TABLES:
                moves.move_link(link, keep_id, other_id, merge.id, moved)
        # Dropped rows are whole copies (a photo, an allergy): kept with the other's snapshot, which an
        # erasure clears, rather than with the ids in ``moved``.
        merge.other_before = {**merge.other_before, "dropped": moved.pop("_dropped", [])}
        merge.moved = moved
        db.session.expunge(other)
        db.session.execute(delete(rows.guest_table()).where(rows.guest_table().c.id == other_id))
        db.session.execute(delete(MergedGuest).where(MergedGuest.guest_id == other_id))
        db.session.add(MergedGuest(guest_id=other_id, merged_into_id=keep_id, merge_id=merge.id))
        db.session.flush()
        db.session.expire_all()
        refresh_visit_stats(keep_id)
        search_index.index_guest(_guest(keep_id))
        detail = f"merge={merge.id} keep={keep_id} other={other_id}"
        audit.record(actor, "guest_merge", keep_id, detail)
        audit.record(actor, "guest_merge", other_id, detail)
    return merge


def _added_since(merge: GuestMerge) -> list[AddedRow]:
    owned = merge.keep_before.get("owned", {})
    added: list[AddedRow] = []
    for link in rows.guest_links():
        if link.table.name in rows.SEARCH_TABLES or link.table.name in rows.DROP_TABLES:
            continue
        known = {rows.pk_tuple(pk) for pk in [*owned.get(link.key, []), *merge.moved.get(link.key, [])]}
        for row in rows.rows_of(link, merge.keep_id):
            pk = rows.pk_of(link.table, row)
            if rows.pk_tuple(pk) not in known:
                added.append(
                    AddedRow(link.table.name, rows.pk_display(link.table, pk), moves.summary(link.table.name, row))
                )
    return added


def undo_merge(merge_id: int, actor: Actor) -> UndoResult:
    """Undo a merge: the other guest comes back under its own id, both exactly as they were before it.

    Rows added to the survivor since the merge stay with it and are listed (``added_since``) for review.
    Raises MergeNotFound (404) or MergeError (409: already undone, the survivor merged away or gone,
    the other's id taken by a new guest).
    """
    with write_transaction():
        merge = db.session.get(GuestMerge, merge_id)
        if merge is None:
            raise MergeNotFound(f"no merge with id {merge_id}")
        if merge.undone_at is not None:
            raise MergeError(f"merge {merge_id} was already undone")
        keep = db.session.get(Guest, merge.keep_id)
        if keep is None:
            later = merged_into(merge.keep_id)
            if later is not None:
                raise MergeError(f"guest {merge.keep_id} was merged into guest {later} since: undo that merge first")
            raise MergeError(f"guest {merge.keep_id} no longer exists: the merge cannot be undone")
        if keep.erased_at is not None or "guest" not in merge.keep_before or "guest" not in merge.other_before:
            raise MergeError(f"a guest of merge {merge_id} was erased since: the merge cannot be undone")
        later = db.session.scalar(
            select(GuestMerge.id)
            .where(GuestMerge.keep_id == merge.keep_id, GuestMerge.id > merge.id, GuestMerge.undone_at.is_(None))
            .order_by(GuestMerge.id.desc())
            .limit(1)
        )
        if later is not None:
            raise MergeError(f"guest {merge.keep_id} took part in merge {later} since: undo that merge first")
        if db.session.get(Guest, merge.other_id) is not None:
            raise MergeError(
                f"the id {merge.other_id} now belongs to another guest: the merged guest cannot get it back"
            )
        db.session.flush()
        added = _added_since(merge)
        guest_row = rows.decode_row(merge.other_before["guest"])
        db.session.execute(insert(rows.guest_table()).values(**guest_row))
        db.session.execute(delete(MergedGuest).where(MergedGuest.guest_id == merge.other_id))
        moves.move_back(merge)
        moves.restore_profile_rows(merge)
        before = rows.decode_row(merge.keep_before["guest"])
        db.session.expire_all()
        keep = _guest(merge.keep_id)
        for column in rows.guest_table().columns:
            if column.name not in NOT_RESTORED:
                prop = Guest.__mapper__.get_property_by_column(column)
                setattr(keep, prop.key, before[column.name])
        keep.updated_at = utcnow()
        merge.undone_at = utcnow()
        merge.undone_by = actor.label
        db.session.flush()
        for guest_id in (merge.keep_id, merge.other_id):
            refresh_visit_stats(guest_id)
        db.session.expire_all()
        keep, other = _guest(merge.keep_id), _guest(merge.other_id)
        search_index.index_guest(keep)
        search_index.index_guest(other)
        detail = f"merge={merge.id} keep={merge.keep_id} other={merge.other_id} added_since={len(added)}"
        audit.record(actor, "guest_merge_undo", merge.keep_id, detail)
        audit.record(actor, "guest_merge_undo", merge.other_id, detail)
    return UndoResult(merge, keep, other, added)


def get_merge(merge_id: int) -> GuestMerge:
    """One merge, or MergeNotFound."""
    merge = db.session.get(GuestMerge, merge_id)
    if merge is None:
        raise MergeNotFound(f"no merge with id {merge_id}")
    return merge


def list_merges(limit: int = 100, guest_id: int | None = None) -> list[GuestMerge]:
    """Merges, newest first; only those involving ``guest_id`` when given."""
    stmt = select(GuestMerge).order_by(GuestMerge.id.desc()).limit(limit)
    if guest_id is not None:
        stmt = stmt.where((GuestMerge.keep_id == guest_id) | (GuestMerge.other_id == guest_id))
    return list(db.session.scalars(stmt))


def active_merges_into(guest_id: int) -> list[GuestMerge]:
    """Merges into ``guest_id`` not undone, newest first (the card offers Undo for them)."""
    stmt = (
        select(GuestMerge)
        .where(GuestMerge.keep_id == guest_id, GuestMerge.undone_at.is_(None))
        .order_by(GuestMerge.id.desc())
    )
    return list(db.session.scalars(stmt))


def merge_to_dict(merge: GuestMerge) -> dict[str, Any]:
    """A merge as JSON (ids, choices, who and when; no personal data)."""
    return {
        "id": merge.id,
        "keep_id": merge.keep_id,
        "other_id": merge.other_id,
        "fields": dict(merge.fields or {}),
        "merged_by": merge.merged_by,
        "merged_at": merge.merged_at.isoformat(),
        "undone_by": merge.undone_by or None,
        "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
    }


def added_to_dict(row: AddedRow) -> dict[str, Any]:
    """A row added since the merge as JSON."""
    return {"table": row.table, "id": row.id, "summary": row.summary}
