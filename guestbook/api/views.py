"""JSON API endpoints: thin wrappers over the services, with field-by-field validation errors."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic_core
from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from guestbook.api.openapi import current_document
from guestbook.observability import metrics_response, readiness
from guestbook.security import public, role_required
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


def one_arg(name: str) -> str | None:
    """The query parameter ``name`` (None when absent); a 400 naming it when it is sent more than once."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, {"error": f"send {name} once", "fields": {name: "repeated"}})
    return values[0] if values else None


@bp.get("/health")
@public
def health() -> Response:
    """Liveness check (no authentication)."""
    return jsonify({"status": "ok"})


@bp.get("/health/ready")
@public
def ready() -> tuple[Response, int]:
    """Readiness check (no authentication): the database answers and its schema is at the migrations' head."""
    is_ready, body = readiness()
    return jsonify(body), 200 if is_ready else 503


@bp.get("/metrics")
@role_required("admin")
def metrics() -> Response:
    """Prometheus metrics for a scraper with an admin API key (the same figures as /metrics)."""
    return metrics_response()


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(current_document())
