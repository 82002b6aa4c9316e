"""JSON API endpoints: thin wrappers over the services, with field-by-field validation errors."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from ..access import current_actor
from ..security import public, role_required
from ..services import guests as guest_service
from ..services import outlets as outlet_service
from ..services import search, visits
from ..services.schemas import GuestCreate, GuestPatch, OutletCreate, VisitCreate, field_errors
from .openapi import build_spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")

M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """An error answered as JSON with a status code."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = body


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return jsonify(exc.body), exc.status


def _body(model: type[M]) -> M:
    """Parse and validate the JSON body: 400 when it is not a JSON object, 422 naming each bad field."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, {"error": "the body must be a JSON object (Content-Type: application/json)"})
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": field_errors(exc)}) from None


def _guest_or_404(guest_id: int) -> None:
    try:
        guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        raise ApiError(404, {"error": f"no guest with id {guest_id}"}) from None


@bp.get("/health")
@public
def health() -> Response:
    """Liveness check (no authentication)."""
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(build_spec())


@bp.post("/guests")
@role_required("floor")
def create_guest() -> tuple[Response, int]:
    """Create a guest."""
    data = _body(GuestCreate)
    actor = current_actor()
    if data.address is not None and not guest_service.can_see_contact(actor.role):
        raise ApiError(403, {"error": "postal addresses need the concierge role or above"})
    guest = guest_service.create_guest(data, actor)
    return jsonify(guest_service.guest_to_dict(guest, actor.role)), 201


@bp.get("/guests")
@role_required("floor")
def search_guests() -> Response:
    """Search guests; results in rank order."""
    q = request.args.get("q", "").strip()
    raw_limit = request.args.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
        raise ApiError(422, {"error": "validation failed", "fields": {"limit": "an integer from 1 to 100"}})
    if not q:
        raise ApiError(422, {"error": "validation failed", "fields": {"q": "required"}})
    results = search.search_guests(q, int(raw_limit))
    return jsonify({"results": [guest_service.guest_summary(g) for g in results]})


@bp.get("/guests/<int:guest_id>")
@role_required("floor")
def get_guest(guest_id: int) -> Response:
    """One guest, with the recognition facts."""
    actor = current_actor()
    try:
        guest = guest_service.view_guest(guest_id, actor, "api")
    except guest_service.GuestNotFound:
        raise ApiError(404, {"error": f"no guest with id {guest_id}"}) from None
    body = guest_service.guest_to_dict(guest, actor.role)
    from ..services.recognition import recognition_dict

    body["recognition"] = recognition_dict(guest)
    return jsonify(body)


@bp.patch("/guests/<int:guest_id>")
@role_required("floor")
def patch_guest(guest_id: int) -> Response:
    """Change a guest; ``version`` must match, else 409 with the current record."""
    _guest_or_404(guest_id)
    patch = _body(GuestPatch)
    actor = current_actor()
    if not guest_service.can_see_contact(actor.role):
        hidden = {"email", "phone", "address", "birthday"} & patch.model_fields_set
        if hidden:
            raise ApiError(403, {"error": f"your role cannot change: {', '.join(sorted(hidden))}"})
    try:
        guest = guest_service.update_guest(guest_id, patch, actor)
    except guest_service.VersionConflict as exc:
        raise ApiError(
            409,
            {
                "error": "version conflict: the guest changed since you read it; nothing was saved",
                "current": guest_service.guest_to_dict(exc.current, actor.role),
            },
        ) from None
    return jsonify(guest_service.guest_to_dict(guest, actor.role))


@bp.post("/guests/<int:guest_id>/visits")
@role_required("floor")
def log_visit(guest_id: int) -> tuple[Response, int]:
    """Log a visit."""
    _guest_or_404(guest_id)
    data = _body(VisitCreate)
    try:
        visit = visits.log_visit(guest_id, data, current_actor())
    except visits.UnknownOutlet:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"outlet": f"no outlet with code {data.outlet!r}"}}
        ) from None
    return jsonify(visits.visit_to_dict(visit)), 201


@bp.get("/outlets")
@role_required("floor")
def list_outlets() -> Response:
    """Every outlet."""
    return jsonify({"outlets": [outlet_service.outlet_to_dict(o) for o in outlet_service.list_outlets()]})


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
