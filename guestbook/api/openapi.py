"""The OpenAPI 3.1 description: request bodies come from the same pydantic models that validate them."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.api.openapi_common import ALLERGY, READ, WRITE, errors, id_parameter, json_response, ref
from guestbook.guests.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.letters.openapi import LETTER_PATHS, LETTER_SCHEMAS
from guestbook.reservations import openapi as openapi_reservations
from guestbook.text import CONTROL_CLASS, SPACE_CLASS

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
            "items": ALLERGY,
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
        "match_reason": {
            "type": "string",
            "description": 'Why the guest is in the results, in staff words: e.g. "name", "one letter off", '
            '"phone …3121", "arrives today 19:30 · name", "table Window 2 tonight"',
        },
        "detail": {
            "type": "string",
            "description": "What tells namesakes apart: company, city (roles that see addresses), last outlet",
        },
    },
    "additionalProperties": False,
}

# Searches are limited per API key or account and minute (GUESTBOOK_SEARCH_RATE_LIMIT[_FLOOR]).
RATE_LIMITED = {
    "description": "Too many searches this minute; retry after the given number of seconds",
    "headers": {
        "Retry-After": {"description": "Seconds until the next minute's window", "schema": {"type": "integer"}}
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
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
    "required": ["id", "code", "name", "kind", "language", "active"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
        "language": {"type": "string", "description": "language of its menu items and table names (BCP-47)"},
        "active": {"type": "boolean", "description": "false: left out of the pickers for new visits and bookings"},
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
    for model in (GuestCreate, GuestPatch, VisitCreate, OutletCreate, OutletPatch):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
    return schemas


HEALTH = {"type": "object", "properties": {"status": {"const": "ok"}}}
GUEST_ID = id_parameter("guest_id")
_WORD = f"[^{SPACE_CLASS}{CONTROL_CLASS}]+"
# What GET /guests accepts as q (views._search_args): 1 to 200 characters, 1 to 12 words, no control characters.
SEARCH_Q = {
    "name": "q",
    "in": "query",
    "required": True,
    "description": "name, phone digits, e-mail, table or room: at most 200 characters and 12 words",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": f"^[{SPACE_CLASS}]*{_WORD}(?:[{SPACE_CLASS}]+{_WORD}){{0,11}}[{SPACE_CLASS}]*$",
    },
}


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
                        SEARCH_Q,
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
                        **errors(400, *READ, 422),
                        "429": RATE_LIMITED,
                    },
                },
                "post": {
                    "summary": "Create a guest",
                    "requestBody": _body(GuestCreate),
                    "responses": {"201": json_response(ref("Guest"), "Created"), **errors(*WRITE)},
                },
            },
            "/guests/{guest_id}": {
                "parameters": [GUEST_ID],
                "get": {
                    "summary": "One guest with recognition facts",
                    "responses": {"200": json_response(ref("Guest"), "The guest"), **errors(*READ, 404)},
                },
                "patch": {
                    "summary": "Change a guest (optimistic locking)",
                    "requestBody": _body(GuestPatch),
                    "responses": {
                        "200": json_response(ref("Guest"), "Updated"),
                        **errors(*WRITE, 404, 409),
                    },
                },
            },
            "/guests/{guest_id}/visits": {
                "parameters": [GUEST_ID],
                "post": {
                    "summary": "Log a visit",
                    "requestBody": _body(VisitCreate),
                    "responses": {"201": json_response(ref("Visit"), "Logged"), **errors(*WRITE, 404)},
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
                        **errors(*READ),
                    },
                },
                "post": {
                    "summary": "Add an outlet (admin)",
                    "requestBody": _body(OutletCreate),
                    "responses": {"201": json_response(ref("Outlet"), "Created"), **errors(*WRITE, 409)},
                },
            },
            "/outlets/{outlet_id}": {
                "parameters": [id_parameter("outlet_id")],
                "patch": {
                    "summary": "Rename an outlet, set its language, or deactivate/reactivate it (admin)",
                    "description": (
                        "Only the fields given change. An inactive outlet leaves the pickers for new visits and "
                        "bookings; its code, its visits and its history stay."
                    ),
                    "requestBody": _body(OutletPatch),
                    "responses": {"200": json_response(ref("Outlet"), "Updated"), **errors(*WRITE, 404)},
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
