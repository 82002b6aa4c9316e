"""Briefing endpoints of the JSON API: the day's briefing as JSON and as PDF."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from guestbook.api.views import ApiError, bp, one_arg
from guestbook.briefing import assembly as briefing_service
from guestbook.briefing.archive import export_pdf, filename_for
from guestbook.briefing.as_json import briefing_to_dict
from guestbook.guests.schemas import ISO_DATE
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _date_or_422(raw: str) -> date:
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError  # fromisoformat also reads 20261202 and week dates; the API says YYYY-MM-DD
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, {"error": "validation failed", "fields": {"day": "use YYYY-MM-DD"}}) from None


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
    return jsonify(briefing_to_dict(result))


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
