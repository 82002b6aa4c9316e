"""Guest pages: search, the profile, create and edit (with conflict display)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from ...access import current_actor
from ...models import Guest, Outlet
from ...security import is_safe_redirect, role_at_least, role_required
from ...services import guests as guest_service
from ...services import notes as notes_service
from ...services import outlets as outlet_service
from ...services import recognition, search, visits
from ...services.schemas import AllergyIn, GuestCreate, GuestPatch, PreferenceCreate, VisitCreate, field_errors
from ..choices import choices
from .forms import EDITABLE, AllergyForm, DeviceForm, GuestForm, NoteForm, PreferenceForm, VisitForm

bp = Blueprint("guests", __name__, url_prefix="/guests")


def _show_errors(form: GuestForm, errors: dict[str, str]) -> None:
    for loc, message in errors.items():
        name = loc.replace("address.", "address_").split(".")[0]
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(f"{loc}: {message}", "error")


@bp.route("/")
@role_required("floor")
def index() -> str:
    """Find a guest: one box, results as you type."""
    q = request.args.get("q", "").strip()
    results = search.search_guests(q, limit=20) if q else guest_service.recent_guests(20)
    return render_template("guests/index.html", q=q, results=results)


@bp.route("/search")
@role_required("floor")
def search_results() -> str:
    """The results list alone, fetched by the page's script as staff type."""
    q = request.args.get("q", "").strip()
    results = search.search_guests(q, limit=20) if q else guest_service.recent_guests(20)
    return render_template("guests/_results.html", q=q, results=results)


@bp.route("/new", methods=["GET", "POST"])
@role_required("floor")
def new() -> Response | str:
    """Create a guest profile."""
    form = GuestForm()
    actor = current_actor()
    show_address = role_at_least(actor.role, "concierge")
    if form.validate_on_submit():
        try:
            data = GuestCreate.model_validate(form.payload(show_address))
        except ValidationError as exc:
            _show_errors(form, field_errors(exc))
        else:
            guest = guest_service.create_guest(data, actor)
            flash(f"{guest.full_name} was added.", "success")
            return redirect(url_for("guests.show", guest_id=guest.id))
    return render_template("guests/form.html", form=form, guest=None, show_address=show_address, conflict=None)


DEVICE_COOKIE = "guestbook_outlet"
HISTORY_PAGE = 10


def _device_outlet() -> Outlet | None:
    code = request.cookies.get(DEVICE_COOKIE, "")
    return outlet_service.outlet_by_code(code) if code else None


def _card(
    guest_id: int,
    *,
    visit_form: VisitForm | None = None,
    note_form: NoteForm | None = None,
    note_warning: list[str] | None = None,
    visit_warning: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Render the recognition card (also after a form error, with that form's state)."""
    actor = current_actor()
    try:
        guest = guest_service.view_guest(guest_id, actor, "card")
    except guest_service.GuestNotFound:
        abort(404)
    device = _device_outlet()
    rec = recognition.recognise(guest, device.id if device else None)
    outlets = outlet_service.list_outlets()
    if visit_form is None:
        visit_form = VisitForm(formdata=None)
        visit_form.outlet.data = device.code if device else (rec.last_visit.outlet.code if rec.last_visit else "")
        visit_form.table.data = rec.usual_seat.value if rec.usual_seat else ""
        visit_form.items.data = [i.item for i in rec.usual_order]
        visit_form.party_size.data = rec.last_visit.party_size if rec.last_visit else 2
    visit_form.outlet.choices = choices([(o.code, o.name) for o in outlets])
    chips = [i.item for i in rec.usual_order]
    for extra in visit_form.items.data or []:
        if extra not in chips:
            chips.append(extra)
    visit_form.items.choices = choices([(c, c) for c in chips])
    pref_form = PreferenceForm(formdata=None)
    pref_form.outlet.choices = choices([("", "Any outlet"), *[(o.code, o.name) for o in outlets]])
    page = max(1, request.args.get("page", 1, type=int) or 1)
    history, has_more = recognition.visit_history(guest.id, page, HISTORY_PAGE)
    prefs = sorted(guest.preferences, key=lambda p: (p.category, p.recorded_at))
    now = datetime.now(UTC)
    html = render_template(
        "guests/show.html",
        guest=guest,
        data=guest_service.guest_to_dict(guest, actor.role),
        rec=rec,
        device=device,
        visit_form=visit_form,
        note_form=note_form or NoteForm(formdata=None),
        note_warning=note_warning,
        visit_warning=visit_warning,
        pref_form=pref_form,
        allergy_form=AllergyForm(formdata=None),
        device_form=_device_form(device),
        notes=notes_service.notes_for(guest.id),
        prefs=[(p, recognition.is_stale(p, now)) for p in prefs],
        history=history,
        page=page,
        has_more=has_more,
        show_contact=guest_service.can_see_contact(actor.role),
        today=date.today(),
    )
    return html, status


def _device_form(device: Outlet | None) -> DeviceForm:
    form = DeviceForm(formdata=None)
    form.outlet.choices = choices([("", "Not set"), *[(o.code, o.name) for o in outlet_service.list_outlets()]])
    form.outlet.data = device.code if device else ""
    return form


@bp.route("/<int:guest_id>")
@role_required("floor")
def show(guest_id: int) -> tuple[str, int]:
    """The recognition card: allergies first, usual seat and order, last time, occasions."""
    return _card(guest_id)


@bp.route("/<int:guest_id>/visits", methods=["POST"])
@role_required("floor")
def log_visit(guest_id: int) -> Response | tuple[str, int]:
    """Log tonight's visit in one tap."""
    form = VisitForm()
    form.outlet.choices = choices([(o.code, o.name) for o in outlet_service.list_outlets()])
    if not form.validate_on_submit():
        return _card(guest_id, visit_form=form, status=422)
    items = list(form.items.data or []) + [i.strip() for i in (form.other_items.data or "").split(",") if i.strip()]
    note = (form.notes.data or "").strip()
    words = notes_service.sensitive_words_in(note) if note else []
    if words and not form.confirm_sensitive.data:
        return _card(guest_id, visit_form=form, visit_warning=words, status=422)
    try:
        data = VisitCreate(
            outlet=form.outlet.data or "",
            visited_at=datetime.now(UTC),
            table=form.table.data or "",
            party_size=form.party_size.data or 1,
            items=items,
            spend=(form.spend.data or "").replace(",", "").strip() or None,
            notes=note,
        )
        visits.log_visit(guest_id, data, current_actor())
    except ValidationError as exc:
        for loc, message in field_errors(exc).items():
            target = getattr(form, loc.split(".")[0], None)
            if target is not None:
                target.errors = [*list(target.errors or []), message]
        return _card(guest_id, visit_form=form, status=422)
    except visits.UnknownOutlet:
        form.outlet.errors = ["Choose an outlet."]
        return _card(guest_id, visit_form=form, status=422)
    except guest_service.GuestNotFound:
        abort(404)
    flash("Visit saved.", "success")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#history")


@bp.route("/<int:guest_id>/notes", methods=["POST"])
@role_required("floor")
def add_note(guest_id: int) -> Response | tuple[str, int]:
    """Add a note; words that could hurt ask for confirmation first."""
    form = NoteForm()
    if not form.validate_on_submit():
        return _card(guest_id, note_form=form, status=422)
    try:
        notes_service.add_note(
            guest_id, form.body.data or "", current_actor(), confirmed=bool(form.confirm_sensitive.data)
        )
    except notes_service.NeedsConfirmation as exc:
        return _card(guest_id, note_form=form, note_warning=exc.words, status=422)
    except guest_service.GuestNotFound:
        abort(404)
    flash("Note saved.", "success")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#notes")


@bp.route("/<int:guest_id>/preferences", methods=["POST"])
@role_required("floor")
def add_preference(guest_id: int) -> Response:
    """Record a preference."""
    form = PreferenceForm()
    form.outlet.choices = choices([("", "Any outlet"), *[(o.code, o.name) for o in outlet_service.list_outlets()]])
    if form.validate_on_submit():
        try:
            data = PreferenceCreate(
                category=form.category.data or "",
                value=form.value.data or "",
                source=form.source.data or "observed",
                outlet=form.outlet.data or None,
            )
            notes_service.add_preference(guest_id, data, current_actor())
        except (ValidationError, ValueError) as exc:
            flash(f"Preference not saved: {exc}", "error")
        except guest_service.GuestNotFound:
            abort(404)
        else:
            flash("Preference saved.", "success")
    else:
        flash("Preference not saved: fill in the preference.", "error")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#preferences")


@bp.route("/<int:guest_id>/allergies", methods=["POST"])
@role_required("floor")
def add_allergy(guest_id: int) -> Response:
    """Record an allergy or dietary restriction."""
    form = AllergyForm()
    if form.validate_on_submit():
        try:
            data = AllergyIn(
                allergen=form.allergen.data or "", severity=form.severity.data or "severe", note=form.note.data or ""
            )
            notes_service.add_allergy(guest_id, data, current_actor())
        except ValidationError as exc:
            flash(f"Allergy not saved: {'; '.join(field_errors(exc).values())}", "error")
        except guest_service.GuestNotFound:
            abort(404)
        else:
            flash("Allergy saved.", "success")
    else:
        flash("Allergy not saved: name the allergen.", "error")
    return redirect(url_for("guests.show", guest_id=guest_id))


@bp.route("/device", methods=["POST"])
@role_required("floor")
def set_device() -> Response:
    """Remember which outlet this tablet is at (a per-device cookie, not per person)."""
    form = DeviceForm()
    form.outlet.choices = choices([("", "Not set"), *[(o.code, o.name) for o in outlet_service.list_outlets()]])
    target = request.form.get("back", "")
    response = redirect(target if is_safe_redirect(target) else url_for("guests.index"))
    if form.validate_on_submit():
        if form.outlet.data:
            response.set_cookie(
                DEVICE_COOKIE,
                form.outlet.data,
                max_age=365 * 86400,
                httponly=True,
                samesite="Lax",
                secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            )
        else:
            response.delete_cookie(DEVICE_COOKIE)
    return response


@bp.route("/<int:guest_id>/edit", methods=["GET", "POST"])
@role_required("floor")
def edit(guest_id: int) -> Response | str:
    """Edit a guest; a save made against an old version is refused and both versions are shown."""
    actor = current_actor()
    show_address = role_at_least(actor.role, "concierge")
    try:
        guest = guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        abort(404)
    form = GuestForm()
    conflict = None
    conflicting: list[str] = []
    if request.method == "GET":
        form.fill_from(guest)
        _hide_contact(form, actor.role)
        form.remember_base()
    elif form.validate_on_submit():
        changed = form.changed_since_loaded()
        payload = form.payload(show_address)
        wanted = {"address" if name.startswith("address_") else name for name in changed}
        if not guest_service.can_see_contact(actor.role):
            # Floor staff never saw the full contact details, so they cannot change them either.
            wanted -= {"email", "phone", "birthday", "address"}
        # Send only what this tablet changed: a save never writes back stale copies of other fields.
        payload = {key: value for key, value in payload.items() if key in wanted}
        try:
            patch = GuestPatch.model_validate({**payload, "version": int(form.version.data or 0)})
            guest = guest_service.update_guest(guest_id, patch, actor)
        except ValidationError as exc:
            _show_errors(form, field_errors(exc))
        except guest_service.VersionConflict as exc:
            conflict = guest_service.guest_to_dict(exc.current, actor.role)
            conflicting = _merge_after_conflict(form, exc.current, changed, actor.role)
        else:
            flash("Saved.", "success")
            return redirect(url_for("guests.show", guest_id=guest.id))
    return render_template(
        "guests/form.html",
        form=form,
        guest=guest,
        show_address=show_address,
        conflict=conflict,
        conflicting=conflicting,
    )


def _hide_contact(form: GuestForm, role: str) -> None:
    if not guest_service.can_see_contact(role):
        form.email.data, form.phone.data, form.birthday.data = "", "", ""


def _merge_after_conflict(form: GuestForm, current: Guest, changed: set[str], role: str) -> list[str]:
    """After a refused save: keep this tablet's changes, take the other tablet's values everywhere else.

    Returns the fields both tablets changed differently (shown side by side). The form's version and
    base move to the stored version, so saving again sends only this tablet's own changes.
    """
    mine = form.snapshot()
    try:
        base = json.loads(form.base.data or "{}")
    except ValueError:
        base = {}
    stored = GuestForm(formdata=None)
    stored.fill_from(current)
    _hide_contact(stored, role)
    stored.remember_base()
    theirs = stored.snapshot()
    both = [n for n in sorted(changed) if theirs[n] != base.get(n, theirs[n]) and theirs[n] != mine[n]]
    for name in EDITABLE:
        if name not in changed:
            getattr(form, name).data = getattr(stored, name).data
    form.version.data, form.base.data = stored.version.data, stored.base.data
    return both
