"""write_transaction(): one write transaction that commits or rolls back, and joins an open one when nested."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from guestbook import audit
from guestbook.audit import AuditEvent
from guestbook.db import WRITE_DEPTH, rows, write_transaction
from guestbook.extensions import db
from guestbook.guests import notes, profiles
from guestbook.guests.models import Guest
from guestbook.guests.schemas import GuestCreate
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


def test_rows_sees_what_the_transaction_has_added_but_not_flushed(app: Flask) -> None:
    """``db.rows`` skips the ORM's statement layer, not its autoflush: a rule's own new rows are found."""
    with write_transaction():
        guest = Guest(given_name="Noa", family_name="Levi")
        db.session.add(guest)
        assert guest.id is None  # pending, not yet flushed
        found = rows(select(Guest.id).where(Guest.family_name == "Levi")).scalars()
        assert found == [guest.id] and guest.id is not None
