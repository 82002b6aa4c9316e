"""The data domain's web pages (admins): imports, duplicates, merges and privacy requests.

Each piece adds its routes to this blueprint from its own module (``views_import``, ``views_duplicates``,
``views_merge``, ``views_privacy``), imported by ``guestbook.blueprints``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("data", __name__, url_prefix="/data")
