"""Guest forms: WTForms renders and carries CSRF; the shared pydantic schemas validate."""

from __future__ import annotations

import json
from typing import Any

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
from guestbook.forms import Form
from guestbook.guests import labels
from guestbook.guests.models import ALLERGY_SEVERITIES, PREFERENCE_CATEGORIES, Guest
from guestbook.guests.profiles import ADDRESS_FIELDS, SIMPLE_FIELDS, partial_date
from guestbook.i18n import lazy_gettext
from guestbook.security import value_digests

LANGUAGES = [
    ("en", lazy_gettext("English")),
    ("th", lazy_gettext("Thai")),
    ("zh-Hans", lazy_gettext("Chinese (Simplified)")),
    ("zh-Hant", lazy_gettext("Chinese (Traditional)")),
    ("ja", lazy_gettext("Japanese")),
    ("ko", lazy_gettext("Korean")),
    ("ru", lazy_gettext("Russian")),
    ("el", lazy_gettext("Greek")),
    ("de", lazy_gettext("German")),
    ("fr", lazy_gettext("French")),
    ("es", lazy_gettext("Spanish")),
    ("it", lazy_gettext("Italian")),
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


class GuestForm(Form):
    """Create or edit a guest profile."""

    version = HiddenField()
    base = HiddenField()  # keyed digests of the values as loaded (never the values), so only real changes are sent
    salutation = StringField(lazy_gettext("Salutation"))
    given_name = StringField(lazy_gettext("Given name"))
    family_name = StringField(lazy_gettext("Family name"))
    preferred_name = StringField(lazy_gettext("Preferred name (how to greet)"))
    pronunciation = StringField(lazy_gettext("Pronunciation"))
    language = SelectField(lazy_gettext("Language"), choices=choices(LANGUAGES), default="en")
    email = EmailField(lazy_gettext("Email"), validators=[Optional()])
    phone = TelField(lazy_gettext("Phone"))
    company = StringField(lazy_gettext("Company"))
    birthday = StringField(lazy_gettext("Birthday (YYYY-MM-DD or --MM-DD)"))
    anniversary = StringField(lazy_gettext("Anniversary (YYYY-MM-DD or --MM-DD)"))
    vip_level = IntegerField(lazy_gettext("VIP level (0–5)"), default=0, validators=[Optional(), NumberRange(0, 5)])
    marketing_consent = BooleanField(lazy_gettext("Agrees to letters and offers"))
    do_not_contact = BooleanField(lazy_gettext("Do not contact"))
    address_line1 = StringField(lazy_gettext("Address line 1"))
    address_line2 = StringField(lazy_gettext("Address line 2"))
    address_city = StringField(lazy_gettext("City"))
    address_region = StringField(lazy_gettext("Region"))
    address_postal_code = StringField(lazy_gettext("Postal code"))
    address_country = StringField(lazy_gettext("Country (2 letters)"))
    notes = TextAreaField(lazy_gettext("Notes"))

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


class VisitForm(Form):
    """Tonight's visit: prefilled from today's booking when there is one, else from the usual seat and order."""

    reservation_id = HiddenField()
    outlet = SelectField(lazy_gettext("Outlet"), choices=choices([]))
    table = StringField(lazy_gettext("Table or seat"))
    party_size = IntegerField(lazy_gettext("Party size"), default=2, validators=[NumberRange(1, 500)])
    items = SelectMultipleField(lazy_gettext("Ordered"), choices=choices([]), validate_choice=False)
    other_items = StringField(lazy_gettext("Other items (comma-separated)"))
    spend = StringField(lazy_gettext("Spend"))
    notes = TextAreaField(lazy_gettext("Note about tonight"))
    confirm_sensitive = BooleanField(lazy_gettext("Yes, save this note as written"))


class NoteForm(Form):
    """A note about the guest."""

    body = TextAreaField(lazy_gettext("Note"), validators=[DataRequired(), Length(max=5000)])
    confirm_sensitive = BooleanField(lazy_gettext("Yes, save this note as written"))


class PreferenceForm(Form):
    """A preference with its source."""

    category = SelectField(
        lazy_gettext("Category"), choices=choices([(c, labels.PREFERENCE_CATEGORIES[c]) for c in PREFERENCE_CATEGORIES])
    )
    value = StringField(lazy_gettext("Preference"), validators=[DataRequired(), Length(max=200)])
    source = SelectField(lazy_gettext("Source"), choices=choices(list(labels.PREFERENCE_SOURCES.items())))
    outlet = SelectField(lazy_gettext("Outlet (optional)"), choices=choices([]))


class AllergyForm(Form):
    """An allergy (a safety matter); diets go to the Diet preference, and one typed here is moved there."""

    allergen = StringField(
        lazy_gettext("Allergy (e.g. peanuts, shellfish)"), validators=[DataRequired(), Length(max=120)]
    )
    severity = SelectField(
        lazy_gettext("Severity"),
        choices=choices([(s, labels.SEVERITIES[s]) for s in ALLERGY_SEVERITIES if s != "dietary"]),
    )
    note = StringField(lazy_gettext("Note"), validators=[Length(max=500)])


class DeviceForm(Form):
    """Which outlet this tablet stands in."""

    outlet = SelectField(lazy_gettext("This tablet is at"), choices=choices([]))
