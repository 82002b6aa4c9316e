"""Merge endpoints of the JSON API (admins): merge two guests, undo a merge, list merges."""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp
from guestbook.data import merges
from guestbook.data.merge_schemas import GuestMergeIn
from guestbook.guests.profiles import guest_to_dict
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _error(exc: merges.MergeError) -> ApiError:
    """The API's answer to a refused merge or undo."""
    if isinstance(exc, merges.FieldChoiceError):
        return ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}})
    if isinstance(exc, merges.SameGuest):
        return ApiError(422, {"error": "validation failed", "fields": {"other_id": exc.message}})
    if isinstance(exc, merges.GuestNotFound):
        body: dict[str, object] = {"error": exc.message}
        if exc.merged_into is not None:
            body = {
                "error": f"guest {exc.guest_id} was merged into guest {exc.merged_into}",
                "merged_into": exc.merged_into,
            }
        return ApiError(404, body)
    return ApiError(exc.status, {"error": exc.message})


@bp.post("/guests/<int:guest_id>/merge")
@role_required("admin")
def merge_guest(guest_id: int) -> Response:
    """Merge ``other_id`` into this guest; the other's id then answers 404 with ``merged_into``."""
    data = _body(GuestMergeIn)
    actor = current_actor()
    try:
        merge = merges.merge_guests(guest_id, data.other_id, data.choices(), actor)
    except merges.MergeError as exc:
        raise _error(exc) from None
    keep = merges.get_guest(merge.keep_id)
    return jsonify({"merge_id": merge.id, "guest": guest_to_dict(keep, actor.role)})


@bp.post("/merges/<int:merge_id>/undo")
@role_required("admin")
def undo_merge(merge_id: int) -> Response:
    """Undo a merge: both guests as they were, and what was added to the survivor since, for review."""
    actor = current_actor()
    try:
        result = merges.undo_merge(merge_id, actor)
    except merges.MergeError as exc:
        raise _error(exc) from None
    return jsonify(
        {
            "merge_id": result.merge.id,
            "guests": [guest_to_dict(result.keep, actor.role), guest_to_dict(result.other, actor.role)],
            "added_since": [merges.added_to_dict(row) for row in result.added_since],
        }
    )


@bp.get("/merges")
@role_required("admin")
def list_merges() -> Response:
    """Merges, newest first (ids, field choices, who and when)."""
    return jsonify({"results": [merges.merge_to_dict(m) for m in merges.list_merges()]})
