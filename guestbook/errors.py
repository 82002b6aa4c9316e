"""Error pages and JSON errors: never a stack trace, never a 500 for bad input."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api, friendly pages elsewhere."""

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
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        message = MESSAGES.get(code, error.description or "Error")
        if _wants_json():
            return jsonify({"error": message}), code
        return render_template("errors/error.html", code=code, message=message), code
