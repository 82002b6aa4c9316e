"""Small builders shared by the OpenAPI modules (one wording for every error response)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from guestbook.errors import MAX_URL_ID

ERROR_TEXT = {
    400: "Body is not a JSON object, is nested too deeply, or a query parameter is repeated",
    401: "Missing or invalid API key",
    403: "Role not allowed",
    404: "Unknown id",
    409: "Version conflict or duplicate",
    413: "Body larger than 1,000,000 bytes",
    422: "Validation failed (each bad field named)",
    429: "Too many searches: wait the seconds in Retry-After",
}

_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer realm"}},
    429: {
        "Retry-After": {
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "seconds to wait",
        }
    },
}

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_URL_ID}


def ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict[str, Any]:
    """Error responses (all with the Error schema) for the given status codes."""
    found: dict[str, Any] = {}
    for code in codes:
        found[str(code)] = json_response(ref("Error"), ERROR_TEXT[code])
        if code in _HEADERS:
            found[str(code)]["headers"] = _HEADERS[code]
    return found


def id_parameter(name: str) -> dict[str, Any]:
    """A numeric id in the path (1 to 18 digits; a longer one is simply not found)."""
    return {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA}


READ = (401, 403)  # every route behind an API key
WRITE = (400, 401, 403, 413, 422)  # every route with a JSON body


ALLERGY: dict[str, Any] = {
    "type": "object",
    "required": ["allergen", "severity", "note"],
    "properties": {
        "allergen": {"type": "string"},
        "severity": {"type": "string"},
        "note": {"type": "string"},
    },
}


@dataclass(frozen=True)
class ApiPart:
    """One domain's share of the OpenAPI document: its paths and its component schemas."""

    paths: dict[str, Any]
    schemas: dict[str, Any]


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """A required JSON request body described by ``model``'s component schema."""
    return {"required": True, "content": {"application/json": {"schema": ref(model.__name__)}}}


def input_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """Request schemas generated from the pydantic models, with their nested definitions lifted."""
    schemas: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
    return schemas
