"""OpenAPI paths and schemas of the reservation and briefing endpoints (this domain's part of the document)."""

from __future__ import annotations

from typing import Any

from guestbook.admin.schemas import OUTLET_CODE_CORE
from guestbook.api.openapi_common import ALLERGY, READ, WRITE, ApiPart, errors, json_response, ref
from guestbook.reservations.bookings import EXTERNAL_ID_PATTERN, SOURCE_PATTERN, ReservationIn

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

POSSIBLE_MATCH: dict[str, Any] = {
    "type": "object",
    "description": "An existing guest this booking may belong to (matched by name only, not yet linked or "
    "rejected by a manager), with their allergies: shown until a manager decides",
    "required": ["guest_id", "name", "visit_count", "last_visit", "allergies"],
    "properties": {
        "guest_id": {"type": "integer"},
        "name": {"type": "string"},
        "visit_count": {"type": "integer"},
        "last_visit": {**_STR_OR_NULL, "description": "YYYY-MM-DD in the property's timezone, or null"},
        "allergies": {"type": "array", "items": ALLERGY},
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
        "tier": {"enum": ["A", "B", "C", None], "description": "the pyramid's tier (null before the first refresh)"},
        "influence": {
            "enum": ["press", "critic", "official", "travel_trade", "community", "other", None],
            "description": "influence that spend does not show, set by a manager",
        },
        "first_visit": {"type": "boolean"},
        "visit_count": {"type": "integer"},
        "last_visit": _STR_OR_NULL,
        "last_visit_outlet": _STR_OR_NULL,
        "usual_seat": {**_STR_OR_NULL, "description": "the seat habit at this booking's outlet only"},
        "usual_seat_evidence": _STR_OR_NULL,
        "usual_seat_elsewhere": {
            "description": "the strongest seat habit at another outlet, to show labelled with that outlet",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["outlet", "value", "evidence"],
                    "properties": {
                        "outlet": {"type": "string", "description": "the outlet's name"},
                        "value": {"type": "string"},
                        "evidence": {"type": "string"},
                    },
                    "additionalProperties": False,
                },
            ],
        },
        "usual_order": {"type": "array", "items": {"type": "string"}},
        "allergies": {"type": "array", "items": ALLERGY},
        "diets": {
            "type": "array",
            "items": {"type": "string"},
            "description": "dietary choices (vegetarian, halal, no pork…): shown, never as an allergy",
        },
        "last_said": {**_STR_OR_NULL, "description": "the note on the guest's last visit, when within 180 days"},
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
        "care": {
            "anyOf": [ref("GuestCare"), {"type": "null"}],
            "description": "the guest JSON's care: a complaint still open or resolved in the last 90 days",
        },
        "companions": {
            "type": "array",
            "description": "related guests also on this sheet; kind is what this arrival is to them "
            "(assistant_of: this guest is their assistant)",
            "items": {
                "type": "object",
                "required": ["guest_id", "name", "kind", "arrival_time"],
                "properties": {
                    "guest_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "kind": {"type": "string"},
                    "arrival_time": {**_STR_OR_NULL, "description": "HH:MM, or null for a hotel arrival without one"},
                },
                "additionalProperties": False,
            },
        },
        "notes": {"type": "string"},
        "possible_matches": {"type": "array", "items": ref("BriefingPossibleMatch")},
        "tags": {"type": "array", "items": {"type": "string"}, "description": "the guest's team tags, by name"},
        "history": {
            **ref("GuestHistory"),
            "description": "the guest's record as in the guest JSON (spend null for roles that do not see it)",
        },
        "has_photo": {"type": "boolean", "description": "a photo is on file (GET /guests/{guest_id}/photo)"},
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
_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": list(_COUNTS),
    "properties": {
        **{key: {"type": "integer"} for key in _COUNTS},
        "allergies": {
            "type": "integer",
            "description": "arrivals with an allergy alert: their own, or a possible match's",
        },
    },
}
KITCHEN_ITEM: dict[str, Any] = {
    "type": "object",
    "description": "an allergy or dietary need of the day (anaphylaxis first, then by severity, diets last)",
    "required": ["time", "outlet", "table", "guest_id", "name", "allergen", "severity", "kind"],
    "properties": {
        "time": {**_STR_OR_NULL, "description": "HH:MM; null for a hotel arrival without a time"},
        "outlet": {"type": "string"},
        "table": _STR_OR_NULL,
        "guest_id": {"type": "integer"},
        "name": {"type": "string"},
        "allergen": {"type": "string", "description": "the allergen, or the diet when kind is diet"},
        "severity": {**_STR_OR_NULL, "description": "null for a diet"},
        "note": _STR_OR_NULL,
        "kind": {
            "enum": ["allergy", "diet", "possible"],
            "description": "possible: the allergy of a guest this name-only booking may really be",
        },
    },
    "additionalProperties": False,
}
OCCASION_ITEM: dict[str, Any] = {
    "type": "object",
    "description": "a birthday, anniversary or booked occasion of the day, with what is planned",
    "required": ["time", "outlet", "table", "guest_id", "name", "kind", "date", "label", "note"],
    "properties": {
        "time": _STR_OR_NULL,
        "outlet": {"type": "string"},
        "table": _STR_OR_NULL,
        "guest_id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": {"enum": ["birthday", "anniversary", "occasion"]},
        "date": {"type": ["string", "null"], "format": "date"},
        "label": {"type": "string", "description": "as staff read it, in the caller's language"},
        "note": {**_STR_OR_NULL, "description": "the booking's notes: what is planned"},
    },
    "additionalProperties": False,
}
SECTION: dict[str, Any] = {
    "type": "object",
    "description": "one outlet's arrivals' counts, in the admin's outlet order",
    "required": ["outlet", "name", "kind", "summary"],
    "properties": {
        "outlet": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
        "summary": _SUMMARY,
    },
    "additionalProperties": False,
}
BRIEFING: dict[str, Any] = {
    "type": "object",
    "required": ["date", "summary", "kitchen", "occasions", "sections", "arrivals"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "outlet": _STR_OR_NULL,
        "period": _STR_OR_NULL,
        "property": {"type": "string"},
        "generated_at": {"type": "string"},
        "summary": _SUMMARY,
        "kitchen": {"type": "array", "items": ref("BriefingKitchenItem")},
        "occasions": {"type": "array", "items": ref("BriefingOccasion")},
        "sections": {"type": "array", "items": ref("BriefingSection")},
        "arrivals": {"type": "array", "items": ref("BriefingArrival")},
    },
    "additionalProperties": False,
}

_QUERY = [
    {
        "name": "outlet",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "pattern": f"^(?:{OUTLET_CODE_CORE})?$"},
        "description": "outlet code (an unknown one is a 422); empty: every outlet",
    },
    {
        "name": "period",
        "in": "query",
        "required": False,
        "schema": {"enum": ["breakfast", "lunch", "dinner", ""]},
        "description": "one service period (by arrival time); empty: the whole day",
    },
]
_DAY = {
    "name": "day",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"},
    "description": "YYYY-MM-DD, from 1900-01-01 to 2999-12-31",
}

PATHS: dict[str, Any] = {
    "/reservations/{source}/{external_id}": {
        "parameters": [
            {"name": "source", "in": "path", "required": True, "schema": {"type": "string", "pattern": SOURCE_PATTERN}},
            {
                "name": "external_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": EXTERNAL_ID_PATTERN},
            },
        ],
        "put": {
            "summary": "Create or update a reservation (idempotent upsert by source and external id)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ReservationIn")}}},
            "responses": {
                "201": json_response(ref("Reservation"), "Created"),
                "200": json_response(ref("Reservation"), "Updated (or unchanged)"),
                **errors(*WRITE),
            },
        },
    },
    "/briefings/{day}": {
        "parameters": [_DAY, *_QUERY],
        "get": {
            "summary": "The arrival briefing for a date (floor and above; ages only for concierge and above)",
            "responses": {"200": json_response(ref("Briefing"), "The briefing"), **errors(400, *READ, 422)},
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
                **errors(400, *READ, 422),
            },
        },
    },
}


def schemas() -> dict[str, Any]:
    """Component schemas: responses and the ReservationIn request model (with its nested GuestRef)."""
    request = ReservationIn.model_json_schema(ref_template="#/components/schemas/{model}")
    found: dict[str, Any] = dict(request.pop("$defs", {}))
    found["ReservationIn"] = request
    found.update(
        {
            "Reservation": RESERVATION,
            "BriefingArrival": ARRIVAL,
            "BriefingPossibleMatch": POSSIBLE_MATCH,
            "Briefing": BRIEFING,
            "BriefingKitchenItem": KITCHEN_ITEM,
            "BriefingOccasion": OCCASION_ITEM,
            "BriefingSection": SECTION,
        }
    )
    return found


def openapi_part() -> ApiPart:
    """The reservation and briefing endpoints' share of the OpenAPI document."""
    return ApiPart(PATHS, schemas())
