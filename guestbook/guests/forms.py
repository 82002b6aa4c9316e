"""Guest forms: WTForms renders and carries CSRF; the shared pydantic schemas validate."""

from __future__ import annotations

import json
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from guestbook.choices import choices
from guestbook.guests.models import ALLERGY_SEVERITIES, PREFERENCE_CATEGORIES, Guest
from guestbook.guests.profiles import ADDRESS_FIELDS, SIMPLE_FIELDS, partial_date
from guestbook.security import value_digests

LANGUAGES = [
    ("en", "English"),
    ("th", "Thai"),
    ("zh-Hans", "Chinese (Simplified)"),
    ("zh-Hant", "Chinese (Traditional)"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("el", "Greek"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
]


EDITABLE = (
    "salutation",
    "given_name",
    "family_name",
    "preferred_name",
    "pronunciation",
    "language",
    "email",
    "phone",
    "company",
    "birthday",
    "anniversary",
    "vip_level",
    "marketing_consent",
    "do_not_contact",
    "notes",
    *(f"address_{key}" for key in ADDRESS_FIELDS),
)
# What a role that sees contacts masked (floor) never receives on the edit page, in any form.
CONTACT_FIELDS = frozenset({"email", "phone", "birthday", *(f"address_{key}" for key in ADDRESS_FIELDS)})


def editable_fields(show_contact: bool) -> tuple[str, ...]:
    """The edit-page fields a role sees and may change (no contact fields without ``show_contact``)."""
    return EDITABLE if show_contact else tuple(name for name in EDITABLE if name not in CONTACT_FIELDS)


class GuestForm(FlaskForm):
    """Create or edit a guest profile."""

    version = HiddenField()
    base = HiddenField()  # keyed digests of the values as loaded (never the values), so only real changes are sent
    salutation = StringField("Salutation")
    given_name = StringField("Given name")
    family_name = StringField("Family name")
    preferred_name = StringField("Preferred name (how to greet)")
    pronunciation = StringField("Pronunciation")
    language = SelectField("Language", choices=choices(LANGUAGES), default="en")
    email = EmailField("Email", validators=[Optional()])
    phone = TelField("Phone")
    company = StringField("Company")
    birthday = StringField("Birthday (YYYY-MM-DD or --MM-DD)")
    anniversary = StringField("Anniversary (YYYY-MM-DD or --MM-DD)")
    vip_level = IntegerField("VIP level (0–5)", default=0, validators=[Optional(), NumberRange(0, 5)])
    marketing_consent = BooleanField("Agrees to letters and offers")
    do_not_contact = BooleanField("Do not contact")
    address_line1 = StringField("Address line 1")
    address_line2 = StringField("Address line 2")
    address_city = StringField("City")
    address_region = StringField("Region")
    address_postal_code = StringField("Postal code")
    address_country = StringField("Country (2 letters)")
    notes = TextAreaField("Notes")

    def payload(self, include_address: bool) -> dict[str, Any]:
        """The submitted values in the shape of the shared schemas."""
        data: dict[str, Any] = {
            name: (getattr(self, name).data or "").strip()
            for name in (
                "salutation",
                "given_name",
                "family_name",
                "preferred_name",
                "pronunciation",
                "language",
                "company",
                "notes",
            )
        }
        data["email"] = (self.email.data or "").strip() or None
        data["phone"] = (self.phone.data or "").strip() or None
        data["birthday"] = (self.birthday.data or "").strip() or None
        data["anniversary"] = (self.anniversary.data or "").strip() or None
        data["vip_level"] = self.vip_level.data or 0
        data["marketing_consent"] = bool(self.marketing_consent.data)
        data["do_not_contact"] = bool(self.do_not_contact.data)
        if include_address:
            data["address"] = {key: (getattr(self, f"address_{key}").data or "").strip() for key in ADDRESS_FIELDS}
        return data

    def snapshot(self) -> dict[str, str]:
        """Every editable value as text, for comparing what this tablet changed."""
        out = {}
        for name in EDITABLE:
            value = getattr(self, name).data
            out[name] = str(bool(value)) if isinstance(value, bool) else ("" if value is None else str(value).strip())
        return out

    def digests(self, scope: str, fields: tuple[str, ...]) -> dict[str, str]:
        """Keyed digests of this form's current values of ``fields`` (see ``security.value_digests``)."""
        mine = self.snapshot()
        return value_digests(scope, {name: mine[name] for name in fields})

    def base_digests(self) -> dict[str, str]:
        """The digests the form was loaded with; empty when missing or not ours."""
        try:
            base = json.loads(self.base.data or "{}")
        except ValueError:
            return {}
        if not isinstance(base, dict):
            return {}
        return {str(name): value for name, value in base.items() if isinstance(value, str)}

    def changed_since_loaded(self, scope: str, fields: tuple[str, ...] = EDITABLE) -> set[str]:
        """The fields (of those this role sees) this tablet changed since it loaded the form."""
        base = self.base_digests()
        if not base:
            return set(fields)
        mine = self.digests(scope, fields)
        return {name for name in fields if mine[name] != base.get(name)}

    def fill_from(self, guest: Guest, fields: tuple[str, ...] = EDITABLE) -> None:
        """Prefill the form with a stored guest, only the ``fields`` the role may see (others stay empty)."""
        for name in SIMPLE_FIELDS:
            if name in fields:
                getattr(self, name).data = getattr(guest, name)
        for key in ADDRESS_FIELDS:
            if f"address_{key}" in fields:
                getattr(self, f"address_{key}").data = getattr(guest, f"address_{key}")
        for kind in ("birthday", "anniversary"):
            if kind in fields:
                value = partial_date(guest, kind)
                getattr(self, kind).data = value.iso() if value else ""
        self.version.data = str(guest.version)

    def remember_base(self, scope: str, fields: tuple[str, ...] = EDITABLE) -> None:
        """Record digests of the values as loaded, so a save can send only real changes."""
        self.base.data = json.dumps(self.digests(scope, fields), separators=(",", ":"))


class VisitForm(FlaskForm):
    """Tonight's visit: prefilled from today's booking when there is one, else from the usual seat and order."""

    reservation_id = HiddenField()
    outlet = SelectField("Outlet", choices=choices([]))
    table = StringField("Table or seat")
    party_size = IntegerField("Party size", default=2, validators=[NumberRange(1, 500)])
    items = SelectMultipleField("Ordered", choices=choices([]), validate_choice=False)
    other_items = StringField("Other items (comma-separated)")
    spend = StringField("Spend")
    notes = TextAreaField("Note about tonight")
    confirm_sensitive = BooleanField("Yes, save this note as written")


class NoteForm(FlaskForm):
    """A note about the guest."""

    body = TextAreaField("Note", validators=[DataRequired(), Length(max=5000)])
    confirm_sensitive = BooleanField("Yes, save this note as written")


class PreferenceForm(FlaskForm):
    """A preference with its source."""

    category = SelectField("Category", choices=choices([(c, c.capitalize()) for c in PREFERENCE_CATEGORIES]))
    value = StringField("Preference", validators=[DataRequired(), Length(max=200)])
    source = SelectField(
        "Source", choices=choices([("stated", "Stated by the guest"), ("observed", "Observed by staff")])
    )
    outlet = SelectField("Outlet (optional)", choices=choices([]))


class AllergyForm(FlaskForm):
    """An allergy (a safety matter); diets go to the Diet preference, and one typed here is moved there."""

    allergen = StringField("Allergy (e.g. peanuts, shellfish)", validators=[DataRequired(), Length(max=120)])
    severity = SelectField(
        "Severity", choices=choices([(s, s.capitalize()) for s in ALLERGY_SEVERITIES if s != "dietary"])
    )
    note = StringField("Note", validators=[Length(max=500)])


class DeviceForm(FlaskForm):
    """Which outlet this tablet stands in."""

    outlet = SelectField("This tablet is at", choices=choices([]))
