"""Reservation pages: thin views over services.reservations and services.reservation_import."""

from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from ...access import current_actor
from ...security import role_required
from ...services import reservation_import, reservations
from ...services.outlets import list_outlets
from ...services.reservations import property_today
from ...services.schemas import field_errors
from ..choices import choices
from .forms import ImportCommitForm, ImportForm, MappingForm, ReservationForm

bp = Blueprint("reservations", __name__, url_prefix="/reservations")

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


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
            flash(f"Booked: {reservation.guest.full_name} ({reservation.match}).", "success")
            return redirect(url_for("guests.show", guest_id=reservation.guest_id))
    return render_template("reservations/form.html", form=form)


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored(token: str) -> tuple[str, bytes]:
    if not _TOKEN.match(token or ""):
        abort(400)
    matches = sorted(_upload_dir().glob(f"{token}.*"))
    if not matches:
        abort(404)
    return matches[0].name, matches[0].read_bytes()


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
            form.source.errors = ["lower-case letters, digits, . _ -"]
        elif upload is None or not upload.filename:
            form.file.errors = ["choose a file"]
        else:
            suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
            token = secrets.token_urlsafe(24)
            content = upload.read()
            (_upload_dir() / f"{token}{suffix}").write_bytes(content)
            try:
                report = reservation_import.dry_run(source, f"upload{suffix}", content)
            except reservation_import.ImportFileError as exc:
                form.file.errors = [str(exc)]
                token = ""
    source = (form.source.data or "pms").strip().lower()
    mapping_form = MappingForm(source=source, formdata=None, data=reservation_import.mapping_for(source))
    return render_template(
        "reservations/import.html",
        form=form,
        report=report,
        commit_form=ImportCommitForm(source=source, token=token),
        mapping_form=mapping_form,
    )


@bp.route("/import/commit", methods=["POST"])
@role_required("manager")
def import_commit() -> BaseResponse | str:
    """Write a checked upload: every row or none."""
    form = ImportCommitForm()
    name, content = _stored(form.token.data or "")
    source = form.source.data or ""
    report = reservation_import.commit_import(source, name, content, current_actor())
    if report.committed:
        flash(f"Imported {report.created} new and {report.updated} changed reservations.", "success")
        return redirect(url_for("briefing.index"))
    flash(f"Nothing was imported: {len(report.errors)} problems.", "error")
    return render_template(
        "reservations/import.html",
        form=ImportForm(source=source, formdata=None),
        report=report,
        commit_form=form,
        mapping_form=MappingForm(source=source, formdata=None, data=reservation_import.mapping_for(source)),
    )


@bp.route("/import/errors.csv", methods=["POST"])
@role_required("manager")
def import_errors() -> Response:
    """The dry run's errors as a CSV: row, column, problem."""
    form = ImportCommitForm()
    name, content = _stored(form.token.data or "")
    report = reservation_import.dry_run(form.source.data or "", name, content)
    response = Response(reservation_import.error_report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-errors-{date.today().isoformat()}.csv"'
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
    flash(f"Column mapping for {source} saved.", "success")
    return redirect(url_for("reservations.import_file"))


@bp.route("/matches")
@role_required("manager")
def matches() -> str:
    """Reservations whose guest matched an existing profile by name only."""
    return render_template("reservations/matches.html", matches=reservations.open_matches(), form=ImportCommitForm())


@bp.route("/matches/<int:match_id>/<any(link, reject):decision>", methods=["POST"])
@role_required("manager")
def decide(match_id: int, decision: str) -> BaseResponse:
    """Link the reservation to the existing guest, or keep them apart."""
    try:
        if decision == "link":
            reservations.link_match(match_id, current_actor())
            flash("Linked to the existing guest.", "success")
        else:
            reservations.reject_match(match_id, current_actor())
            flash("Kept as a different guest.", "success")
    except reservations.MatchNotFound:
        abort(404)
    return redirect(url_for("reservations.matches"))
