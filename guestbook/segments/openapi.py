"""The OpenAPI description of the segments: the guest JSON's ``segment`` and the hand-set tier."""

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
from guestbook.segments.models import INFLUENCE_KINDS
from guestbook.segments.schemas import TierOverrideIn
from guestbook.segments.scoring import LIFECYCLE_STAGES, SEGMENTS

_SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
_MODEL = "; null for floor and concierge, before the model is fitted (too few guests with visits) or without visits"

GUEST_SEGMENT = {
    "type": "object",
    "required": [
        "tier",
        "tier_source",
        "tier_reason",
        "influence",
        "rfm",
        "lifecycle",
        "p_active",
        "expected_visits_90d",
        "value_12m",
        "refreshed_at",
    ],
    "properties": {
        "tier": {"enum": ["A", "B", "C"], "description": "A: the guests bringing 80% of spend; B: the next 15%"},
        "tier_source": {"enum": ["computed", "override"]},
        "tier_reason": {"type": ["string", "null"], "description": "why the tier was set by hand"},
        "influence": {"enum": [*INFLUENCE_KINDS, None]},
        "rfm": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["r", "f", "m", "name"],
                    "properties": {"r": _SCORE, "f": _SCORE, "m": _SCORE, "name": {"enum": list(SEGMENTS)}},
                    "additionalProperties": False,
                },
                {"type": "null"},
            ]
        },
        "lifecycle": {"enum": [*LIFECYCLE_STAGES, None]},
        "p_active": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "BG/NBD" + _MODEL},
        "expected_visits_90d": {"type": ["number", "null"], "minimum": 0, "description": "BG/NBD" + _MODEL},
        "value_12m": {
            "type": ["string", "null"],
            "description": "expected spend in the next 12 months (BG/NBD x Gamma-Gamma)" + _MODEL,
        },
        "refreshed_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "additionalProperties": False,
}

_TIER_RESPONSE = {
    "type": "object",
    "required": ["guest_id", "segment"],
    "properties": {
        "guest_id": {"type": "integer"},
        "segment": {"anyOf": [ref("GuestSegment"), {"type": "null"}]},
    },
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/tier": {
        "parameters": [id_parameter("guest_id")],
        "put": {
            "summary": "Set the guest's tier by hand, with the reason (managers and admins)",
            "requestBody": request_body(TierOverrideIn),
            "responses": {"200": json_response(_TIER_RESPONSE, "The guest's segment"), **errors(*WRITE, 404)},
        },
        "delete": {
            "summary": "Remove the hand-set tier: the computed one applies again (managers and admins)",
            "responses": {"200": json_response(_TIER_RESPONSE, "The guest's segment"), **errors(*READ, 404)},
        },
    },
}


def openapi_part() -> ApiPart:
    """The segments' paths and schemas."""
    return ApiPart(paths=PATHS, schemas={"GuestSegment": GUEST_SEGMENT, **input_schemas(TierOverrideIn)})
