"""The segments' web pages: a tier set by hand from the guest's card (managers and admins)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.guests.labels import INFLUENCE
from guestbook.i18n import gettext, lazy_gettext
from guestbook.security import role_required
from guestbook.segments import overrides
from guestbook.staff.access import current_actor
from guestbook.text import find_control_char

bp = Blueprint("segments", __name__, url_prefix="/segments")


class TierForm(Form):
    """The card's "Set the tier by hand" form: a tier (or back to the computed one), the reason, the influence."""

    tier = SelectField(
        lazy_gettext("Tier"),
        choices=choices([("A", "A"), ("B", "B"), ("C", "C"), ("computed", lazy_gettext("As computed from spend"))]),
    )
    reason = StringField(
        lazy_gettext("Why (required for a tier set by hand)"), validators=[Optional(), Length(max=500)]
    )
    influence = SelectField(
        lazy_gettext("Influence"), choices=choices([("", lazy_gettext("None")), *INFLUENCE.items()])
    )


@bp.route("/guests/<int:guest_id>/tier", methods=["POST"])
@role_required("manager")
def set_tier(guest_id: int) -> Response:
    """Set or clear the guest's hand-set tier and influence; a tier needs a reason."""
    form = TierForm()
    back = redirect(url_for("guests.show", guest_id=guest_id) + "#standing")
    if not form.validate_on_submit():
        flash(gettext("The tier was not saved: check the form."), "error")
        return back
    reason = (form.reason.data or "").strip()
    try:
        if form.tier.data == "computed":
            overrides.clear_override(guest_id, current_actor())
            flash(gettext("The tier is computed from spend again."), "success")
        elif not reason or find_control_char(reason) is not None:
            flash(gettext("Say why the tier is set by hand."), "error")
            return back
        else:
            overrides.set_override(guest_id, form.tier.data or "C", reason, current_actor(), form.influence.data or "")
            flash(gettext("Tier set by hand."), "success")
    except overrides.GuestNotFound:
        abort(404)
    return back
