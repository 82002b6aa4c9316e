"""Small builders shared by the OpenAPI modules (one wording for every error response)."""

from __future__ import annotations

from typing import Any

ERROR_TEXT = {
    400: "Body is not a JSON object",
    401: "Missing or invalid API key",
    403: "Role not allowed",
    404: "Unknown id",
    409: "Version conflict or duplicate",
    422: "Validation failed (each bad field named)",
}


def ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict[str, Any]:
    """Error responses (all with the Error schema) for the given status codes."""
    return {str(c): json_response(ref("Error"), ERROR_TEXT[c]) for c in codes}
