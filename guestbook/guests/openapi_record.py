"""The OpenAPI description of the guest's record at a glance: the history object, tags and the photo."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import (
    READ,
    WRITE,
    errors,
    id_parameter,
    input_schemas,
    json_response,
    ref,
    request_body,
)
from guestbook.guests.tag_schemas import GuestTagsIn, TagCreate

_MONEY = {"type": ["string", "null"], "pattern": "^-?[0-9]+[.][0-9]{2}$"}
_SPEND_NOTE = "; null for roles that do not see spend (setting card_spend_roles)"

GUEST_HISTORY = {
    "type": "object",
    "description": "The guest's record at a glance; money as decimal strings in the property's currency",
    "required": [
        "visits_12m",
        "spend_12m",
        "visits_total",
        "spend_total",
        "average_spend",
        "no_shows_12m",
        "late_cancellations_12m",
        "last_no_show",
    ],
    "properties": {
        "visits_12m": {"type": "integer", "minimum": 0},
        "spend_12m": {**_MONEY, "description": "spend in the last 12 months" + _SPEND_NOTE},
        "visits_total": {"type": "integer", "minimum": 0},
        "spend_total": {**_MONEY, "description": "spend on every visit" + _SPEND_NOTE},
        "average_spend": {**_MONEY, "description": "per visit with a spend; null without one" + _SPEND_NOTE},
        "currency": {"type": "string", "description": "ISO 4217 code of the property's currency"},
        "no_shows_12m": {"type": "integer", "minimum": 0},
        "late_cancellations_12m": {
            "type": "integer",
            "minimum": 0,
            "description": "bookings arriving in the last 12 months that became cancelled less than 24 hours before"
            " their arrival (property time)",
        },
        "last_no_show": {"type": ["string", "null"], "format": "date"},
    },
    "additionalProperties": False,
}

TAG = {
    "type": "object",
    "required": ["id", "name", "color"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    },
    "additionalProperties": False,
}

_GUEST_ID = id_parameter("guest_id")

RECORD_PATHS: dict[str, Any] = {
    "/tags": {
        "get": {
            "summary": "Every defined tag",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "array", "items": ref("Tag")}},
                    },
                    "Tags by name",
                ),
                **errors(*READ),
            },
        },
        "post": {
            "summary": "Define a tag (managers and admins); names are unique whatever their case",
            "requestBody": request_body(TagCreate),
            "responses": {"201": json_response(ref("Tag"), "Created"), **errors(*WRITE, 409)},
        },
    },
    "/guests/{guest_id}/tags": {
        "parameters": [_GUEST_ID],
        "put": {
            "summary": "Replace a guest's tags (defined tags only: an unknown one is a 422 naming it)",
            "requestBody": request_body(GuestTagsIn),
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["guest_id", "tags"],
                        "properties": {
                            "guest_id": {"type": "integer"},
                            "tags": {"type": "array", "items": {"type": "string"}},
                        },
                        "additionalProperties": False,
                    },
                    "The guest's tags",
                ),
                **errors(*WRITE, 404),
            },
        },
    },
}

RECORD_SCHEMAS: dict[str, Any] = {"GuestHistory": GUEST_HISTORY, "Tag": TAG, **input_schemas(TagCreate, GuestTagsIn)}
