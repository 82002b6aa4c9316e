"""The segments' web pages (managers and admins): the dashboard, its lists with their exports, the monthly
report, the screen that explains how guests are grouped, and a tier set by hand from the guest's card."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from guestbook import audit
from guestbook.admin.outlets import default_property, property_currency, property_today
from guestbook.admin.settings import get_setting
from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.guests.labels import INFLUENCE
from guestbook.i18n import format_month, gettext, lazy_gettext
from guestbook.security import role_required
from guestbook.segments import charts, dashboard, exports, overrides, scoring
from guestbook.segments.labels import LIFECYCLE_LABELS, SEGMENT_LABELS
from guestbook.staff.access import current_actor
from guestbook.text import find_control_char

bp = Blueprint("segments", __name__, url_prefix="/segments")


class TierForm(Form):
    """The card's "Set the tier by hand" form: a tier (or back to the computed one), the reason, the influence."""

    tier = SelectField(
        lazy_gettext("Tier"),
        choices=choices([("A", "A"), ("B", "B"), ("C", "C"), ("computed", lazy_gettext("As computed from spend"))]),
    )
    reason = StringField(
        lazy_gettext("Why (required for a tier set by hand)"), validators=[Optional(), Length(max=500)]
    )
    influence = SelectField(
        lazy_gettext("Influence"), choices=choices([("", lazy_gettext("None")), *INFLUENCE.items()])
    )


@bp.route("/guests/<int:guest_id>/tier", methods=["POST"])
@role_required("manager")
def set_tier(guest_id: int) -> Response:
    """Set or clear the guest's hand-set tier and influence; a tier needs a reason."""
    form = TierForm()
    back = redirect(url_for("guests.show", guest_id=guest_id) + "#standing")
    if not form.validate_on_submit():
        flash(gettext("The tier was not saved: check the form."), "error")
        return back
    reason = (form.reason.data or "").strip()
    try:
        if form.tier.data == "computed":
            overrides.clear_override(guest_id, current_actor())
            flash(gettext("The tier is computed from spend again."), "success")
        elif not reason or find_control_char(reason) is not None:
            flash(gettext("Say why the tier is set by hand."), "error")
            return back
        else:
            overrides.set_override(guest_id, form.tier.data or "C", reason, current_actor(), form.influence.data or "")
            flash(gettext("Tier set by hand."), "success")
    except overrides.GuestNotFound:
        abort(404)
    return back


def _segment_names() -> dict[tuple[int, int], str]:
    return {(r, f): str(SEGMENT_LABELS[scoring.segment_name(r, f)]) for r in range(1, 6) for f in range(1, 6)}


@bp.route("/")
@role_required("manager")
def index() -> str:
    """The manager dashboard: tiers, lifecycle, the RFM heat map, visits by week, the returning rate, the lists."""
    dash = dashboard.build()
    month_labels: dict[int, str] = {}
    for i, week in enumerate(dash.weeks):
        if week.start.day <= 7:
            month_labels[i] = format_month(week.start)
    tier_chart = charts.hbars([(t, gettext("Tier %(tier)s", tier=t), dash.tiers.get(t, 0)) for t in scoring.TIERS])
    stage_chart = charts.hbars(
        [(s, str(LIFECYCLE_LABELS[s]), dash.lifecycle.get(s, 0)) for s in scoring.LIFECYCLE_STAGES]
    )
    return render_template(
        "segments/dashboard.html",
        dash=dash,
        tier_chart=tier_chart,
        stage_chart=stage_chart,
        heat=charts.heatmap(dash.rfm, _segment_names()),
        weekly=charts.weekly(dash.weeks, month_labels),
        rate=charts.monthly_rate(dash.months, [format_month(m.month) for m in dash.months]),
        lifecycle_labels=LIFECYCLE_LABELS,
        segment_labels=SEGMENT_LABELS,
    )


def _list_title(kind: str, value: str) -> str:
    if kind == "tier":
        return gettext("Tier %(tier)s guests", tier=value)
    if kind == "lifecycle":
        return str(LIFECYCLE_LABELS[value])
    if kind == "segment":
        return str(SEGMENT_LABELS[value])
    if kind == "cell":
        r, f = value.split(",")
        return gettext("Recency %(r)s, frequency %(f)s", r=r, f=f)
    if kind == "top":
        return gettext("Top guests")
    if kind == "slipping":
        return gettext("Slipping away")
    return gettext("Birthdays and anniversaries this month")


@bp.route("/lists/<kind>")
@role_required("manager")
def guest_list(kind: str) -> str:
    """One of the dashboard's lists in full, a page at a time, with its CSV and XLSX exports."""
    value = request.args.get("value", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    today = property_today()
    if kind == "occasions":
        found, total = dashboard.occasions(today, limit=dashboard.EXPORT_LIMIT)
        return render_template(
            "segments/list.html",
            kind=kind,
            value=value,
            title=_list_title(kind, value),
            occasions=found[(page - 1) * dashboard.PAGE : page * dashboard.PAGE],
            lines=None,
            total=total,
            page=page,
            pages=max(1, -(-total // dashboard.PAGE)),
            currency=property_currency() or "THB",
            lifecycle_labels=LIFECYCLE_LABELS,
            segment_labels=SEGMENT_LABELS,
        )
    result = dashboard.guest_lines(kind, value, offset=(page - 1) * dashboard.PAGE)
    if result is None:
        abort(404)
    lines, total = result
    return render_template(
        "segments/list.html",
        kind=kind,
        value=value,
        title=_list_title(kind, value),
        lines=lines,
        occasions=None,
        total=total,
        page=page,
        pages=max(1, -(-total // dashboard.PAGE)),
        currency=property_currency() or "THB",
        lifecycle_labels=LIFECYCLE_LABELS,
        segment_labels=SEGMENT_LABELS,
    )


@bp.route("/lists/<kind>.<any(csv, xlsx):fmt>")
@role_required("manager")
def export_list(kind: str, fmt: str) -> Response:
    """One list as a spreadsheet (audited)."""
    try:
        content, media, name = exports.export(
            kind, request.args.get("value", ""), fmt, current_actor(), property_today()
        )
    except exports.UnknownList:
        abort(404)
    response = Response(content, mimetype=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/about")
@role_required("manager")
def about() -> str:
    """How guests are grouped: the RFM grid, the pyramid, the lifecycle stages and the lapse rule, with the settings."""
    return render_template(
        "segments/about.html",
        names=_segment_names(),
        lifecycle_labels=LIFECYCLE_LABELS,
        settings={
            key: get_setting(f"segments_{key}")
            for key in (
                "tier_window_months",
                "regular_visits_12m",
                "lapsed_days",
                "lost_days",
                "rhythm_p_active",
                "rhythm_min_days",
                "rhythm_min_visit_days",
                "min_guests_for_model",
            )
        },
        fixed_months=get_setting("letters_lapse_months"),
        fixed_visits=get_setting("letters_lapse_min_visits"),
        model=dashboard.model_info(),
    )


@bp.route("/report.pdf")
@role_required("manager")
def report_pdf() -> Response:
    """The monthly manager report: the dashboard's charts and lists on two printed pages (audited)."""
    from guestbook.segments import render

    dash = dashboard.build()
    content = render.report_pdf(dash, default_property().name, dash.as_of or dash.today)
    audit.record_now(current_actor(), "segments_report", detail=(dash.as_of or dash.today).isoformat())
    response = Response(content, mimetype="application/pdf")
    month = (dash.as_of or dash.today).strftime("%Y-%m")
    response.headers["Content-Disposition"] = f'inline; filename="manager-report-{month}.pdf"'
    return response
