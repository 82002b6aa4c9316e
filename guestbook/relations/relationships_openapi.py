"""The OpenAPI description of relationships: the guest JSON's ``relationships`` and the two endpoints."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import (
    READ,
    WRITE,
    ApiPart,
    errors,
    id_parameter,
    input_schemas,
    json_response,
    ref,
    request_body,
)
from guestbook.relations.models import INVERSE_KIND
from guestbook.relations.relationships import RelationshipIn

GUEST_RELATIONSHIP = {
    "type": "object",
    "description": "a guest this one knows; kind is what this guest is to them (assistant_of: this guest is their "
    "assistant); the other guest lists this one with the inverse kind",
    "required": ["guest_id", "name", "kind", "note"],
    "properties": {
        "guest_id": {"type": "integer", "description": "the other guest"},
        "name": {"type": "string", "description": "the other guest's full name"},
        "kind": {"enum": list(INVERSE_KIND)},
        "note": {"type": "string"},
    },
    "additionalProperties": False,
}

# The guest JSON's property (``guestbook.blueprints`` adds it to the Guest schemas).
GUEST_PROPERTIES: dict[str, Any] = {
    "relationships": {
        "type": "array",
        "items": ref("GuestRelationship"),
        "description": "who this guest knows, by name",
    }
}

_ANSWER = {
    "type": "object",
    "required": ["guest_id", "relationships"],
    "properties": {
        "guest_id": {"type": "integer"},
        "relationships": {"type": "array", "items": ref("GuestRelationship")},
    },
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/relationships": {
        "parameters": [id_parameter("guest_id")],
        "post": {
            "summary": "Relate the guest to another, both sides (floor and above); an existing pair is replaced",
            "requestBody": request_body(RelationshipIn),
            "responses": {
                "201": json_response(_ANSWER, "Related: the guest's relationships"),
                "200": json_response(_ANSWER, "The pair's kind and note replaced: the guest's relationships"),
                **errors(*WRITE, 404, 409),
            },
        },
    },
    "/guests/{guest_id}/relationships/{other_id}": {
        "parameters": [id_parameter("guest_id"), id_parameter("other_id")],
        "delete": {
            "summary": "Remove the relationship between two guests, both sides (floor and above)",
            "responses": {
                "200": json_response(_ANSWER, "Removed: the guest's relationships"),
                **errors(*READ, 404),
            },
        },
    },
}


def openapi_part() -> ApiPart:
    """The relationships' paths and schemas."""
    return ApiPart(paths=PATHS, schemas={"GuestRelationship": GUEST_RELATIONSHIP, **input_schemas(RelationshipIn)})
