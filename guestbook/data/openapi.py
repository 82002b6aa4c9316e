"""The OpenAPI description of the data endpoints: a guest's access log."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import ID_SCHEMA, READ, ApiPart, errors, id_parameter, json_response, ref
from guestbook.data.access_log import DEFAULT_LIMIT, MAX_LIMIT

ACCESS_ENTRY = {
    "type": "object",
    "required": ["id", "at", "who", "action", "device", "address"],
    "properties": {
        "id": {"type": "integer", "description": "the audit event's id (send it as before= for the next page)"},
        "at": {"type": "string", "format": "date-time", "description": "when, in UTC"},
        "who": {"type": "string", "description": "the staff member's name, the API key's name, or the system job"},
        "action": {"type": "string", "description": "what was done: guest_view, guest_edit, visit_log, …"},
        "device": {"type": "string", "enum": ["web", "api", "system"], "description": "the channel it came through"},
        "address": {"type": "string", "description": "the caller's IP address (empty for the system)"},
    },
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/access-log": {
        "parameters": [id_parameter("guest_id")],
        "get": {
            "summary": "Who looked at or changed this guest, newest first (managers and admins)",
            "description": (
                "Every view, edit, export, merge, erasure and print of the guest, read from the audit trail. "
                "Reading it is recorded too (access_log_view). Page with before=<the last id you got>."
            ),
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                },
                {
                    "name": "before",
                    "in": "query",
                    "required": False,
                    "description": "only events with a smaller id (the next page)",
                    "schema": ID_SCHEMA,
                },
            ],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "array", "items": ref("AccessLogEntry")}},
                    },
                    "The access log",
                ),
                **errors(400, *READ, 404, 422),
            },
        },
    },
}


def openapi_part() -> ApiPart:
    """The data endpoints' share of the OpenAPI document."""
    return ApiPart(PATHS, {"AccessLogEntry": ACCESS_ENTRY})
