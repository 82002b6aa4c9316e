"""write_transaction(): one write transaction that commits or rolls back, and joins an open one when nested."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from guestbook import audit
from guestbook.audit import AuditEvent
from guestbook.db import WRITE_DEPTH, rows, write_transaction
from guestbook.extensions import db
from guestbook.guests import notes, profiles
from guestbook.guests.models import Guest
from guestbook.guests.schemas import GuestCreate
from guestbook.models.base import utcnow
from guestbook.reservations import bookings
from guestbook.reservations.models import Reservation

from .factories import ACTOR


class Boom(Exception):
    """Raised by a test to see what is rolled back."""


def _committed(model: type) -> int:
    """Rows of ``model`` another connection sees (what is committed, whatever this session holds)."""
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def _guest(name: str) -> Guest:
    guest = Guest(given_name=name)
    db.session.add(guest)
    return guest


def test_commits_when_the_block_ends(app: Flask) -> None:
    with write_transaction():
        _guest("Committed")
        db.session.flush()
        assert _committed(Guest) == 0  # not yet: the block has not ended
    assert _committed(Guest) == 1
    assert WRITE_DEPTH not in db.session.info


def test_rolls_back_on_any_exception(app: Flask) -> None:
    with pytest.raises(Boom), write_transaction():
        _guest("Never")
        db.session.flush()
        raise Boom
    assert _committed(Guest) == 0
    assert not db.session.new and WRITE_DEPTH not in db.session.info
    with write_transaction():  # the session is usable again
        _guest("Later")
    assert _committed(Guest) == 1


def test_nested_blocks_join_the_outer_one(app: Flask) -> None:
    with write_transaction():
        _guest("Outer")
        with write_transaction():
            _guest("Inner")
            assert db.session.info[WRITE_DEPTH] == 2
        db.session.flush()
        assert _committed(Guest) == 0  # the inner block did not commit the outer's work
        assert db.session.info[WRITE_DEPTH] == 1
    assert _committed(Guest) == 2


def test_an_exception_in_the_inner_block_rolls_back_the_outer_writes_too(app: Flask) -> None:
    with pytest.raises(Boom), write_transaction():
        _guest("Outer")
        db.session.flush()
        with write_transaction():
            _guest("Inner")
            raise Boom
    assert _committed(Guest) == 0
    assert WRITE_DEPTH not in db.session.info


def test_a_rule_calling_a_rule_is_one_transaction(app: Flask) -> None:
    """Real rules nested: the second one failing undoes the first (nothing is committed half-way)."""
    events = _committed(AuditEvent)
    with pytest.raises(profiles.GuestNotFound), write_transaction():
        guest = profiles.create_guest(GuestCreate.model_validate({"given_name": "Half"}), ACTOR)
        assert guest.id is not None
        notes.add_note(guest.id + 1000, "no such guest", ACTOR)
    assert _committed(Guest) == 0
    assert _committed(AuditEvent) == events  # create_guest's audit event went with it


def test_upsert_inside_another_rule_joins_its_transaction(app: Flask) -> None:
    """upsert_reservation (used by the file import and the demo inside their own transaction) does not commit alone."""
    data = bookings.ReservationIn.model_validate(
        {"outlet": "terrace", "arrival_date": date(2026, 11, 22), "guest": {"family_name": "Joined"}}
    )
    with pytest.raises(bookings.ReservationError), write_transaction():
        bookings.upsert_reservation("pms", "A1", data, ACTOR)
        assert _committed(Reservation) == 0
        bookings.upsert_reservation("NOT A SOURCE", "A2", data, ACTOR)
    assert _committed(Reservation) == 0 and _committed(Guest) == 0
    _reservation, created = bookings.upsert_reservation("pms", "A1", data, ACTOR)
    assert created and _committed(Reservation) == 1


def test_record_now_joins_an_open_write_transaction(app: Flask) -> None:
    events = _committed(AuditEvent)
    with pytest.raises(Boom), write_transaction():
        audit.record_now(ACTOR, "guest_view", None, "inside")
        raise Boom
    assert _committed(AuditEvent) == events
    audit.record_now(ACTOR, "guest_view", None, "alone")
    assert _committed(AuditEvent) == events + 1


def test_record_now_during_a_read_commits_the_row_and_keeps_what_was_loaded(app: Flask) -> None:
    """A card's audit row (SQLite: ``append_now``): committed at once, as the same row the ORM writes; the read
    goes on with what it loaded, without reading it again, and the session's transaction is still usable."""
    profiles.create_guest(GuestCreate(given_name="Ines", family_name="Duarte"), ACTOR)
    db.session.remove()
    events = _committed(AuditEvent)
    guest = db.session.scalars(select(Guest).where(Guest.family_name == "Duarte")).one()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        audit.record_now(ACTOR, "guest_view", guest.id, "card")
        assert guest.given_name == "Ines"  # still loaded: no statement reads it again
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [s for s in seen if not s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT")] == []
    assert _committed(AuditEvent) == events + 1
    row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (row.actor, row.action, row.guest_id, row.detail, row.ip) == (
        ACTOR.label,
        "guest_view",
        guest.id,
        "card",
        ACTOR.ip,
    )
    assert row.at.tzinfo is not None and abs((utcnow() - row.at).total_seconds()) < 60
    assert db.session.get(Guest, guest.id) is guest  # the same transaction goes on reading


def test_record_now_with_pending_changes_commits_them_with_the_row(app: Flask) -> None:
    """Changes waiting in the session are never dropped or left behind: the ORM's way commits them together."""
    events, guests = _committed(AuditEvent), _committed(Guest)
    _guest("Pending")
    audit.record_now(ACTOR, "guest_view", None, "with a pending guest")
    assert (_committed(AuditEvent), _committed(Guest)) == (events + 1, guests + 1)


@pytest.mark.sqlite_only(reason="SQLite's write lock; on PostgreSQL an audit row takes no lock (test_request_costs.py)")
def test_record_now_that_cannot_take_the_write_lock_fails_and_the_read_goes_on(app: Flask) -> None:
    """Another connection holds the write lock past the busy timeout: the view fails loudly (no row, no card),
    and the session can still read and roll back."""
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 50
    db.engine.dispose()  # new connections take the short timeout
    events = _committed(AuditEvent)
    with db.engine.connect() as other:
        other.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        with pytest.raises(OperationalError, match="locked"):
            audit.record_now(ACTOR, "guest_view", None, "blocked")
        assert db.session.scalar(select(func.count()).select_from(Guest)) is not None
        other.connection.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]
    db.session.rollback()
    assert _committed(AuditEvent) == events
    audit.record_now(ACTOR, "guest_view", None, "after")
    assert _committed(AuditEvent) == events + 1


def test_rows_sees_what_the_transaction_has_added_but_not_flushed(app: Flask) -> None:
    """``db.rows`` skips the ORM's statement layer, not its autoflush: a rule's own new rows are found."""
    with write_transaction():
        guest = Guest(given_name="Noa", family_name="Levi")
        db.session.add(guest)
        assert guest.id is None  # pending, not yet flushed
        found = rows(select(Guest.id).where(Guest.family_name == "Levi")).scalars()
        assert found == [guest.id] and guest.id is not None
