"""JSON API endpoints: thin wrappers over the services, with field-by-field validation errors."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic_core
from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from guestbook.admin import outlets as outlet_service
from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.api.openapi import build_spec
from guestbook.security import public, role_required
from guestbook.services import guests as guest_service
from guestbook.services import search, search_rate, search_results, visits
from guestbook.services.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.staff.access import current_actor
from guestbook.text import find_control_char
from guestbook.validation import field_errors

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


MAX_BODY_BYTES = 1_000_000  # a guest with 10,000 characters of notes is about 40 kB
NOT_AN_OBJECT = "the body must be a JSON object (Content-Type: application/json)"


def _body(model: type[M]) -> M:
    """Parse and validate the JSON body: 413 over MAX_BODY_BYTES, 400 when it is not a JSON object, 422 naming fields.

    Strict JSON types (no "5" for 5, no 1 for true), as the OpenAPI document says; the parser refuses
    nesting deeper than a couple of hundred levels with a 400 instead of overflowing the stack.
    """
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, {"error": f"the body is larger than {MAX_BODY_BYTES} bytes"})
    if not request.is_json:
        raise ApiError(400, {"error": NOT_AN_OBJECT})
    data = request.get_data(cache=True)
    if len(data) > MAX_BODY_BYTES:
        raise ApiError(413, {"error": f"the body is larger than {MAX_BODY_BYTES} bytes"})
    try:
        payload = pydantic_core.from_json(data)  # refuses nesting deeper than a few hundred levels
    except ValueError as exc:
        raise ApiError(400, {"error": NOT_AN_OBJECT, "fields": {"body": str(exc)}}) from None
    if not isinstance(payload, dict):
        raise ApiError(400, {"error": NOT_AN_OBJECT, "fields": {"body": "not a JSON object"}})
    try:
        # JSON Schema counts 4.0 as an integer; everything else is strict (no "5" for 5, no 1 for true).
        return model.model_validate_json(pydantic_core.to_json(_whole_floats_as_ints(payload)), strict=True)
    except ValidationError as exc:
        raise ApiError(422, {"error": "validation failed", "fields": field_errors(exc)}) from None


def _whole_floats_as_ints(value: Any) -> Any:
    """``value`` with every float that is a whole number (4.0, 1e3) turned into an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(item) for item in value]
    return value


MAX_QUERY_CHARS = search.MAX_QUERY_CHARS  # the API refuses what the tablet's search would clip
MAX_QUERY_WORDS = search.MAX_QUERY_WORDS


def one_arg(name: str) -> str | None:
    """The query parameter ``name`` (None when absent); a 400 naming it when it is sent more than once."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, {"error": f"send {name} once", "fields": {name: "repeated"}})
    return values[0] if values else None


def _search_args() -> tuple[str, int]:
    """``q`` and ``limit`` of a search, or 422 naming the bad one (limit: ASCII digits 1 to 100)."""
    raw_limit = one_arg("limit")
    raw_limit = "20" if raw_limit is None else raw_limit
    if not (raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 3 and 1 <= int(raw_limit) <= 100):
        raise ApiError(422, {"error": "validation failed", "fields": {"limit": "an integer from 1 to 100"}})
    raw_q = one_arg("q") or ""  # absent and empty alike: "required"
    bad = find_control_char(raw_q)
    if bad is not None:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"q": f"control characters are not allowed ({bad})"}}
        )
    q = raw_q.strip()
    if not q:
        raise ApiError(422, {"error": "validation failed", "fields": {"q": "required"}})
    if len(raw_q) > MAX_QUERY_CHARS or len(q.split()) > MAX_QUERY_WORDS:
        message = f"at most {MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} words"
        raise ApiError(422, {"error": "validation failed", "fields": {"q": message}})
    return q, int(raw_limit)


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
    q, limit = _search_args()
    actor = current_actor()
    config = current_app.config
    try:
        search_rate.count_search(
            actor, search_rate.limit_for(actor.role, config["SEARCH_RATE_LIMIT_FLOOR"], config["SEARCH_RATE_LIMIT"])
        )
    except search_rate.RateLimited as exc:
        response = jsonify({"error": str(exc)})
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    results = search_results.find(q, actor.role, limit)
    return jsonify({"results": [search_results.result_to_dict(r) for r in results]})


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
    from guestbook.services.recognition import recognition_dict

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
    except visits.UnknownReservation:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"reservation_id": "no reservation of this guest"}}
        ) from None
    return jsonify(visits.visit_to_dict(visit)), 201


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
