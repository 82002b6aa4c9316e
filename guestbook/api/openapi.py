"""The OpenAPI 3.1 document, assembled from each domain's part (paths and schemas) given by the app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, current_app

from guestbook.api.openapi_common import ApiPart, errors, json_response

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "current": {"$ref": "#/components/schemas/Guest"},
    },
}


def build_spec(parts: Sequence[ApiPart]) -> dict[str, Any]:
    """The whole OpenAPI document: the shared routes and schemas, then each domain's part in order."""
    paths: dict[str, Any] = {
        "/health": {
            "get": {
                "summary": "Liveness",
                "security": [],
                "responses": {
                    "200": json_response({"type": "object", "properties": {"status": {"const": "ok"}}}, "OK")
                },
            }
        },
        "/health/ready": {
            "get": {
                "summary": "Readiness: the database answers and its schema is at the migrations' head",
                "security": [],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["status", "revision"],
                            "properties": {"status": {"const": "ready"}, "revision": {"type": "string"}},
                        },
                        "Ready",
                    ),
                    "503": json_response(
                        {
                            "type": "object",
                            "required": ["status", "reason"],
                            "properties": {"status": {"const": "not ready"}, "reason": {"type": "string"}},
                        },
                        "Not ready (no database, or migrations not applied)",
                    ),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (admin API key; the same figures as /metrics for a signed-in admin)",
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **errors(401, 403),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": json_response({"type": "object"}, "OpenAPI document")},
            }
        },
    }
    schemas: dict[str, Any] = {"Error": ERROR}
    for part in parts:
        paths.update(part.paths)
        schemas.update(part.schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Guestbook API",
            "version": "1.0.0",
            "description": "Guest recognition for hotels and restaurants.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
    }


DOCUMENT_KEY = "guestbook.openapi_document"


def register_document(app: Flask, document: Callable[[], dict[str, Any]]) -> None:
    """Tell the API blueprint how this app builds its OpenAPI document (assembled where the domains are known)."""
    app.extensions[DOCUMENT_KEY] = document


def current_document() -> dict[str, Any]:
    """This app's OpenAPI document."""
    document: Callable[[], dict[str, Any]] = current_app.extensions[DOCUMENT_KEY]
    return document()
