"""Letter forms: edit one letter, edit a template (with a preview guest), the letter rule settings."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.i18n import lazy_gettext
from guestbook.letters.templates import available_languages


class EmptyForm(Form):
    """CSRF only (buttons that post)."""


class LetterTextForm(Form):
    """The four parts of a letter or a template."""

    subject = StringField(lazy_gettext("Subject (label and email line)"), validators=[DataRequired(), Length(max=300)])
    greeting = StringField(lazy_gettext("Greeting"), validators=[Length(max=300)])
    body = TextAreaField(lazy_gettext("Letter"), validators=[DataRequired(), Length(max=8000)])
    sign_off = TextAreaField(lazy_gettext("Sign-off"), validators=[Length(max=300)])


class TemplateForm(LetterTextForm):
    """A template, previewed with a real guest before it is saved."""

    preview_guest_id = IntegerField(lazy_gettext("Preview with guest id"), validators=[Optional(), NumberRange(min=1)])


class LetterSettingsForm(Form):
    """The editable letter rules."""

    letters_birthday_days_before = IntegerField(
        lazy_gettext("Birthday letter: days before the birthday"), validators=[NumberRange(1, 60)]
    )
    letters_birthday_min_lead_days = IntegerField(
        lazy_gettext("Catch up a missed day while at least this many days remain"), validators=[NumberRange(0, 30)]
    )
    letters_anniversary_days_before = IntegerField(
        lazy_gettext("Anniversary letter: days before"), validators=[NumberRange(1, 60)]
    )
    # "rhythm" is registered by the segments domain (segments/rhythm.py); unknown names fall back to fixed months.
    letters_lapse_rule = SelectField(
        lazy_gettext("Who is missed"),
        choices=choices(
            [
                ("fixed_months", lazy_gettext("Away longer than the months below")),
                ("rhythm", lazy_gettext("Away longer than their own rhythm suggests (lapse model)")),
            ]
        ),
    )
    letters_lapse_months = IntegerField(
        lazy_gettext("We miss you: months without a visit"), validators=[NumberRange(1, 120)]
    )
    letters_lapse_min_visits = IntegerField(
        lazy_gettext("We miss you: at least this many visits"), validators=[NumberRange(1, 100)]
    )
    letters_cool_down_days = IntegerField(
        lazy_gettext("Cool-down: no letter within days of the last one"), validators=[NumberRange(0, 365)]
    )
    letters_inactive_years = IntegerField(
        lazy_gettext("Stop writing after years without a visit"), validators=[NumberRange(1, 50)]
    )
    letters_thank_you_delay_days = IntegerField(
        lazy_gettext("Thank-you: days after the first visit"), validators=[NumberRange(1, 60)]
    )
    letters_thank_you_window_days = IntegerField(
        lazy_gettext("Thank-you: not later than days after"), validators=[NumberRange(1, 120)]
    )
    # Letter languages are codes (en, de, ja …): shown as they are.
    letters_default_language = SelectField(
        lazy_gettext("Default letter language"), choices=choices([(lang, lang) for lang in available_languages()])
    )
    letters_concierge_name = StringField(lazy_gettext("Signed by"), validators=[DataRequired(), Length(max=120)])
    letters_label_layout = StringField(
        lazy_gettext("Label sheet (L7160, L7163, L7159, 3475, 5160, auto, or columns×rows such as 3x8)"),
        validators=[
            Regexp(
                r"^(?i:auto|L7160|L7163|L7159|3475|5160|\d{1,2}x\d{1,2})$",
                message=lazy_gettext("a sheet (L7160, L7163, L7159, 3475, 5160), auto, or e.g. 3x8"),
            )
        ],
        render_kw={"list": "label-sheets"},
    )
    letters_envelope = SelectField(
        lazy_gettext("Envelope"),
        choices=choices(
            [
                ("auto", lazy_gettext("By paper size (DL with A4, US #10 with US Letter)")),
                ("DL", lazy_gettext("DL · 220 × 110 mm")),
                ("C5", lazy_gettext("C5 · 229 × 162 mm")),
                ("US10", lazy_gettext("US #10 · 9½ × 4⅛ in")),
            ]
        ),
    )
    letters_duplex_blank_backs = BooleanField(lazy_gettext("Blank backs for duplex printers"))
    letters_home_country = StringField(
        lazy_gettext("Home country code (left off domestic addresses)"), validators=[Length(max=2)]
    )
    letters_logo_path = StringField(
        lazy_gettext("Logo file on the server (PNG or JPEG, optional)"), validators=[Length(max=300)]
    )
