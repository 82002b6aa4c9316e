"""Concierge pages: today's batch, one letter, approve, print, mark mailed or returned (templates and settings:
``views_templates``)."""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from guestbook.admin.outlets import property_today
from guestbook.i18n import format_day, gettext, lazy_gettext, ngettext
from guestbook.letters import batches as letter_batches
from guestbook.letters import exports as letter_exports
from guestbook.letters import queue_one, render_sheets
from guestbook.letters import selection as letters
from guestbook.letters import templates as letter_templates
from guestbook.letters.forms import EmptyForm, LetterTextForm
from guestbook.letters.labels import STATUS_LABELS
from guestbook.letters.models import LetterBatch
from guestbook.security import role_required, safe_next
from guestbook.staff.access import current_actor

bp = Blueprint("letters", __name__, url_prefix="/letters")

# Labels of the stored codes, in the viewer's language (the codes themselves stay English: API, CSV).
KIND_LABELS = {
    "birthday": lazy_gettext("Birthday"),
    "we_miss_you": lazy_gettext("We miss you"),
    "birthday_we_miss_you": lazy_gettext("Birthday + we miss you"),
    "thank_you": lazy_gettext("Thank you"),
    "anniversary": lazy_gettext("Anniversary"),
}
PAPER_LABELS = {"A4": lazy_gettext("A4"), "Letter": lazy_gettext("US Letter")}
ENVELOPE_LABELS = {
    "DL": lazy_gettext("DL · 220 × 110 mm"),
    "C5": lazy_gettext("C5 · 229 × 162 mm"),
    "US10": lazy_gettext("US #10 · 9½ × 4⅛ in"),
}
# A kind inside a sentence ("edit the birthday template"): its own message, never a lower-cased label.
KIND_TEMPLATE_LINKS = {
    "birthday": lazy_gettext("edit the birthday template (%(language)s)"),
    "we_miss_you": lazy_gettext("edit the we-miss-you template (%(language)s)"),
    "birthday_we_miss_you": lazy_gettext("edit the birthday + we miss you template (%(language)s)"),
    "thank_you": lazy_gettext("edit the thank-you template (%(language)s)"),
    "anniversary": lazy_gettext("edit the anniversary template (%(language)s)"),
}
REASON_LABELS = {
    "do_not_contact": lazy_gettext("Do not contact"),
    "no_consent": lazy_gettext("No marketing consent"),
    "no_address": lazy_gettext("No usable postal address"),
    "erased": lazy_gettext("Erased or anonymised"),
    "cool_down": lazy_gettext("Had a letter recently (cool-down)"),
    "inactive": lazy_gettext("Inactive for years"),
}


def _today() -> date:
    return property_today()


def _batch_or_404(batch_id: int) -> LetterBatch:
    try:
        return letter_batches.get_batch(batch_id)
    except letter_batches.LetterError:
        abort(404)


@bp.context_processor
def _labels() -> dict[str, object]:
    return {
        "kind_labels": KIND_LABELS,
        "kind_template_links": KIND_TEMPLATE_LINKS,
        "reason_labels": REASON_LABELS,
        "status_labels": STATUS_LABELS,
    }


@bp.route("/")
@role_required("concierge")
def index() -> str:
    """Today's batch at a glance, and the history of batches."""
    today = _today()
    batch = letters.batch_for_date(today)
    return render_template(
        "letters/index.html",
        today=today,
        batch=batch,
        tally=letter_batches.counts(batch) if batch else None,
        batches=letter_batches.recent_batches(),
        form=EmptyForm(),
    )


@bp.route("/run", methods=["POST"])
@role_required("concierge")
def run() -> Response:
    """Run today's selection now (safe to repeat: nothing is ever added twice)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    batch = letters.run_daily(_today(), current_actor())
    flash(gettext("Today's letters are ready for review."), "success")
    return redirect(url_for("letters.batch", batch_id=batch.id))


@bp.route("/batches/<int:batch_id>")
@role_required("concierge")
def batch(batch_id: int) -> str:
    """One batch: counts by kind, every letter and every guest left out with the reason."""
    found = _batch_or_404(batch_id)
    return render_template(
        "letters/batch.html",
        batch=found,
        tally=letter_batches.counts(found),
        form=EmptyForm(),
        template_languages=letter_templates.available_languages(),
        failed=letter_batches.skipped_letters(found),
        print_choices=_print_choices(),
    )


def _print_choices() -> dict[str, object]:
    """The label sheets and envelopes offered on the batch page, the property's defaults chosen."""
    sheets: list[tuple[str, str]] = []
    for name in render_sheets.sheet_names():
        sheet = render_sheets.LABEL_SHEETS[name]
        paper = str(PAPER_LABELS[sheet.paper])
        sheets.append(
            (
                name,
                gettext(
                    "%(name)s · %(paper)s · %(columns)s × %(rows)s (%(count)s labels)",
                    name=name,
                    paper=paper,
                    columns=sheet.columns,
                    rows=sheet.rows,
                    count=sheet.per_sheet,
                ),
            )
        )
    try:
        default_sheet = letter_exports.label_sheet_for(None)
    except letter_exports.PrintChoiceError:
        default_sheet = render_sheets.label_sheet("A4")
    if default_sheet.name not in render_sheets.LABEL_SHEETS:  # a custom grid from the settings
        sheets.append((default_sheet.name, gettext("%(grid)s (this property's grid)", grid=default_sheet.name)))
    try:
        default_envelope = letter_exports.envelope_for(None).name
    except letter_exports.PrintChoiceError:
        default_envelope = "DL"
    return {
        "sheets": sheets,
        "sheet": default_sheet.name,
        "per_sheet": default_sheet.per_sheet,
        "envelopes": [(name, str(ENVELOPE_LABELS[name])) for name in render_sheets.envelope_names()],
        "envelope": default_envelope,
    }


@bp.route("/batches/<int:batch_id>/approve", methods=["POST"])
@role_required("concierge")
def approve_all(batch_id: int) -> Response:
    """Approve every drafted letter of the batch."""
    _batch_or_404(batch_id)
    if EmptyForm().validate_on_submit():
        count = letter_batches.approve_batch(batch_id, current_actor())
        flash(ngettext("%(num)d letter approved.", "%(num)d letters approved.", count), "success")
    return redirect(url_for("letters.batch", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/mark", methods=["POST"])
@role_required("concierge")
def mark_batch(batch_id: int) -> Response:
    """Mark the batch's letters printed or mailed."""
    _batch_or_404(batch_id)
    status = request.form.get("status", "")
    if EmptyForm().validate_on_submit():
        try:
            count = letter_batches.mark_batch(batch_id, status, current_actor())
        except letter_batches.LetterError as exc:
            flash(str(exc), "error")
        else:
            if status == "printed":
                flash(ngettext("%(num)d letter marked printed.", "%(num)d letters marked printed.", count), "success")
            else:
                flash(ngettext("%(num)d letter marked mailed.", "%(num)d letters marked mailed.", count), "success")
    return redirect(url_for("letters.batch", batch_id=batch_id))


def _pdf(batch_id: int, labels: bool) -> Response | tuple[str, int]:
    _batch_or_404(batch_id)
    buffer = io.BytesIO()
    start_at = request.args.get("start_at", "1").strip() or "1"
    try:
        if labels:
            if not start_at.isdigit():
                raise letter_exports.PrintChoiceError(
                    gettext("Start at must be a label position: a whole number from 1.")
                )
            letter_exports.export_pdf(
                batch_id,
                current_actor(),
                buffer,
                labels=True,
                label_sheet=request.args.get("sheet") or None,
                start_at=int(start_at),
            )
        else:
            letter_exports.export_pdf(batch_id, current_actor(), buffer)
    except letter_exports.NothingToPrint as exc:
        return render_template("letters/not_printable.html", batch_id=batch_id, message=str(exc)), 409
    except letter_exports.PrintChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("letters.batch", batch_id=batch_id))
    buffer.seek(0)
    name = f"{'labels' if labels else 'letters'}-batch-{batch_id}.pdf"
    return send_file(buffer, mimetype="application/pdf", download_name=name)


@bp.route("/batches/<int:batch_id>/letters.pdf")
@role_required("concierge")
def batch_pdf(batch_id: int) -> Response | tuple[str, int]:
    """The approved letters, one per page, ready to sign and fold."""
    return _pdf(batch_id, labels=False)


@bp.route("/batches/<int:batch_id>/labels.pdf")
@role_required("concierge")
def batch_labels(batch_id: int) -> Response | tuple[str, int]:
    """Address labels in the same order as the letters, on the chosen sheet from the chosen position."""
    return _pdf(batch_id, labels=True)


@bp.route("/batches/<int:batch_id>/envelopes.pdf")
@role_required("concierge")
def batch_envelopes(batch_id: int) -> Response | tuple[str, int]:
    """One envelope per approved letter, in the same order, on the chosen envelope size."""
    _batch_or_404(batch_id)
    buffer = io.BytesIO()
    try:
        letter_exports.export_envelopes(
            batch_id, current_actor(), buffer, envelope=request.args.get("envelope") or None
        )
    except letter_exports.NothingToPrint as exc:
        return render_template("letters/not_printable.html", batch_id=batch_id, message=str(exc)), 409
    except letter_exports.PrintChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("letters.batch", batch_id=batch_id))
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", download_name=f"envelopes-batch-{batch_id}.pdf")


@bp.route("/batches/<int:batch_id>/batch.csv")
@role_required("concierge")
def batch_csv(batch_id: int) -> Response:
    """The batch as CSV for a mailing house."""
    _batch_or_404(batch_id)
    text = letter_exports.export_csv(batch_id, current_actor())
    return send_file(
        io.BytesIO(text.encode("utf-8-sig")), mimetype="text/csv", download_name=f"letters-batch-{batch_id}.csv"
    )


@bp.route("/<int:letter_id>", methods=["GET", "POST"])
@role_required("concierge")
def letter(letter_id: int) -> Response | str:
    """One letter: read it, change its text for this guest only, approve, mark mailed or returned."""
    try:
        found = letter_batches.get_letter(letter_id)
    except letter_batches.LetterError:
        abort(404)
    form = LetterTextForm(obj=found)
    if form.validate_on_submit():
        try:
            letter_batches.edit_letter(
                letter_id,
                form.subject.data or "",
                form.greeting.data or "",
                form.body.data or "",
                form.sign_off.data or "",
                current_actor(),
            )
        except letter_batches.LetterError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext("Letter saved; approve it again when it reads right."), "success")
            return redirect(url_for("letters.letter", letter_id=letter_id))
    return render_template(
        "letters/letter.html",
        letter=found,
        form=form,
        action_form=EmptyForm(),
        recipient=letter_exports.recipient_block(found.guest),
    )


@bp.route("/<int:letter_id>/action", methods=["POST"])
@role_required("concierge")
def letter_action(letter_id: int) -> Response:
    """Approve one letter, or mark it printed, mailed or returned to sender."""
    action = request.form.get("action", "")
    if EmptyForm().validate_on_submit():
        try:
            if action == "approve":
                letter_batches.approve_letter(letter_id, current_actor())
            else:
                letter_batches.mark_letter(letter_id, action, current_actor())
        except letter_batches.LetterError as exc:
            flash(str(exc), "error")
        else:
            done = {
                "approve": gettext("Letter approved."),
                "printed": gettext("Letter marked printed."),
                "mailed": gettext("Letter marked mailed."),
                "returned": gettext("Letter marked returned."),
            }
            flash(done.get(action, gettext("Letter updated.")), "success")
    return redirect(url_for("letters.letter", letter_id=letter_id))


@bp.route("/guests/<int:guest_id>/we-miss-you", methods=["POST"])
@role_required("concierge")
def queue_we_miss_you(guest_id: int) -> Response:
    """Put a we-miss-you letter for one guest into today's batch now (the dashboard's "slipping away" list)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        letter = queue_one.queue_we_miss_you(guest_id, current_actor())
    except letter_batches.LetterError as exc:
        flash(str(exc), "error")
        batch_id = queue_one.batch_id_of(_today())
        default = url_for("letters.batch", batch_id=batch_id) if batch_id else url_for("letters.index")
    else:
        flash(
            gettext(
                "A we-miss-you letter for %(name)s is in the batch of %(date)s, ready for review.",
                name=letter.guest.full_name,
                date=format_day(letter.batch.run_date),
            ),
            "success",
        )
        default = url_for("letters.batch", batch_id=letter.batch_id)
    return redirect(safe_next(request.form.get("next"), default))


@bp.route("/needs-address")
@role_required("concierge")
def needs_address() -> str:
    """Guests a letter could not reach: no usable address, or a letter came back."""
    return render_template("letters/needs_address.html", rows=letter_batches.needs_address())
