"""Today's bookings as the guest pages, visit logging and search (ranking, tables, reasons) see them.

Guests sit below reservations (a booking finds or creates its guest), so this domain never imports
reservations: the reservations domain supplies these functions when the app is built
(``register_booking_source`` from ``create_app``). Without it a guest simply has no bookings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from flask import current_app

EXTENSION_KEY = "guestbook.booking_source"


@dataclass(frozen=True)
class BookingSource:
    """How to read a guest's bookings; each booking has ``id``, ``guest_id``, ``status`` and ``arrival_time``."""

    bookings_on: Callable[[int, date], list[Any]]  # a guest's bookings on a day, every status, time order
    booking_by_id: Callable[[int], Any | None]  # one booking, or None
    live_arrival_times: Callable[[list[int], date], list[tuple[int, time | None]]]  # (guest, time), time order
    arriving_guest_ids: Callable[[], set[int]]  # guests with a live booking today (search ranks them first)
    guests_at_table: Callable[[str], set[int]]  # guests booked today at this table or room ("Window 2", "1204")


def register_booking_source(app: Any, source: BookingSource) -> None:
    """Make ``source`` this app's booking source (called once per app by the reservations domain)."""
    app.extensions[EXTENSION_KEY] = source


def _source() -> BookingSource | None:
    found = current_app.extensions.get(EXTENSION_KEY)
    return found if isinstance(found, BookingSource) else None


def bookings_on(guest_id: int, day: date) -> list[Any]:
    """A guest's bookings on ``day`` (property date), every status, in time order."""
    source = _source()
    return source.bookings_on(guest_id, day) if source else []


def booking_by_id(booking_id: int) -> Any | None:
    """One booking by id, or None."""
    source = _source()
    return source.booking_by_id(booking_id) if source else None


def live_arrival_times(guest_ids: list[int], day: date) -> list[tuple[int, time | None]]:
    """(guest id, arrival time) of the live bookings of ``guest_ids`` on ``day``, earliest first."""
    source = _source()
    return source.live_arrival_times(guest_ids, day) if source and guest_ids else []


def arriving_guest_ids() -> set[int]:
    """Guests with a live booking today (search ranks them first among equals)."""
    source = _source()
    return source.arriving_guest_ids() if source else set()


def guests_at_table(query: str) -> set[int]:
    """Guests whose live booking today is at the table or room typed ("Window 2", "1204")."""
    source = _source()
    return source.guests_at_table(query) if source else set()
