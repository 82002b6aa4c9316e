"""The feedback workflow's steps, posted from each feedback's page (managers): acknowledge, resolve, follow up,
close, add to the internal discussion, link anonymous feedback to a guest. Each returns to the page; a step someone
else took meanwhile, or one that does not fit the status, is refused with the reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from guestbook.i18n import gettext
from guestbook.relations import feedback as rules
from guestbook.relations.forms import (
    AcknowledgeForm,
    CloseForm,
    FollowUpForm,
    LinkForm,
    ResolveForm,
    StepForm,
)
from guestbook.relations.schemas import AmendIn, NoteIn
from guestbook.relations.views import bp
from guestbook.relations.views_feedback import STATUS_NAMES
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors


def _back(feedback_id: int) -> Response:
    return redirect(url_for("relations.feedback_show", feedback_id=feedback_id))


def _version(form: StepForm) -> int | None:
    raw = (form.version.data or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _refused(exc: rules.FeedbackError, version: int | None) -> None:
    """Say why a step was refused: someone else acted meanwhile, or the step does not fit the status."""
    if isinstance(exc, rules.Conflict):
        if version is not None and version != exc.version:
            flash(gettext("This feedback changed meanwhile: check it and try again."), "error")
        else:
            flash(
                gettext("That step does not fit: the feedback is %(status)s.", status=STATUS_NAMES[exc.status]),
                "error",
            )
    elif isinstance(exc, rules.FeedbackNotFound):
        abort(404)
    else:  # pragma: no cover - the steps raise nothing else
        flash(str(exc), "error")


def _invalid(form: StepForm) -> None:
    messages = [str(e) for field in form for e in (field.errors if isinstance(field.errors, list) else [])]
    flash(gettext("Not saved: %(why)s", why="; ".join(messages) or gettext("reload and try again")), "error")


def _step(feedback_id: int, form: StepForm, take: Callable[[int | None], object], done: str) -> Response:
    """A step's post: check the form, ``take(version)`` (the rule), then say it is done or why it was refused."""
    if not form.validate_on_submit():
        _invalid(form)
        return _back(feedback_id)
    version = _version(form)
    try:
        take(version)
    except rules.FeedbackError as exc:
        _refused(exc, version)
        return _back(feedback_id)
    flash(done, "success")
    return _back(feedback_id)


@bp.route("/feedback/<int:feedback_id>/acknowledge", methods=["POST"])
@role_required("manager")
def feedback_acknowledge(feedback_id: int) -> Response:
    """Acknowledge an open complaint (the sundown step)."""
    form = AcknowledgeForm(prefix="ack")
    return _step(
        feedback_id,
        form,
        lambda version: rules.acknowledge(feedback_id, current_actor(), form.note.data or "", version),
        gettext("Acknowledged."),
    )


def _amends(form: ResolveForm) -> list[AmendIn]:
    """The amend rows filled in (a row without a kind is left out)."""
    found = []
    for row in form.amends:
        kind = row.form.kind.data or ""
        if kind:
            found.append(
                AmendIn.model_validate(
                    {"kind": kind, "value": row.form.value.data or None, "note": row.form.note.data or ""}
                )
            )
    return found


@bp.route("/feedback/<int:feedback_id>/resolve", methods=["POST"])
@role_required("manager")
def feedback_resolve(feedback_id: int) -> Response:
    """Resolve an acknowledged complaint: the amends made and what was promised."""
    form = ResolveForm(prefix="res")
    if not form.validate_on_submit():
        _invalid(form)
        return _back(feedback_id)
    version = _version(form)
    try:
        amends = _amends(form)
    except ValidationError as exc:
        flash(gettext("Not saved: %(why)s", why="; ".join(field_errors(exc).values())), "error")
        return _back(feedback_id)
    try:
        rules.resolve(feedback_id, current_actor(), amends, form.promise.data or "", form.note.data or "", version)
    except rules.FeedbackError as exc:
        _refused(exc, version)
        return _back(feedback_id)
    flash(gettext("Resolved. The owner is reminded to call back."), "success")
    return _back(feedback_id)


@bp.route("/feedback/<int:feedback_id>/follow-up", methods=["POST"])
@role_required("manager")
def feedback_follow_up(feedback_id: int) -> Response:
    """Record the call back after a resolved complaint."""
    form = FollowUpForm(prefix="fol")
    return _step(
        feedback_id,
        form,
        lambda version: rules.follow_up(
            feedback_id, current_actor(), form.outcome.data or "", form.note.data or "", version
        ),
        gettext("Follow-up recorded."),
    )


@bp.route("/feedback/<int:feedback_id>/close", methods=["POST"])
@role_required("manager")
def feedback_close(feedback_id: int) -> Response:
    """Close a complaint that cannot be resolved, with the reason."""
    form = CloseForm(prefix="clo")
    return _step(
        feedback_id,
        form,
        lambda version: rules.close(
            feedback_id, current_actor(), (form.reason.data or "").strip(), form.note.data or "", version
        ),
        gettext("Closed."),
    )


@bp.route("/feedback/<int:feedback_id>/notes", methods=["POST"])
@role_required("manager")
def feedback_add_note(feedback_id: int) -> Response:
    """Add a note to the internal discussion without taking a step (CSRF is checked for every POST)."""
    try:
        data = NoteIn.model_validate({"body": request.form.get("body", "")})
        rules.add_note(feedback_id, data.body, current_actor())
    except ValidationError as exc:
        flash(gettext("Not saved: %(why)s", why="; ".join(field_errors(exc).values())), "error")
    except rules.FeedbackNotFound:
        abort(404)
    else:
        flash(gettext("Note added."), "success")
    return redirect(url_for("relations.feedback_show", feedback_id=feedback_id) + "#notes-h")


@bp.route("/feedback/<int:feedback_id>/link", methods=["POST"])
@role_required("manager")
def feedback_link(feedback_id: int) -> Response:
    """Put a guest (picked from the search) to anonymous feedback."""
    form = LinkForm()
    raw = (form.guest_id.data or "").strip()
    if not form.validate_on_submit() or not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        flash(gettext("Not linked: pick a guest from the list."), "error")
        return _back(feedback_id)
    try:
        rules.link(feedback_id, int(raw), current_actor())
    except rules.GuestNotFound:
        flash(gettext("Not linked: pick a guest from the list."), "error")
        return _back(feedback_id)
    except rules.FeedbackError as exc:
        _refused(exc, None)
        return _back(feedback_id)
    flash(gettext("Linked to the guest."), "success")
    return _back(feedback_id)
