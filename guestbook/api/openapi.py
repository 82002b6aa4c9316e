"""The OpenAPI 3.1 description: request bodies come from the same pydantic models that validate them."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from ..services.schemas import GuestCreate, GuestPatch, OutletCreate, VisitCreate
from . import openapi_reservations
from .openapi_common import errors, json_response, ref
from .openapi_letters import LETTER_PATHS, LETTER_SCHEMAS

_NULLABLE_STR = {"type": ["string", "null"]}

ADDRESS = {
    "type": ["object", "null"],
    "properties": {k: {"type": "string"} for k in ("line1", "line2", "city", "region", "postal_code", "country")},
}

GUEST = {
    "type": "object",
    "required": ["id", "version", "given_name", "family_name", "allergies"],
    "properties": {
        "id": {"type": "integer"},
        "version": {"type": "integer"},
        "given_name": {"type": "string"},
        "family_name": {"type": "string"},
        "full_name": {"type": "string"},
        "preferred_name": {"type": "string"},
        "pronunciation": {"type": "string"},
        "salutation": {"type": "string"},
        "language": {"type": "string"},
        "email": _NULLABLE_STR,
        "phone": _NULLABLE_STR,
        "address": ADDRESS,
        "birthday": _NULLABLE_STR,
        "anniversary": _NULLABLE_STR,
        "company": {"type": "string"},
        "vip_level": {"type": "integer"},
        "marketing_consent": {"type": "boolean"},
        "do_not_contact": {"type": "boolean"},
        "notes": {"type": "string"},
        "allergies": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["allergen", "severity", "note"],
                "properties": {
                    "allergen": {"type": "string"},
                    "severity": {"type": "string"},
                    "note": {"type": "string"},
                },
            },
        },
        "visit_count": {"type": "integer"},
        "last_visit_at": _NULLABLE_STR,
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "contact_masked": {"type": "boolean"},
        "recognition": {"$ref": "#/components/schemas/Recognition"},
    },
    "additionalProperties": False,
}

RECOGNITION = {
    "type": "object",
    "required": ["visit_count", "usual_seat", "usual_order", "last_visit"],
    "properties": {
        "visit_count": {"type": "integer"},
        "usual_seat": {
            "type": ["object", "null"],
            "required": ["value", "count", "of"],
            "properties": {
                "value": {"type": "string"},
                "count": {"type": "integer"},
                "of": {"type": "integer"},
                "source": {"type": "string"},
            },
        },
        "usual_order": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["item", "count"],
                "properties": {"item": {"type": "string"}, "count": {"type": "integer"}},
            },
        },
        "last_visit": {"type": ["object", "null"]},
    },
}

GUEST_SUMMARY = {
    "type": "object",
    "required": ["id", "full_name"],
    "properties": {
        "id": {"type": "integer"},
        "full_name": {"type": "string"},
        "preferred_name": {"type": "string"},
        "company": {"type": "string"},
        "vip_level": {"type": "integer"},
        "visit_count": {"type": "integer"},
        "last_visit_at": _NULLABLE_STR,
        "allergies": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}

VISIT = {
    "type": "object",
    "required": ["id", "guest_id", "outlet", "visited_at", "items", "spend"],
    "properties": {
        "id": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "outlet": {"type": "string"},
        "outlet_name": {"type": "string"},
        "visited_at": {"type": "string"},
        "table": {"type": "string"},
        "party_size": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "string"}},
        "spend": _NULLABLE_STR,
        "currency": {"type": "string"},
        "served_by": {"type": "string"},
        "notes": {"type": "string"},
    },
    "additionalProperties": False,
}

OUTLET = {
    "type": "object",
    "required": ["id", "code", "name", "kind"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
    },
    "additionalProperties": False,
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "current": {"$ref": "#/components/schemas/Guest"},
    },
}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(model.__name__)}}}


def _input_schemas() -> dict[str, Any]:
    """Request schemas generated from the pydantic models, with their nested definitions lifted."""
    schemas: dict[str, Any] = {}
    for model in (GuestCreate, GuestPatch, VisitCreate, OutletCreate):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
    return schemas


HEALTH = {"type": "object", "properties": {"status": {"const": "ok"}}}
GUEST_ID = {"name": "guest_id", "in": "path", "required": True, "schema": {"type": "integer"}}


@cache
def build_spec() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Guestbook API",
            "version": "1.0.0",
            "description": "Guest recognition for hotels and restaurants.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/health": {
                "get": {
                    "summary": "Liveness",
                    "security": [],
                    "responses": {
                        "200": json_response({"type": "object", "properties": {"status": {"const": "ok"}}}, "OK")
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": json_response({"type": "object"}, "OpenAPI document")},
                }
            },
            "/guests": {
                "get": {
                    "summary": "Search guests (rank order)",
                    "parameters": [
                        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                        },
                    ],
                    "responses": {
                        "200": json_response(
                            {
                                "type": "object",
                                "required": ["results"],
                                "properties": {"results": {"type": "array", "items": ref("GuestSummary")}},
                            },
                            "Results",
                        ),
                        **errors(401, 403, 422),
                    },
                },
                "post": {
                    "summary": "Create a guest",
                    "requestBody": _body(GuestCreate),
                    "responses": {"201": json_response(ref("Guest"), "Created"), **errors(400, 401, 403, 422)},
                },
            },
            "/guests/{guest_id}": {
                "parameters": [GUEST_ID],
                "get": {
                    "summary": "One guest with recognition facts",
                    "responses": {"200": json_response(ref("Guest"), "The guest"), **errors(401, 403, 404)},
                },
                "patch": {
                    "summary": "Change a guest (optimistic locking)",
                    "requestBody": _body(GuestPatch),
                    "responses": {
                        "200": json_response(ref("Guest"), "Updated"),
                        **errors(400, 401, 403, 404, 409, 422),
                    },
                },
            },
            "/guests/{guest_id}/visits": {
                "parameters": [GUEST_ID],
                "post": {
                    "summary": "Log a visit",
                    "requestBody": _body(VisitCreate),
                    "responses": {"201": json_response(ref("Visit"), "Logged"), **errors(400, 401, 403, 404, 422)},
                },
            },
            "/outlets": {
                "get": {
                    "summary": "List outlets",
                    "responses": {
                        "200": json_response(
                            {
                                "type": "object",
                                "required": ["outlets"],
                                "properties": {"outlets": {"type": "array", "items": ref("Outlet")}},
                            },
                            "Outlets",
                        ),
                        **errors(401, 403),
                    },
                },
                "post": {
                    "summary": "Add an outlet (admin)",
                    "requestBody": _body(OutletCreate),
                    "responses": {"201": json_response(ref("Outlet"), "Created"), **errors(400, 401, 403, 409, 422)},
                },
            },
            **LETTER_PATHS,
            **openapi_reservations.PATHS,
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Guest": GUEST,
                "Recognition": RECOGNITION,
                "GuestSummary": GUEST_SUMMARY,
                "Visit": VISIT,
                "Outlet": OUTLET,
                "Error": ERROR,
                **LETTER_SCHEMAS,
                **_input_schemas(),
                **openapi_reservations.schemas(),
            },
        },
    }
