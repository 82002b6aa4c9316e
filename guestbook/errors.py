"""Error pages and JSON errors: never a stack trace, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from guestbook.forms import mark
from guestbook.i18n import gettext

MAX_ID = 2**63 - 1  # the largest id a 64-bit database integer holds: nothing can exist beyond it
MAX_URL_ID = 10**18 - 1  # ids in URLs: at most 18 digits, so the route's pattern itself refuses longer ones

# In English for the JSON API; error pages show them in the viewer's language (``gettext(MESSAGES[code])``).
MESSAGES = {
    400: mark("The request could not be understood."),
    401: mark("Please sign in."),
    403: mark("Your role does not allow this."),
    404: mark("Not found."),
    405: mark("That action is not allowed here."),
    409: mark("Someone else changed this first."),
    413: mark("That upload is too large."),
    429: mark("Too many attempts; wait a moment."),
}
# Error pages only (the API keeps Werkzeug's own description): Werkzeug's words, in the viewer's language.
PAGE_MESSAGES = {
    500: mark(
        "The server encountered an internal error and was unable to complete your request. Either the server is"
        " overloaded or there is an error in the application."
    ),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: 1 to 18 ASCII digits, so a larger id is a 404, never an overflow.

    The limit is in the pattern, not only in ``to_python``: Werkzeug checks the method before the
    converter, so a value the converter refused would turn into a 405 from a sibling route.
    """

    regex = r"[0-9]{1,18}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_URL_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app: Flask) -> None:
    """Install IdConverter as ``int`` (call before any blueprint is registered)."""
    app.url_map.converters["int"] = IdConverter


def _nul_in_query() -> str | None:
    """The name of the first query parameter carrying a NUL character, if any.

    No database text column can hold NUL (PostgreSQL refuses the whole statement), so a NUL that
    reaches a query is a 500 waiting to happen; refuse it at the door, for every route.
    """
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "\\0")
    return None


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api, friendly pages elsewhere; a NUL in a query parameter is refused before any view."""

    @app.before_request
    def refuse_nul_in_query() -> tuple[Response | str, int] | None:
        """400 on pages, 422 naming the parameter in the API."""
        name = _nul_in_query()
        if name is None:
            return None
        if _wants_json():  # as the API answers every invalid field: 422 naming it
            reason = "control characters are not allowed (found U+0000)"
            return jsonify({"error": "validation failed", "fields": {name: reason}}), 422
        message = gettext("%(name)s: control characters are not allowed (found %(char)s)", name=name, char="U+0000")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify({"error": "CSRF token missing or invalid"}), 400
        message = gettext("This form expired or was not sent from Guestbook. Go back, reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int, list[tuple[str, str]]]:
        code = error.code or 500
        limit = None
        if code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
            limit = f"{current_app.config['MAX_CONTENT_LENGTH'] / (1024 * 1024):g}"
        # Keep what the error says about itself: Allow on 405, Retry-After on 429, WWW-Authenticate on 401.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if _wants_json():  # the API speaks English
            message = MESSAGES.get(code, error.description or "Error")
            if limit is not None:
                message = f"That upload is too large: the limit is {limit} MB. Split the file and try again."
            return jsonify({"error": message}), code, headers
        if limit is not None:
            message = gettext(
                "That upload is too large: the limit is %(limit)s MB. Split the file and try again.", limit=limit
            )
        elif code in MESSAGES or code in PAGE_MESSAGES:
            message = gettext(MESSAGES.get(code) or PAGE_MESSAGES[code])
        else:
            message = error.description or gettext("Error")
        return render_template("errors/error.html", code=code, message=message), code, headers
