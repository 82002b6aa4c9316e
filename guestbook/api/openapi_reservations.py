"""OpenAPI paths and schemas of the reservation and briefing endpoints (merged into the spec by openapi.py)."""

from __future__ import annotations

from typing import Any

from ..services.reservations import ReservationIn
from .openapi_common import errors, json_response, ref

_STR_OR_NULL = {"type": ["string", "null"]}


RESERVATION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "source", "external_id", "guest_id", "outlet", "arrival_date", "status", "match", "created"],
    "properties": {
        "id": {"type": "integer"},
        "source": {"type": "string"},
        "external_id": {"type": "string"},
        "guest_id": {"type": "integer"},
        "outlet": {"type": "string"},
        "arrival_date": {"type": "string", "format": "date"},
        "arrival_time": _STR_OR_NULL,
        "party_size": {"type": "integer"},
        "table": {"type": "string"},
        "nights": {"type": "integer"},
        "status": {"enum": ["booked", "arrived", "cancelled", "no-show"]},
        "occasion": {"type": "string"},
        "notes": {"type": "string"},
        "match": {
            "enum": ["linked", "possible", "new"],
            "description": "linked: exact email or phone (or guest_id); possible: name only, queued for a "
            "manager; new: a new profile was created",
        },
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "created": {"type": "boolean", "description": "true when this call created the reservation"},
    },
    "additionalProperties": False,
}

ARRIVAL: dict[str, Any] = {
    "type": "object",
    "required": ["reservation_id", "guest_id", "name", "party_size", "allergies", "occasions", "first_visit"],
    "properties": {
        "reservation_id": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "name": {"type": "string"},
        "preferred_name": {"type": "string"},
        "salutation": {"type": "string"},
        "pronunciation": {"type": "string"},
        "language": {"type": "string"},
        "company": {"type": "string"},
        "outlet": {"type": "string"},
        "arrival_time": _STR_OR_NULL,
        "party_size": {"type": "integer"},
        "table": {"type": "string"},
        "nights": {"type": "integer"},
        "status": {"type": "string"},
        "vip_level": {"type": "integer"},
        "first_visit": {"type": "boolean"},
        "visit_count": {"type": "integer"},
        "last_visit": _STR_OR_NULL,
        "last_visit_outlet": _STR_OR_NULL,
        "usual_seat": _STR_OR_NULL,
        "usual_seat_evidence": _STR_OR_NULL,
        "usual_order": {"type": "array", "items": {"type": "string"}},
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
        "occasions": {"type": "array", "items": {"type": "string"}},
        "complaints": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "summary": {"type": "string"},
                    "promised": {"type": "string"},
                    "raised_on": _STR_OR_NULL,
                },
            },
        },
        "notes": {"type": "string"},
    },
    "additionalProperties": False,
}

_COUNTS = (
    "arrivals",
    "covers",
    "returning",
    "first_time",
    "vips",
    "occasions",
    "allergies",
    "open_complaints",
    "cancelled",
)
BRIEFING: dict[str, Any] = {
    "type": "object",
    "required": ["date", "summary", "arrivals"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "outlet": _STR_OR_NULL,
        "period": _STR_OR_NULL,
        "property": {"type": "string"},
        "generated_at": {"type": "string"},
        "summary": {
            "type": "object",
            "required": list(_COUNTS),
            "properties": {key: {"type": "integer"} for key in _COUNTS},
        },
        "arrivals": {"type": "array", "items": ref("BriefingArrival")},
    },
    "additionalProperties": False,
}

_QUERY = [
    {"name": "outlet", "in": "query", "required": False, "schema": {"type": "string"}, "description": "outlet code"},
    {
        "name": "period",
        "in": "query",
        "required": False,
        "schema": {"enum": ["breakfast", "lunch", "dinner"]},
        "description": "one service period (by arrival time)",
    },
]
_DAY = {"name": "day", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}

PATHS: dict[str, Any] = {
    "/reservations/{source}/{external_id}": {
        "parameters": [
            {"name": "source", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "put": {
            "summary": "Create or update a reservation (idempotent upsert by source and external id)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ReservationIn")}}},
            "responses": {
                "201": json_response(ref("Reservation"), "Created"),
                "200": json_response(ref("Reservation"), "Updated (or unchanged)"),
                **errors(400, 401, 403, 422),
            },
        },
    },
    "/briefings/{day}": {
        "parameters": [_DAY, *_QUERY],
        "get": {
            "summary": "The arrival briefing for a date (manager)",
            "responses": {"200": json_response(ref("Briefing"), "The briefing"), **errors(401, 403, 422)},
        },
    },
    "/briefings/{day}.pdf": {
        "parameters": [_DAY, *_QUERY],
        "get": {
            "summary": "The arrival briefing as a print-ready PDF (manager)",
            "responses": {
                "200": {
                    "description": "PDF",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **errors(401, 403, 422),
            },
        },
    },
}


def schemas() -> dict[str, Any]:
    """Component schemas: responses and the ReservationIn request model (with its nested GuestRef)."""
    request = ReservationIn.model_json_schema(ref_template="#/components/schemas/{model}")
    found: dict[str, Any] = dict(request.pop("$defs", {}))
    found["ReservationIn"] = request
    found.update({"Reservation": RESERVATION, "BriefingArrival": ARRIVAL, "Briefing": BRIEFING})
    return found
