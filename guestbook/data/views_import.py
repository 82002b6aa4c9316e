"""The import screen (admins): choose what and from where, upload, see the dry run, then commit; edit how a
source's files read; the recent imports. Thin views over ``guestbook.data.imports``.

Uploads are kept with the reservations import's helper (``reservations.uploads``) between the dry run
and the commit, and deleted when the import is committed or cancelled (or after a day).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse
from wtforms import FieldList, FileField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired

from guestbook.admin.outlets import property_today
from guestbook.choices import choices
from guestbook.data import imports
from guestbook.data.import_read import ENCODINGS
from guestbook.data.import_rows import COLUMNS
from guestbook.data.models import DATE_ORDERS, IMPORT_KINDS
from guestbook.data.views import bp
from guestbook.forms import Form
from guestbook.guests import lookalikes
from guestbook.i18n import gettext, lazy_gettext, ngettext
from guestbook.reservations import uploads
from guestbook.security import role_required
from guestbook.staff.access import current_actor

HINTED_GUESTS = 10  # newest imported guests checked at once for look-alikes (40–100 ms each)
KIND_LABELS = {"guests": lazy_gettext("Guests"), "visits": lazy_gettext("Visit history")}
DATE_ORDER_LABELS = {
    "YMD": lazy_gettext("Year first (2025-04-03)"),
    "DMY": lazy_gettext("Day first (03/04/2025 is 3 April)"),
    "MDY": lazy_gettext("Month first (03/04/2025 is 4 March)"),
}


class GuestImportForm(Form):
    """Upload a guests or visits file and check it (dry run)."""

    kind = SelectField(lazy_gettext("What the file holds"), choices=[])
    source = StringField(lazy_gettext("Source (e.g. opera, pos)"), validators=[DataRequired()], default="pms")
    file = FileField(lazy_gettext("CSV or XLSX file"))


class GuestImportCommitForm(Form):
    """Commit, cancel or download the errors of a checked upload."""

    kind = HiddenField()
    source = HiddenField()
    token = HiddenField()
    filename = HiddenField()


class SourceSettingsForm(Form):
    """How one source's files read: the header of each of our columns, the encoding, the date order."""

    kind = HiddenField()
    source = HiddenField()
    encoding = SelectField(lazy_gettext("Encoding"), choices=[])
    date_order = SelectField(lazy_gettext("Dates like 03/04/2025"), choices=[])
    headers = FieldList(StringField())


def _kind(value: str | None) -> str:
    return value if value in IMPORT_KINDS else "guests"


def _settings_form(kind: str, source: str) -> SourceSettingsForm:
    saved = imports.settings_for(kind, source)
    form = SourceSettingsForm(
        formdata=None,
        kind=kind,
        source=source,
        encoding=saved.encoding or "auto",
        date_order=saved.date_order or "YMD",
        headers=[(saved.mapping or {}).get(name, "") for name in COLUMNS[kind]],
    )
    _settings_choices(form)
    return form


def _settings_choices(form: SourceSettingsForm) -> None:
    form.encoding.choices = choices((e, gettext("detect") if e == "auto" else e) for e in ENCODINGS)
    form.date_order.choices = choices((o, str(DATE_ORDER_LABELS[o])) for o in DATE_ORDERS)


def _upload_form(kind: str, source: str, form: GuestImportForm | None = None) -> GuestImportForm:
    form = form or GuestImportForm(formdata=None, kind=kind, source=source)
    form.kind.choices = choices((k, str(KIND_LABELS[k])) for k in IMPORT_KINDS)
    return form


def _page(
    kind: str,
    source: str,
    report: imports.ImportReport | None = None,
    token: str = "",
    form: GuestImportForm | None = None,
) -> str:
    return render_template(
        "data/import.html",
        form=_upload_form(kind, source, form),
        report=report,
        commit_form=GuestImportCommitForm(
            formdata=None, kind=kind, source=source, token=token, filename=report.filename if report else ""
        ),
        settings_form=_settings_form(kind, source),
        columns=COLUMNS[kind],
        kind=kind,
        source=source,
        kind_label=KIND_LABELS[kind],
        runs=imports.recent_runs(),
        kind_labels=KIND_LABELS,
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
    )


def _stored_path(token: str) -> Path:
    """The uploaded file kept for this token (400: not a token; 404: gone)."""
    try:
        name, _content = uploads.load(current_app.instance_path, token)
    except uploads.BadUploadToken:
        abort(400)
    except uploads.UploadGone:
        abort(404)
    return uploads.folder(current_app.instance_path) / f"{token}{Path(name).suffix}"


def _checked_kind_source(kind: str, source: str) -> tuple[str, str]:
    try:
        imports.check_kind_and_source(kind, source)
    except imports.ImportSettingsError:
        abort(400)
    return kind, source


@bp.route("/import", methods=["GET", "POST"])
@role_required("admin")
def import_file() -> str:
    """Upload a guests or visits file and see every problem and the counts (dry run); nothing is written."""
    form = _upload_form(_kind(request.args.get("kind")), request.args.get("source", "pms"), GuestImportForm())
    kind = _kind(form.kind.data or request.args.get("kind"))
    source = (form.source.data or request.args.get("source") or "pms").strip().lower()
    report, token = None, ""
    if form.validate_on_submit():
        upload = form.file.data
        try:
            imports.check_kind_and_source(kind, source)
        except imports.ImportSettingsError as exc:
            form.source.errors = [str(exc)]
        else:
            if upload is None or not upload.filename:
                form.file.errors = [gettext("choose a file")]
            else:
                token, _name = uploads.store(current_app.instance_path, upload.filename, upload.read())
                report = imports.run_import(
                    kind, source, _stored_path(token), current_actor(), dry_run=True, filename=upload.filename
                )
    try:
        imports.check_kind_and_source(kind, source)
    except imports.ImportSettingsError:
        source = "pms"  # the settings panel below needs a valid source; the form shows the error
    return _page(kind, source, report, token, form)


@bp.route("/import/commit", methods=["POST"])
@role_required("admin")
def import_commit() -> BaseResponse | str:
    """Import a checked upload: every row or none."""
    form = GuestImportCommitForm()
    kind, source = _checked_kind_source(form.kind.data or "", form.source.data or "")
    token = form.token.data or ""
    started = datetime.now(UTC)
    report = imports.run_import(kind, source, _stored_path(token), current_actor(), filename=form.filename.data or "")
    if report.committed:
        uploads.discard(current_app.instance_path, token)
        if kind == "guests" and report.created:
            # The on-the-spot "might be the same as…" for the newest imported guests; the nightly scan does all.
            for guest_id in imports.guests_imported_since(source, started, HINTED_GUESTS):
                hint = lookalikes.hint_for(guest_id, current_actor().role)
                if hint is not None:
                    flash(hint, "info")
        flash(
            gettext(
                "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, %(skipped)d skipped.",
                **{k: v for k, v in report.counts().items() if k != "errors"},
            ),
            "success",
        )
        return redirect(url_for("data.import_file", kind=kind, source=source))
    flash(
        ngettext("Nothing was imported: %(num)d problem.", "Nothing was imported: %(num)d problems.", report.errors),
        "error",
    )
    return _page(kind, source, report, token)


@bp.route("/import/cancel", methods=["POST"])
@role_required("admin")
def import_cancel() -> BaseResponse:
    """Abandon a checked upload: its file is deleted now."""
    form = GuestImportCommitForm()
    try:
        uploads.discard(current_app.instance_path, form.token.data or "")
    except uploads.BadUploadToken:
        abort(400)
    flash(gettext("Import cancelled; the uploaded file was deleted."), "info")
    return redirect(url_for("data.import_file", kind=_kind(form.kind.data), source=form.source.data or "pms"))


@bp.route("/import/errors.csv", methods=["POST"])
@role_required("admin")
def import_errors() -> Response:
    """Every problem of a checked upload as a CSV: row, column, value, problem."""
    form = GuestImportCommitForm()
    kind, source = _checked_kind_source(form.kind.data or "", form.source.data or "")
    lines: list[str] = []
    imports.run_import(
        kind, source, _stored_path(form.token.data or ""), current_actor(), dry_run=True, emit=lines.append
    )
    response = Response(imports.error_report_csv(lines), mimetype="text/csv")
    filename = f"import-{kind}-errors-{property_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/import/settings", methods=["POST"])
@role_required("admin")
def import_settings() -> BaseResponse | str:
    """Save how a source's files read (column headers, encoding, date order)."""
    form = SourceSettingsForm()
    _settings_choices(form)
    kind, source = _checked_kind_source(form.kind.data or "", (form.source.data or "").strip().lower())
    headers = list(form.headers.data or [])
    mapping = {name: (headers[i] if i < len(headers) else "") or "" for i, name in enumerate(COLUMNS[kind])}
    try:
        imports.save_settings(
            kind, source, mapping, form.encoding.data or "auto", form.date_order.data or "YMD", current_actor()
        )
    except imports.ImportSettingsError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Settings for %(source)s saved.", source=source), "success")
    return redirect(url_for("data.import_file", kind=kind, source=source))
