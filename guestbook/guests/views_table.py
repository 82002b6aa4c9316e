"""What staff add at the table, in two taps from the card: a preference, an allergy, a date heard, a phone or
e-mail given (which waits for a manager: the review page is here too). Each post saves and returns to the card."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from guestbook.admin import outlets as outlet_service
from guestbook.choices import choices
from guestbook.forms import shown_form
from guestbook.guests import notes as notes_service
from guestbook.guests import profiles as guest_service
from guestbook.guests import suggestions
from guestbook.guests.forms import AllergyForm, PreferenceForm
from guestbook.guests.models import Preference
from guestbook.guests.schemas import AllergyIn, GuestPatch, PreferenceCreate
from guestbook.guests.table_forms import ContactSuggestionForm, OccasionForm
from guestbook.guests.views import bp, on_file_message
from guestbook.i18n import gettext
from guestbook.security import role_required
from guestbook.staff.access import current_actor
from guestbook.validation import field_errors


@bp.route("/<int:guest_id>/preferences", methods=["POST"])
@role_required("floor")
def add_preference(guest_id: int) -> Response:
    """Record a preference."""
    form = PreferenceForm()
    form.outlet.choices = choices([("", gettext("Any outlet")), *outlet_service.outlet_choices()])
    if form.validate_on_submit():
        try:
            data = PreferenceCreate(
                category=form.category.data or "",
                value=form.value.data or "",
                source=form.source.data or "observed",
                outlet=form.outlet.data or None,
            )
            notes_service.add_preference(guest_id, data, current_actor())
        except ValidationError as exc:
            flash(gettext("Preference not saved: %(reason)s", reason="; ".join(field_errors(exc).values())), "error")
        except ValueError as exc:
            flash(gettext("Preference not saved: %(reason)s", reason=str(exc)), "error")
        except guest_service.GuestNotFound:
            abort(404)
        else:
            flash(gettext("Preference saved."), "success")
    else:
        flash(gettext("Preference not saved: fill in the preference."), "error")
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
            saved = notes_service.add_allergy(guest_id, data, current_actor())
        except ValidationError as exc:
            flash(gettext("Allergy not saved: %(reason)s", reason="; ".join(field_errors(exc).values())), "error")
        except guest_service.GuestNotFound:
            abort(404)
        else:
            if isinstance(saved, Preference):
                flash(gettext("“%(diet)s” is a diet, not an allergy: saved under Diet.", diet=saved.value), "success")
            else:
                flash(gettext("Allergy saved."), "success")
    else:
        flash(gettext("Allergy not saved: name the allergen."), "error")
    return redirect(url_for("guests.show", guest_id=guest_id))


@bp.app_template_global()
def table_forms(guest_id: int) -> dict[str, object]:
    """The card's two-tap forms (a date heard at the table, a phone or e-mail given) and what waits for a manager."""
    occasion = shown_form(OccasionForm)
    occasion.fill_choices()
    today = outlet_service.property_today()
    occasion.month.data, occasion.day.data = str(today.month), str(today.day)
    return {
        "occasion": occasion,
        "contact": shown_form(ContactSuggestionForm),
        "pending": [(s.kind, suggestions.masked_value(s)) for s in suggestions.pending_for_guest(guest_id)],
    }


@bp.route("/<int:guest_id>/occasions", methods=["POST"])
@role_required("floor")
def add_occasion(guest_id: int) -> Response:
    """A birthday or anniversary heard at the table (floor: only when none is on file)."""
    form = OccasionForm()
    form.fill_choices()
    kind = form.chosen_kind()
    try:
        guest = guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        abort(404)
    if not form.validate_on_submit() or kind is None:
        flash(gettext("Date not saved: choose a month and a day."), "error")
        return redirect(url_for("guests.show", guest_id=guest_id) + "#occ-h")
    try:
        patch = GuestPatch.model_validate({"version": guest.version, kind: form.partial_date()})
        guest_service.update_guest(guest_id, patch, current_actor())
    except ValidationError as exc:
        flash(gettext("Date not saved: %(reason)s", reason="; ".join(field_errors(exc).values())), "error")
    except guest_service.ContactNotAllowed:
        flash(gettext("Date not saved: %(reason)s", reason=on_file_message()), "error")
    except guest_service.VersionConflict:
        flash(gettext("Date not saved: the profile changed meanwhile. Look and try again."), "error")
    else:
        flash(gettext("Date saved."), "success")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#occ-h")


@bp.route("/<int:guest_id>/contact-suggestions", methods=["POST"])
@role_required("floor")
def suggest_contact(guest_id: int) -> Response:
    """A phone or e-mail the guest gave at the table: kept for a manager to accept."""
    form = ContactSuggestionForm()
    if not form.validate_on_submit() or form.kind.data not in ("phone", "email"):
        flash(gettext("Not saved: type the phone number or e-mail address."), "error")
        return redirect(url_for("guests.show", guest_id=guest_id) + "#occ-h")
    try:
        data = suggestions.ContactSuggestionIn.model_validate({form.kind.data: form.value.data or ""})
        suggestions.suggest_contact(guest_id, data, current_actor())
    except ValidationError as exc:
        flash(gettext("Not saved: %(reason)s", reason="; ".join(field_errors(exc).values())), "error")
    except guest_service.GuestNotFound:
        abort(404)
    else:
        flash(gettext("Thank you: a manager will check it and add it to the profile."), "success")
    return redirect(url_for("guests.show", guest_id=guest_id) + "#occ-h")


@bp.route("/contact-suggestions")
@role_required("manager")
def contact_suggestions() -> str:
    """Phones and e-mails guests gave at the table, waiting for a manager: accept or reject each."""
    pending = suggestions.pending_suggestions()
    return render_template("guests/suggestions.html", pending=pending)


@bp.route("/contact-suggestions/<int:suggestion_id>/<any(accept, reject):decision>", methods=["POST"])
@role_required("manager")
def decide_contact_suggestion(suggestion_id: int, decision: str) -> Response:
    """Accept a suggestion onto the guest's profile, or reject it."""
    try:
        if decision == "accept":
            suggestions.accept_suggestion(suggestion_id, current_actor())
            flash(gettext("Added to the profile."), "success")
        else:
            suggestions.reject_suggestion(suggestion_id, current_actor())
            flash(gettext("Rejected: the profile is unchanged."), "success")
    except suggestions.SuggestionNotFound:
        abort(404)
    except suggestions.AlreadyDecided:
        flash(gettext("Someone already decided on this one."), "error")
    return redirect(url_for("guests.contact_suggestions"))
