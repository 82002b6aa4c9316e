"""What a guest's bookings say about them: no-shows and late cancellations, for the guests domain's record.

A cancellation is late when the booking became cancelled less than ``LATE_CANCELLATION`` (24 hours)
before the arrival, in the property's time (an arrival with no time counts from the start of its day).
``Reservation.cancelled_at`` is set when a live booking is seen to become cancelled; a booking first sent
already cancelled has no such moment and is never counted late, nor is one cancelled after its arrival
(that is a record kept after the fact, not a guest cancelling late).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date, datetime, time, timedelta, tzinfo

from flask import Flask
from sqlalchemy import Select, and_, bindparam, or_, select

from guestbook.admin.outlets import property_tz
from guestbook.extensions import db
from guestbook.guests.history import Attendance, register_attendance_source
from guestbook.reservations.models import Reservation

LATE_CANCELLATION = timedelta(hours=24)


def _is_late(day: date, at: time | None, cancelled_at: datetime | None, tz: tzinfo) -> bool:
    arrival = datetime.combine(day, at or time(0, 0), tzinfo=tz)
    return cancelled_at is not None and arrival - LATE_CANCELLATION <= cancelled_at <= arrival


@functools.cache
def _attendance_stmt() -> Select[int, str, date, time | None, datetime | None]:
    """Every no-show of the guests (``ids``), and their cancellations since ``since`` with a moment of cancelling.
    Built once (every card runs it)."""
    return select(
        Reservation.guest_id,
        Reservation.status,
        Reservation.arrival_date,
        Reservation.arrival_time,
        Reservation.cancelled_at,
    ).where(
        Reservation.guest_id.in_(bindparam("ids", expanding=True)),
        or_(
            Reservation.status == "no-show",
            and_(
                Reservation.status == "cancelled",
                Reservation.cancelled_at.is_not(None),
                Reservation.arrival_date >= bindparam("since"),
            ),
        ),
    )


def attendance_since(guest_ids: Collection[int], since: date) -> dict[int, Attendance]:
    """Each guest's no-shows and late cancellations from ``since`` on, and the day of their last no-show
    ever, for the guests who have any: one query, for a card or a day of arrivals.

    It reads each no-show row (a guest has a handful) and each cancellation since ``since`` that has a
    moment of cancelling; a cancellation is late by the property's clock, so that part is decided here.
    """
    if not guest_ids:
        return {}
    rows = db.session.execute(_attendance_stmt(), {"ids": list(guest_ids), "since": since})
    tz = property_tz()
    no_shows: dict[int, int] = {}
    last_no_show: dict[int, date] = {}
    late: dict[int, int] = {}
    for gid, status, day, at, cancelled_at in rows:
        if status == "no-show":
            no_shows[gid] = no_shows.get(gid, 0) + (day >= since)
            last_no_show[gid] = max(day, last_no_show.get(gid, day))
        elif _is_late(day, at, cancelled_at, tz):
            late[gid] = late.get(gid, 0) + 1
    return {
        gid: Attendance(no_shows=no_shows.get(gid, 0), late_cancellations=late.get(gid, 0),
                        last_no_show=last_no_show.get(gid))
        for gid in no_shows.keys() | late.keys()
    }  # fmt: skip


def register_attendance_with_guests(app: Flask) -> None:
    """Give the guests domain each guest's no-shows (the card's and the API's record)."""
    register_attendance_source(app, attendance_since)
