"""Data endpoints of the JSON API: a guest's access log (read only: no route changes the audit trail)."""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.api.views import ApiError, bp, one_arg
from guestbook.data import access_log
from guestbook.errors import MAX_URL_ID
from guestbook.guests import gone
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _whole_number(name: str, default: int | None, low: int, high: int) -> int | None:
    """The query parameter ``name`` as an integer from ``low`` to ``high`` (ASCII digits), or 422 naming it."""
    raw = one_arg(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) and low <= int(raw) <= high):
        raise ApiError(422, {"error": "validation failed", "fields": {name: f"an integer from {low} to {high}"}})
    return int(raw)


@bp.get("/guests/<int:guest_id>/access-log")
@role_required("manager")
def guest_access_log(guest_id: int) -> Response:
    """Who viewed, changed, exported or printed this guest, newest first (managers and admins)."""
    limit = _whole_number("limit", access_log.DEFAULT_LIMIT, 1, access_log.MAX_LIMIT)
    before = _whole_number("before", None, 1, MAX_URL_ID)
    try:
        entries = access_log.read_access_log(
            guest_id, current_actor(), limit=limit or access_log.DEFAULT_LIMIT, before=before
        )
    except access_log.GuestNotFound:
        raise ApiError(404, gone.not_found_body(guest_id)) from None
    return jsonify({"results": [access_log.entry_to_dict(e) for e in entries]})
