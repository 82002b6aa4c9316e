"""The OpenAPI description of the letter-batch endpoints (this domain's part of the document)."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import ApiPart
from guestbook.letters.models import LETTER_KINDS, LETTER_STATUSES, SKIP_REASONS

_ERROR = {"$ref": "#/components/schemas/Error"}
BATCH_ID = {"name": "batch_id", "in": "path", "required": True, "schema": {"type": "integer"}}

LETTER: dict[str, Any] = {
    "type": "object",
    "required": ["id", "guest_id", "kind", "status"],
    "properties": {
        "id": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "kind": {"type": "string", "enum": list(LETTER_KINDS)},
        "period_key": {"type": "string", "description": "e.g. 2027 for a birthday, lapse-2025-12-01 for we-miss-you"},
        "status": {"type": "string", "enum": list(LETTER_STATUSES)},
        "skip_reason": {"type": "string", "enum": list(SKIP_REASONS), "description": "only for skipped letters"},
        "language": {"type": "string"},
        "occasion_date": {"type": ["string", "null"], "format": "date"},
        "subject": {"type": "string"},
        "template_version": {"type": "string"},
        "edited": {"type": "boolean"},
    },
    "additionalProperties": False,
}

LETTER_BATCH: dict[str, Any] = {
    "type": "object",
    "required": ["id", "run_date", "letters"],
    "properties": {
        "id": {"type": "integer"},
        "run_date": {"type": "string", "format": "date"},
        "created_at": {"type": "string"},
        "counts": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
        "letters": {"type": "array", "items": {"$ref": "#/components/schemas/Letter"}},
        "skipped": {
            "type": "array",
            "description": (
                "Letters the last run could not make (a template that fails for this guest, e.g. too long); "
                "they are not recorded, so the next run after the template is fixed makes them"
            ),
            "items": {
                "type": "object",
                "required": ["guest_id", "kind", "reason"],
                "properties": {
                    "guest_id": {"type": "integer"},
                    "kind": {"type": "string", "enum": list(LETTER_KINDS)},
                    "reason": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        401: "Missing or invalid API key",
        403: "Role not allowed",
        404: "Unknown id",
        409: "Nothing to print yet: the batch has no approved letters (approve them first)",
    }
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


LETTER_PATHS: dict[str, Any] = {
    "/letter-batches/{batch_id}": {
        "parameters": [BATCH_ID],
        "get": {
            "summary": "A letter batch with every letter (skipped ones with their reason)",
            "responses": {
                "200": {
                    "description": "The batch",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LetterBatch"}}},
                },
                **_errors(401, 403, 404),
            },
        },
    },
    "/letter-batches/{batch_id}.pdf": {
        "parameters": [BATCH_ID],
        "get": {
            "summary": "The batch's approved letters as a print-ready PDF",
            "responses": {
                "200": {
                    "description": "PDF, one letter per page",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **_errors(401, 403, 404, 409),
            },
        },
    },
}

LETTER_SCHEMAS: dict[str, Any] = {"Letter": LETTER, "LetterBatch": LETTER_BATCH}


def openapi_part() -> ApiPart:
    """The letter endpoints' share of the OpenAPI document."""
    return ApiPart(LETTER_PATHS, LETTER_SCHEMAS)
