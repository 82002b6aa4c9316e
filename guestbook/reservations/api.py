"""Reservation and briefing endpoints of the JSON API (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp, one_arg
from guestbook.guests.schemas import ISO_DATE
from guestbook.security import role_required
from guestbook.services import briefing as briefing_service
from guestbook.services import reservations
from guestbook.services.briefing_archive import export_pdf, filename_for
from guestbook.staff.access import current_actor


def _date_or_422(raw: str) -> date:
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError  # fromisoformat also reads 20261202 and week dates; the API says YYYY-MM-DD
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, {"error": "validation failed", "fields": {"day": "use YYYY-MM-DD"}}) from None


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


def _briefing_args() -> tuple[str | None, str | None]:
    return one_arg("outlet") or None, one_arg("period") or None


@bp.get("/briefings/<day>")
@role_required("floor")
def get_briefing(day: str) -> Response:
    """The arrival briefing for a date as JSON: ``summary`` and ``arrivals`` (floor too: no contacts, no ages)."""
    when = _date_or_422(day)
    outlet, period = _briefing_args()
    actor = current_actor()
    try:
        result = briefing_service.build_briefing(when, outlet, period, actor.role)
    except briefing_service.BriefingError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}}) from None
    briefing_service.audit_briefing(result, actor, "briefing_view")
    return jsonify(briefing_service.briefing_to_dict(result))


@bp.get("/briefings/<day>.pdf")
@role_required("manager")
def get_briefing_pdf(day: str) -> Response:
    """The arrival briefing for a date as a print-ready PDF."""
    when = _date_or_422(day)
    outlet, period = _briefing_args()
    try:
        result, pdf = export_pdf(when, outlet, period, current_actor())
    except briefing_service.BriefingError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}}) from None
    response = Response(pdf, mimetype="application/pdf")
    name = filename_for(when, result.outlet_code)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
