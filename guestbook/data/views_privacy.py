"""Privacy pages (admins): a guest's data export (JSON or PDF), erasure and its record; the retention rule."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from guestbook.admin.settings import set_setting
from guestbook.data import erasure, privacy, retention
from guestbook.data.views import bp
from guestbook.extensions import db
from guestbook.forms import Form
from guestbook.guests.models import Guest
from guestbook.i18n import gettext, lazy_gettext
from guestbook.security import role_required
from guestbook.staff.access import current_actor

MAX_RETENTION_YEARS = 100


class EraseForm(Form):
    """Why, and the guest's number typed again: erasing cannot be undone."""

    reason = TextAreaField(lazy_gettext("Reason"), validators=[DataRequired(), Length(max=erasure.MAX_REASON)])
    confirm = StringField(lazy_gettext("Type the guest number to confirm"), validators=[DataRequired()])


def _guest_or_404(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        abort(404)
    return guest


def _page(guest: Guest, form: EraseForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template("data/privacy.html", guest=guest, form=form, erasures=erasure.erasures_for(guest.id)),
        status,
    )


@bp.route("/guests/<int:guest_id>/privacy")
@role_required("admin")
def guest_privacy(guest_id: int) -> tuple[str, int]:
    """The guest's privacy page."""
    return _page(_guest_or_404(guest_id), EraseForm())


@bp.route("/guests/<int:guest_id>/export.json")
@role_required("admin")
def guest_export_json(guest_id: int) -> Response:
    """The data export as a JSON file (audited guest_export)."""
    try:
        data = privacy.export_guest(guest_id, current_actor())
    except privacy.GuestNotFound:
        abort(404)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="guest-{guest_id}-data.json"'
    return response


@bp.route("/guests/<int:guest_id>/export.pdf")
@role_required("admin")
def guest_export_pdf(guest_id: int) -> Response:
    """The data export as a PDF (audited guest_export_pdf)."""
    try:
        pdf = privacy.export_guest_pdf(guest_id, current_actor())
    except privacy.GuestNotFound:
        abort(404)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="guest-{guest_id}-data.pdf"'
    return response


@bp.route("/guests/<int:guest_id>/erase", methods=["POST"])
@role_required("admin")
def guest_erase(guest_id: int) -> Response | tuple[str, int]:
    """Erase the guest once the reason is given and the number typed again."""
    guest = _guest_or_404(guest_id)
    form = EraseForm()
    if not form.validate_on_submit():
        return _page(guest, form, 422)
    if (form.confirm.data or "").strip().lstrip("#") != str(guest_id):
        form.confirm.errors = [gettext("Type %(id)d to confirm.", id=guest_id)]
        return _page(guest, form, 422)
    try:
        erasure.erase_guest(guest_id, form.reason.data or "", current_actor())
    except erasure.AlreadyErased:
        flash(gettext("This guest was already erased."), "error")
    except erasure.BadReason as exc:
        form.reason.errors = [str(exc)]
        return _page(guest, form, 422)
    else:
        flash(gettext("The guest was erased."), "success")
    return redirect(url_for("data.guest_privacy", guest_id=guest_id))


class RetentionForm(Form):
    """The retention rule's one setting: years without a visit (0: off)."""

    years = IntegerField(
        lazy_gettext("Erase guests with no visit for more than (years)"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_RETENTION_YEARS)],
    )


RETENTION_PREVIEW = 100  # the page lists this many; the dry-run command lists all


@bp.route("/retention", methods=["GET", "POST"])
@role_required("admin")
def retention_rule() -> Response | tuple[str, int]:
    """The retention setting and who it would erase tonight (a dry run: nothing changes here)."""
    form = RetentionForm()
    if form.validate_on_submit():
        set_setting("retention_years", int(form.years.data or 0), current_actor())
        flash(gettext("Retention saved."), "success")
        return redirect(url_for("data.retention_rule"))
    status = 422 if form.is_submitted() else 200
    if not form.is_submitted():
        form.years.data = retention.retention_years()
    due = retention.retention_preview()
    return (
        render_template(
            "data/retention.html",
            form=form,
            years=retention.retention_years(),
            due=due[:RETENTION_PREVIEW],
            total=len(due),
        ),
        status,
    )
