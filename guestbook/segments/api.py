"""Segments endpoints of the JSON API: a guest's tier set by hand (managers and admins)."""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.api.views import ApiError, _body, bp
from guestbook.guests import gone
from guestbook.security import role_required
from guestbook.segments import overrides
from guestbook.segments.schemas import TierOverrideIn
from guestbook.staff.access import current_actor


def _not_found(guest_id: int) -> ApiError:
    return ApiError(404, gone.not_found_body(guest_id))


@bp.put("/guests/<int:guest_id>/tier")
@role_required("manager")
def put_guest_tier(guest_id: int) -> Response:
    """Set the guest's tier by hand, with the reason (422 without one); the guest's ``segment`` comes back."""
    data = _body(TierOverrideIn)
    try:
        overrides.set_override(guest_id, data.tier, data.reason, current_actor(), data.influence)
    except overrides.GuestNotFound:
        raise _not_found(guest_id) from None
    return jsonify({"guest_id": guest_id, "segment": overrides.segment_json(guest_id, current_actor().role)})


@bp.delete("/guests/<int:guest_id>/tier")
@role_required("manager")
def delete_guest_tier(guest_id: int) -> Response:
    """Remove the hand-set tier: the computed one applies again."""
    try:
        overrides.clear_override(guest_id, current_actor())
    except overrides.GuestNotFound:
        raise _not_found(guest_id) from None
    return jsonify({"guest_id": guest_id, "segment": overrides.segment_json(guest_id, current_actor().role)})
