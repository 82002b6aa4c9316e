"""The database side of imports: classify a batch of checked rows (created, updated, unchanged, skipped)
and, on the writing pass, write it with Core executemany statements.

New guests are inserted in bulk and indexed for search in bulk (``import_bulk``: the tokens ``index_guest`` writes);
a changed guest goes through ``profiles.update_guest`` (the ORM: its version goes up, it is re-indexed
and the edit audited). Visits are inserted or updated in bulk; the affected guests' visit counts, last
visit and search recency are recomputed at the end with set-based UPDATEs (as ``refresh_visit_stats``
and ``touch_recency`` do for one guest).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from typing import cast as typed

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from guestbook.actor import Actor
from guestbook.data.import_bulk import GUEST, VISIT, bulk_insert, index_new_guests, sqlite_time
from guestbook.data.import_rows import VisitValues, error_line, from_micros, stored_visit_values, visit_fingerprint
from guestbook.data.models import GuestSourceRef
from guestbook.extensions import db
from guestbook.guests import profiles
from guestbook.guests.erased import contact_digests
from guestbook.guests.ids import next_guest_id
from guestbook.guests.models import ErasedContact, Guest
from guestbook.guests.schemas import GuestPatch, PartialDate
from guestbook.guests.search_index import on_sqlite
from guestbook.i18n import gettext
from guestbook.models.base import utcnow

ValidRow = tuple[int, str, str, Any]  # as in imports: values are a dict (guests) or VisitValues
IMPORT_ACTOR = Actor.system("import")
REF = typed(Table, GuestSourceRef.__table__)


@dataclass
class BatchOutcome:
    """What one batch did (or would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    skipped_lines: list[str] = field(default_factory=list)


def row_digest(values: dict[str, Any]) -> str:
    """sha256 of a row's normalised values: the same row again is "unchanged" without reading the guest."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _erased_digests(batch: list[ValidRow]) -> tuple[dict[int, list[tuple[str, str]]], set[str]]:
    """Each row's contact digests, and which of all of them belong to erased guests (one query)."""
    if db.session.scalar(select(ErasedContact.digest).limit(1)) is None:
        return {}, set()  # nobody was ever erased: no keyed hashes to compute
    per_row = {n: contact_digests(values["email"], values["phone"]) for n, _sid, _g, values in batch}
    wanted = {digest for pairs in per_row.values() for _kind, digest in pairs}
    found = (
        set(db.session.scalars(select(ErasedContact.digest).where(ErasedContact.digest.in_(wanted))))
        if wanted
        else set()
    )
    return per_row, found


def guest_batch(
    source: str, batch: list[ValidRow], allow_erased: bool, write: bool, actor: Actor = IMPORT_ACTOR
) -> BatchOutcome:
    """Classify (and with ``write``, write) a batch of guest rows of ``source``; ``actor`` edits changed guests."""
    out = BatchOutcome()
    ids = [sid for _n, sid, _g, _v in batch]
    refs = {
        sid: (guest_id, digest, erased_at)
        for sid, guest_id, digest, erased_at in db.session.execute(
            select(GuestSourceRef.source_id, GuestSourceRef.guest_id, GuestSourceRef.row_digest, Guest.erased_at)
            .join(Guest, Guest.id == GuestSourceRef.guest_id)
            .where(GuestSourceRef.source == source, GuestSourceRef.source_id.in_(ids))
        )
    }
    per_row, erased = ({}, set()) if allow_erased else _erased_digests(batch)
    new: list[tuple[str, str, dict[str, Any]]] = []
    changed: list[tuple[int, str, str, dict[str, Any]]] = []
    for number, sid, _g, values in batch:
        # Pass 1 leaves the digest in the row it spools; pass 2 takes it back out before writing.
        digest = values.pop("_digest", None) or row_digest(values)
        if not write:
            values["_digest"] = digest
        ref = refs.get(sid)
        hit = next((kind for kind, d in per_row.get(number, []) if d in erased), None)
        if hit is not None:
            out.skipped += 1
            reason = (
                gettext("the email belongs to an erased guest")
                if hit == "email"
                else gettext("the phone belongs to an erased guest")
            )
            out.skipped_lines.append(f"row {number}: skipped: {reason}")
        elif ref is not None and ref[2] is not None and not allow_erased:
            out.skipped += 1
            out.skipped_lines.append(f"row {number}: skipped: {gettext('the guest was erased')}")
        elif ref is None or ref[2] is not None:
            out.created += 1
            new.append((sid, digest, values))
        elif ref[1] == digest:
            out.unchanged += 1
        else:
            out.updated += 1
            changed.append((ref[0], sid, digest, values))
    if write:
        _insert_guests(source, new, [sid for sid, _d, _v in new if sid in refs])
        for guest_id, _sid, _digest, values in changed:
            _update_guest(guest_id, values, actor)
        if changed:
            db.session.execute(
                update(REF)
                .where(REF.c.source == bindparam("b_source"))
                .where(REF.c.source_id == bindparam("b_sid"))
                .values(row_digest=bindparam("b_digest"), imported_at=bindparam("b_at")),
                [{"b_source": source, "b_sid": s, "b_digest": d, "b_at": utcnow()} for _g, s, d, _v in changed],
            )
    return out


def _insert_guests(source: str, new: list[tuple[str, str, dict[str, Any]]], repointed: list[str]) -> None:
    """Insert new guests, their source refs and their search entries, in bulk."""
    if not new:
        return
    now = utcnow()
    table = GUEST
    params = [
        {
            **values,
            "pronunciation": "",
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "visit_count": 0,
            "last_visit_at": None,
            "erased_at": None,
        }
        for _sid, _digest, values in new
    ]
    if on_sqlite():
        # SQLite answers RETURNING one row per statement: number the rows ourselves, under the write lock.
        first = next_guest_id(db.session.connection())  # never a merged-away guest's id
        ids = list(range(first, first + len(params)))
        bulk_insert(table, [{**row, "id": gid} for row, gid in zip(params, ids, strict=True)])
    else:
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(db.session.execute(returning, params).scalars())
    if repointed:  # an erased guest's id, re-created on an admin's say-so: the ref moves to the new guest
        db.session.execute(
            delete(GuestSourceRef).where(GuestSourceRef.source == source, GuestSourceRef.source_id.in_(repointed))
        )
    bulk_insert(
        REF,
        [
            {"source": source, "source_id": sid, "guest_id": gid, "row_digest": digest, "imported_at": now}
            for gid, (sid, digest, _v) in zip(ids, new, strict=True)
        ],
    )
    index_new_guests([(gid, values) for gid, (_sid, _d, values) in zip(ids, new, strict=True)])


def _partial_iso(values: dict[str, Any], kind: str) -> str | None:
    month, day, year = values[f"{kind}_month"], values[f"{kind}_day"], values[f"{kind}_year"]
    return PartialDate(month=month, day=day, year=year).iso() if month and day else None


def _update_guest(guest_id: int, values: dict[str, Any], actor: Actor) -> None:
    """Change a guest as a person editing it would: the ORM bumps its version, re-indexes and audits it."""
    guest = profiles.get_guest(guest_id)
    patch = GuestPatch.model_validate(
        {
            "version": guest.version,
            "given_name": values["given_name"],
            "family_name": values["family_name"],
            "preferred_name": values["preferred_name"],
            "salutation": values["salutation"],
            "language": values["language"],
            "email": values["email"],
            "phone": values["phone"],
            "address": {
                "line1": values["address_line1"],
                "line2": values["address_line2"],
                "city": values["address_city"],
                "region": values["address_region"],
                "postal_code": values["address_postal_code"],
                "country": values["address_country"],
            },
            "birthday": _partial_iso(values, "birthday"),
            "anniversary": _partial_iso(values, "anniversary"),
            "company": values["company"],
            "vip_level": values["vip_level"],
            "marketing_consent": values["marketing_consent"],
            "do_not_contact": values["do_not_contact"],
            "notes": values["notes"],
        }
    )
    profiles.update_guest(guest_id, patch, actor)


@dataclass
class VisitState:
    """A visits import's lookups: the source's guests (source id -> guest id), erased ones, and who changed."""

    source: str
    guests: dict[str, int]
    erased: set[int]
    affected: set[int] = field(default_factory=set)
    guest_header: str = "guest_source_id"  # the file's name for the column, for error lines
    # Whether the source has any visit yet: a first import need not look each batch's ids up (a visit
    # added by someone else between the passes still cannot be doubled: the unique key refuses it).
    has_visits: bool = True

    @classmethod
    def load(cls, source: str) -> VisitState:
        """The source's guests, read once (a compact map; visits are never held)."""
        guests: dict[str, int] = {}
        erased: set[int] = set()
        rows = db.session.execute(
            select(GuestSourceRef.source_id, GuestSourceRef.guest_id, Guest.erased_at)
            .join(Guest, Guest.id == GuestSourceRef.guest_id)
            .where(GuestSourceRef.source == source)
        )
        for sid, gid, erased_at in rows:
            guests[sid] = gid
            if erased_at is not None:
                erased.add(gid)
        has_visits = db.session.scalar(select(VISIT.c.id).where(VISIT.c.source == source).limit(1)) is not None
        return cls(source=source, guests=guests, erased=erased, has_visits=has_visits)


_VISIT_FIELDS = ("guest_id", "outlet_id", "visited_at", "table", "party_size", "items", "spend", "currency", "notes")


def visit_batch(source: str, batch: list[ValidRow], state: VisitState, write: bool) -> BatchOutcome:
    """Classify (and with ``write``, write) a batch of visit rows of ``source`` (values in compact form)."""
    out = BatchOutcome()
    ids = [sid for _n, sid, _g, _v in batch]
    existing = (
        {
            row.source_id: row
            for row in db.session.execute(
                select(VISIT.c.id, VISIT.c.source_id, *(VISIT.c[name] for name in _VISIT_FIELDS)).where(
                    VISIT.c.source == source, VISIT.c.source_id.in_(ids)
                )
            )
        }
        if state.has_visits
        else {}
    )
    new: list[tuple[int, str, VisitValues]] = []
    changed: list[tuple[int, int, VisitValues]] = []
    guests, erased, affected = state.guests, state.erased, state.affected
    for number, sid, guest_sid, values in batch:
        gid = guests.get(guest_sid)
        if gid is None:
            missing = gettext("no guest with this source id for this source")
            out.errors.append(error_line(number, state.guest_header, guest_sid, missing))
            continue
        if gid in erased:
            out.skipped += 1
            out.skipped_lines.append(f"row {number}: skipped: {gettext('the guest was erased')}")
            continue
        old = existing.get(sid) if existing else None
        if old is None:
            out.created += 1
            new.append((gid, sid, values))
            affected.add(gid)
        elif visit_fingerprint(stored_visit_values(old), old.guest_id) == visit_fingerprint(values, gid):
            out.unchanged += 1
        else:
            out.updated += 1
            changed.append((old.id, gid, values))
            affected.update((gid, old.guest_id))
    if write:
        _insert_visits(source, new)
        _update_visits(changed)
    return out


_EPOCH_NAIVE = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _insert_visits(source: str, rows: list[tuple[int, str, VisitValues]]) -> None:
    """Insert new visits; on SQLite straight from the compact form (a million rows: every step counts)."""
    if not rows:
        return
    now = utcnow()
    if not on_sqlite():
        bulk_insert(
            VISIT,
            [
                _visit_params(gid, values) | {"source": source, "source_id": sid, "created_at": now}
                for gid, sid, values in rows
            ],
        )
        return
    created = sqlite_time(now)
    params = [
        (
            gid,
            outlet_id,
            (_EPOCH_NAIVE + micros * _MICROSECOND).isoformat(" ", "microseconds"),
            party_size,
            table,
            json.dumps(list(items)) if items else "[]",
            spend,
            currency,
            notes,
            created,
            source,
            sid,
        )
        for gid, sid, (outlet_id, micros, table, party_size, items, spend, currency, notes) in rows
    ]
    db.session.connection().exec_driver_sql(
        'INSERT INTO visit (guest_id, outlet_id, visited_at, party_size, "table", items, spend, currency, '
        "served_by_id, served_by_name, notes, created_at, source, source_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, ?, ?)",
        params,
    )


def _visit_params(guest_id: int, values: VisitValues) -> dict[str, Any]:
    outlet_id, micros, table, party_size, items, spend, currency, notes = values
    return {
        "guest_id": guest_id,
        "outlet_id": outlet_id,
        "visited_at": from_micros(micros),
        "party_size": party_size,
        "table": table,
        "items": list(items),
        "spend": None if spend is None else Decimal(spend),
        "currency": currency,
        "served_by_id": None,
        "served_by_name": "",
        "notes": notes,
    }


def _update_visits(rows: list[tuple[int, int, VisitValues]]) -> None:
    """Change visits whose row in the file changed (few; one executemany)."""
    if not rows:
        return
    params = [
        {f"b_{k}": v for k, v in _visit_params(gid, values).items() if k in _VISIT_FIELDS} | {"b_id": visit_id}
        for visit_id, gid, values in rows
    ]
    db.session.execute(
        update(VISIT).where(VISIT.c.id == bindparam("b_id")).values({n: bindparam(f"b_{n}") for n in _VISIT_FIELDS}),
        params,
    )
