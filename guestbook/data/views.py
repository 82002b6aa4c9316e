"""The data domain's web pages (admins): imports, duplicates, merges and privacy requests.

Each piece adds its routes to this blueprint from its own module (``views_import``, ``views_duplicates``,
``views_merge``, ``views_privacy``), imported by ``guestbook.blueprints``.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from guestbook.security import role_required

bp = Blueprint("data", __name__, url_prefix="/data")


@bp.route("/")
@role_required("admin")
def index() -> str:
    """The guest-data tools in one place: imports, possible duplicates, merges, retention."""
    return render_template("data/index.html")
