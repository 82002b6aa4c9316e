"""Guest endpoints of the JSON API: create, search, read, edit, log a visit."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, jsonify

from guestbook.actor import Actor
from guestbook.api.views import ApiError, _body, bp, one_arg
from guestbook.guests import gone, lookalikes, search, search_rate, search_results, suggestions, visits
from guestbook.guests import profiles as guest_service
from guestbook.guests.models import ContactSuggestion
from guestbook.guests.notes import NeedsConfirmation
from guestbook.guests.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.text import find_control_char


def _search_args() -> tuple[str, int]:
    """``q`` and ``limit`` of a search, or 422 naming the bad one (limit: ASCII digits 1 to 100)."""
    raw_limit = one_arg("limit")
    raw_limit = "20" if raw_limit is None else raw_limit
    if not (raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 3 and 1 <= int(raw_limit) <= 100):
        raise ApiError(422, {"error": "validation failed", "fields": {"limit": "an integer from 1 to 100"}})
    raw_q = one_arg("q") or ""  # absent and empty alike: "required"
    bad = find_control_char(raw_q)
    if bad is not None:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"q": f"control characters are not allowed ({bad})"}}
        )
    q = raw_q.strip()
    if not q:
        raise ApiError(422, {"error": "validation failed", "fields": {"q": "required"}})
    # The API refuses what the tablet's search would clip.
    if len(raw_q) > search.MAX_QUERY_CHARS or len(q.split()) > search.MAX_QUERY_WORDS:
        message = f"at most {search.MAX_QUERY_CHARS} characters and {search.MAX_QUERY_WORDS} words"
        raise ApiError(422, {"error": "validation failed", "fields": {"q": message}})
    return q, int(raw_limit)


def _guest_or_404(guest_id: int) -> None:
    try:
        guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        raise ApiError(404, gone.not_found_body(guest_id)) from None


@bp.post("/guests")
@role_required("floor")
def create_guest() -> tuple[Response, int]:
    """Create a guest."""
    raw_allow = one_arg("allow_erased")
    if raw_allow not in (None, "true", "false"):
        raise ApiError(422, {"error": "validation failed", "fields": {"allow_erased": "true or false"}})
    actor = current_actor()
    allow_erased = raw_allow == "true"
    if allow_erased and actor.role != "admin":
        raise ApiError(403, {"error": "only an admin may send allow_erased=true"})
    data = _body(GuestCreate)
    try:
        guest = guest_service.create_guest(data, actor, allow_erased=allow_erased)
    except guest_service.ContactNotAllowed as exc:
        raise ApiError(403, {"error": str(exc)}) from None
    except guest_service.ErasedContactBlocked as exc:
        message = f"this {exc.field} belongs to a guest who asked to be forgotten (an admin may send allow_erased=true)"
        raise ApiError(409, {"error": message, "field": exc.field}) from None
    body = guest_service.guest_to_dict(guest, actor.role)
    body["possible_duplicates"] = lookalikes.api_lookalikes(guest.id, actor.role)
    return jsonify(body), 201


@bp.get("/guests")
@role_required("floor")
def search_guests() -> Response:
    """Search guests; results in rank order."""
    q, limit = _search_args()
    actor = current_actor()
    config = current_app.config
    try:
        search_rate.count_search(
            actor, search_rate.limit_for(actor.role, config["SEARCH_RATE_LIMIT_FLOOR"], config["SEARCH_RATE_LIMIT"])
        )
    except search_rate.RateLimited as exc:
        response = jsonify({"error": str(exc)})
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    results = search_results.find(q, actor.role, limit)
    return jsonify({"results": [search_results.result_to_dict(r) for r in results]})


@bp.get("/guests/<int:guest_id>")
@role_required("floor")
def get_guest(guest_id: int) -> Response:
    """One guest, with the recognition facts."""
    actor = current_actor()
    try:
        guest = guest_service.view_guest(guest_id, actor, "api")
    except guest_service.GuestNotFound:
        raise ApiError(404, gone.not_found_body(guest_id)) from None
    body = guest_service.guest_to_dict(guest, actor.role)
    from guestbook.guests.recognition import recognition_dict

    body["recognition"] = recognition_dict(guest)
    return jsonify(body)


@bp.patch("/guests/<int:guest_id>")
@role_required("floor")
def patch_guest(guest_id: int) -> Response:
    """Change a guest; ``version`` must match, else 409 with the current record."""
    _guest_or_404(guest_id)
    patch = _body(GuestPatch)
    actor = current_actor()
    try:
        guest = guest_service.update_guest(guest_id, patch, actor)
    except guest_service.ContactNotAllowed as exc:
        raise ApiError(403, {"error": str(exc)}) from None
    except guest_service.ErasedContactBlocked as exc:
        raise ApiError(409, {"error": f"{exc}; only an admin may set it", "field": exc.field}) from None
    except guest_service.VersionConflict as exc:
        raise ApiError(
            409,
            {
                "error": "version conflict: the guest changed since you read it; nothing was saved",
                "current": guest_service.guest_to_dict(exc.current, actor.role),
            },
        ) from None
    return jsonify(guest_service.guest_to_dict(guest, actor.role))


@bp.post("/guests/<int:guest_id>/visits")
@role_required("floor")
def log_visit(guest_id: int) -> tuple[Response, int]:
    """Log a visit."""
    _guest_or_404(guest_id)
    data = _body(VisitCreate)
    try:
        visit = visits.log_visit(guest_id, data, current_actor())
    except visits.UnknownOutlet:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"outlet": f"no outlet with code {data.outlet!r}"}}
        ) from None
    except visits.UnknownReservation:
        raise ApiError(
            422, {"error": "validation failed", "fields": {"reservation_id": "no reservation of this guest"}}
        ) from None
    except NeedsConfirmation as exc:
        message = f"sensitive words: {', '.join(exc.words)}; send confirm_sensitive: true to save the note as it is"
        raise ApiError(
            422, {"error": "validation failed", "fields": {"notes": message}, "sensitive_words": exc.words}
        ) from None
    return jsonify(visits.visit_to_dict(visit)), 201


@bp.post("/guests/<int:guest_id>/contact-suggestions")
@role_required("floor")
def suggest_contact(guest_id: int) -> tuple[Response, int]:
    """A phone or e-mail the guest gave at the table, kept for a manager to accept or reject."""
    _guest_or_404(guest_id)
    data = _body(suggestions.ContactSuggestionIn)
    try:
        suggestion = suggestions.suggest_contact(guest_id, data, current_actor())
    except guest_service.GuestNotFound:
        raise ApiError(404, gone.not_found_body(guest_id)) from None
    return jsonify(suggestions.receipt_dict(suggestion)), 202


@bp.get("/contact-suggestions")
@role_required("manager")
def list_contact_suggestions() -> Response:
    """Contact suggestions waiting for a manager, oldest first."""
    return jsonify({"results": [suggestions.suggestion_to_dict(s) for s in suggestions.pending_suggestions()]})


def _decide(suggestion_id: int, decide: Callable[[int, Actor], ContactSuggestion]) -> Response:
    """Run a manager's decision; 404 for an unknown id, 409 (with the suggestion) for one already decided."""
    try:
        suggestion = decide(suggestion_id, current_actor())
    except suggestions.SuggestionNotFound:
        raise ApiError(404, {"error": f"no contact suggestion with id {suggestion_id}"}) from None
    except suggestions.AlreadyDecided as exc:
        raise ApiError(
            409,
            {
                "error": f"the suggestion is already {exc.suggestion.status}; nothing was changed",
                "suggestion": suggestions.suggestion_to_dict(exc.suggestion),
            },
        ) from None
    return jsonify(suggestions.suggestion_to_dict(suggestion))


@bp.post("/contact-suggestions/<int:suggestion_id>/accept")
@role_required("manager")
def accept_contact_suggestion(suggestion_id: int) -> Response:
    """Accept a suggestion: the value is written onto the guest through the profile rules (audited)."""
    return _decide(suggestion_id, suggestions.accept_suggestion)


@bp.post("/contact-suggestions/<int:suggestion_id>/reject")
@role_required("manager")
def reject_contact_suggestion(suggestion_id: int) -> Response:
    """Reject a suggestion; the guest is not touched."""
    return _decide(suggestion_id, suggestions.reject_suggestion)
