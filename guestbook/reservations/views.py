"""Reservation pages: thin views over reservations.bookings and reservations.file_import."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from guestbook.admin.outlets import list_outlets, property_today
from guestbook.choices import choices
from guestbook.i18n import format_day, gettext, ngettext
from guestbook.reservations import bookings as reservations
from guestbook.reservations import file_import as reservation_import
from guestbook.reservations import import_outlets, match_queue, possible_matches
from guestbook.reservations import uploads as import_uploads
from guestbook.reservations.forms import ImportCommitForm, ImportForm, MappingForm, OutletValuesForm, ReservationForm
from guestbook.reservations.labels import match_label, severity_text, status_label
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors

bp = Blueprint("reservations", __name__, url_prefix="/reservations")


@bp.route("/new", methods=["GET", "POST"])
@role_required("floor")
def new() -> BaseResponse | str:
    """A walk-in or phone booking."""
    form = ReservationForm()
    form.outlet.choices = choices((o.code, o.name) for o in list_outlets())
    if request.method == "GET":
        form.arrival_date.data = property_today()
        form.guest_id.data = request.args.get("guest_id", "")
    if form.validate_on_submit():
        try:
            data = reservations.ReservationIn.model_validate(form.payload())
            reservation = reservations.create_manual(data, current_actor())
        except ValidationError as exc:
            for loc, message in field_errors(exc).items():
                name = loc.split(".")[-1] if loc.startswith("guest.") else loc.split(".")[0]
                field = getattr(form, name, None)
                if field is not None and hasattr(field, "errors"):
                    field.errors = [*list(field.errors or []), message]
                else:
                    flash(f"{loc}: {message}", "error")
        except reservations.ReservationError as exc:
            flash(f"{exc.field}: {exc.message}", "error")
        else:
            flash(
                gettext(
                    "Booked: %(name)s (%(match)s).",
                    name=reservation.guest.full_name,
                    match=match_label(reservation.match),
                ),
                "success",
            )
            return redirect(url_for("guests.show", guest_id=reservation.guest_id))
    return render_template("reservations/form.html", form=form)


def _stored(token: str) -> tuple[str, bytes]:
    try:
        return import_uploads.load(current_app.instance_path, token)
    except import_uploads.BadUploadToken:
        abort(400)
    except import_uploads.UploadGone:
        abort(404)


def _import_page(
    source: str, report: reservation_import.ImportReport | None, token: str, form: ImportForm | None = None
) -> str:
    """The import page: upload form, the dry run's report, outlet values, column mapping."""
    values_form = OutletValuesForm(
        formdata=None,
        source=source,
        token=token,
        data={
            "values": [v.value for v in report.outlet_values] if report else [],
            "outlets": [v.code or "" for v in report.outlet_values] if report else [],
        },
    )
    outlet_choices = choices([("", gettext("— not mapped —")), *((o.code, o.name) for o in list_outlets())])
    for entry in values_form.outlets:
        entry.choices = outlet_choices
    return render_template(
        "reservations/import.html",
        form=form or ImportForm(source=source, formdata=None),
        report=report,
        commit_form=ImportCommitForm(source=source, token=token, formdata=None),
        values_form=values_form,
        mapping_form=MappingForm(source=source, formdata=None, data=reservation_import.mapping_for(source)),
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required("manager")
def import_file() -> str:
    """Upload an export, see every error and a preview (dry run), then commit all or nothing."""
    form = ImportForm()
    report = None
    token = ""
    if form.validate_on_submit():
        upload = form.file.data
        source = (form.source.data or "").strip().lower()
        if not re.match(reservations.SOURCE_PATTERN, source):
            form.source.errors = [gettext("lower-case letters, digits, . _ -")]
        elif upload is None or not upload.filename:
            form.file.errors = [gettext("choose a file")]
        else:
            content = upload.read()
            token, name = import_uploads.store(current_app.instance_path, upload.filename, content)
            try:
                report = reservation_import.dry_run(source, name, content)
            except reservation_import.ImportFileError as exc:
                form.file.errors = [str(exc)]
                import_uploads.discard(current_app.instance_path, token)
                token = ""
    source = (form.source.data or "pms").strip().lower()
    return _import_page(source, report, token, form)


@bp.route("/import/values", methods=["POST"])
@role_required("manager")
def import_values() -> BaseResponse | str:
    """Map the file's outlet values to our outlets (saved for the source), then check the upload again."""
    form = OutletValuesForm()
    source = (form.source.data or "").strip().lower()
    if not re.match(reservations.SOURCE_PATTERN, source):
        abort(400)
    name, content = _stored(form.token.data or "")
    pairs = dict(zip(form.values.data or [], form.outlets.data or [], strict=False))
    try:
        import_outlets.save_outlet_values(source, pairs, current_actor())
    except import_outlets.MappingError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Outlet values for %(source)s saved.", source=source), "success")
    report = reservation_import.dry_run(source, name, content)
    return _import_page(source, report, form.token.data or "")


@bp.route("/import/commit", methods=["POST"])
@role_required("manager")
def import_commit() -> BaseResponse | str:
    """Write a checked upload: every row or none; then show the first date imported."""
    form = ImportCommitForm()
    token = form.token.data or ""
    name, content = _stored(token)
    source = form.source.data or ""
    report = reservation_import.commit_import(source, name, content, current_actor())
    if report.committed:
        import_uploads.discard(current_app.instance_path, token)
        days = ", ".join(format_day(d) for d in report.dates[:3]) + (" …" if len(report.dates) > 3 else "")
        flash(
            gettext(
                "Imported %(created)d new and %(updated)d changed reservations for %(days)s.",
                created=report.created,
                updated=report.updated,
                days=days,
            ),
            "success",
        )
        landing = report.landing_date
        return redirect(url_for("briefing.index", date=landing.isoformat() if landing else None))
    flash(
        ngettext(
            "Nothing was imported: %(num)d problem.", "Nothing was imported: %(num)d problems.", len(report.errors)
        ),
        "error",
    )
    return _import_page(source, report, token)


@bp.route("/import/cancel", methods=["POST"])
@role_required("manager")
def import_cancel() -> BaseResponse:
    """Abandon a checked upload: its file is deleted now."""
    form = ImportCommitForm()
    try:
        import_uploads.discard(current_app.instance_path, form.token.data or "")
    except import_uploads.BadUploadToken:
        abort(400)
    flash(gettext("Import cancelled; the uploaded file was deleted."), "info")
    return redirect(url_for("reservations.import_file"))


@bp.route("/import/errors.csv", methods=["POST"])
@role_required("manager")
def import_errors() -> Response:
    """The dry run's errors as a CSV: row, column, problem."""
    form = ImportCommitForm()
    name, content = _stored(form.token.data or "")
    report = reservation_import.dry_run(form.source.data or "", name, content)
    response = Response(reservation_import.error_report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-errors-{property_today().isoformat()}.csv"'
    return response


@bp.route("/import/mapping", methods=["POST"])
@role_required("manager")
def import_mapping() -> BaseResponse:
    """Save how a source names its columns."""
    form = MappingForm()
    source = (form.source.data or "").strip().lower()
    if not re.match(reservations.SOURCE_PATTERN, source):
        abort(400)
    mapping = {key: getattr(form, key).data or "" for key in reservation_import.FIELDS}
    reservation_import.save_mapping(source, mapping, current_actor())
    flash(gettext("Column mapping for %(source)s saved.", source=source), "success")
    return redirect(url_for("reservations.import_file"))


@bp.route("/matches")
@role_required("manager")
def matches() -> str:
    """Reservations whose guest matched an existing profile by name only: each once, its candidates under it."""
    return render_template("reservations/matches.html", groups=possible_matches.match_groups())


@bp.app_template_filter("reservation_status")
def reservation_status(status: str) -> str:
    """A reservation status as staff read it (``{{ a.status|reservation_status }}``): ``no-show`` → "No-show"."""
    return status_label(status)


@bp.app_template_filter("allergy_severity")
def allergy_severity(severity: str) -> str:
    """An allergy's severity inside a line (``{{ sev|allergy_severity }}``): ``peanuts (anaphylaxis)``."""
    return severity_text(severity)


@bp.app_template_global("possible_matches_for")
def possible_matches_for(guest_id: int) -> list[possible_matches.Candidate]:
    """For the card (templates/guests/_possible_matches.html): who this name-only booking's guest may be."""
    return possible_matches.candidates_for_guest(guest_id)


@bp.route("/matches/<int:match_id>/<any(link, reject):decision>", methods=["POST"])
@role_required("manager")
def decide(match_id: int, decision: str) -> BaseResponse:
    """Link the reservation to the existing guest, or keep them apart."""
    try:
        if decision == "link":
            match_queue.link_match(match_id, current_actor())
            flash(gettext("Linked to the existing guest."), "success")
        else:
            match_queue.reject_match(match_id, current_actor())
            flash(gettext("Kept as a different guest."), "success")
    except match_queue.MatchNotFound:
        abort(404)
    return redirect(url_for("reservations.matches"))
