"""Privacy requests in the JSON API (admins): a guest's data export (JSON and PDF) and erasure."""

from __future__ import annotations

from typing import Annotated

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict

from guestbook.api.views import ApiError, _body, bp
from guestbook.data import erasure, privacy
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.text import Text


class GuestErase(BaseModel):
    """Why the guest is erased (kept with the erasure record only; it may name the guest)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Text(erasure.MAX_REASON, required=True)]


def _not_found(guest_id: int) -> ApiError:
    return ApiError(404, {"error": f"no guest with id {guest_id}"})


@bp.get("/guests/<int:guest_id>/export")
@role_required("admin")
def guest_export(guest_id: int) -> Response:
    """Everything held about the guest, as JSON (audited guest_export)."""
    try:
        return jsonify(privacy.export_guest(guest_id, current_actor()))
    except privacy.GuestNotFound:
        raise _not_found(guest_id) from None


@bp.get("/guests/<int:guest_id>/export.pdf")
@role_required("admin")
def guest_export_pdf(guest_id: int) -> Response:
    """Everything held about the guest, as a readable PDF (audited guest_export_pdf)."""
    try:
        pdf = privacy.export_guest_pdf(guest_id, current_actor())
    except privacy.GuestNotFound:
        raise _not_found(guest_id) from None
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="guest-{guest_id}-data.pdf"'
    return response


@bp.post("/guests/<int:guest_id>/erase")
@role_required("admin")
def guest_erase(guest_id: int) -> Response:
    """Anonymise the guest (409 when already erased); the nightly job compacts the database file afterwards."""
    data = _body(GuestErase)
    try:
        record = erasure.erase_guest(guest_id, data.reason, current_actor())
    except erasure.GuestNotFound:
        raise _not_found(guest_id) from None
    except erasure.AlreadyErased as exc:
        when = exc.erased_at.isoformat() if exc.erased_at else None
        raise ApiError(409, {"error": f"guest {guest_id} was already erased", "erased_at": when}) from None
    except erasure.BadReason as exc:
        raise ApiError(422, {"error": "validation failed", "fields": {"reason": str(exc)}}) from None
    return jsonify({"guest_id": guest_id, "erased_at": record.erased_at.isoformat(), "erasure_id": record.id})
