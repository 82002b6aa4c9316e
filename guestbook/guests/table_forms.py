"""The card's two-tap forms for what the floor hears at the table: an occasion date, a phone or e-mail."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.guests.profiles import OCCASION_FIELDS
from guestbook.i18n import babel_locale, lazy_gettext

OCCASION_KINDS = {"birthday": lazy_gettext("Birthday"), "anniversary": lazy_gettext("Anniversary")}
CONTACT_KINDS = {"phone": lazy_gettext("Phone"), "email": lazy_gettext("Email")}


class OccasionForm(Form):
    """A birthday or anniversary the guest mentioned: month and day, the year when they said it."""

    kind = HiddenField(validators=[DataRequired()])
    month = SelectField(lazy_gettext("Month"), choices=choices([]), validators=[DataRequired()])
    day = SelectField(lazy_gettext("Day"), choices=choices([(str(d), str(d)) for d in range(1, 32)]))
    year = IntegerField(lazy_gettext("Year (if they said)"), validators=[Optional(), NumberRange(1900, 2100)])

    def fill_choices(self) -> None:
        """Month names in the viewer's language (needed before rendering and before validating)."""
        names = babel_locale().months["stand-alone"]["wide"]
        self.month.choices = choices([(str(m), names[m]) for m in range(1, 13)])

    def partial_date(self) -> str:
        """The date as the profile takes it: ``YYYY-MM-DD``, or ``--MM-DD`` without a year."""
        month, day = int(self.month.data or 0), int(self.day.data or 0)
        if self.year.data:
            return f"{self.year.data:04d}-{month:02d}-{day:02d}"
        return f"--{month:02d}-{day:02d}"

    def chosen_kind(self) -> str | None:
        """``birthday`` or ``anniversary``; None for anything else."""
        return self.kind.data if self.kind.data in OCCASION_FIELDS else None


class ContactSuggestionForm(Form):
    """A phone or e-mail the guest gave at the table, for a manager to accept."""

    kind = RadioField(lazy_gettext("The guest gave"), choices=choices(list(CONTACT_KINDS.items())), default="phone")
    value = StringField(lazy_gettext("Phone or e-mail"), validators=[DataRequired(), Length(max=254)])
