"""Relationship endpoints of the JSON API: relate two guests and remove it (floor staff and above)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp
from guestbook.guests import gone
from guestbook.relations import relationships
from guestbook.relations.relationships import RelationshipError, RelationshipIn
from guestbook.security import role_required
from guestbook.staff.access import current_actor

# Floor staff learn who knows whom at the table ("my wife will join me"), and greet by it: they read and write.
RELATIONSHIP_ROLE = "floor"


def _error(exc: RelationshipError) -> ApiError:
    body: dict[str, Any]
    if isinstance(exc, relationships.GuestNotFound):
        body = gone.not_found_body(exc.guest_id)
        if exc.field:
            body["fields"] = {exc.field: body["error"]}
        return ApiError(404, body)
    body = {"error": exc.message}
    if exc.field:
        body["fields"] = {exc.field: exc.message}
    return ApiError(exc.status, body)


def _answer(guest_id: int) -> dict[str, Any]:
    return {"guest_id": guest_id, "relationships": relationships.relationships_json(guest_id, current_actor().role)}


@bp.post("/guests/<int:guest_id>/relationships")
@role_required(RELATIONSHIP_ROLE)
def add_guest_relationship(guest_id: int) -> tuple[Response, int]:
    """Relate the guest to another (both sides, the other with the inverse kind): 201, or 200 when it replaced one."""
    data = _body(RelationshipIn)
    try:
        created = relationships.add_relationship(guest_id, data.other_id, data.kind, data.note, current_actor())
    except RelationshipError as exc:
        raise _error(exc) from None
    return jsonify(_answer(guest_id)), 201 if created else 200


@bp.delete("/guests/<int:guest_id>/relationships/<int:other_id>")
@role_required(RELATIONSHIP_ROLE)
def delete_guest_relationship(guest_id: int, other_id: int) -> Response:
    """Remove the relationship between the two guests (both sides); 404 when they are not related."""
    try:
        relationships.remove_relationship(guest_id, other_id, current_actor())
    except RelationshipError as exc:
        raise _error(exc) from None
    return jsonify(_answer(guest_id))
