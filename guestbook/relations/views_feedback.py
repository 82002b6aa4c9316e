"""The feedback screens on the relations blueprint: log a complaint or a compliment from the card (floor staff and
up), the card's "handle with care" banner, the managers' queue, each feedback's page with the next step's form and
the internal discussion, and the header's overdue badge (the steps' posts are in ``views_feedback_steps``, the
recovery report in ``views_report``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, current_app, flash, g, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from guestbook.admin import outlets as outlet_service
from guestbook.admin.models import Outlet
from guestbook.choices import choices
from guestbook.extensions import db
from guestbook.guests import search_rate
from guestbook.guests import search_results as search_results_service
from guestbook.guests.models import Guest
from guestbook.guests.views import DEVICE_COOKIE
from guestbook.i18n import format_day, format_time, gettext, lazy_gettext, ngettext
from guestbook.models.base import utcnow
from guestbook.relations import feedback as rules
from guestbook.relations import report as recovery
from guestbook.relations.care import care_for
from guestbook.relations.forms import (
    AMEND_NAMES,
    CATEGORY_NAMES,
    CHANNEL_NAMES,
    SEVERITY_NAMES,
    AcknowledgeForm,
    CloseForm,
    FeedbackForm,
    FollowUpForm,
    LinkForm,
    ResolveForm,
    StepForm,
)
from guestbook.relations.models import STATUSES, Feedback
from guestbook.relations.schemas import FeedbackCreate
from guestbook.relations.views import bp
from guestbook.security import role_at_least, role_required
from guestbook.staff.access import current_actor
from guestbook.staff.models import StaffUser
from guestbook.validation import field_errors

STATUS_NAMES: dict[str, Any] = {
    "open": lazy_gettext("Open"),
    "acknowledged": lazy_gettext("Acknowledged"),
    "resolved": lazy_gettext("Resolved"),
    "followed_up": lazy_gettext("Followed up"),
    "closed": lazy_gettext("Closed"),
    "recorded": lazy_gettext("Recorded"),
}
STEP_NAMES: dict[str, Any] = {
    "note": lazy_gettext("Note"),
    "acknowledge": lazy_gettext("Acknowledged"),
    "resolve": lazy_gettext("Resolved"),
    "follow_up": lazy_gettext("Followed up"),
    "close": lazy_gettext("Closed"),
    "link": lazy_gettext("Linked to the guest"),
}
QUEUE_STATUSES = ("open", "acknowledged", "resolved")  # what still needs someone, in the order it is handled
QUEUE_LIMIT = 500


# -- the card ---------------------------------------------------------------------------------------------------


@bp.app_template_global()
def care_block(guest_id: int) -> dict[str, Any] | None:
    """The card's "handle with care" banner: one line, what was promised, whether a complaint is still open."""
    return care_for(guest_id, current_actor().role)


@bp.app_context_processor
def overdue_badge() -> dict[str, Any]:
    """``overdue_complaints`` for the header's badge: one COUNT per page, for managers and admins only."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"overdue_complaints": None}
    if not role_at_least(getattr(current_user, "role", None), "manager"):
        return {"overdue_complaints": None}
    if "overdue_complaints" not in g:
        g.overdue_complaints = recovery.count_overdue(utcnow())
    return {"overdue_complaints": g.overdue_complaints}


def _guest_or_404(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        abort(404)
    return guest


def _outlet_choices(form: FeedbackForm) -> None:
    form.outlet.choices = choices(
        [("", gettext("Not set")), *[(o.code, o.name) for o in outlet_service.list_outlets()]]
    )


def _deadline(due_by: datetime) -> str:
    """``23:00 today``, ``23:00 tomorrow`` or ``23:00, 5 Dec 2026`` at the property."""
    local = due_by.astimezone(outlet_service.property_tz())
    today = outlet_service.property_today()
    if local.date() == today:
        return gettext("%(time)s today", time=format_time(local))
    if local.date() == today + timedelta(days=1):
        return gettext("%(time)s tomorrow", time=format_time(local))
    return gettext("%(time)s, %(day)s", time=format_time(local), day=format_day(local))


@bp.route("/guests/<int:guest_id>/feedback/new", methods=["GET", "POST"])
@role_required("floor")
def new_feedback(guest_id: int) -> Response | tuple[str, int]:
    """Log a complaint or a compliment from the card in a few taps; back to the card with its deadline."""
    guest = _guest_or_404(guest_id)
    form = FeedbackForm()
    _outlet_choices(form)
    status = 200
    if request.method == "GET":
        device = request.cookies.get(DEVICE_COOKIE, "")  # the tablet's outlet, when the card knows it
        form.outlet.data = device if device and outlet_service.outlet_by_code(device) else ""
    elif form.validate_on_submit():
        try:
            data = FeedbackCreate.model_validate(
                {
                    "kind": form.kind.data,
                    "category": form.category.data,
                    "severity": form.severity.data if form.kind.data == "complaint" else "minor",
                    "channel": form.channel.data,
                    "text": form.text.data or "",
                    "outlet": form.outlet.data or None,
                    "staff_involved": form.staff_involved.data or "",
                }
            )
            created = rules.create_feedback(guest.id, data, current_actor())
        except ValidationError as exc:
            for name, message in field_errors(exc).items():
                getattr(form, name, form.text).errors = [message]
        except rules.BadField as exc:
            form.outlet.errors = [exc.message]
        else:
            if created.due_by is not None:
                flash(gettext("Complaint logged: acknowledge by %(when)s.", when=_deadline(created.due_by)), "success")
            else:
                flash(gettext("Compliment saved."), "success")
            return redirect(url_for("guests.show", guest_id=guest.id))
        status = 422
    else:
        status = 422
    return render_template("relations/feedback_new.html", guest=guest, form=form), status


# -- the managers' queue ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: the feedback, its guest's name, how long overdue, and whether a call back is due."""

    feedback: Feedback
    guest_name: str
    outlet_name: str
    overdue_for: str
    call_back_due: bool


def _overdue_for(due_by: datetime, now: datetime) -> str:
    """``3 h`` or ``2 days``: how long past the deadline."""
    hours = int((now - due_by).total_seconds() // 3600)
    if hours < 24:
        return gettext("%(num)d h", num=max(hours, 0))
    return ngettext("%(num)d day", "%(num)d days", hours // 24)


def _queue_rows(items: list[Feedback], now: datetime, today: date) -> list[QueueRow]:
    outlets = {o.id: o for o in outlet_service.list_outlets(include_inactive=True)}
    rows = []
    for item in items:
        guest = db.session.get(Guest, item.guest_id) if item.guest_id is not None else None
        outlet: Outlet | None = outlets.get(item.outlet_id) if item.outlet_id is not None else None
        overdue = item.due_by is not None and item.status == "open" and now > item.due_by
        rows.append(
            QueueRow(
                feedback=item,
                guest_name=guest.display_name if guest else gettext("Anonymous"),
                outlet_name=outlet.name if outlet else "",
                overdue_for=_overdue_for(item.due_by, now) if overdue and item.due_by else "",
                call_back_due=item.status == "resolved"
                and item.follow_up_on is not None
                and item.follow_up_on <= today,
            )
        )
    return rows


def _queue_items(status: str | None, overdue: bool, guest_id: int | None) -> list[Feedback]:
    """Open complaints first (overdue ones first of all, the longest overdue on top), then those waiting for the
    next step; a status filter shows that status only, a guest all of that guest's feedback."""
    flag = True if overdue else None
    if status is not None or guest_id is not None:
        return rules.list_feedback(rules.Filters(status=status, overdue=flag, guest_id=guest_id, limit=QUEUE_LIMIT))
    found: list[Feedback] = []
    for step in QUEUE_STATUSES if not overdue else ("open",):
        batch = rules.list_feedback(rules.Filters(status=step, kind="complaint", overdue=flag, limit=QUEUE_LIMIT))
        if step == "open":
            batch.sort(key=lambda f: (f.due_by is None, f.due_by or f.reported_at))
        found.extend(batch)
    return found


@bp.route("/feedback")
@role_required("manager")
def feedback_queue() -> str:
    """The managers' queue: open complaints first with the overdue ones marked, then those awaiting a step."""
    status = request.args.get("status", "")
    overdue = request.args.get("overdue", "") in ("1", "true")
    outlet_code = request.args.get("outlet", "")
    raw_guest = request.args.get("guest", "")
    guest_id = int(raw_guest) if raw_guest.isascii() and raw_guest.isdigit() and len(raw_guest) < 19 else None
    items = _queue_items(status if status in STATUSES else None, overdue, guest_id)
    outlet = outlet_service.outlet_by_code(outlet_code) if outlet_code else None
    if outlet_code:
        items = [f for f in items if outlet is not None and f.outlet_id == outlet.id]
    now = utcnow()
    return render_template(
        "relations/feedback_queue.html",
        rows=_queue_rows(items, now, outlet_service.property_today(now)),
        status=status if status in STATUSES else "",
        overdue=overdue,
        outlet=outlet_code,
        guest_id=guest_id,
        outlets=outlet_service.list_outlets(include_inactive=True),
        status_names=STATUS_NAMES,
        category_names=CATEGORY_NAMES,
    )


# -- one feedback and its steps ---------------------------------------------------------------------------------


def _feedback_or_404(feedback_id: int) -> Feedback:
    try:
        return rules.get_feedback(feedback_id)
    except rules.FeedbackNotFound:
        abort(404)


def _step_forms(item: Feedback) -> dict[str, StepForm]:
    """The forms of the steps this feedback can take next (none once it is closed, followed up or recorded)."""
    found: dict[str, StepForm] = {}
    if item.status == "open":
        found["acknowledge"] = AcknowledgeForm(formdata=None, prefix="ack")
    elif item.status == "acknowledged":
        found["resolve"] = ResolveForm(formdata=None, prefix="res")
    elif item.status == "resolved":
        found["follow_up"] = FollowUpForm(formdata=None, prefix="fol")
    if item.status in rules.ALLOWED_FROM["close"]:
        found["close"] = CloseForm(formdata=None, prefix="clo")
    for form in found.values():
        form.version.data = str(item.version)
    return found


def _search(q: str) -> tuple[list[Any], Any]:
    """The card's guest search, rate-limited the same way (for linking anonymous feedback)."""
    actor = current_actor()
    limit = search_rate.limit_for(
        actor.role, current_app.config["SEARCH_RATE_LIMIT_FLOOR"], current_app.config["SEARCH_RATE_LIMIT"]
    )
    try:
        search_rate.count_search(actor, limit)
    except search_rate.RateLimited as exc:
        return [], exc
    found = search_results_service.find(q, actor.role, limit=12)
    return [r for r in found if r.guest.erased_at is None], None


@bp.route("/feedback/<int:feedback_id>")
@role_required("manager")
def feedback_show(feedback_id: int) -> str:
    """One feedback: the guest's words, every step (who, when), the internal discussion, the next step's form."""
    item = _feedback_or_404(feedback_id)
    q = request.args.get("q", "").strip() if item.guest_id is None else ""
    results, rate_limited = _search(q) if q else ([], None)
    data = rules.feedback_to_dict(item)
    owner = db.session.get(StaffUser, item.owner_id) if item.owner_id is not None else None
    outlet = db.session.get(Outlet, item.outlet_id) if item.outlet_id is not None else None
    return render_template(
        "relations/feedback_show.html",
        item=item,
        data=data,
        guest=db.session.get(Guest, item.guest_id) if item.guest_id is not None else None,
        owner=owner,
        outlet=outlet,
        step_names=STEP_NAMES,
        forms=_step_forms(item),
        link_form=LinkForm(formdata=None),
        q=q,
        results=results,
        rate_limited=rate_limited,
        status_names=STATUS_NAMES,
        category_names=CATEGORY_NAMES,
        labels={"severity": SEVERITY_NAMES, "channel": CHANNEL_NAMES, "amend": AMEND_NAMES},
        today=outlet_service.property_today(),
    )
