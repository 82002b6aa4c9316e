"""The OpenAPI description of the recovery report (``GET /feedback/report``)."""

from __future__ import annotations

from typing import Any

from guestbook.api.openapi_common import READ, ApiPart, errors, json_response, ref
from guestbook.relations.models import CATEGORIES

DATE_PATTERN = "^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"  # 2000-01-01 to 2099-12-31
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_HOURS = {
    "type": "object",
    "required": ["median", "p90"],
    "properties": {
        "median": {"type": ["number", "null"], "description": "hours; null when there is none"},
        "p90": {"type": ["number", "null"], "description": "90th percentile in hours (linear interpolation)"},
    },
    "additionalProperties": False,
}

REPORT: dict[str, Any] = {
    "type": "object",
    "required": [
        "complaints",
        "by_category",
        "by_outlet",
        "by_month",
        "acknowledge_hours",
        "resolve_hours",
        "acknowledged_before_sundown",
        "followed_up",
        "recovery_rate",
        "baseline_return_rate",
        "compliments_by_staff",
    ],
    "properties": {
        "complaints": {"type": "integer", "minimum": 0, "description": "complaints reported in the window"},
        "by_category": {
            "type": "object",
            "required": list(CATEGORIES),
            "properties": {c: {"type": "integer", "minimum": 0} for c in CATEGORIES},
            "additionalProperties": False,
        },
        "by_outlet": {**_COUNTS, "description": 'per outlet code; "none" for complaints without an outlet'},
        "by_month": {**_COUNTS, "description": "per property-local month YYYY-MM, every month of the window"},
        "acknowledge_hours": {**_HOURS, "description": "from reported to acknowledged"},
        "resolve_hours": {**_HOURS, "description": "from reported to resolved"},
        "acknowledged_before_sundown": {**_SHARE, "description": "of the complaints, acknowledged by due_by"},
        "followed_up": {**_SHARE, "description": "of the resolved complaints, followed up"},
        "recovery_rate": {
            **_SHARE,
            "description": "of the guests who complained, back on a later day within 180 days of the complaint",
        },
        "baseline_return_rate": {
            **_SHARE,
            "description": "of the guests without a complaint who came, back within 180 days of their first visit",
        },
        "compliments_by_staff": {**_COUNTS, "description": "compliments per staff member named"},
    },
    "additionalProperties": False,
}


def _date_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        "description": description,
    }


PATHS: dict[str, Any] = {
    "/feedback/report": {
        "get": {
            "summary": "Recovery figures for a window of property-local dates (managers and admins)",
            "parameters": [
                _date_parameter("from", "first day (YYYY-MM-DD); default 89 days before to; not after to (422)"),
                _date_parameter("to", "last day (YYYY-MM-DD); default today at the property"),
            ],
            "responses": {
                "200": json_response(ref("FeedbackReport"), "The recovery figures"),
                **errors(400, *READ, 422),
            },
        },
    },
}


def openapi_part() -> ApiPart:
    """The report's path and schema."""
    return ApiPart(paths=PATHS, schemas={"FeedbackReport": REPORT})
