"""Erasure (GDPR art. 17, Thai PDPA): a guest anonymised in one write transaction, and the database compacted.

What goes: every name, contact, address, date, note and free text of the guest, in the guest row and in
what hangs off it (allergies, preferences, notes, tags, photo, suggestions, letters' text, reservations'
notes, visits' notes and tables, import row digests, duplicate pairs, merge snapshots), the guest's search
entries and the typo vocabulary no other guest uses, and every archived briefing PDF that listed them
(re-rendered in place). What stays, for statistics: the visits (outlet, date, party, items, spend), the
visit count and the reservations' dates. The guest row stays too, with ``erased_at`` set and a neutral
name (``Erased guest #<id>``), so ids in the audit trail and other tables still resolve.

Rows in any other table with a foreign key to the guest (a domain added later included) are deleted;
only ``KEPT_TABLES`` keep theirs. The contacts' keyed hashes are remembered (``guests.erased``), so an
import or a new profile with the same e-mail or phone is refused unless an admin overrides.

Deleted and overwritten values stay in the database file's free pages (and the WAL) until
``compact_database()`` runs: the ``erase`` and ``retention`` commands call it at once; after an erasure
from the API or a screen (where a VACUUM would hold up the request) the nightly retention job does, at
03:15, before the nightly backup.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, delete, exists, or_, select, text, update

from guestbook import audit
from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.data.models import DuplicatePair, Erasure, GuestMerge, GuestSourceRef, NotDuplicate
from guestbook.db import write_transaction
from guestbook.extensions import Base, db
from guestbook.guests import erased, search_index
from guestbook.guests.models import (
    Allergy,
    ContactSuggestion,
    Guest,
    GuestNote,
    GuestPhoto,
    Preference,
    Visit,
    guest_tag,
)
from guestbook.guests.search_models import GuestSearchKey, GuestToken, SearchVocabVariant
from guestbook.guests.search_tokens import fuzzy_eligible, guest_tokens
from guestbook.letters.models import GuestAddressFlag, Letter, LetterBatch
from guestbook.models.base import utcnow
from guestbook.reservations.models import PossibleMatch, Reservation

log = logging.getLogger(__name__)

ERASURE_KINDS = ("request", "retention")
MAX_REASON = 500
# Letters not yet in the post: an erasure stops them (status "skipped", reason "erased").
PENDING_LETTER_STATUSES = ("drafted", "approved", "printed")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class GuestNotFound(LookupError):
    """No guest has this id."""


class AlreadyErased(Exception):
    """The guest was erased before: nothing is done twice."""

    def __init__(self, guest_id: int, erased_at: Any) -> None:
        super().__init__(f"guest {guest_id} was already erased")
        self.guest_id = guest_id
        self.erased_at = erased_at


class BadReason(ValueError):
    """The reason is missing, too long or holds control characters."""


def erased_label(guest_id: int) -> str:
    """The neutral name an erased guest keeps (no personal data; the UI shows a translated label instead)."""
    return f"Erased guest #{guest_id}"


def check_reason(reason: str | None) -> str:
    """The reason, trimmed; BadReason when blank, over MAX_REASON characters or holding control characters."""
    value = (reason or "").strip()
    if not value:
        raise BadReason("required")
    if len(value) > MAX_REASON:
        raise BadReason(f"at most {MAX_REASON} characters")
    bad = _CONTROL.search(value)
    if bad is not None:
        raise BadReason(f"control characters are not allowed (U+{ord(bad.group()):04X})")
    return value


def erase_guest(guest_id: int, reason: str, actor: Actor, kind: str = "request") -> Erasure:
    """Anonymise one guest (see the module docstring) and record the erasure; all or nothing.

    Raises GuestNotFound, AlreadyErased or BadReason. The reason is kept only in ``Erasure.reason``
    (it may name the guest); the audit event says which erasure, never why.
    """
    if kind not in ERASURE_KINDS:
        raise ValueError(kind)
    reason = check_reason(reason)
    with write_transaction():
        guest = db.session.get(Guest, guest_id)
        if guest is None:
            raise GuestNotFound(guest_id)
        if guest.erased_at is not None:
            raise AlreadyErased(guest_id, guest.erased_at)
        erased.remember_erased(guest.email, guest.phone)
        tokens = _search_tokens(guest)
        archives = _affected_archives(guest_id)
        _erase_related(guest_id)
        _delete_other_rows(guest_id)
        _blank_guest(guest)
        _drop_search_entries(guest_id, tokens)
        db.session.flush()
        _rerender_archived_briefings(archives)
        erasure = Erasure(guest_id=guest_id, kind=kind, reason=reason, erased_by=actor.label, erased_at=guest.erased_at)
        db.session.add(erasure)
        db.session.flush()
        audit.record(actor, "guest_erase", guest_id, f"erasure {erasure.id} ({kind})")
    return erasure


def _blank_guest(guest: Guest) -> None:
    """The guest row without personal data: counts and dates of visits stay."""
    for name in (
        "given_name",
        "family_name",
        "pronunciation",
        "salutation",
        "company",
        "notes",
        "address_line1",
        "address_line2",
        "address_city",
        "address_region",
        "address_postal_code",
        "address_country",
    ):
        setattr(guest, name, "")
    for name in (
        "email",
        "phone",
        "phone_digits",
        "birthday_month",
        "birthday_day",
        "birthday_year",
        "anniversary_month",
        "anniversary_day",
        "anniversary_year",
    ):
        setattr(guest, name, None)
    guest.preferred_name = erased_label(guest.id)
    guest.language = "en"
    guest.vip_level = 0
    guest.marketing_consent = False
    guest.do_not_contact = True
    guest.erased_at = utcnow()
    guest.updated_at = guest.erased_at


def _erase_related(guest_id: int) -> None:
    """Delete what only describes the guest; blank the free text of what is kept for statistics."""
    session = db.session
    for model in (Allergy, Preference, GuestNote, ContactSuggestion, GuestPhoto, GuestAddressFlag):
        session.execute(delete(model).where(model.guest_id == guest_id))
    # The outside system's id stays (the importer then skips the row: "the guest was erased"), so an import
    # of an old file does not bring back a guest it has no e-mail or phone for; the row's digest goes.
    session.execute(update(GuestSourceRef).where(GuestSourceRef.guest_id == guest_id).values(row_digest=""))
    session.execute(delete(guest_tag).where(guest_tag.c.guest_id == guest_id))
    session.execute(
        delete(PossibleMatch).where(
            or_(PossibleMatch.new_guest_id == guest_id, PossibleMatch.candidate_guest_id == guest_id)
        )
    )
    for pair in (DuplicatePair, NotDuplicate):
        session.execute(delete(pair).where(or_(pair.guest_low_id == guest_id, pair.guest_high_id == guest_id)))
    # A merge's snapshots are full copies of both profiles: without them the merge can no longer be undone.
    session.execute(
        update(GuestMerge)
        .where(or_(GuestMerge.keep_id == guest_id, GuestMerge.other_id == guest_id))
        .values(keep_before={"erased": True}, other_before={"erased": True})
    )
    session.execute(
        update(Visit)
        .where(Visit.guest_id == guest_id)
        .values(notes="", table="", served_by_name="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Reservation)
        .where(Reservation.guest_id == guest_id)
        .values(notes="", occasion="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Letter)
        .where(Letter.guest_id == guest_id, Letter.status.in_(PENDING_LETTER_STATUSES))
        .values(status="skipped", skip_reason="erased")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Letter)
        .where(Letter.guest_id == guest_id)
        .values(subject="", greeting="", body="", sign_off="")
        .execution_options(synchronize_session=False)
    )
    # A batch keeps the letters it could not make, with the template's error message: drop this guest's.
    # The JSON text holds '"guest_id": <id>' (a prefix match: 12 also finds 120; the exact test is below).
    mention = cast(LetterBatch.skipped, Text).like(f'%"guest_id": {guest_id}%')
    for batch in session.scalars(select(LetterBatch).where(mention)):
        kept = [item for item in batch.skipped or [] if item.get("guest_id") != guest_id]
        if len(kept) != len(batch.skipped or []):
            batch.skipped = kept


# Tables that point at the guest and are kept (their free text blanked above): the rest lose the guest's rows.
KEPT_TABLES = frozenset({"guest", "visit", "reservation", "letter", "guest_source_ref"})


def _delete_other_rows(guest_id: int) -> list[str]:
    """Delete the guest's rows in every other table with a foreign key to ``guest`` (a domain added later
    included: segments' overrides, relationships…); returns the tables that had a key to the guest."""
    touched: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name in KEPT_TABLES:
            continue
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table.name == "guest"]
        if columns:
            db.session.execute(delete(table).where(or_(*(column == guest_id for column in columns))))
            touched.append(table.name)
    return touched


def _search_tokens(guest: Guest) -> set[str]:
    """Every search token the guest has now (stored and recomputed), before the row is blanked."""
    tokens = set(guest_tokens(guest))
    stored = db.session.scalar(select(GuestSearchKey.tokens).where(GuestSearchKey.guest_id == guest.id))
    if stored:
        tokens.update(stored.split())
    return tokens


def _drop_search_entries(guest_id: int, tokens: set[str]) -> None:
    """Remove the guest from the search index, and the typo vocabulary of words no other guest has."""
    search_index.remove_guest(guest_id)
    eligible = sorted(t for t in tokens if fuzzy_eligible(t))
    for start in range(0, len(eligible), 500):
        chunk = eligible[start : start + 500]
        shared = set(
            db.session.scalars(
                select(GuestToken.token).where(GuestToken.token.in_(chunk), GuestToken.guest_id != guest_id).distinct()
            )
        )
        orphans = [t for t in chunk if t not in shared]
        if orphans:
            db.session.execute(delete(SearchVocabVariant).where(SearchVocabVariant.token.in_(orphans)))


def _affected_archives(guest_id: int) -> list[int]:
    """Ids of the archived briefings that may list the guest (call before their rows are deleted).

    From the audit trail (each archived arrival is recorded with its date, outlet and version), and, for
    sheets that show a guest without an event of their own (a possible match's candidate), by the date and
    outlet of each booking that is theirs or names them as a candidate.
    """
    from guestbook.admin.models import Outlet
    from guestbook.briefing.models import BriefingArchive

    ids: set[int] = set()
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.guest_id == guest_id, AuditEvent.action == "briefing_archive")
    )
    for detail in details:
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\S+) v(\d+)", detail or "")
        if match:
            found = db.session.scalar(
                select(BriefingArchive.id).where(
                    BriefingArchive.briefing_date == date.fromisoformat(match.group(1)),
                    BriefingArchive.outlet_code == ("" if match.group(2) == "all" else match.group(2)),
                    BriefingArchive.version == int(match.group(3)),
                )
            )
            if found is not None:
                ids.add(found)
    as_candidate = select(PossibleMatch.reservation_id).where(
        or_(PossibleMatch.candidate_guest_id == guest_id, PossibleMatch.new_guest_id == guest_id)
    )
    bookings = db.session.execute(
        select(Reservation.arrival_date, Outlet.code)
        .join(Outlet, Outlet.id == Reservation.outlet_id)
        .where(or_(Reservation.guest_id == guest_id, Reservation.id.in_(as_candidate)))
        .distinct()
    ).all()
    for day, code in bookings:
        ids.update(
            db.session.scalars(
                select(BriefingArchive.id).where(
                    BriefingArchive.briefing_date == day, BriefingArchive.outlet_code.in_([code, ""])
                )
            )
        )
    return sorted(ids)


def _rerender_archived_briefings(archive_ids: list[int]) -> int:
    """Re-render, in place, these archived briefings (the guest now anonymised); returns how many.

    A sheet that can no longer be built is dropped rather than kept with the guest's name in it.
    """
    import hashlib

    from guestbook.admin.locale import nightly_language
    from guestbook.briefing import archive as briefing_archive
    from guestbook.briefing.assembly import build_briefing
    from guestbook.briefing.models import BriefingArchive
    from guestbook.i18n import in_language

    done = 0
    for archive_id in archive_ids:
        row = db.session.get(BriefingArchive, archive_id)
        if row is None:
            continue
        try:
            with in_language(nightly_language()):
                briefing = build_briefing(
                    row.briefing_date,
                    row.outlet_code or None,
                    None,
                    briefing_archive.PRINT_ROLE,
                    spend_role=briefing_archive.PRINT_SPEND_ROLE,
                )
                pdf = briefing_archive.render_pdf(briefing)
        except Exception:  # any failure: the sheet must not keep the name, so it goes
            log.exception("archived briefing %s could not be re-rendered: dropped", archive_id)
            db.session.delete(row)
            done += 1
            continue
        row.pdf = pdf
        row.size = len(pdf)
        row.checksum = hashlib.sha256(pdf).hexdigest()
        row.arrivals_count = briefing.summary.arrivals
        done += 1
    return done


def erasures_for(guest_id: int) -> list[Erasure]:
    """The record of a guest's erasures (who, when, why), newest first."""
    return list(db.session.scalars(select(Erasure).where(Erasure.guest_id == guest_id).order_by(Erasure.id.desc())))


def is_erased(guest_id: int) -> bool:
    """Whether the guest was erased."""
    return bool(db.session.scalar(select(exists().where(Guest.id == guest_id, Guest.erased_at.is_not(None)))))


def compact_database() -> dict[str, Any]:
    """Rewrite the database so deleted rows leave no bytes behind; returns what was done.

    SQLite: merge the FTS5 phone index (its segments keep deleted terms until merged), VACUUM, and
    checkpoint the WAL with TRUNCATE (the WAL file still holds the old pages until then). PostgreSQL:
    ``VACUUM`` (marks the dead rows' space free; their bytes stay until reused — ``VACUUM FULL``, which locks
    each table while it rewrites it, removes them at once). Call it outside any open transaction.
    """
    db.session.remove()
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("INSERT INTO guest_phone_fts(guest_phone_fts) VALUES('optimize')")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, wal_pages, _checkpointed = cursor.fetchone() or (0, 0, 0)
            cursor.close()
        finally:
            raw.close()
        return {"database": "sqlite", "vacuum": True, "wal_busy": bool(busy), "wal_pages": wal_pages}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM"))
    return {"database": engine.dialect.name, "vacuum": True}
