"""The JSON API under /api/v1: blueprint, body parsing, errors, OpenAPI document; each domain adds its routes."""

from guestbook.api.views import bp

__all__ = ["bp"]
