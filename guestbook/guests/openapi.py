"""The OpenAPI description of the guest endpoints: paths and schemas, request bodies from the pydantic models."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import (
    ALLERGY,
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
from guestbook.guests.openapi_record import RECORD_PATHS, RECORD_SCHEMAS
from guestbook.guests.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.guests.suggestions import ContactSuggestionIn
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
        "tags": {"type": "array", "items": {"type": "string"}, "description": "names of the guest's tags"},
        "history": {"$ref": "#/components/schemas/GuestHistory"},
        "has_photo": {"type": "boolean", "description": "a photo is on file (GET /guests/{guest_id}/photo)"},
        "segment": {
            "anyOf": [{"$ref": "#/components/schemas/GuestSegment"}, {"type": "null"}],
            "description": "tier, RFM, lifecycle and lapse risk as of the last refresh; null before the first one",
        },
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

# The create answer: the guest, and the guests it may duplicate (roles that see contacts masked: by name and
# birthday only). Reasons are stable English codes: same email, same phone, same name, similar name, same birthday,
# same address.
_GUEST: dict[str, Any] = GUEST
GUEST_CREATED = {
    **_GUEST,
    "required": [*_GUEST["required"], "possible_duplicates"],
    "properties": {
        **_GUEST["properties"],
        "possible_duplicates": {
            "type": "array",
            "description": "guests that may be the same person, best first (at most 3)",
            "items": {
                "type": "object",
                "required": ["guest_id", "score", "reasons"],
                "properties": {
                    "guest_id": {"type": "integer"},
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                },
                "additionalProperties": False,
            },
        },
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
        "tags": {"type": "array", "items": {"type": "string"}},
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


PATHS: dict[str, Any] = {
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
            "description": (
                "An e-mail or phone of a guest who was erased (asked to be forgotten) answers 409 with field "
                "email or phone; an admin may create the guest anyway with allow_erased=true (403 for other roles)."
            ),
            "parameters": [
                {
                    "name": "allow_erased",
                    "in": "query",
                    "required": False,
                    "description": "admins only: create the guest even with an erased guest's e-mail or phone",
                    "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
                }
            ],
            "requestBody": request_body(GuestCreate),
            "responses": {
                "201": json_response(ref("GuestCreated"), "Created"),
                **errors(*WRITE),
                "409": json_response(
                    {
                        "type": "object",
                        "required": ["error", "field"],
                        "properties": {
                            "error": {"type": "string"},
                            "field": {"type": "string", "enum": ["email", "phone"]},
                        },
                    },
                    "The e-mail or phone belongs to a guest who asked to be forgotten",
                ),
            },
        },
    },
    "/guests/{guest_id}": {
        "parameters": [GUEST_ID],
        "get": {
            "summary": "One guest with recognition facts",
            "responses": {
                "200": json_response(ref("Guest"), "The guest"),
                **errors(*READ),
                "404": json_response(
                    ref("Error"), "Unknown id; a guest merged into another also gives merged_into: the survivor's id"
                ),
            },
        },
        "patch": {
            "summary": "Change a guest (optimistic locking)",
            "requestBody": request_body(GuestPatch),
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
            "requestBody": request_body(VisitCreate),
            "responses": {"201": json_response(ref("Visit"), "Logged"), **errors(*WRITE, 404)},
        },
    },
}

CONTACT_SUGGESTION = {
    "type": "object",
    "required": ["id", "guest_id", "kind", "value", "status", "suggested_by", "suggested_at"],
    "properties": {
        "id": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["phone", "email"]},
        "value": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
        "suggested_by": {"type": "string"},
        "suggested_at": {"type": "string"},
        "decided_by": _NULLABLE_STR,
        "decided_at": _NULLABLE_STR,
    },
    "additionalProperties": False,
}
CONTACT_SUGGESTION_RECEIPT = {
    "type": "object",
    "required": ["id", "guest_id", "kind", "status"],
    "properties": {
        "id": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["phone", "email"]},
        "status": {"type": "string", "enum": ["pending"]},
    },
    "additionalProperties": False,
}
SUGGESTION_ID = id_parameter("suggestion_id")
SUGGESTION_DECIDED = {
    "type": "object",
    "required": ["error", "suggestion"],
    "properties": {"error": {"type": "string"}, "suggestion": ref("ContactSuggestion")},
}
_DECIDED = json_response(
    ref("SuggestionDecided"), "The suggestion was already accepted or rejected (shown); nothing was changed"
)


def _decision(summary: str, done: str) -> dict[str, Any]:
    return {
        "parameters": [SUGGESTION_ID],
        "post": {
            "summary": summary,
            "responses": {
                "200": json_response(ref("ContactSuggestion"), done),
                **errors(*READ, 404),
                "409": _DECIDED,
            },
        },
    }


PATHS.update(
    {
        "/guests/{guest_id}/contact-suggestions": {
            "parameters": [GUEST_ID],
            "post": {
                "summary": "Suggest a phone or e-mail the guest gave at the table (exactly one); a manager decides",
                "requestBody": request_body(ContactSuggestionIn),
                "responses": {
                    "202": json_response(
                        ref("ContactSuggestionReceipt"), "Kept for a manager (the value is not echoed)"
                    ),
                    **errors(*WRITE, 404),
                },
            },
        },
        "/contact-suggestions": {
            "get": {
                "summary": "Contact suggestions waiting for a manager, oldest first",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["results"],
                            "properties": {"results": {"type": "array", "items": ref("ContactSuggestion")}},
                        },
                        "Pending suggestions",
                    ),
                    **errors(*READ),
                },
            },
        },
        "/contact-suggestions/{suggestion_id}/accept": _decision(
            "Accept a suggestion: the value is written onto the guest (audited)", "Accepted"
        ),
        "/contact-suggestions/{suggestion_id}/reject": _decision("Reject a suggestion", "Rejected"),
    }
)


def openapi_part() -> ApiPart:
    """The guest endpoints' share of the OpenAPI document."""
    schemas = {"Guest": GUEST, "Recognition": RECOGNITION, "GuestSummary": GUEST_SUMMARY, "Visit": VISIT}
    schemas["GuestCreated"] = GUEST_CREATED
    schemas |= {
        "ContactSuggestion": CONTACT_SUGGESTION,
        "ContactSuggestionReceipt": CONTACT_SUGGESTION_RECEIPT,
        "SuggestionDecided": SUGGESTION_DECIDED,
    }
    schemas |= RECORD_SCHEMAS
    return ApiPart(
        {**PATHS, **RECORD_PATHS},
        {**schemas, **input_schemas(GuestCreate, GuestPatch, VisitCreate, ContactSuggestionIn)},
    )
