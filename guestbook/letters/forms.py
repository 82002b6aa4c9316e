"""Letter forms: edit one letter, edit a template (with a preview guest), the letter rule settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from guestbook.choices import choices
from guestbook.letters.templates import available_languages


class EmptyForm(FlaskForm):
    """CSRF only (buttons that post)."""


class LetterTextForm(FlaskForm):
    """The four parts of a letter or a template."""

    subject = StringField("Subject (label and email line)", validators=[DataRequired(), Length(max=300)])
    greeting = StringField("Greeting", validators=[Length(max=300)])
    body = TextAreaField("Letter", validators=[DataRequired(), Length(max=8000)])
    sign_off = TextAreaField("Sign-off", validators=[Length(max=300)])


class TemplateForm(LetterTextForm):
    """A template, previewed with a real guest before it is saved."""

    preview_guest_id = IntegerField("Preview with guest id", validators=[Optional(), NumberRange(min=1)])


class LetterSettingsForm(FlaskForm):
    """The editable letter rules."""

    letters_birthday_days_before = IntegerField(
        "Birthday letter: days before the birthday", validators=[NumberRange(1, 60)]
    )
    letters_birthday_min_lead_days = IntegerField(
        "Catch up a missed day while at least this many days remain", validators=[NumberRange(0, 30)]
    )
    letters_anniversary_days_before = IntegerField("Anniversary letter: days before", validators=[NumberRange(1, 60)])
    letters_lapse_months = IntegerField("We miss you: months without a visit", validators=[NumberRange(1, 120)])
    letters_lapse_min_visits = IntegerField("We miss you: at least this many visits", validators=[NumberRange(1, 100)])
    letters_cool_down_days = IntegerField(
        "Cool-down: no letter within days of the last one", validators=[NumberRange(0, 365)]
    )
    letters_inactive_years = IntegerField("Stop writing after years without a visit", validators=[NumberRange(1, 50)])
    letters_thank_you_delay_days = IntegerField(
        "Thank-you: days after the first visit", validators=[NumberRange(1, 60)]
    )
    letters_thank_you_window_days = IntegerField(
        "Thank-you: not later than days after", validators=[NumberRange(1, 120)]
    )
    letters_default_language = SelectField(
        "Default letter language", choices=choices([(lang, lang) for lang in available_languages()])
    )
    letters_concierge_name = StringField("Signed by", validators=[DataRequired(), Length(max=120)])
    letters_label_layout = StringField(
        "Label sheet (auto, or columns×rows such as 3x8)",
        validators=[Regexp(r"^(auto|\d{1,2}x\d{1,2})$", message="auto, or e.g. 3x8")],
    )
    letters_duplex_blank_backs = BooleanField("Blank backs for duplex printers")
    letters_home_country = StringField("Home country code (left off domestic addresses)", validators=[Length(max=2)])
    letters_logo_path = StringField("Logo file on the server (PNG or JPEG, optional)", validators=[Length(max=300)])
