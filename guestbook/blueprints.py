"""Registers every domain's blueprint, and each domain's routes on the shared API blueprint."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask

from guestbook.api.openapi import build_spec, register_document


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (web pages and the JSON API)."""
    from guestbook.admin import api as _admin_api  # noqa: F401  (each domain adds its routes to the API blueprint)
    from guestbook.admin.views import bp as admin_bp
    from guestbook.api import bp as api_bp
    from guestbook.briefing import api as _briefing_api  # noqa: F401
    from guestbook.briefing.views import bp as briefing_bp
    from guestbook.data import api as _data_api  # noqa: F401
    from guestbook.data.card_panel import register_card_panel
    from guestbook.data.views import bp as data_bp
    from guestbook.extensions import csrf
    from guestbook.guests import api as _guests_api  # noqa: F401
    from guestbook.guests import api_record as _guests_api_record  # noqa: F401
    from guestbook.guests import views_record as _guests_views_record  # noqa: F401  (tags and photo pages)
    from guestbook.guests.filters import register_filters
    from guestbook.guests.views import bp as guests_bp
    from guestbook.letters import api as _letters_api  # noqa: F401
    from guestbook.letters.views import bp as letters_bp
    from guestbook.reservations import api as _reservations_api  # noqa: F401
    from guestbook.reservations.attendance import register_attendance_with_guests
    from guestbook.reservations.bookings import register_with_guests
    from guestbook.reservations.views import bp as reservations_bp
    from guestbook.staff.fonts import bp as fonts_bp
    from guestbook.staff.views import bp as auth_bp

    register_filters(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(fonts_bp)
    app.register_blueprint(guests_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(reservations_bp)
    app.register_blueprint(briefing_bp)
    app.register_blueprint(data_bp)
    register_with_guests(app)
    register_attendance_with_guests(app)
    register_card_panel(app)  # the card's "Who looked at this guest" panel (data -> guests)
    # The API checks CSRF itself for session callers (bearer-key callers carry no cookie).
    csrf.exempt(api_bp)
    register_document(app, api_document)
    app.register_blueprint(api_bp)


@cache
def api_document() -> dict[str, Any]:
    """The OpenAPI document: the shared part, then guests, outlets, letters, reservations and briefings."""
    from guestbook.admin.openapi import openapi_part as outlets_part
    from guestbook.data.openapi import openapi_part as data_part
    from guestbook.guests.openapi import openapi_part as guests_part
    from guestbook.letters.openapi import openapi_part as letters_part
    from guestbook.reservations.openapi import openapi_part as reservations_part

    return build_spec([guests_part(), outlets_part(), letters_part(), reservations_part(), data_part()])
