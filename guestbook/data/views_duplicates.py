"""The duplicates screens (admins): the likely pairs, and two guests side by side with "Not the same person"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from guestbook.data import duplicates
from guestbook.data.views import bp
from guestbook.forms import Form
from guestbook.guests.models import Guest
from guestbook.guests.profiles import partial_date
from guestbook.i18n import gettext
from guestbook.security import role_required
from guestbook.staff.access import current_actor

PAGE = 50


class RejectForm(Form):
    """CSRF only: "not the same person" has no fields."""


@dataclass(frozen=True)
class Side:
    """One guest's column on the side-by-side page, as text ready to show."""

    guest_id: int
    name: str
    preferred_name: str
    email: str
    phone: str
    birthday: str
    address: list[str]
    visit_count: int
    last_visit_at: datetime | None
    allergies: list[str]
    company: str


def _side(guest: Guest) -> Side:
    birthday = partial_date(guest, "birthday")
    address = [
        guest.address_line1,
        guest.address_line2,
        " ".join(p for p in (guest.address_postal_code, guest.address_city) if p),
        " ".join(p for p in (guest.address_region, guest.address_country) if p),
    ]
    return Side(
        guest_id=guest.id,
        name=guest.full_name,
        preferred_name=guest.preferred_name,
        email=guest.email or "",
        phone=guest.phone or "",
        birthday=birthday.iso() if birthday else "",
        address=[line for line in address if line],
        visit_count=guest.visit_count,
        last_visit_at=guest.last_visit_at,
        allergies=[a.allergen for a in guest.allergies],
        company=guest.company,
    )


@bp.route("/duplicates")
@role_required("admin")
def duplicates_list() -> str:
    """Likely duplicate pairs from the last scan, highest score first, a page at a time."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1
    pairs = duplicates.list_pairs(limit=PAGE, offset=(page - 1) * PAGE)
    total = duplicates.count_pairs()
    return render_template(
        "data/duplicates.html",
        pairs=pairs,
        names=duplicates.pair_names(pairs),
        page=page,
        more=page * PAGE < total,
        total=total,
        reason_label=duplicates.reason_label,
    )


@bp.route("/duplicates/<int:first_id>/<int:second_id>")
@role_required("admin")
def duplicate_pair(first_id: int, second_id: int) -> str:
    """Two guests side by side (a view of each is audited), with "Not the same person" and "Merge…"."""
    try:
        first, second, score, reasons = duplicates.view_pair(first_id, second_id, current_actor())
    except (duplicates.GuestNotFound, duplicates.SameGuest):
        abort(404)
    return render_template(
        "data/duplicate_pair.html",
        sides=[_side(first), _side(second)],
        score=score,
        reasons=[duplicates.reason_label(r) for r in reasons],
        form=RejectForm(),
    )


@bp.route("/duplicates/<int:first_id>/<int:second_id>/reject", methods=["POST"])
@role_required("admin")
def duplicate_reject(first_id: int, second_id: int) -> Response:
    """ "Not the same person": never suggested again."""
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        duplicates.reject_pair(first_id, second_id, current_actor())
    except (duplicates.GuestNotFound, duplicates.SameGuest):
        abort(404)
    flash(gettext("Noted: these two will not be suggested again."), "success")
    return redirect(url_for("data.duplicates_list"))
