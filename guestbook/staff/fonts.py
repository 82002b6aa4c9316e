"""A web font for Chinese and Japanese names, served from the font the PDFs already embed.

(Korean: NanumGothic.ttf carries an empty ``TSI3`` table that browsers' font sanitiser refuses, so it is not
served until a copy without its TSI tables ships.)

A tablet without CJK fonts would show such names as boxes. ``static/css/app.css`` declares these files
with ``@font-face`` and a ``unicode-range``, so a browser fetches it only for a page that shows those
characters. The files stay in ``guestbook/pdf/fonts/`` (several MB each) rather than a copy in ``static/``.
"""

from __future__ import annotations

from flask import Blueprint, send_from_directory
from werkzeug.wrappers import Response

from guestbook.pdf.fonts import FONT_DIR
from guestbook.security import public

bp = Blueprint("fonts", __name__)

# What the stylesheet asks for -> the shipped file (licences in guestbook/pdf/fonts/LICENSES).
WEB_FONTS = {
    "cjk": "DroidSansFallbackFull.ttf",  # Han ideographs, kana, CJK punctuation and fullwidth forms
}
ONE_YEAR = 365 * 24 * 60 * 60


@bp.route("/fonts/<any(cjk):script>.ttf")
@public
def web_font(script: str) -> Response:
    """One shipped font file, cached by the browser for a year (it changes only with a release)."""
    response = send_from_directory(FONT_DIR, WEB_FONTS[script], mimetype="font/ttf", max_age=ONE_YEAR)
    response.cache_control.public = True
    return response
