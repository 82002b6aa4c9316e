"""What a guest's bookings say about them: no-shows and late cancellations, for the guests domain's record.

A cancellation is late when the booking became cancelled less than ``LATE_CANCELLATION`` (24 hours)
before the arrival, in the property's time (an arrival with no time counts from the start of its day).
``Reservation.cancelled_at`` is set when a live booking is seen to become cancelled; a booking first sent
already cancelled has no such moment and is never counted late, nor is one cancelled after its arrival
(that is a record kept after the fact, not a guest cancelling late).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import func, select

from guestbook.admin.outlets import property_tz
from guestbook.extensions import db
from guestbook.guests.history import Attendance, register_attendance_source
from guestbook.reservations.models import Reservation

LATE_CANCELLATION = timedelta(hours=24)


def late_cancellations(guest_ids: Collection[int], since: date) -> dict[int, int]:
    """Per guest, the bookings arriving from ``since`` on that were cancelled late (guests with none left out)."""
    if not guest_ids:
        return {}
    tz = property_tz()
    rows = db.session.execute(
        select(
            Reservation.guest_id, Reservation.arrival_date, Reservation.arrival_time, Reservation.cancelled_at
        ).where(
            Reservation.guest_id.in_(guest_ids),
            Reservation.status == "cancelled",
            Reservation.cancelled_at.is_not(None),
            Reservation.arrival_date >= since,
        )
    )
    counts: dict[int, int] = {}
    for guest_id, day, at, cancelled_at in rows:
        arrival = datetime.combine(day, at or time(0, 0), tzinfo=tz)
        if cancelled_at is not None and arrival - LATE_CANCELLATION <= cancelled_at <= arrival:
            counts[guest_id] = counts.get(guest_id, 0) + 1
    return counts


def attendance_since(guest_ids: Collection[int], since: date) -> dict[int, Attendance]:
    """Each guest's no-shows and late cancellations from ``since`` on, and the day of their last no-show
    ever, for the guests who have any (one grouped query, plus one for the cancellations)."""
    if not guest_ids:
        return {}
    rows = db.session.execute(
        select(
            Reservation.guest_id,
            func.count(Reservation.id).filter(Reservation.arrival_date >= since),
            func.max(Reservation.arrival_date),
        )
        .where(Reservation.guest_id.in_(guest_ids), Reservation.status == "no-show")
        .group_by(Reservation.guest_id)
    )
    no_shows = {gid: (int(count or 0), last) for gid, count, last in rows}
    late = late_cancellations(guest_ids, since)
    return {
        gid: Attendance(no_shows=no_shows.get(gid, (0, None))[0], late_cancellations=late.get(gid, 0),
                        last_no_show=no_shows.get(gid, (0, None))[1])
        for gid in no_shows.keys() | late.keys()
    }  # fmt: skip


def register_attendance_with_guests(app: Flask) -> None:
    """Give the guests domain each guest's no-shows (the card's and the API's record)."""
    register_attendance_source(app, attendance_since)
