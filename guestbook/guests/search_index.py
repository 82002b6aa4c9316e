"""Guest search, the writing side: every guest write (re)stores the guest's search entries.

Tokens go to ``guest_token`` (ordered by token, then most recent visit), the whole token list and
name forms to ``guest_search_key``, one-letter deletions of fuzzy-eligible tokens to the vocabulary,
and phone digits to the FTS5 trigram table on SQLite. ``guestbook.guests.search`` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, text, update

from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.guests.search_models import GuestSearchKey, GuestToken, SearchVocabVariant
from guestbook.guests.search_tokens import deletions, fuzzy_eligible, guest_tokens, index_tokens, name_forms


def on_sqlite() -> bool:
    """Whether the session's database is SQLite (which has the FTS5 phone table)."""
    return db.session.get_bind().dialect.name == "sqlite"


def recency_key(last_visit_at: datetime | None) -> int:
    """The token index's order for a guest: minus the last visit's epoch seconds (0 for a guest never seen)."""
    return -int(last_visit_at.timestamp()) if last_visit_at else 0


def _recency(guest: Guest) -> int:
    return recency_key(guest.last_visit_at)


def index_guest(guest: Guest) -> None:
    """(Re)write a guest's search entries in the current transaction; call on every guest write."""
    remove_guest(guest.id)
    tokens = guest_tokens(guest)
    rec = _recency(guest)
    scanned = index_tokens(tokens)
    if scanned:
        db.session.execute(insert(GuestToken), [{"token": t, "recency": rec, "guest_id": guest.id} for t in scanned])
    db.session.execute(
        insert(GuestSearchKey),
        [
            {
                "guest_id": guest.id,
                "tokens": " ".join(sorted(tokens)),
                "name_forms": "|".join(sorted(name_forms(guest))),
                "phone_digits": guest.phone_digits or "",
            }
        ],
    )
    _add_vocab(t for t in tokens if fuzzy_eligible(t))
    if guest.phone_digits and on_sqlite():
        db.session.execute(
            text("INSERT INTO guest_phone_fts(rowid, digits) VALUES (:id, :digits)"),
            {"id": guest.id, "digits": guest.phone_digits},
        )


def remove_guest(guest_id: int) -> None:
    """Drop a guest's search entries (before re-indexing, or when a guest is erased)."""
    db.session.execute(delete(GuestToken).where(GuestToken.guest_id == guest_id))
    db.session.execute(delete(GuestSearchKey).where(GuestSearchKey.guest_id == guest_id))
    if on_sqlite():
        db.session.execute(text("DELETE FROM guest_phone_fts WHERE rowid = :id"), {"id": guest_id})


def touch_recency(guest: Guest) -> None:
    """Re-order a guest's tokens after a visit so recent guests come first."""
    db.session.execute(update(GuestToken).where(GuestToken.guest_id == guest.id).values(recency=_recency(guest)))


def _add_vocab(tokens: Iterable[str]) -> None:
    rows = [{"variant": v, "token": t} for t in set(tokens) for v in deletions(t)]
    if not rows:
        return
    stmt = insert(SearchVocabVariant).prefix_with("OR IGNORE") if on_sqlite() else None
    if stmt is not None:
        db.session.execute(stmt, rows)
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(SearchVocabVariant).on_conflict_do_nothing(), rows)
