"""A web font for Chinese and Japanese names, served from the font the PDFs already embed.

(Korean: NanumGothic.ttf carries an empty ``TSI3`` table that browsers' font sanitiser refuses, so it is not
served until a copy without its TSI tables ships.)

A tablet without CJK fonts would show such names as boxes. ``static/css/app.css`` declares these files
with ``@font-face`` and a ``unicode-range``, so a browser fetches it only for a page that shows those
characters. The files stay in ``guestbook/pdf/fonts/`` (several MB each) rather than a copy in ``static/``.
"""

from __future__ import annotations

from functools import cache
from hashlib import sha256

from flask import Blueprint, Response, request

from guestbook.pdf.fonts import FONT_DIR
from guestbook.security import public

bp = Blueprint("fonts", __name__)

# What the stylesheet asks for -> the shipped file (licences in guestbook/pdf/fonts/LICENSES).
WEB_FONTS = {
    "cjk": "DroidSansFallbackFull.ttf",  # Han ideographs, kana, CJK punctuation and fullwidth forms
}
ONE_YEAR = 365 * 24 * 60 * 60


@cache
def _font(script: str) -> tuple[bytes, str]:
    """The font's bytes and their ETag, read once per process (no file handle is left open when a browser
    drops the download half-way, as it does when a page is left while the font loads)."""
    data = (FONT_DIR / WEB_FONTS[script]).read_bytes()
    return data, sha256(data).hexdigest()[:32]


@bp.route("/fonts/<any(cjk):script>.ttf")
@public
def web_font(script: str) -> Response:
    """One shipped font file, cached by the browser for a year (it changes only with a release)."""
    data, etag = _font(script)
    fresh = request.if_none_match.contains(etag)  # the browser's copy is current: 304, no body
    response = Response(status=304) if fresh else Response(data, mimetype="font/ttf")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    return response
