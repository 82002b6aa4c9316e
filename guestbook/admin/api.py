"""Outlet endpoints of the JSON API."""

from __future__ import annotations

from flask import Response, jsonify

from guestbook.admin import outlets as outlet_service
from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.api.views import ApiError, _body, bp
from guestbook.security import role_required
from guestbook.staff.access import current_actor


@bp.get("/outlets")
@role_required("floor")
def list_outlets() -> Response:
    """Every outlet, inactive ones too (``active`` says which; history may name them)."""
    every = outlet_service.list_outlets(include_inactive=True)
    return jsonify({"outlets": [outlet_service.outlet_to_dict(o) for o in every]})


@bp.post("/outlets")
@role_required("admin")
def create_outlet() -> tuple[Response, int]:
    """Add an outlet (admin)."""
    data = _body(OutletCreate)
    try:
        outlet = outlet_service.create_outlet(data, current_actor())
    except outlet_service.OutletError as exc:
        raise ApiError(409, {"error": str(exc)}) from None
    return jsonify(outlet_service.outlet_to_dict(outlet)), 201


@bp.patch("/outlets/<int:outlet_id>")
@role_required("admin")
def patch_outlet(outlet_id: int) -> Response:
    """Rename an outlet, set its language, or deactivate/reactivate it (admin); its code and history stay."""
    data = _body(OutletPatch)
    try:
        outlet = outlet_service.update_outlet(outlet_id, data, current_actor())
    except outlet_service.OutletNotFound:
        raise ApiError(404, {"error": f"no outlet with id {outlet_id}"}) from None
    return jsonify(outlet_service.outlet_to_dict(outlet))
