"""The OpenAPI description of the merge endpoints: merge two guests, undo a merge, list merges (admins)."""

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
from guestbook.data.merge_schemas import GuestMergeIn

MERGE = {
    "type": "object",
    "required": ["id", "keep_id", "other_id", "fields", "merged_by", "merged_at", "undone_by", "undone_at"],
    "properties": {
        "id": {"type": "integer"},
        "keep_id": {"type": "integer", "description": "the surviving guest"},
        "other_id": {"type": "integer", "description": "the guest merged away"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": ["keep", "other", "both"]},
            "description": "whose value each guest field took (notes: both when both were kept)",
        },
        "merged_by": {"type": "string"},
        "merged_at": {"type": "string", "format": "date-time"},
        "undone_by": {"type": ["string", "null"]},
        "undone_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
ADDED_ROW = {
    "type": "object",
    "required": ["table", "id", "summary"],
    "properties": {
        "table": {"type": "string", "description": "visit, preference, guest_note, allergy, letter, …"},
        "id": {"description": "the row's id (a list for a key of several columns)"},
        "summary": {"type": "string"},
    },
}
CONFLICT = {"409": json_response(ref("Error"), "Refused: an erased guest, or the merge cannot be undone (says why)")}

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/merge": {
        "parameters": [id_parameter("guest_id")],
        "post": {
            "summary": "Merge another guest into this one (admins)",
            "description": (
                "Every visit, preference, allergy, note, letter and reservation of other_id moves to this guest; "
                "other_id then answers 404 with merged_into. fields chooses, per guest field, whose value is kept "
                "(keep: this guest's, other: the other's); a field not sent keeps this guest's value unless it is "
                "empty, notes of both are kept, do_not_contact is set when either asked. Allergies and tags are "
                "the union. other_id equal to the path's guest_id is a 422."
            ),
            "requestBody": request_body(GuestMergeIn),
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["merge_id", "guest"],
                        "properties": {"merge_id": {"type": "integer"}, "guest": ref("Guest")},
                    },
                    "Merged: the surviving guest",
                ),
                **errors(*WRITE, 404),
                **CONFLICT,
            },
        },
    },
    "/merges/{merge_id}/undo": {
        "parameters": [id_parameter("merge_id")],
        "post": {
            "summary": "Undo a merge (admins)",
            "description": (
                "Both guests come back exactly as they were (the other under its own id), each with what was "
                "theirs; rows added to the survivor since the merge stay with it and are listed in added_since "
                "for review. A merge undone already, or whose survivor was merged again, answers 409."
            ),
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["merge_id", "guests", "added_since"],
                        "properties": {
                            "merge_id": {"type": "integer"},
                            "guests": {
                                "type": "array",
                                "items": ref("Guest"),
                                "minItems": 2,
                                "maxItems": 2,
                                "description": "the survivor, then the guest brought back",
                            },
                            "added_since": {"type": "array", "items": ref("MergeAddedRow")},
                        },
                    },
                    "Undone",
                ),
                **errors(*READ, 404),
                **CONFLICT,
            },
        },
    },
    "/merges": {
        "get": {
            "summary": "Merges, newest first (admins)",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "array", "items": ref("GuestMerge")}},
                    },
                    "The merges",
                ),
                **errors(*READ),
            },
        }
    },
}


def openapi_part() -> ApiPart:
    """The merge endpoints' share of the OpenAPI document."""
    return ApiPart(PATHS, {**input_schemas(GuestMergeIn), "GuestMerge": MERGE, "MergeAddedRow": ADDED_ROW})
