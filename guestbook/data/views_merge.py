"""The merge screens (admins): two guests side by side with a choice per differing field, and the history with Undo.

Also wires the guests domain's hooks: where a merged-away id went (the API's 404 and the card's
redirect) and the card's "Merged here" panel with its Undo button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from guestbook.data import merges
from guestbook.data.models import GuestMerge
from guestbook.data.views import bp
from guestbook.forms import Form
from guestbook.guests import gone
from guestbook.guests.models import Guest
from guestbook.guests.profiles import guest_to_dict
from guestbook.i18n import gettext, lazy_gettext
from guestbook.security import role_at_least, role_required
from guestbook.staff.access import current_actor

FIELD_LABELS: dict[str, Any] = {
    "given_name": lazy_gettext("Given name"),
    "family_name": lazy_gettext("Family name"),
    "preferred_name": lazy_gettext("Preferred name"),
    "pronunciation": lazy_gettext("Pronunciation"),
    "salutation": lazy_gettext("Salutation"),
    "language": lazy_gettext("Language"),
    "email": lazy_gettext("Email"),
    "phone": lazy_gettext("Phone"),
    "address": lazy_gettext("Address"),
    "birthday": lazy_gettext("Birthday"),
    "anniversary": lazy_gettext("Anniversary"),
    "company": lazy_gettext("Company"),
    "vip_level": lazy_gettext("VIP level"),
    "marketing_consent": lazy_gettext("Marketing consent"),
    "do_not_contact": lazy_gettext("Do not contact"),
    "notes": lazy_gettext("Notes"),
}


class MergeForm(Form):
    """CSRF only: the field choices are radios named ``field-<name>``, checked by the merge rules."""


@dataclass(frozen=True)
class FieldRow:
    """One guest field on the merge screen: both values, whether they differ, and the preselected choice."""

    name: str
    label: str
    keep: str
    other: str
    differs: bool
    default: str


def _shown(value: Any) -> str:
    """A guest JSON value as one line of text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    return str(value)


def _rows(keep: Guest, other: Guest) -> list[FieldRow]:
    keep_json, other_json = guest_to_dict(keep, "admin"), guest_to_dict(other, "admin")
    defaults = merges.default_choices(keep, other)
    found: list[FieldRow] = []
    for name in merges.GUEST_FIELDS:
        mine, theirs = _shown(keep_json[name]), _shown(other_json[name])
        found.append(FieldRow(name, str(FIELD_LABELS[name]), mine, theirs, mine != theirs, defaults[name]))
    return found


def _choices_from_form(rows: list[FieldRow]) -> dict[str, str]:
    """The radios sent: ``keep``/``other`` per field; ``both`` (notes) means "the rules decide"."""
    chosen: dict[str, str] = {}
    for row in rows:
        value = request.form.get(f"field-{row.name}", "")
        if value in merges.CHOICES:
            chosen[row.name] = value
    return chosen


@bp.route("/merge/<int:keep_id>/<int:other_id>", methods=["GET", "POST"])
@role_required("admin")
def merge_form(keep_id: int, other_id: int) -> Response | tuple[str, int]:
    """Two guests side by side; confirm merges the right one into the left one."""
    try:
        keep, other = merges.get_guest(keep_id), merges.get_guest(other_id)
    except merges.GuestNotFound:
        abort(404)
    form = MergeForm()
    rows = _rows(keep, other)
    status = 200
    error = ""
    if keep_id == other_id:
        error, status = gettext("A guest cannot be merged into itself."), 422
    elif form.validate_on_submit():
        try:
            merge = merges.merge_guests(keep_id, other_id, _choices_from_form(rows), current_actor())
        except merges.MergeError as exc:
            error, status = exc.message, exc.status
        else:
            flash(gettext("Merged: this guest now holds both profiles' history."), "success")
            return redirect(url_for("guests.show", guest_id=merge.keep_id))
    elif request.method == "POST":
        error, status = gettext("The form expired: check the choices and merge again."), 400
    html = render_template(
        "data/merge.html",
        keep=keep,
        other=other,
        rows=rows,
        form=form,
        error=error,
    )
    return html, status


@bp.route("/merges")
@role_required("admin")
def merge_history() -> str:
    """Merges, newest first, each with Undo while it is active."""
    return render_template("data/merges.html", merges=merges.list_merges(), form=MergeForm(), undone=None)


@bp.route("/merges/<int:merge_id>/undo", methods=["POST"])
@role_required("admin")
def undo_merge(merge_id: int) -> Response | tuple[str, int]:
    """Undo a merge, then show what was added to the survivor since the merge, for review."""
    form = MergeForm()
    if not form.validate_on_submit():
        flash(gettext("The form expired: try again."), "error")
        return redirect(url_for("data.merge_history"))
    try:
        result = merges.undo_merge(merge_id, current_actor())
    except merges.MergeNotFound:
        abort(404)
    except merges.MergeError as exc:
        flash(exc.message, "error")
        return redirect(url_for("data.merge_history"))
    flash(gettext("Merge undone: both guests are back as they were."), "success")
    html = render_template("data/merges.html", merges=merges.list_merges(), form=MergeForm(), undone=result)
    return html, 200


def active_merges_into(guest_id: int) -> list[GuestMerge]:
    """Merges into this guest that can still be undone, for the card's panel (admins only)."""
    if not role_at_least(current_actor().role, "admin"):
        return []
    return merges.active_merges_into(guest_id)


def register_merge_hooks(app: Flask) -> None:
    """Tell the guests domain where merged-away ids went, and give the card its merge panel."""
    gone.register_merged_lookup(app, merges.merged_into)
    app.add_template_global(active_merges_into, "active_merges_into")
