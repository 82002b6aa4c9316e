"""Reservation forms: WTForms renders and carries CSRF; the shared pydantic schema validates."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FieldList, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from guestbook.choices import choices
from guestbook.reservations.file_import import FIELDS
from guestbook.reservations.models import RESERVATION_STATUSES


class ReservationForm(FlaskForm):
    """A walk-in or phone booking."""

    guest_id = HiddenField()
    given_name = StringField("Given name")
    family_name = StringField("Family name")
    email = StringField("Email")
    phone = StringField("Phone")
    outlet = SelectField("Outlet", choices=[])
    arrival_date = DateField("Date", validators=[DataRequired()])
    arrival_time = StringField("Time (HH:MM)")
    party_size = IntegerField("Party size", default=2, validators=[NumberRange(1, 500)])
    table = StringField("Table or room")
    nights = IntegerField("Nights (hotel)", default=0, validators=[Optional(), NumberRange(0, 365)])
    status = SelectField("Status", choices=choices((s, s) for s in RESERVATION_STATUSES), default="booked")
    occasion = StringField("Occasion")
    notes = TextAreaField("Notes for tonight")

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


class ImportForm(FlaskForm):
    """Upload an arrivals export and check it (dry run)."""

    source = StringField("Source (e.g. opentable, pms)", validators=[DataRequired()], default="pms")
    file = FileField("CSV or XLSX file")


class ImportCommitForm(FlaskForm):
    """Commit (or download the errors of) a checked upload."""

    source = HiddenField()
    token = HiddenField()


class OutletValuesForm(FlaskForm):
    """Map each outlet value of a file to one of our outlets (one row per value found)."""

    source = HiddenField()
    token = HiddenField()
    values = FieldList(HiddenField())
    outlets = FieldList(SelectField(choices=[], validate_choice=False))


class MappingForm(FlaskForm):
    """The column header of each reservation field for one source."""

    source = HiddenField()


for _key, _header in FIELDS.items():
    setattr(MappingForm, _key, StringField(_key.replace("_", " ").capitalize(), default=_header))
