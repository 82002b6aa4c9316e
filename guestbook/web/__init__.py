"""Web blueprints, one per feature, and the shared view helpers."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (web pages and the JSON API)."""
    from ..api import bp as api_bp
    from ..extensions import csrf
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .filters import register_filters
    from .guests.views import bp as guests_bp

    register_filters(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(guests_bp)
    app.register_blueprint(admin_bp)
    # The API checks CSRF itself for session callers (bearer-key callers carry no cookie).
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
