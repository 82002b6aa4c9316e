"""Guestbook: guest recognition for hotels and restaurants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from guestbook.config import load_config, secret_key_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the Flask app: load config, bind extensions, register blueprints, CLI and errors.

    No side effects beyond reading configuration: no migrations, no scheduler, no network.
    (In development only, a missing secret key is generated once into the instance folder.)
    """
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_for(app.instance_path, app.config["GUESTBOOK_ENV"])

    from guestbook import all_models as _all_models  # noqa: F401  (every table known to the mapper and Alembic)
    from guestbook import db as _engine_events  # noqa: F401  (registers SQLite pragmas and BEGIN handling)
    from guestbook.admin.locale import buddhist_year, select_locale
    from guestbook.blueprints import register_blueprints
    from guestbook.cli import register_cli
    from guestbook.errors import register_converters, register_error_handlers
    from guestbook.extensions import csrf, db, login_manager, migrate
    from guestbook.forms import init_forms
    from guestbook.guests import ids as _guest_ids  # noqa: F401  (SQLite: a merged-away id is never reused)
    from guestbook.i18n import init_i18n
    from guestbook.observability import init_observability
    from guestbook.staff.access import register_access_control

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app, locale_selector=select_locale, buddhist_year=buddhist_year)
    init_forms(app)
    register_converters(app)  # before the blueprints: their <int:...> rules are compiled with it
    register_blueprints(app)
    register_access_control(app)
    init_observability(app)  # request log line and metrics (its hooks run first and last), /metrics
    register_error_handlers(app)
    register_cli(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config.get("PROXY_FIX"):
        # Behind a TLS proxy: trust its X-Forwarded-For and -Proto (the scheme for Secure cookies and redirects,
        # the client's address for the audit trail); Host and Prefix are not taken from headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]
    return app
