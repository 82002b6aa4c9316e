"""Reservation forms: WTForms renders and carries CSRF; the shared pydantic schema validates."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import DateField, FieldList, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.i18n import lazy_gettext
from guestbook.reservations.file_import import FIELDS
from guestbook.reservations.labels import RESERVATION_STATUS_LABELS
from guestbook.reservations.models import RESERVATION_STATUSES


class ReservationForm(Form):
    """A walk-in or phone booking."""

    guest_id = HiddenField()
    given_name = StringField(lazy_gettext("Given name"))
    family_name = StringField(lazy_gettext("Family name"))
    email = StringField(lazy_gettext("Email"))
    phone = StringField(lazy_gettext("Phone"))
    outlet = SelectField(lazy_gettext("Outlet"), choices=[])
    arrival_date = DateField(lazy_gettext("Date"), validators=[DataRequired()])
    arrival_time = StringField(lazy_gettext("Time (HH:MM)"))
    party_size = IntegerField(lazy_gettext("Party size"), default=2, validators=[NumberRange(1, 500)])
    table = StringField(lazy_gettext("Table or room"))
    nights = IntegerField(lazy_gettext("Nights (hotel)"), default=0, validators=[Optional(), NumberRange(0, 365)])
    status = SelectField(
        lazy_gettext("Status"),
        choices=choices((s, RESERVATION_STATUS_LABELS[s]) for s in RESERVATION_STATUSES),
        default="booked",
    )
    occasion = StringField(lazy_gettext("Occasion"))
    notes = TextAreaField(lazy_gettext("Notes for tonight"))

    def payload(self) -> dict[str, Any]:
        """The form as a ReservationIn payload."""
        data: dict[str, Any] = {
            "outlet": self.outlet.data,
            "arrival_date": self.arrival_date.data,
            "party_size": self.party_size.data,
            "table": self.table.data or "",
            "nights": self.nights.data or 0,
            "status": self.status.data,
            "occasion": self.occasion.data or "",
            "notes": self.notes.data or "",
        }
        if self.arrival_time.data:
            data["arrival_time"] = self.arrival_time.data.strip()
        if self.guest_id.data:
            data["guest_id"] = self.guest_id.data
        else:
            data["guest"] = {
                k: getattr(self, k).data
                for k in ("given_name", "family_name", "email", "phone")
                if getattr(self, k).data
            }
        return data


class ImportForm(Form):
    """Upload an arrivals export and check it (dry run)."""

    source = StringField(lazy_gettext("Source (e.g. opentable, pms)"), validators=[DataRequired()], default="pms")
    file = FileField(lazy_gettext("CSV or XLSX file"))


class ImportCommitForm(Form):
    """Commit (or download the errors of) a checked upload."""

    source = HiddenField()
    token = HiddenField()


class OutletValuesForm(Form):
    """Map each outlet value of a file to one of our outlets (one row per value found)."""

    source = HiddenField()
    token = HiddenField()
    values = FieldList(HiddenField())
    outlets = FieldList(SelectField(choices=[], validate_choice=False))


class MappingForm(Form):
    """The column header of each reservation field for one source."""

    source = HiddenField()


# The label of each reservation field on the column mapping form (the header it defaults to is data).
FIELD_LABELS: dict[str, Any] = {
    "external_id": lazy_gettext("External id"),
    "arrival_date": lazy_gettext("Arrival date"),
    "arrival_time": lazy_gettext("Arrival time"),
    "outlet": lazy_gettext("Outlet"),
    "given_name": lazy_gettext("Given name"),
    "family_name": lazy_gettext("Family name"),
    "email": lazy_gettext("Email"),
    "phone": lazy_gettext("Phone"),
    "birthday": lazy_gettext("Birthday"),
    "party_size": lazy_gettext("Party size"),
    "table": lazy_gettext("Table"),
    "nights": lazy_gettext("Nights"),
    "status": lazy_gettext("Status"),
    "occasion": lazy_gettext("Occasion"),
    "notes": lazy_gettext("Notes"),
}

for _key, _header in FIELDS.items():
    _label = FIELD_LABELS.get(_key) or _key.replace("_", " ").capitalize()
    setattr(MappingForm, _key, StringField(_label, default=_header))
