"""Reservation and briefing endpoints of the JSON API (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp
from guestbook.reservations import bookings as reservations
from guestbook.security import role_required
from guestbook.staff.access import current_actor


@bp.put("/reservations/<source>/<external_id>")
@role_required("floor")
def put_reservation(source: str, external_id: str) -> tuple[Response, int]:
    """Create or update a reservation by its source and external id (idempotent upsert)."""
    data = _body(reservations.ReservationIn)
    try:
        reservation, created = reservations.upsert_reservation(source, external_id, data, current_actor())
    except reservations.ReservationError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}}) from None
    body = reservations.reservation_to_dict(reservation)
    body["created"] = created
    return jsonify(body), 201 if created else 200
