"""Concierge and manager pages for the letters' words and rules: the template editor (every kind × language,
previewed with a real guest, saved as versions) and the letter settings (when each kind goes out, who is left
out). On the letters blueprint, beside ``views`` (batches and single letters)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import Field

from guestbook.admin import settings as settings_service
from guestbook.admin.outlets import property_today
from guestbook.i18n import gettext, lazy_gettext
from guestbook.letters import selection as letters
from guestbook.letters import templates as letter_templates
from guestbook.letters.defaults import TemplateText
from guestbook.letters.forms import LetterSettingsForm, TemplateForm
from guestbook.letters.models import LETTER_KINDS
from guestbook.letters.views import bp
from guestbook.security import role_required
from guestbook.staff.access import current_actor

# The editor's help for each merge field (letter_templates.MERGE_FIELDS holds the names and the English help).
MERGE_FIELD_HELP = {
    "preferred_name": lazy_gettext("how we address the guest (e.g. Mr Yu, 王先生, 山田様)"),
    "salutation": lazy_gettext("Mr, Ms, Dr … as recorded"),
    "given_name": lazy_gettext("given name"),
    "family_name": lazy_gettext("family name"),
    "full_name": lazy_gettext("full name in the order of its script"),
    "last_visit_date": lazy_gettext("date of the last visit, in the guest's language"),
    "years_since_last_visit": lazy_gettext("whole years since the last visit (a number)"),
    "time_since_last_visit": lazy_gettext("e.g. “three years”, in the guest's language"),
    "favourite_seat": lazy_gettext("the usual seat (e.g. Window 2), or empty"),
    "usual_order": lazy_gettext("the usual order as a list (e.g. club sandwich, coffee and fried egg), or empty"),
    "visit_count": lazy_gettext("number of visits (a number)"),
    "first_visit_date": lazy_gettext("date of the first visit"),
    "birthday_date": lazy_gettext("the coming birthday (day and month)"),
    "anniversary_date": lazy_gettext("the coming anniversary (day and month)"),
    "letter_date": lazy_gettext("the date printed on the letter"),
    "property_name": lazy_gettext("the hotel's name"),
    "concierge_name": lazy_gettext("who signs the letter"),
}


@bp.route("/templates")
@role_required("concierge")
def templates() -> str:
    """Every kind × language, with the version in use."""
    languages = letter_templates.available_languages()
    grid = {(k, lang): letter_templates.current_template(k, lang).version for k in LETTER_KINDS for lang in languages}
    return render_template("letters/templates.html", kinds=LETTER_KINDS, languages=languages, grid=grid)


@bp.route("/templates/<kind>/<language>", methods=["GET", "POST"])
@role_required("concierge")
def template_edit(kind: str, language: str) -> str | Response:
    """Edit a template: preview it with a real guest, then save it as a new version."""
    if kind not in LETTER_KINDS or language not in letter_templates.available_languages():
        abort(404)
    chosen = letter_templates.current_template(kind, language)
    form = TemplateForm(data=chosen.text._asdict()) if request.method == "GET" else TemplateForm()
    preview = None
    if form.validate_on_submit():
        text = TemplateText(
            form.subject.data or "", form.greeting.data or "", form.body.data or "", form.sign_off.data or ""
        )
        try:
            if request.form.get("action") == "save":
                saved = letter_templates.save_template(kind, language, text, current_actor())
                flash(gettext("Template saved as version %(version)s.", version=saved.version), "success")
                return redirect(url_for("letters.template_edit", kind=kind, language=language))
            if form.preview_guest_id.data:
                preview = letters.preview(form.preview_guest_id.data, kind, language, text, property_today())
            else:
                letter_templates.check_template(text)
                flash(gettext("The template is valid. Enter a guest id to see it with a real guest."), "success")
        except letter_templates.TemplateError as exc:
            target = _field_for_error(form, str(exc))
            target.errors = [*list(target.errors or []), str(exc)]
        except LookupError:
            form.preview_guest_id.errors = [gettext("No guest with this id.")]
    return render_template(
        "letters/template_edit.html",
        kind=kind,
        language=language,
        chosen=chosen,
        form=form,
        preview=preview,
        fields={name: MERGE_FIELD_HELP.get(name, help) for name, help in letter_templates.MERGE_FIELDS.items()},
        history=letter_templates.template_history(kind, language),
    )


def _field_for_error(form: TemplateForm, message: str) -> Field:
    """The form field a template error is about (its message starts with the part's name)."""
    head = message.split(":", 1)[0].split(",", 1)[0].strip().lower()
    part = {"letter": "body", "sign-off": "sign_off"}.get(head, head)
    found = getattr(form, part, None) if part in letter_templates.PARTS else None
    return found if isinstance(found, Field) else form.body


@bp.route("/settings", methods=["GET", "POST"])
@role_required("manager")
def settings() -> str | Response:
    """The letter rules: when each kind goes out and who is left out."""
    form = LetterSettingsForm()
    names = [name for name in form.data if name.startswith("letters_")]
    if request.method == "GET":
        for name in names:
            getattr(form, name).data = settings_service.get_setting(name)
    elif form.validate_on_submit():
        actor = current_actor()
        for name in names:
            value = getattr(form, name).data
            if value != settings_service.get_setting(name):
                settings_service.set_setting(name, value.upper() if name == "letters_home_country" else value, actor)
        flash(gettext("Letter settings saved."), "success")
        return redirect(url_for("letters.settings"))
    return render_template("letters/settings.html", form=form)
