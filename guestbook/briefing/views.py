"""Briefing pages: thin views over briefing.assembly and briefing.archive."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField

from guestbook.admin.outlets import list_outlets, property_today
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing_service
from guestbook.briefing.sheet import PERIOD_LABELS
from guestbook.forms import Form
from guestbook.i18n import gettext, lazy_gettext
from guestbook.security import role_at_least, role_required
from guestbook.staff.access import current_actor

bp = Blueprint("briefing", __name__, url_prefix="/briefing")


# How an archived version was made (BriefingArchive.trigger), as the archive lists it.
TRIGGER_LABELS = {"scheduled": lazy_gettext("scheduled"), "manual": lazy_gettext("manual")}


class ActionForm(Form):
    """A button that posts (regenerate, opt in/out) with its CSRF token."""

    day = HiddenField()
    outlet = HiddenField()


def _args() -> tuple[date, str | None, str | None]:
    raw = request.args.get("date", "")
    try:
        day = date.fromisoformat(raw) if raw else property_today()
    except ValueError:
        abort(404)
    period = request.args.get("period") or None
    if period and period not in briefing_service.PERIODS:
        abort(404)
    return day, request.args.get("outlet") or None, period


@bp.route("/")
@role_required("floor")
def index() -> str:
    """The briefing on screen, read receipt recorded; floor ("Tonight") gets no print, archive or readers."""
    day, outlet, period = _args()
    actor = current_actor()
    try:
        result = briefing_service.build_briefing(day, outlet, period, actor.role)
    except briefing_service.BriefingError:
        abort(404)
    briefing_service.audit_briefing(result, actor, "briefing_view")
    can_manage = role_at_least(actor.role, "manager")
    return render_template(
        "briefing/index.html",
        b=result,
        # Cards or one line per arrival; without ?view= the tablet's remembered choice applies (app.js).
        view="list" if request.args.get("view") == "list" else "cards",
        view_chosen=request.args.get("view") in ("list", "cards"),
        page_per_outlet=request.args.get("page_per_outlet") == "1",
        landscape=request.args.get("landscape") == "1",
        can_manage=can_manage,
        outlets=list_outlets(),
        periods=list(briefing_service.PERIODS),
        period_labels=PERIOD_LABELS,
        readers=briefing_service.readers(day) if can_manage else [],
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


@bp.route("/pdf")
@role_required("manager")
def pdf() -> Response:
    """The same briefing as a PDF."""
    day, outlet, period = _args()
    try:
        result, data = briefing_archive.export_pdf(
            day,
            outlet,
            period,
            current_actor(),
            landscape=request.args.get("landscape") == "1",
            page_per_outlet=request.args.get("page_per_outlet") == "1",
        )
    except briefing_service.BriefingError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    filename = briefing_archive.filename_for(day, result.outlet_code)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.route("/archive")
@role_required("manager")
def archive() -> str:
    """Archived briefings (every version), who read today's, and the mail opt-in."""
    day, outlet, _period = _args()
    actor = current_actor()
    subscribed = briefing_archive.is_subscribed(actor.staff_user_id) if actor.staff_user_id else False
    return render_template(
        "briefing/archive.html",
        rows=briefing_archive.list_archive(),
        day=day,
        outlet=outlet or "",
        outlets=list_outlets(),
        readers=briefing_service.readers(day),
        subscribed=subscribed,
        form=ActionForm(day=day.isoformat(), outlet=outlet or ""),
        trigger_labels=TRIGGER_LABELS,
    )


@bp.route("/archive/<int:archive_id>.pdf")
@role_required("manager")
def download(archive_id: int) -> Response:
    """One archived version."""
    try:
        row = briefing_archive.archived_pdf(archive_id, current_actor())
    except briefing_archive.ArchiveNotFound:
        abort(404)
    response = Response(row.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{row.filename}"'
    return response


@bp.route("/archive/regenerate", methods=["POST"])
@role_required("manager")
def regenerate() -> BaseResponse:
    """ "Regenerate now": archive a new version, never overwriting."""
    form = ActionForm()
    try:
        day = date.fromisoformat(form.day.data or "")
        briefing_service.resolve_outlet(form.outlet.data or None)
    except (ValueError, briefing_service.BriefingError):
        abort(400)
    row = briefing_archive.regenerate(day, form.outlet.data or "", current_actor())
    flash(
        gettext("Version %(version)d of %(name)s archived.", version=row.version, name=row.filename.rsplit("-v", 1)[0]),
        "success",
    )
    return redirect(url_for("briefing.archive", date=day.isoformat(), outlet=form.outlet.data or None))


@bp.route("/subscription", methods=["POST"])
@role_required("manager")
def subscription() -> BaseResponse:
    """Opt in to or out of the nightly mail."""
    actor = current_actor()
    if actor.staff_user_id is None:
        abort(403)
    on = request.form.get("on") == "1"
    briefing_archive.set_subscription(actor.staff_user_id, on, actor)
    flash(
        gettext("You will receive the nightly briefing by email.")
        if on
        else gettext("You will no longer receive it by email."),
        "success",
    )
    return redirect(url_for("briefing.archive"))
