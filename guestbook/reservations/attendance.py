"""What a guest's bookings say about them: no-shows and late cancellations, for the guests domain's record.

Late cancellations cannot be known yet: a reservation keeps no time of cancellation (its
``updated_at`` moves with every re-import of the booking, so it would count early cancellations
re-sent by the nightly file as late). They count 0 until the reservation records ``cancelled_at``.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from guestbook.extensions import db
from guestbook.guests.history import Attendance, register_attendance_source
from guestbook.reservations.models import Reservation


def attendance_since(guest_id: int, since: date) -> Attendance:
    """A guest's no-shows from ``since`` on, and the day of their last no-show ever."""
    no_show = (Reservation.guest_id == guest_id) & (Reservation.status == "no-show")
    count, last = db.session.execute(
        select(
            func.count(Reservation.id).filter(Reservation.arrival_date >= since),
            func.max(Reservation.arrival_date),
        ).where(no_show)
    ).one()
    return Attendance(no_shows=int(count or 0), late_cancellations=0, last_no_show=last)


def register_attendance_with_guests(app: Flask) -> None:
    """Give the guests domain each guest's no-shows (the card's and the API's record)."""
    register_attendance_source(app, attendance_since)
