"""Admin pages: staff accounts, API keys, the property and its outlets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from guestbook.admin import outlets
from guestbook.admin import settings as settings_service
from guestbook.admin.models import OUTLET_KINDS
from guestbook.admin.schemas import OutletCreate, OutletPatch
from guestbook.choices import choices
from guestbook.i18n import LANGUAGES
from guestbook.security import ROLES, role_required
from guestbook.staff import auth
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_CHOICES = [(r, r.capitalize()) for r in ROLES]


class StaffForm(FlaskForm):
    """Create or edit a staff account."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES))
    language = SelectField("Language", choices=choices(list(LANGUAGES.items())), default="en")
    active = BooleanField("Active", default=True)
    password = PasswordField("Password (10+ characters)", validators=[Optional(), Length(min=10, max=200)])


class StaffEditForm(StaffForm):
    """Edit a staff account: the password may stay as it is."""

    password = PasswordField(
        "New password (10+ characters; leave empty to keep the current one)",
        validators=[Optional(), Length(min=10, max=200)],
    )


class ApiKeyForm(FlaskForm):
    """Create an API key."""

    name = StringField("Name (which system uses it)", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES))


class PropertyForm(FlaskForm):
    """The property's name, address, timezone and currency."""

    name = StringField("Property name", validators=[DataRequired(), Length(max=200)])
    address = StringField("Address", validators=[Length(max=500)])
    timezone = StringField("Timezone", validators=[DataRequired()])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])


LANGUAGE_HINT = "Language of its menu and table names (en, de, ja …): letters in another language leave them out."


class OutletForm(FlaskForm):
    """A new outlet."""

    code = StringField("Code", validators=[DataRequired()])
    name = StringField("Name", validators=[DataRequired()])
    kind = SelectField("Kind", choices=choices([(k, k.capitalize()) for k in OUTLET_KINDS]))
    language = StringField(
        "Language",
        validators=[Optional(), Length(max=35), Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", message="e.g. en, de")],
    )


class SensitiveWordsForm(FlaskForm):
    """The words that make a note ask for confirmation."""

    words = TextAreaField(
        "Words that could hurt if a guest read the screen (one per line)", validators=[Length(max=5000)]
    )


class EmptyForm(FlaskForm):
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
            form.password.errors = ["A new account needs a password."]
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
                flash("Account created.", "success")
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
            flash("Saved.", "success")
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
        flash("Key revoked.", "success")
    return redirect(url_for("admin.api_keys"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings() -> Response | str:
    """The property and its outlets."""
    prop = outlets.default_property()
    form = PropertyForm(obj=prop, prefix="p")
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
            flash("Settings saved.", "success")
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
    )


@bp.route("/settings/sensitive-words", methods=["POST"])
@role_required("admin")
def sensitive_words() -> Response:
    """Save the sensitive-word list."""
    form = SensitiveWordsForm(prefix="w")
    if form.validate_on_submit():
        words = sorted({w.strip().lower() for w in (form.words.data or "").splitlines() if w.strip()})
        settings_service.set_setting("sensitive_words", words, current_actor())
        flash(f"{len(words)} sensitive words saved.", "success")
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
            flash("Outlet added.", "success")
    else:
        for name, errors in form.errors.items():
            flash(f"{name}: {'; '.join(errors)}", "error")
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
        done = {"deactivate": "deactivated", "reactivate": "reactivated"}.get(action, "saved")
        flash(f"Outlet {outlet.name} {done}.", "success")
    return redirect(url_for("admin.settings", _anchor="outlets"))
