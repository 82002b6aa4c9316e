"""The OpenAPI description of the outlet endpoints."""

from __future__ import annotations

from typing import Any

from guestbook.admin.schemas import OutletCreate, OutletPatch
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

OUTLET = {
    "type": "object",
    "required": ["id", "code", "name", "kind", "language", "active"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
        "language": {"type": "string", "description": "language of its menu items and table names (BCP-47)"},
        "active": {"type": "boolean", "description": "false: left out of the pickers for new visits and bookings"},
    },
    "additionalProperties": False,
}

PATHS: dict[str, Any] = {
    "/outlets": {
        "get": {
            "summary": "List outlets",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["outlets"],
                        "properties": {"outlets": {"type": "array", "items": ref("Outlet")}},
                    },
                    "Outlets",
                ),
                **errors(*READ),
            },
        },
        "post": {
            "summary": "Add an outlet (admin)",
            "requestBody": request_body(OutletCreate),
            "responses": {"201": json_response(ref("Outlet"), "Created"), **errors(*WRITE, 409)},
        },
    },
    "/outlets/{outlet_id}": {
        "parameters": [id_parameter("outlet_id")],
        "patch": {
            "summary": "Rename an outlet, set its language, or deactivate/reactivate it (admin)",
            "description": (
                "Only the fields given change. An inactive outlet leaves the pickers for new visits and "
                "bookings; its code, its visits and its history stay."
            ),
            "requestBody": request_body(OutletPatch),
            "responses": {"200": json_response(ref("Outlet"), "Updated"), **errors(*WRITE, 404)},
        },
    },
}


def openapi_part() -> ApiPart:
    """The outlet endpoints' share of the OpenAPI document."""
    return ApiPart(PATHS, {"Outlet": OUTLET, **input_schemas(OutletCreate, OutletPatch)})
