"""Error pages and JSON errors: never a stack trace, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**63 - 1  # the largest id a 64-bit database integer holds: nothing can exist beyond it
MAX_URL_ID = 10**18 - 1  # ids in URLs: at most 18 digits, so the route's pattern itself refuses longer ones

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "Your role does not allow this.",
    404: "Not found.",
    405: "That action is not allowed here.",
    409: "Someone else changed this first.",
    413: "That upload is too large.",
    429: "Too many attempts; wait a moment.",
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
        reason = "control characters are not allowed (found U+0000)"
        if _wants_json():  # as the API answers every invalid field: 422 naming it
            return jsonify({"error": "validation failed", "fields": {name: reason}}), 422
        return render_template("errors/error.html", code=400, message=f"{name}: {reason}"), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify({"error": "CSRF token missing or invalid"}), 400
        return render_template(
            "errors/error.html",
            code=400,
            message="This form expired or was not sent from Guestbook. Go back, reload the page and try again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int, list[tuple[str, str]]]:
        code = error.code or 500
        message = MESSAGES.get(code, error.description or "Error")
        if code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
            limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
            message = f"That upload is too large: the limit is {limit:g} MB. Split the file and try again."
        # Keep what the error says about itself: Allow on 405, Retry-After on 429, WWW-Authenticate on 401.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if _wants_json():
            return jsonify({"error": message}), code, headers
        return render_template("errors/error.html", code=code, message=message), code, headers
