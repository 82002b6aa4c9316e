"""Feedback endpoints of the JSON API: floor staff and up log feedback; managers read the record and handle it."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, jsonify, request
from pydantic import BaseModel

from guestbook.api.views import ApiError, _body, bp, one_arg
from guestbook.errors import MAX_ID
from guestbook.guests import gone
from guestbook.relations import feedback as rules
from guestbook.relations.models import FEEDBACK_KINDS, STATUSES, Feedback
from guestbook.relations.schemas import AcknowledgeIn, CloseIn, FeedbackCreate, FollowUpIn, LinkIn, NoteIn, ResolveIn
from guestbook.security import role_required
from guestbook.staff.access import current_actor

M = TypeVar("M", bound=BaseModel)
MAX_LIMIT = 500


def _error(exc: rules.FeedbackError) -> ApiError:
    """The API's answer to a refused feedback request."""
    if isinstance(exc, rules.GuestNotFound):
        return ApiError(404, gone.not_found_body(int(exc.args[0])))
    if isinstance(exc, rules.FeedbackNotFound):
        return ApiError(404, {"error": f"no feedback with id {exc.args[0]}"})
    if isinstance(exc, rules.StaffNotFound):
        return ApiError(404, {"error": str(exc), "fields": {"owner": str(exc)}})
    if isinstance(exc, rules.BadField):
        return ApiError(422, {"error": "validation failed", "fields": {exc.field: exc.message}})
    if isinstance(exc, rules.Conflict):
        return ApiError(409, {"error": exc.message, "status": exc.status, "version": exc.version})
    return ApiError(400, {"error": str(exc)})  # pragma: no cover


def _json(feedback: Feedback) -> dict[str, Any]:
    return rules.feedback_to_dict(feedback)


def _optional_body(model: type[M]) -> M:
    """The JSON body, or the model's defaults when the request has none (a step with nothing to say)."""
    if not request.get_data(cache=True):
        return model()
    return _body(model)


@bp.post("/guests/<int:guest_id>/feedback")
@role_required("floor")
def create_guest_feedback(guest_id: int) -> tuple[Response, int]:
    """Log a complaint (``open``, due by sundown) or a compliment (``recorded``) for this guest."""
    data = _body(FeedbackCreate)
    try:
        feedback = rules.create_feedback(guest_id, data, current_actor())
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback)), 201


@bp.post("/feedback")
@role_required("floor")
def create_anonymous_feedback() -> tuple[Response, int]:
    """Log feedback nobody has put a name to yet (a review, an unsigned letter); link it to a guest later."""
    data = _body(FeedbackCreate)
    try:
        feedback = rules.create_feedback(None, data, current_actor())
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback)), 201


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = one_arg(name)
    if value is None:
        return None
    if value not in allowed:
        raise ApiError(422, {"error": "validation failed", "fields": {name: f"one of {', '.join(allowed)}"}})
    return value


def _whole(name: str, low: int, high: int) -> int | None:
    value = one_arg(name)
    if value is None:
        return None
    # The length first: int() refuses (ValueError) a string of more than 4,300 digits.
    if not value.isascii() or not value.isdigit() or len(value) > len(str(high)) or not low <= int(value) <= high:
        raise ApiError(422, {"error": "validation failed", "fields": {name: f"a whole number from {low} to {high}"}})
    return int(value)


@bp.get("/feedback")
@role_required("manager")
def list_feedback() -> Response:
    """Feedback newest first, by ``status``, ``kind``, ``overdue`` (true/false) and ``guest_id``."""
    overdue = _choice("overdue", ("true", "false"))
    filters = rules.Filters(
        status=_choice("status", STATUSES),
        kind=_choice("kind", FEEDBACK_KINDS),
        overdue=None if overdue is None else overdue == "true",
        guest_id=_whole("guest_id", 1, MAX_ID),
        limit=_whole("limit", 1, MAX_LIMIT) or 200,
    )
    return jsonify({"results": [_json(f) for f in rules.list_feedback(filters)]})


@bp.get("/feedback/<int:feedback_id>")
@role_required("manager")
def get_feedback(feedback_id: int) -> Response:
    """One feedback with its handling and internal discussion."""
    try:
        return jsonify(_json(rules.get_feedback(feedback_id)))
    except rules.FeedbackError as exc:
        raise _error(exc) from None


@bp.post("/feedback/<int:feedback_id>/acknowledge")
@role_required("manager")
def acknowledge_feedback(feedback_id: int) -> Response:
    """Acknowledge an open complaint (the sundown step); 409 with the current status when it is not open."""
    data = _optional_body(AcknowledgeIn)
    try:
        feedback = rules.acknowledge(feedback_id, current_actor(), data.note, data.version)
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback))


@bp.post("/feedback/<int:feedback_id>/resolve")
@role_required("manager")
def resolve_feedback(feedback_id: int) -> Response:
    """Resolve an acknowledged complaint: amends and what was promised; sets the follow-up date."""
    data = _body(ResolveIn)
    try:
        feedback = rules.resolve(feedback_id, current_actor(), data.amends, data.promise, data.note, data.version)
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback))


@bp.post("/feedback/<int:feedback_id>/follow-up")
@role_required("manager")
def follow_up_feedback(feedback_id: int) -> Response:
    """Record the call back after a resolved complaint (satisfied or unsatisfied)."""
    data = _body(FollowUpIn)
    try:
        feedback = rules.follow_up(feedback_id, current_actor(), data.outcome, data.note, data.version)
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback))


@bp.post("/feedback/<int:feedback_id>/close")
@role_required("manager")
def close_feedback(feedback_id: int) -> Response:
    """Close a complaint that cannot be resolved, with the reason."""
    data = _body(CloseIn)
    try:
        feedback = rules.close(feedback_id, current_actor(), data.reason, data.note, data.version)
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback))


@bp.post("/feedback/<int:feedback_id>/link")
@role_required("manager")
def link_feedback(feedback_id: int) -> Response:
    """Put a guest to anonymous feedback; 409 when it already belongs to another guest."""
    data = _body(LinkIn)
    try:
        feedback = rules.link(feedback_id, data.guest_id, current_actor(), data.note)
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(_json(feedback))


@bp.post("/feedback/<int:feedback_id>/notes")
@role_required("manager")
def add_feedback_note(feedback_id: int) -> tuple[Response, int]:
    """Add a note to the internal discussion without taking a step (the status and version stay)."""
    data = _body(NoteIn)
    try:
        note = rules.add_note(feedback_id, data.body, current_actor())
    except rules.FeedbackError as exc:
        raise _error(exc) from None
    return jsonify(rules.note_to_dict(note)), 201
