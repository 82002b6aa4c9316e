"""The recovery report page on the relations blueprint: the figures with charts like the dashboard's, for
managers."""

from __future__ import annotations

from datetime import date

from flask import render_template, request

from guestbook.admin import outlets as outlet_service
from guestbook.i18n import format_month, gettext
from guestbook.relations import report as recovery
from guestbook.relations.forms import CATEGORY_NAMES
from guestbook.relations.views import bp
from guestbook.security import role_required
from guestbook.segments import charts


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        if len(value) != 10 or not value.isascii():
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise recovery.ReportError(name, gettext("a date as YYYY-MM-DD")) from None


def _report_charts(report: recovery.RecoveryReport) -> dict[str, charts.HBarChart]:
    """The report's bars: complaints by category, outlet and month, compliments by staff member."""
    outlets = {o.code: o.name for o in outlet_service.list_outlets(include_inactive=True)}
    return {
        "category": charts.hbars([(c, str(CATEGORY_NAMES[c]), n) for c, n in report.by_category.items()]),
        "outlet": charts.hbars(
            [(o, outlets.get(o, gettext("No outlet") if o == "none" else o), n) for o, n in report.by_outlet.items()]
        ),
        "month": charts.hbars(
            [(m, format_month(date.fromisoformat(f"{m}-01"), with_year=True), n) for m, n in report.by_month.items()]
        ),
        "staff": charts.hbars(list((name, name, n) for name, n in report.compliments_by_staff.items())[:15]),
    }


@bp.route("/feedback/report")
@role_required("manager")
def feedback_report() -> tuple[str, int]:
    """The recovery figures with charts like the dashboard's (and the numbers as tables behind them)."""
    status, error = 200, ""
    try:
        report = recovery.build_report(_date_arg("from"), _date_arg("to"))
    except recovery.ReportError as exc:
        status, error = 422, exc.message
        report = recovery.build_report()
    page = render_template(
        "relations/feedback_report.html",
        report=report,
        error=error,
        charts=_report_charts(report),
        category_names=CATEGORY_NAMES,
    )
    return page, status
