"""Sign-in, sign-out, the idle lock screen and personal PINs."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from guestbook.extensions import login_manager
from guestbook.forms import Form
from guestbook.i18n import LANGUAGES, gettext, lazy_gettext
from guestbook.security import public, role_label, safe_next, signed_in
from guestbook.staff import auth
from guestbook.staff.access import current_actor, force_logout
from guestbook.staff.models import StaffUser

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Load the signed-in user; a changed session epoch (sign-out, password, role, deactivation) signs them out."""
    raw_id, _, epoch = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    return auth.signed_in_account(int(raw_id), epoch)


@bp.app_template_global("role_label")
def role_label_global(role: str | None) -> str:
    """``{{ role_label(user.role) }}``: a role's name in the viewer's language."""
    return role_label(role)


class LoginForm(Form):
    """Email and password."""

    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)])


class UnlockForm(Form):
    """PIN or password to resume a locked session."""

    secret = PasswordField(lazy_gettext("PIN or password"), validators=[DataRequired(), Length(max=200)])


class PinForm(Form):
    """Set a personal PIN."""

    pin = PasswordField(
        lazy_gettext("New PIN (4–8 digits)"),
        validators=[DataRequired(), Regexp(r"^\d{4,8}$", message=lazy_gettext("4 to 8 digits"))],
    )
    password = PasswordField(lazy_gettext("Your password"), validators=[DataRequired()])


def _next_url(default: str) -> str:
    return safe_next(request.args.get("next"), default)


@bp.route("/")
@public
def index() -> Response:
    """Home: the guest search for signed-in staff, else the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("guests.index"))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str:
    """Sign in with email and password; five failures lock the account for fifteen minutes."""
    form = LoginForm()
    error = ""
    if form.validate_on_submit():
        result = auth.authenticate(
            form.email.data or "",
            form.password.data or "",
            ip=request.remote_addr or "",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"],
        )
        if result.user is not None:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(result.user, remember=False)
            session.permanent = True
            session["last_seen"] = time.time()
            return redirect(_next_url(url_for("guests.index")))
        error = result.message
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    """Sign out: end every session of this account on the server, then forget this one."""
    auth.end_sessions(current_user.id, current_actor(), "sign-out")
    force_logout()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/unlock", methods=["GET", "POST"])
@signed_in
def unlock() -> Response | str:
    """The idle lock screen: the same person unlocks with their PIN (or password)."""
    form = UnlockForm()
    error = ""
    if not session.get("locked"):
        return redirect(_next_url(url_for("guests.index")))
    if form.validate_on_submit():
        ok, message = auth.unlock(current_user.id, form.secret.data or "", ip=request.remote_addr or "")
        if ok:
            session.pop("locked", None)
            session["last_seen"] = time.time()
            return redirect(_next_url(url_for("guests.index")))
        if message == "signed out":
            force_logout()
            flash(gettext("Too many wrong attempts: sign in again with your password."), "error")
            return redirect(url_for("auth.login"))
        error = message
    return render_template("auth/unlock.html", form=form, error=error, has_pin=bool(current_user.pin_hash))


@bp.route("/lock", methods=["POST"])
@signed_in
def lock() -> Response | tuple[str, int]:
    """Lock this tablet now (its idle timer posts here); a script gets 204, a form the lock screen."""
    session["locked"] = True
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    return redirect(url_for("auth.unlock", next=safe_next(request.args.get("next"), url_for("guests.index"))))


@bp.route("/account/language", methods=["POST"])
@signed_in
def set_language() -> Response:
    """The account menu's language choice: every screen switches at once, this account keeps it."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    auth.set_language(current_actor().staff_user_id or 0, language)
    return redirect(_next_url(url_for("guests.index")))


@bp.route("/account/pin", methods=["GET", "POST"])
@signed_in
def set_pin() -> Response | str:
    """Set your own PIN for unlocking shared tablets."""
    form = PinForm()
    if form.validate_on_submit():
        if not auth.verify_secret(current_user.password_hash, form.password.data or ""):
            form.password.errors = [gettext("Your password is not correct.")]
        else:
            try:
                auth.set_pin(current_actor().staff_user_id or 0, form.pin.data or "")
            except auth.AccountError as exc:
                form.pin.errors = [str(exc)]
            else:
                flash(gettext("Your PIN is set. Use it to unlock this tablet after the idle lock."), "success")
                return redirect(url_for("guests.index"))
    return render_template("auth/pin.html", form=form)
