"""The guest-relations screens: who knows whom on the card (add, remove, and a guest's network drawn two steps
out), and the screens of feedback — complaints and compliments — as they are added to this blueprint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from guestbook.choices import choices
from guestbook.extensions import db
from guestbook.forms import Form
from guestbook.guests import search_rate
from guestbook.guests import search_results as search_results_service
from guestbook.guests.models import Guest
from guestbook.i18n import gettext, lazy_gettext
from guestbook.relations import network as network_service
from guestbook.relations import relationships
from guestbook.relations.models import INVERSE_KIND
from guestbook.relations.relationships import OTHER_IS, RelationshipError, RelationshipIn
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors

bp = Blueprint("relations", __name__, url_prefix="/relations")

# The kinds in the order staff pick them, worded as what the *other* guest is to this one.
OTHER_IS_ORDER = (
    "spouse",
    "partner",
    "family",
    "friend",
    "colleague",
    "assistant_of",
    "has_assistant",
    "referred",
    "referred_by",
)


class RelationshipForm(Form):
    """Add a relationship from the card: the other guest (picked from a search), who they are to this one, a note."""

    other_id = StringField(lazy_gettext("Who"))
    other_is = SelectField(
        lazy_gettext("Who they are to this guest"),
        choices=choices([(code, OTHER_IS[code]) for code in OTHER_IS_ORDER]),
    )
    note = StringField(lazy_gettext("Note (optional)"), validators=[Optional(), Length(max=relationships.NOTE_LENGTH)])


class RemoveForm(Form):
    """CSRF only: the pair is in the URL."""


@bp.app_template_global()
def relationships_for(guest_id: int) -> list[relationships.Related]:
    """The card's "Knows" panel: the guest's relationships by name."""
    return relationships.relationships_of(guest_id)


def _card(guest_id: int) -> Response:
    return redirect(url_for("guests.show", guest_id=guest_id) + "#knows")


def _guest_or_404(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        abort(404)
    return guest


@bp.route("/guests/<int:guest_id>/knows/new")
@role_required("floor")
def new_relationship(guest_id: int) -> tuple[str, int, dict[str, str]]:
    """Find the other guest by name (the card's search, rate-limited the same way) and say who they are."""
    guest = _guest_or_404(guest_id)
    q = request.args.get("q", "").strip()
    actor = current_actor()
    results: list[Any] = []
    rate_limited = None
    status, headers = 200, {}
    if q:
        limit = search_rate.limit_for(
            actor.role, current_app.config["SEARCH_RATE_LIMIT_FLOOR"], current_app.config["SEARCH_RATE_LIMIT"]
        )
        try:
            search_rate.count_search(actor, limit)
        except search_rate.RateLimited as exc:
            rate_limited, status, headers = exc, 429, {"Retry-After": str(exc.retry_after)}
        else:
            found = search_results_service.find(q, actor.role, limit=12)
            results = [r for r in found if r.guest.id != guest_id and r.guest.erased_at is None]
    page = render_template(
        "relations/new.html", guest=guest, q=q, results=results, rate_limited=rate_limited, form=RelationshipForm()
    )
    return page, status, headers


@bp.route("/guests/<int:guest_id>/knows", methods=["POST"])
@role_required("floor")
def add_relationship(guest_id: int) -> Response:
    """Save a relationship picked on the search page (both sides); back to the card."""
    form = RelationshipForm()
    if not form.validate_on_submit():
        flash(gettext("The relationship was not saved: pick a guest and who they are."), "error")
        return redirect(url_for("relations.new_relationship", guest_id=guest_id, q=request.form.get("q", "")))
    other_is = form.other_is.data or ""
    try:
        data = RelationshipIn.model_validate(
            {"other_id": int(form.other_id.data or 0), "kind": INVERSE_KIND.get(other_is, ""), "note": form.note.data}
        )
        created = relationships.add_relationship(guest_id, data.other_id, data.kind, data.note, current_actor())
    except (ValueError, ValidationError, RelationshipError) as exc:
        if isinstance(exc, relationships.GuestNotFound) and exc.guest_id == guest_id:
            abort(404)
        detail = exc.message if isinstance(exc, RelationshipError) else "; ".join(_errors(exc))
        flash(gettext("The relationship was not saved: %(why)s", why=detail), "error")
        return redirect(url_for("relations.new_relationship", guest_id=guest_id, q=request.form.get("q", "")))
    flash(gettext("Saved.") if created else gettext("The relationship was updated."), "success")
    return _card(guest_id)


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(field_errors(exc).values())
    return [gettext("pick a guest from the list")]


@bp.route("/guests/<int:guest_id>/knows/<int:other_id>/remove", methods=["POST"])
@role_required("floor")
def remove_relationship(guest_id: int, other_id: int) -> Response:
    """Remove a relationship (both sides); back to the card."""
    if not RemoveForm().validate_on_submit():
        flash(gettext("The relationship was not removed: reload the card and try again."), "error")
        return _card(guest_id)
    try:
        relationships.remove_relationship(guest_id, other_id, current_actor())
    except RelationshipError:
        abort(404)
    flash(gettext("Removed."), "success")
    return _card(guest_id)


@bp.route("/guests/<int:guest_id>/network")
@role_required("floor")
def network(guest_id: int) -> str:
    """The guest's connections two steps out, drawn (SVG, no script) with a table of the same people."""
    drawing = network_service.build_network(guest_id)
    if drawing is None:
        abort(404)
    return render_template("relations/network.html", network=drawing)
