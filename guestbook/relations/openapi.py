"""The OpenAPI description of feedback (complaints and compliments, their workflow) and the guest JSON's ``care``."""

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
from guestbook.errors import MAX_ID
from guestbook.relations.models import AMEND_KINDS, CATEGORIES, CHANNELS, FEEDBACK_KINDS, OUTCOMES, SEVERITIES, STATUSES
from guestbook.relations.schemas import AcknowledgeIn, CloseIn, FeedbackCreate, FollowUpIn, LinkIn, NoteIn, ResolveIn

_STR_OR_NULL = {"type": ["string", "null"]}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_WHO = {"type": ["string", "null"], "description": "who took the step (null until then)"}

GUEST_CARE: dict[str, Any] = {
    "type": "object",
    "description": "handle with care: while a complaint is open or was resolved in the last 90 days (every role)",
    "required": ["banner", "promises", "open", "compliments"],
    "properties": {
        "banner": {"type": "string", "description": "one line in the reader's language"},
        "promises": {"type": "array", "items": {"type": "string"}, "description": "what was promised, newest first"},
        "open": {"type": "boolean", "description": "a complaint is not resolved yet"},
        "compliments": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the guest's compliments of the last 90 days, newest first",
        },
    },
    "additionalProperties": False,
}

_AMEND = {
    "type": "object",
    "required": ["kind", "value", "note"],
    "properties": {
        "kind": {"enum": list(AMEND_KINDS)},
        "value": {**_STR_OR_NULL, "description": "decimal string"},
        "note": {"type": "string"},
    },
    "additionalProperties": False,
}
_NOTE = {
    "type": "object",
    "required": ["step", "body", "author", "created_at"],
    "properties": {
        "step": {"type": "string"},
        "body": {"type": "string"},
        "author": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}
_NEW_NOTE = {
    "type": "object",
    "required": ["id", "body", "author", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "body": {"type": "string"},
        "author": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
}

FEEDBACK_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "version": {"type": "integer", "description": "send it back with a step: a stale one answers 409"},
    "guest_id": {"type": ["integer", "null"], "description": "null for anonymous feedback (link it later)"},
    "kind": {"enum": list(FEEDBACK_KINDS)},
    "category": {"enum": list(CATEGORIES)},
    "severity": {"enum": list(SEVERITIES)},
    "channel": {"enum": list(CHANNELS)},
    "text": {"type": "string", "description": "the guest's words"},
    "outlet": {**_STR_OR_NULL, "description": "outlet code"},
    "reported_at": {"type": "string", "format": "date-time"},
    "staff_involved": {"type": "string"},
    "owner": {"type": ["integer", "null"], "description": "staff id of the owner"},
    "owner_name": _STR_OR_NULL,
    "status": {"enum": list(STATUSES)},
    "due_by": {**_TIME_OR_NULL, "description": "the sundown deadline to acknowledge (null for a compliment)"},
    "overdue": {"type": "boolean", "description": "a complaint still open after due_by"},
    "created_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string"},
    "acknowledged_at": _TIME_OR_NULL,
    "acknowledged_by": _WHO,
    "resolved_at": _TIME_OR_NULL,
    "resolved_by": _WHO,
    "amends": {"type": "array", "items": _AMEND},
    "promise": {"type": "string"},
    "follow_up_on": {**_STR_OR_NULL, "format": "date", "description": "when the owner should call back"},
    "followed_up_at": _TIME_OR_NULL,
    "followed_up_by": _WHO,
    "outcome": {"enum": [*OUTCOMES, None]},
    "closed_at": _TIME_OR_NULL,
    "closed_by": _WHO,
    "close_reason": {"type": "string"},
    "escalated_at": {**_TIME_OR_NULL, "description": "when the overdue mail went to the managers"},
    "notes": {"type": "array", "items": _NOTE, "description": "the internal discussion"},
}
FEEDBACK: dict[str, Any] = {
    "type": "object",
    "required": list(FEEDBACK_PROPERTIES),
    "properties": FEEDBACK_PROPERTIES,
    "additionalProperties": False,
}

_CONFLICT = {
    "type": "object",
    "required": ["error", "status", "version"],
    "properties": {
        "error": {"type": "string"},
        "status": {"enum": list(STATUSES), "description": "the feedback's current status"},
        "version": {"type": "integer", "description": "the feedback's current version"},
    },
}
_CONFLICT_RESPONSE = json_response(_CONFLICT, "Step out of order, or acted on a stale version (the current status)")
_ONE = json_response(ref("Feedback"), "The feedback")
_CREATED = {
    "201": json_response(ref("Feedback"), "Logged: a complaint is open (due by sundown), a compliment recorded"),
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _step(summary: str, model: type[Any], body_required: bool = True) -> dict[str, Any]:
    body = request_body(model)
    body["required"] = body_required
    return {
        "parameters": [id_parameter("feedback_id")],
        "post": {
            "summary": summary,
            "requestBody": body,
            "responses": {"200": _ONE, "409": _CONFLICT_RESPONSE, **errors(*WRITE, 404)},
        },
    }


_CREATE_ERRORS = errors(*WRITE, 404)
_CREATE_ERRORS["404"]["description"] = "Unknown guest, or no member of staff with the owner's id"

PATHS: dict[str, Any] = {
    "/guests/{guest_id}/feedback": {
        "parameters": [id_parameter("guest_id")],
        "post": {
            "summary": "Log a complaint or a compliment for the guest (floor staff and up)",
            "requestBody": request_body(FeedbackCreate),
            "responses": {**_CREATED, **_CREATE_ERRORS},
        },
    },
    "/feedback": {
        "get": {
            "summary": "Feedback newest first (managers and admins)",
            "parameters": [
                _query("status", {"enum": list(STATUSES)}, "only feedback with this status"),
                _query("kind", {"enum": list(FEEDBACK_KINDS)}, "complaints or compliments"),
                _query("overdue", {"enum": ["true", "false"]}, "true: complaints still open past their deadline"),
                _query("guest_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "one guest's feedback"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 200}, "at most this many"),
            ],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "array", "items": ref("Feedback")}},
                        "additionalProperties": False,
                    },
                    "The feedback",
                ),
                **errors(400, *READ, 422),
            },
        },
        "post": {
            "summary": "Log anonymous feedback (a review, an unsigned letter), to link to a guest later",
            "requestBody": request_body(FeedbackCreate),
            "responses": {**_CREATED, **_CREATE_ERRORS},
        },
    },
    "/feedback/{feedback_id}": {
        "parameters": [id_parameter("feedback_id")],
        "get": {
            "summary": "One feedback with its handling and internal discussion (managers and admins)",
            "responses": {"200": _ONE, **errors(*READ, 404)},
        },
    },
    "/feedback/{feedback_id}/acknowledge": _step("Acknowledge an open complaint", AcknowledgeIn, body_required=False),
    "/feedback/{feedback_id}/resolve": _step("Resolve an acknowledged complaint: amends and promise", ResolveIn),
    "/feedback/{feedback_id}/follow-up": _step("Record the call back after a resolved complaint", FollowUpIn),
    "/feedback/{feedback_id}/close": _step("Close a complaint that cannot be resolved, with the reason", CloseIn),
    "/feedback/{feedback_id}/notes": {
        "parameters": [id_parameter("feedback_id")],
        "post": {
            "summary": "Add a note to the internal discussion without taking a step (managers and admins)",
            "requestBody": request_body(NoteIn),
            "responses": {"201": json_response(ref("FeedbackNote"), "The note added"), **errors(*WRITE, 404)},
        },
    },
    "/feedback/{feedback_id}/link": {
        "parameters": [id_parameter("feedback_id")],
        "post": {
            "summary": "Link anonymous feedback to its guest (409 when it belongs to another guest)",
            "requestBody": request_body(LinkIn),
            "responses": {"200": _ONE, "409": _CONFLICT_RESPONSE, **errors(*WRITE, 404)},
        },
    },
}


def openapi_part() -> ApiPart:
    """The feedback paths and schemas, and the guest JSON's ``GuestCare``."""
    return ApiPart(
        paths=PATHS,
        schemas={
            "Feedback": FEEDBACK,
            "FeedbackNote": _NEW_NOTE,
            "GuestCare": GUEST_CARE,
            **input_schemas(FeedbackCreate, AcknowledgeIn, ResolveIn, FollowUpIn, CloseIn, LinkIn, NoteIn),
        },
    )


# What the relations domain adds to the guest JSON (``register_guest_extra``), merged into the Guest schemas.
GUEST_PROPERTIES: dict[str, Any] = {
    "care": {
        "anyOf": [ref("GuestCare"), {"type": "null"}],
        "description": "handle with care: null unless a complaint is open or was resolved in the last 90 days",
    },
}
