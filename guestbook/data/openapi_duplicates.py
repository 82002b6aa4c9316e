"""The OpenAPI description of the duplicate endpoints: likely pairs and "not the same person" (admins)."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import READ, WRITE, ApiPart, errors, input_schemas, json_response, ref, request_body
from guestbook.data.duplicate_keys import REASONS
from guestbook.data.duplicates import DEFAULT_LIMIT, MAX_LIMIT
from guestbook.data.duplicates_api import DuplicateRejectIn

GUEST_IDS = {
    "type": "array",
    "items": {"type": "integer"},
    "minItems": 2,
    "maxItems": 2,
    "description": "the two guests, lower id first",
}
REASON_LIST = {
    "type": "array",
    "items": {"type": "string", "enum": list(REASONS)},
    "description": "what the two guests share, strongest first",
}
DUPLICATE_PAIR = {
    "type": "object",
    "required": ["guest_ids", "score", "reasons"],
    "properties": {
        "guest_ids": GUEST_IDS,
        "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "how likely one person, 0 to 1"},
        "reasons": REASON_LIST,
    },
    "additionalProperties": False,
}
DUPLICATE_REJECTED = {
    "type": "object",
    "required": ["guest_ids", "rejected"],
    "properties": {"guest_ids": GUEST_IDS, "rejected": {"type": "boolean"}},
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/duplicates": {
        "get": {
            "summary": "Likely duplicate guests from the last scan, highest score first (admins)",
            "description": (
                "Found by the nightly scan (and `flask --app wsgi duplicates scan`) from shared e-mail, phone digits, "
                "name (normalised and transliterated), birthday and address. Pairs a person rejected, erased guests "
                "and guests merged away are never listed."
            ),
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                }
            ],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["pairs"],
                        "properties": {"pairs": {"type": "array", "items": ref("DuplicatePair")}},
                    },
                    "The pairs",
                ),
                **errors(400, *READ, 422),
            },
        },
    },
    "/duplicates/reject": {
        "post": {
            "summary": "Not the same person: the pair is never suggested again (admins; audited on both guests)",
            "description": "Both guests must exist. Answers 422 when the two ids are the same.",
            "requestBody": request_body(DuplicateRejectIn),
            "responses": {
                "200": json_response(ref("DuplicateRejected"), "Remembered"),
                **errors(*WRITE, 404),
            },
        },
    },
}


def openapi_part() -> ApiPart:
    """The duplicate endpoints' share of the OpenAPI document."""
    schemas = {"DuplicatePair": DUPLICATE_PAIR, "DuplicateRejected": DUPLICATE_REJECTED}
    return ApiPart(PATHS, {**schemas, **input_schemas(DuplicateRejectIn)})
