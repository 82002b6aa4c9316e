"""The OpenAPI description of privacy requests: a guest's data export (JSON, PDF) and erasure."""

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
from guestbook.data.privacy import SECTIONS
from guestbook.data.privacy_api import GuestErase

_ROWS = {"type": "array", "items": {"type": "object"}}
EXPORT = {
    "type": "object",
    "required": ["format_version", "guest_id", "exported_at", "erased_at", *SECTIONS],
    "properties": {
        "format_version": {"type": "integer"},
        "guest_id": {"type": "integer"},
        "exported_at": {"type": "string", "format": "date-time"},
        "erased_at": {"type": ["string", "null"], "format": "date-time"},
        **{name: _ROWS for name in SECTIONS},
        "profile": {"type": "object", "description": "every column of the guest's profile, contacts in full"},
        "photo": {
            "type": "object",
            "description": "the photo consent and whether a photo is held (the image itself is not exported)",
        },
        "access_log": {"type": "array", "items": ref("AccessLogEntry")},
        "other": {
            "type": "object",
            "description": "rows of any other table that points at the guest, by table name",
            "additionalProperties": _ROWS,
        },
    },
}
ERASED = {
    "type": "object",
    "required": ["guest_id", "erased_at", "erasure_id"],
    "properties": {
        "guest_id": {"type": "integer"},
        "erased_at": {"type": "string", "format": "date-time"},
        "erasure_id": {"type": "integer"},
    },
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/export": {
        "parameters": [id_parameter("guest_id")],
        "get": {
            "summary": "Everything held about the guest, as JSON (admins; GDPR art. 15, PDPA)",
            "description": (
                "The profile (contacts in full), allergies, preferences, notes, tags, photo consent, visits, "
                "letters, reservations, contact suggestions, import references, possible duplicates, merges, "
                "erasures and the access log. Recorded in the audit trail (guest_export)."
            ),
            "responses": {"200": json_response(ref("GuestExport"), "The guest's data"), **errors(*READ, 404)},
        },
    },
    "/guests/{guest_id}/export.pdf": {
        "parameters": [id_parameter("guest_id")],
        "get": {
            "summary": "Everything held about the guest, as a readable PDF (admins)",
            "description": "The same content as /export, laid out for a person to read. Audited (guest_export_pdf).",
            "responses": {
                "200": {
                    "description": "The export as a PDF (an attachment)",
                    "headers": {
                        "Content-Disposition": {
                            "schema": {"type": "string"},
                            "description": 'attachment; filename="guest-<id>-data.pdf"',
                        }
                    },
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **errors(*READ, 404),
            },
        },
    },
    "/guests/{guest_id}/erase": {
        "parameters": [id_parameter("guest_id")],
        "post": {
            "summary": "Erase (anonymise) the guest (admins; GDPR art. 17, PDPA) — cannot be undone",
            "description": (
                "Names, contacts, address, dates, notes and the free text of visits, letters and reservations "
                "are removed; visit counts and spend stay, anonymously. Pending letters are cancelled, the guest "
                "leaves the search index and any archived briefing is re-rendered without them. The e-mail and "
                "phone are remembered as keyed hashes: creating a guest with them answers 409 unless an admin "
                "sends allow_erased=true. The reason is kept with the erasure record only. 409 when the guest "
                "was already erased."
            ),
            "requestBody": request_body(GuestErase),
            "responses": {"200": json_response(ref("GuestErased"), "The guest was erased"), **errors(*WRITE, 404, 409)},
        },
    },
}


def openapi_part() -> ApiPart:
    """The privacy endpoints' share of the OpenAPI document."""
    return ApiPart(PATHS, {"GuestExport": EXPORT, "GuestErased": ERASED, **input_schemas(GuestErase)})
