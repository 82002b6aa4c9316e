"""The recovery report in the JSON API (managers and admins): ``GET /api/v1/feedback/report?from=…&to=…``."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from guestbook.api.views import ApiError, bp, one_arg
from guestbook.relations import report as recovery
from guestbook.security import role_required


def _date(name: str) -> date | None:
    """The query parameter ``name`` as a ``YYYY-MM-DD`` date (None when absent); 422 naming it otherwise."""
    value = one_arg(name)
    if value is None:
        return None
    try:
        if len(value) != 10 or not value.isascii():
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, {"error": "validation failed", "fields": {name: "a date as YYYY-MM-DD"}}) from None


@bp.get("/feedback/report")
@role_required("manager")
def feedback_report() -> Response:
    """Complaints and their handling in the window, and the recovery rate against guests who never complained."""
    try:
        report = recovery.build_report(_date("from"), _date("to"))
    except recovery.ReportError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}}) from None
    return jsonify(recovery.report_to_dict(report))
