"""Admin pages: staff accounts, API keys, the property and its outlets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from guestbook.admin import outlets
from guestbook.admin import settings as settings_service
from guestbook.admin.models import OUTLET_KINDS
from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.i18n import LANGUAGES, gettext, lazy_gettext, ngettext
from guestbook.security import ROLE_LABELS, ROLES, role_required
from guestbook.staff import auth
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_CHOICES = [(r, ROLE_LABELS[r]) for r in ROLES]

# Outlet kinds as screens name them (the codes stay English in the database and the API).
OUTLET_KIND_LABELS = {
    "restaurant": lazy_gettext("Restaurant"),
    "bar": lazy_gettext("Bar"),
    "cafe": lazy_gettext("Cafe"),
    "rooms": lazy_gettext("Rooms"),
    "spa": lazy_gettext("Spa"),
    "other": lazy_gettext("Other"),
}


class StaffForm(Form):
    """Create or edit a staff account."""

    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Email(check_deliverability=False)])
    role = SelectField(lazy_gettext("Role"), choices=choices(ROLE_CHOICES))
    # The language names stay in their own script: whoever reads one can find it.
    language = SelectField(lazy_gettext("Language"), choices=choices(list(LANGUAGES.items())), default="en")
    active = BooleanField(lazy_gettext("Active"), default=True)
    password = PasswordField(
        lazy_gettext("Password (10+ characters)"), validators=[Optional(), Length(min=10, max=200)]
    )


class StaffEditForm(StaffForm):
    """Edit a staff account: the password may stay as it is."""

    password = PasswordField(
        lazy_gettext("New password (10+ characters; leave empty to keep the current one)"),
        validators=[Optional(), Length(min=10, max=200)],
    )


class ApiKeyForm(Form):
    """Create an API key."""

    name = StringField(lazy_gettext("Name (which system uses it)"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(lazy_gettext("Role"), choices=choices(ROLE_CHOICES))


# The property's language settings (issue 11), saved with the property form.
LANGUAGE_SETTINGS = ("ui_default_language", "thai_buddhist_year", "briefing_print_language")


class PropertyForm(Form):
    """The property's name, address, timezone and currency, and the languages of its staff screens."""

    name = StringField(lazy_gettext("Property name"), validators=[DataRequired(), Length(max=200)])
    address = StringField(lazy_gettext("Address"), validators=[Length(max=500)])
    timezone = StringField(lazy_gettext("Timezone"), validators=[DataRequired()])
    currency = StringField(lazy_gettext("Currency"), validators=[DataRequired(), Length(min=3, max=3)])
    ui_default_language = SelectField(
        lazy_gettext("Default staff language (sign-in page)"), choices=choices(list(LANGUAGES.items()))
    )
    thai_buddhist_year = BooleanField(lazy_gettext("Thai dates in the Buddhist era (2569) rather than 2026"))
    briefing_print_language = SelectField(
        lazy_gettext("Language of the nightly printed briefing"),
        choices=choices([("", lazy_gettext("(same as the default staff language)")), *LANGUAGES.items()]),
    )


LANGUAGE_HINT = lazy_gettext(
    "Language of its menu and table names (en, de, ja …): letters in another language leave them out."
)


class OutletForm(Form):
    """A new outlet."""

    code = StringField(lazy_gettext("Code"), validators=[DataRequired()])
    name = StringField(lazy_gettext("Name"), validators=[DataRequired()])
    kind = SelectField(lazy_gettext("Kind"), choices=choices([(k, OUTLET_KIND_LABELS[k]) for k in OUTLET_KINDS]))
    language = StringField(
        lazy_gettext("Language"),
        validators=[
            Optional(),
            Length(max=35),
            Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", message=lazy_gettext("e.g. en, de")),
        ],
    )


class SensitiveWordsForm(Form):
    """The words that make a note ask for confirmation."""

    words = TextAreaField(
        lazy_gettext("Words that could hurt if a guest read the screen (one per line)"),
        validators=[Length(max=5000)],
    )


class EmptyForm(Form):
    """CSRF only (buttons that post)."""


@bp.route("/staff")
@role_required("admin")
def staff() -> str:
    """Staff accounts."""
    users = auth.list_staff()
    return render_template("admin/staff.html", users=users)


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required("admin")
def staff_new() -> Response | str:
    """Create a staff account."""
    form = StaffForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [gettext("A new account needs a password.")]
        else:
            try:
                auth.create_staff_user(
                    form.email.data or "",
                    form.name.data or "",
                    form.role.data or "",
                    form.password.data,
                    language=form.language.data or "en",
                )
            except auth.AccountError as exc:
                flash(str(exc), "error")
            else:
                flash(gettext("Account created."), "success")
                return redirect(url_for("admin.staff"))
    return render_template("admin/staff_form.html", form=form, user=None)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def staff_edit(user_id: int) -> Response | str:
    """Change a staff account's name, role, status or password."""
    user = auth.staff_user(user_id)
    if user is None:
        abort(404)
    form = StaffEditForm(obj=user)
    if form.validate_on_submit():
        try:
            auth.update_staff_user(
                user_id,
                name=form.name.data or "",
                role=form.role.data or "",
                active=bool(form.active.data),
                password=form.password.data or None,
                actor=current_actor(),
                language=form.language.data or None,
            )
        except auth.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/staff_form.html", form=form, user=user)


@bp.route("/api-keys", methods=["GET", "POST"])
@role_required("admin")
def api_keys() -> str:
    """API keys: create one (shown once) or revoke."""
    form = ApiKeyForm()
    new_key = None
    if form.validate_on_submit():
        try:
            _record, new_key = auth.create_api_key(form.name.data or "", form.role.data or "")
        except auth.AccountError as exc:
            flash(str(exc), "error")
    keys = auth.list_api_keys()
    return render_template("admin/api_keys.html", form=form, keys=keys, new_key=new_key, revoke_form=EmptyForm())


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@role_required("admin")
def api_key_revoke(key_id: int) -> Response:
    """Revoke an API key."""
    if EmptyForm().validate_on_submit():
        try:
            auth.revoke_api_key(key_id, current_actor())
        except auth.AccountError:
            abort(404)
        flash(gettext("Key revoked."), "success")
    return redirect(url_for("admin.api_keys"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings() -> Response | str:
    """The property and its outlets."""
    prop = outlets.default_property()
    saved = {key: settings_service.get_setting(key) for key in LANGUAGE_SETTINGS}
    form = PropertyForm(obj=prop, prefix="p", **saved)
    outlet_form = OutletForm(prefix="o")
    if form.validate_on_submit():
        try:
            outlets.update_property(
                form.name.data or "",
                form.address.data or "",
                form.timezone.data or "",
                form.currency.data or "",
                current_actor(),
            )
        except outlets.OutletError as exc:
            flash(str(exc), "error")
        else:
            chosen = {
                "ui_default_language": form.ui_default_language.data or "en",
                "thai_buddhist_year": bool(form.thai_buddhist_year.data),
                "briefing_print_language": form.briefing_print_language.data or "",
            }
            for key, value in chosen.items():
                if value != saved[key]:
                    settings_service.set_setting(key, value, current_actor())
            flash(gettext("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    words_form = SensitiveWordsForm(prefix="w", formdata=None)
    words_form.words.data = "\n".join(settings_service.get_setting("sensitive_words"))
    return render_template(
        "admin/settings.html",
        form=form,
        outlet_form=outlet_form,
        outlets=outlets.list_outlets(include_inactive=True),
        words_form=words_form,
        property_language=outlets.property_language(),
        language_hint=LANGUAGE_HINT,
        kind_labels=OUTLET_KIND_LABELS,
    )


@bp.route("/settings/sensitive-words", methods=["POST"])
@role_required("admin")
def sensitive_words() -> Response:
    """Save the sensitive-word list."""
    form = SensitiveWordsForm(prefix="w")
    if form.validate_on_submit():
        words = sorted({w.strip().lower() for w in (form.words.data or "").splitlines() if w.strip()})
        settings_service.set_setting("sensitive_words", words, current_actor())
        flash(ngettext("%(num)d sensitive word saved.", "%(num)d sensitive words saved.", len(words)), "success")
    return redirect(url_for("admin.settings"))


@bp.route("/outlets", methods=["POST"])
@role_required("admin")
def outlet_create() -> Response | str:
    """Add an outlet."""
    form = OutletForm(prefix="o")
    if form.validate_on_submit():
        try:
            outlets.create_outlet(
                OutletCreate(
                    code=form.code.data or "",
                    name=form.name.data or "",
                    kind=form.kind.data or "",
                    language=form.language.data or None,
                ),
                current_actor(),
            )
        except ValidationError as exc:
            for loc, message in field_errors(exc).items():
                flash(f"{loc}: {message}", "error")
        except outlets.OutletError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext("Outlet added."), "success")
    else:
        for name, errors in form.errors.items():
            label = form[name].label.text if name in form else name
            flash(f"{label}: {'; '.join(str(e) for e in errors)}", "error")
    return redirect(url_for("admin.settings", _anchor="outlets"))


@bp.route("/outlets/<int:outlet_id>", methods=["POST"])
@role_required("admin")
def outlet_update(outlet_id: int) -> Response:
    """Rename an outlet or set its language (``action=save``), or deactivate/reactivate it."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "save")
    try:
        if action in ("deactivate", "reactivate"):
            patch = OutletPatch(active=action == "reactivate")
        else:
            patch = OutletPatch(name=request.form.get("name", ""), language=request.form.get("language", "") or None)
        outlet = outlets.update_outlet(outlet_id, patch, current_actor())
    except ValidationError as exc:
        for loc, message in field_errors(exc).items():
            flash(f"{loc}: {message}", "error")
    except outlets.OutletNotFound:
        abort(404)
    else:
        if action == "deactivate":
            done = gettext("Outlet %(name)s deactivated.", name=outlet.name)
        elif action == "reactivate":
            done = gettext("Outlet %(name)s reactivated.", name=outlet.name)
        else:
            done = gettext("Outlet %(name)s saved.", name=outlet.name)
        flash(done, "success")
    return redirect(url_for("admin.settings", _anchor="outlets"))
