"""A guest's record counts late cancellations: a live booking seen to become cancelled less than 24 hours
before its arrival (property time). Early ones, ones first sent already cancelled and ones recorded after
the arrival do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from flask import Flask

from guestbook.guests.history import histories_for, history_for
from guestbook.reservations import bookings as reservations

from .factories import ACTOR, make_guest

ARRIVAL = date(2026, 12, 10)  # 19:30 in Bangkok = 12:30 UTC


def _send(ext: str, guest_id: int, status: str, day: date = ARRIVAL) -> None:
    body = {"outlet": "terrace", "arrival_date": day.isoformat(), "arrival_time": "19:30", "guest_id": guest_id}
    reservations.upsert_reservation(
        "pms", ext, reservations.ReservationIn.model_validate({**body, "status": status}), ACTOR
    )


def test_only_cancellations_in_the_last_24_hours_before_arrival_count(app: Flask) -> None:
    guest = make_guest(given_name="Late", family_name="Canceller")
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        for ext in ("early", "late", "after", "resent"):
            _send(ext, guest.id, "booked")
        _send("born-cancelled", guest.id, "cancelled")  # first sent cancelled: no moment known
        _send("early", guest.id, "cancelled")  # nine days ahead
    with time_machine.travel(datetime(2026, 12, 10, 2, 0, tzinfo=UTC), tick=False):  # 10.5 hours before
        _send("late", guest.id, "cancelled")
        _send("resent", guest.id, "cancelled")
    with time_machine.travel(datetime(2026, 12, 10, 14, 0, tzinfo=UTC), tick=False):  # after the arrival
        _send("after", guest.id, "cancelled")
        _send("resent", guest.id, "cancelled")  # the nightly file sends it again: the moment stays
        now = datetime.now(UTC)
        record = history_for(guest.id, "manager")
        batched = histories_for([guest.id], "manager", now=now)[guest.id]
    assert record["late_cancellations_12m"] == 2  # "late" and "resent"
    assert batched["late_cancellations_12m"] == 2  # the day's batched record (the briefing's) agrees


def test_a_booking_made_live_again_forgets_its_cancellation(app: Flask) -> None:
    guest = make_guest(given_name="Changed", family_name="Mind")
    with time_machine.travel(datetime(2026, 12, 9, 14, 0, tzinfo=UTC), tick=False):
        _send("r1", guest.id, "booked")
        _send("r1", guest.id, "cancelled")
        _send("r1", guest.id, "booked")  # the guest rebooked the same table
        assert history_for(guest.id, "manager")["late_cancellations_12m"] == 0
        _send("r1", guest.id, "cancelled")
        assert history_for(guest.id, "manager")["late_cancellations_12m"] == 1
