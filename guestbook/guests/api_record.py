"""API endpoints of the guest's record at a glance: tags (define, list, set on a guest).

The photo is not in the API: it is taken and shown on the card (``views_record``); the guest JSON says
``has_photo``. A guest's photo is an optional part of their record, not a resource of its own.
"""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp
from guestbook.guests import gone, tags
from guestbook.guests import profiles as guest_service
from guestbook.guests.tag_schemas import GuestTagsIn, TagCreate
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _validation(field: str, message: str) -> ApiError:
    return ApiError(422, {"error": "validation failed", "fields": {field: message}})


@bp.get("/tags")
@role_required("floor")
def list_tags() -> Response:
    """Every defined tag."""
    return jsonify({"results": [tags.tag_to_dict(t) for t in tags.list_tags()]})


@bp.post("/tags")
@role_required("manager")
def create_tag() -> tuple[Response, int]:
    """Define a tag (managers and admins)."""
    data = _body(TagCreate)
    try:
        tag = tags.create_tag(data.name, data.color, current_actor())
    except tags.TagError as exc:
        if exc.field == "name" and "exists" in exc.message:
            raise ApiError(409, {"error": exc.message}) from None
        raise _validation(exc.field, exc.message) from None
    return jsonify(tags.tag_to_dict(tag)), 201


@bp.put("/guests/<int:guest_id>/tags")
@role_required("floor")
def put_guest_tags(guest_id: int) -> Response:
    """Replace a guest's tags; an unknown tag is a 422 naming it."""
    try:
        guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        raise ApiError(404, gone.not_found_body(guest_id)) from None
    data = _body(GuestTagsIn)
    try:
        carried = tags.set_guest_tags(guest_id, data.tags, current_actor())
    except tags.UnknownTags as exc:
        raise _validation("tags", f"unknown tags: {', '.join(exc.names)}") from None
    return jsonify({"guest_id": guest_id, "tags": [t.name for t in carried]})
