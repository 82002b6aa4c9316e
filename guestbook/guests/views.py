"""Guest pages: search, the profile, create and edit (with conflict display)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from guestbook.admin import outlets as outlet_service
from guestbook.admin.models import Outlet
from guestbook.choices import choices
from guestbook.forms import shown_form
from guestbook.guests import gone, labels, lookalikes, search_rate, visits
from guestbook.guests import notes as notes_service
from guestbook.guests import profiles as guest_service
from guestbook.guests import search_results as search_results_service
from guestbook.guests.card import card_for
from guestbook.guests.forms import (
    AllergyForm,
    DeviceForm,
    GuestForm,
    NoteForm,
    PreferenceForm,
    VisitForm,
    editable_fields,
)
from guestbook.guests.models import Guest
from guestbook.guests.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.i18n import gettext
from guestbook.security import is_safe_redirect, role_at_least, role_required
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors

bp = Blueprint("guests", __name__, url_prefix="/guests")


@bp.app_template_global()
def guest_label(kind: str, code: str | None) -> str:
    """A stored code as the viewer reads it: ``guest_label('severity', a.severity)`` (see ``guests.labels``)."""
    return labels.label(kind, code)


@bp.app_template_global()
def guest_labels(kind: str, codes: Iterable[str]) -> list[str]:
    """Several codes of one kind as the viewer reads them (``guest_labels('field', conflicting)``)."""
    return [labels.label(kind, code) for code in codes]


def _show_errors(form: GuestForm, errors: dict[str, str]) -> None:
    for loc, message in errors.items():
        name = loc.replace("address.", "address_").split(".")[0]
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(gettext("%(field)s: %(message)s", field=loc, message=message), "error")


def _search_page(template: str) -> tuple[str, int, dict[str, str]]:
    """Search as the signed-in role may (rate-limited per account), or list recent guests before typing."""
    q = request.args.get("q", "").strip()
    actor = current_actor()
    masked = search_results_service.is_masked(actor.role)
    if not q:
        results = search_results_service.recent(actor.role)
        return render_template(template, q=q, results=results, masked=masked), 200, {}
    limit = search_rate.limit_for(
        actor.role, current_app.config["SEARCH_RATE_LIMIT_FLOOR"], current_app.config["SEARCH_RATE_LIMIT"]
    )
    try:
        search_rate.count_search(actor, limit)
    except search_rate.RateLimited as exc:
        page = render_template(template, q=q, results=[], masked=masked, rate_limited=exc)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    results = search_results_service.find(q, actor.role)
    return render_template(template, q=q, results=results, masked=masked), 200, {}


@bp.route("/")
@role_required("floor")
def index() -> tuple[str, int, dict[str, str]]:
    """Find a guest: one box, results as you type."""
    return _search_page("guests/index.html")


@bp.route("/search")
@role_required("floor")
def search_results() -> tuple[str, int, dict[str, str]]:
    """The results list alone, fetched by the page's script as staff type."""
    return _search_page("guests/_results.html")


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
            try:
                guest = guest_service.create_guest(data, actor)
            except guest_service.ErasedContactBlocked as exc:
                _show_errors(form, {exc.field: _erased_message()})
            else:
                flash(gettext("%(name)s was added.", name=guest.full_name), "success")
                hint = lookalikes.hint_for(guest.id, actor.role)  # "might be the same as…" (data domain's finder)
                if hint is not None:
                    flash(hint, "warning")
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
    device = _device_outlet()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    try:
        card = card_for(
            guest_id,
            current_actor(),
            device=device,
            chosen_booking=request.args.get("booking", type=int),
            page=page,
            page_size=HISTORY_PAGE,
        )
    except guest_service.GuestNotFound:
        abort(404)
    rec, tonight, booking = card.rec, card.tonight, card.booking
    outlets = outlet_service.outlet_choices()
    if visit_form is None:
        visit_form = shown_form(VisitForm)
        # What they order at other outlets is shown, never pre-ticked: a one-tap save must not record the bar's drinks.
        visit_form.items.data = [] if rec.order_from_elsewhere else [i.item for i in rec.usual_order]
        if tonight is not None:
            visit_form.reservation_id.data = str(booking.id) if booking else ""
            visit_form.outlet.data = tonight.outlet.code
            visit_form.table.data = tonight.table or (rec.usual_seat.value if rec.usual_seat else "")
            visit_form.party_size.data = tonight.party_size
        else:
            if device:
                visit_form.outlet.data = device.code
            else:
                last = rec.last_visit
                visit_form.outlet.data = outlet_service.outlet_code_of(last.outlet_id) if last else ""
            visit_form.table.data = rec.usual_seat.value if rec.usual_seat else ""
            visit_form.party_size.data = rec.last_visit.party_size if rec.last_visit else 2
    visit_form.outlet.choices = choices(outlets)
    chips = [i.item for i in rec.usual_order]
    for extra in visit_form.items.data or []:
        if extra not in chips:
            chips.append(extra)
    visit_form.items.choices = choices([(c, c) for c in chips])
    pref_form = shown_form(PreferenceForm)
    pref_form.outlet.choices = choices([("", gettext("Any outlet")), *outlets])
    html = render_template(
        "guests/show.html",
        guest=card.guest,
        data=card.data,
        rec=rec,
        device=device,
        usual_at=card.usual_at,
        allergies=card.allergies,
        diet_line=card.diet_line,
        bookings=card.bookings,
        logging_for=visit_form.reservation_id.data or "",
        folded_notes=card.folded_notes,
        visit_form=visit_form,
        note_form=note_form or shown_form(NoteForm),
        note_warning=note_warning,
        visit_warning=visit_warning,
        pref_form=pref_form,
        allergy_form=shown_form(AllergyForm),
        device_form=_device_form(device, outlets),
        notes=card.notes,
        prefs=card.prefs,
        history=card.history,
        page=page,
        has_more=card.has_more,
        show_contact=card.show_contact,
        today=card.today,
        record=card.record,
        record_line=card.record_line,
        guest_tags=card.tags,
        all_tags=card.all_tags,
        photo=card.photo,
        outlet_names=card.outlet_names,
    )
    return html, status


def _device_form(device: Outlet | None, outlets: tuple[tuple[str, str], ...] | None = None) -> DeviceForm:
    form = shown_form(DeviceForm)
    outlets = outlet_service.outlet_choices() if outlets is None else outlets
    form.outlet.choices = choices([("", gettext("Not set")), *outlets])
    form.outlet.data = device.code if device else ""
    return form


@bp.route("/<int:guest_id>")
@role_required("floor")
def show(guest_id: int) -> Response | tuple[str, int]:
    """The recognition card: allergies first, usual seat and order, last time, occasions."""
    try:
        guest = guest_service.get_guest(guest_id)  # held while the card loads: the session keeps it (weakly)
    except guest_service.GuestNotFound:
        survivor = _merged_survivor(guest_id)
        if survivor is not None:
            flash(gettext("This guest was merged into %(name)s.", name=survivor.display_name), "info")
            return redirect(url_for("guests.show", guest_id=survivor.id))
        abort(404)
    return _card(guest.id)


def _merged_survivor(guest_id: int) -> Guest | None:
    """The guest a merged-away id (no longer a guest) now lives on in, or None."""
    survivor_id = gone.merged_into(guest_id)
    if survivor_id is not None:
        try:
            return guest_service.get_guest(survivor_id)
        except guest_service.GuestNotFound:
            return None
    return None


@bp.route("/<int:guest_id>/visits", methods=["POST"])
@role_required("floor")
def log_visit(guest_id: int) -> Response | tuple[str, int]:
    """Log tonight's visit in one tap."""
    form = VisitForm()
    form.outlet.choices = choices(outlet_service.outlet_choices())
    if not form.validate_on_submit():
        return _card(guest_id, visit_form=form, status=422)
    items = list(form.items.data or []) + [i.strip() for i in (form.other_items.data or "").split(",") if i.strip()]
    note = (form.notes.data or "").strip()
    try:
        data = VisitCreate(
            outlet=form.outlet.data or "",
            visited_at=datetime.now(UTC),
            table=form.table.data or "",
            party_size=form.party_size.data or 1,
            items=items,
            spend=(form.spend.data or "").replace(",", "").strip() or None,
            notes=note,
            reservation_id=int(form.reservation_id.data) if (form.reservation_id.data or "").isdigit() else None,
            confirm_sensitive=bool(form.confirm_sensitive.data),
        )
        visits.log_visit(guest_id, data, current_actor())
    except notes_service.NeedsConfirmation as exc:
        return _card(guest_id, visit_form=form, visit_warning=exc.words, status=422)
    except ValidationError as exc:
        for loc, message in field_errors(exc).items():
            target = getattr(form, loc.split(".")[0], None)
            if target is not None:
                target.errors = [*list(target.errors or []), message]
        return _card(guest_id, visit_form=form, status=422)
    except visits.UnknownOutlet:
        form.outlet.errors = [gettext("Choose an outlet.")]
        return _card(guest_id, visit_form=form, status=422)
    except visits.UnknownReservation:
        form.reservation_id.data = ""
        flash(gettext("That booking is not this guest's: the visit was not saved. Check and save again."), "error")
        return _card(guest_id, visit_form=form, status=422)
    except guest_service.GuestNotFound:
        abort(404)
    flash(gettext("Visit saved."), "success")
    # Open the card at its top, where the confirmation is (not at the history). The fragment is needed:
    # a redirect without one keeps the form's "#log-h" and the confirmation would be scrolled away;
    # "#top" is the HTML standard's name for the top of the document.
    return redirect(url_for("guests.show", guest_id=guest_id) + "#top")


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
    flash(gettext("Note saved."), "success")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#notes")


@bp.route("/device", methods=["POST"])
@role_required("floor")
def set_device() -> Response:
    """Remember which outlet this tablet is at (a per-device cookie, not per person)."""
    form = DeviceForm()
    form.outlet.choices = choices([("", gettext("Not set")), *outlet_service.outlet_choices()])
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
    """Edit a guest; a save made against an old version is refused and both versions are shown.

    The page is built from the role's view of the guest: fields the role may not see (floor: contact
    details and address) are neither sent to the browser, in any form, nor changeable by it. The
    stale-edit check uses the version and keyed digests of the values as loaded, never the values.
    """
    actor = current_actor()
    show_address = guest_service.can_see_contact(actor.role)
    fields = editable_fields(show_address)
    scope = f"guest:{guest_id}"
    try:
        guest = guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        abort(404)
    form = GuestForm()
    conflict = None
    conflicting: list[str] = []
    if request.method == "GET":
        form.fill_from(guest, fields)
        form.remember_base(scope, fields)
    elif form.validate_on_submit():
        changed = form.changed_since_loaded(scope, fields)  # never a field this role cannot see
        payload = form.payload(show_address)
        wanted = {"address" if name.startswith("address_") else name for name in changed}
        # Send only what this tablet changed: a save never writes back stale copies of other fields.
        payload = {key: value for key, value in payload.items() if key in wanted}
        try:
            patch = GuestPatch.model_validate({**payload, "version": int(form.version.data or 0)})
            guest = guest_service.update_guest(guest_id, patch, actor)
        except ValidationError as exc:
            _show_errors(form, field_errors(exc))
        except guest_service.VersionConflict as exc:
            conflict = guest_service.guest_to_dict(exc.current, actor.role)
            conflicting = _merge_after_conflict(form, exc.current, changed, scope, fields)
        except guest_service.ContactNotAllowed:
            # Floor may add an anniversary the guest never gave, not change one on file.
            form.anniversary.errors = [*list(form.anniversary.errors or []), on_file_message()]
        except guest_service.ErasedContactBlocked as exc:
            blocked = form.email if exc.field == "email" else form.phone
            blocked.errors = [*list(blocked.errors or []), _erased_message()]
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("guests.show", guest_id=guest.id))
    return render_template(
        "guests/form.html",
        form=form,
        guest=guest,
        show_address=show_address,
        conflict=conflict,
        conflicting=conflicting,
        shown=fields,
    )


def _merge_after_conflict(
    form: GuestForm, current: Guest, changed: set[str], scope: str, fields: tuple[str, ...]
) -> list[str]:
    """After a refused save: keep this tablet's changes, take the other tablet's values everywhere else.

    Returns the fields both tablets changed differently (shown side by side). The form's version and
    base move to the stored version, so saving again sends only this tablet's own changes. Only the
    ``fields`` the role sees take part; the others are never loaded into the form.
    """
    mine = form.snapshot()
    base = form.base_digests()
    stored = GuestForm(formdata=None)
    stored.fill_from(current, fields)
    stored.remember_base(scope, fields)
    theirs, theirs_digests = stored.snapshot(), stored.digests(scope, fields)
    both = [n for n in sorted(changed) if n in base and theirs_digests[n] != base[n] and theirs[n] != mine[n]]
    for name in fields:
        if name not in changed:
            getattr(form, name).data = getattr(stored, name).data
    form.version.data, form.base.data = stored.version.data, stored.base.data
    return both


def _erased_message() -> str:
    """Why an e-mail or phone was refused: it belonged to a guest who was erased."""
    return gettext("This belongs to a guest who asked to be forgotten: it cannot be used again.")


def on_file_message() -> str:
    """Why a date on file was not changed (floor may only add one)."""
    return gettext("Already on file: a concierge or manager can change it.")
