"""The feedback screens' forms: log a complaint or a compliment from the card, and each step of a complaint's
handling (the rules in ``feedback.py`` do the checking that matters; these only shape the input)."""

from __future__ import annotations

from typing import Any

from wtforms import FieldList, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, Optional

from guestbook.choices import choices
from guestbook.forms import Form
from guestbook.i18n import lazy_gettext
from guestbook.relations.models import AMEND_KINDS, CATEGORIES, CHANNELS, SEVERITIES

KIND_LABELS: dict[str, Any] = {"complaint": lazy_gettext("Complaint"), "compliment": lazy_gettext("Compliment")}
CATEGORY_NAMES: dict[str, Any] = {
    "food": lazy_gettext("Food"),
    "service": lazy_gettext("Service"),
    "room": lazy_gettext("Room"),
    "cleanliness": lazy_gettext("Cleanliness"),
    "noise": lazy_gettext("Noise"),
    "billing": lazy_gettext("Bill"),
    "wait": lazy_gettext("Waiting"),
    "other": lazy_gettext("Other"),
}
SEVERITY_NAMES: dict[str, Any] = {
    "minor": lazy_gettext("Minor"),
    "major": lazy_gettext("Major"),
    "critical": lazy_gettext("Critical"),
}
CHANNEL_NAMES: dict[str, Any] = {
    "in_person": lazy_gettext("In person"),
    "phone": lazy_gettext("Phone"),
    "email": lazy_gettext("Email"),
    "review_site": lazy_gettext("Review site"),
    "letter": lazy_gettext("Letter"),
    "other": lazy_gettext("Other"),
}
AMEND_NAMES: dict[str, Any] = {
    "apology": lazy_gettext("Apology"),
    "comped_item": lazy_gettext("Comped item"),
    "discount": lazy_gettext("Discount"),
    "upgrade": lazy_gettext("Upgrade"),
    "gift": lazy_gettext("Gift"),
    "refund": lazy_gettext("Refund"),
}
OUTCOME_NAMES: dict[str, Any] = {"satisfied": lazy_gettext("Satisfied"), "unsatisfied": lazy_gettext("Not satisfied")}
AMEND_ROWS = 3


class FeedbackForm(Form):
    """Log feedback from the card: complaint or compliment, what about, how bad, how it came, the guest's words."""

    kind = RadioField(
        lazy_gettext("Kind"), choices=choices([(k, KIND_LABELS[k]) for k in KIND_LABELS]), default="complaint"
    )
    category = SelectField(
        lazy_gettext("About"), choices=choices([(c, CATEGORY_NAMES[c]) for c in CATEGORIES]), default="food"
    )
    severity = SelectField(
        lazy_gettext("How serious"), choices=choices([(s, SEVERITY_NAMES[s]) for s in SEVERITIES]), default="minor"
    )
    channel = SelectField(
        lazy_gettext("How it came"), choices=choices([(c, CHANNEL_NAMES[c]) for c in CHANNELS]), default="in_person"
    )
    text = TextAreaField(lazy_gettext("The guest's words"), validators=[DataRequired(), Length(max=5000)])
    outlet = SelectField(lazy_gettext("Outlet"), choices=choices([]))
    staff_involved = StringField(
        lazy_gettext("Staff involved (names, comma-separated)"), validators=[Optional(), Length(max=300)]
    )


class StepForm(Form):
    """A workflow step: the version the manager saw, and an optional note for the internal discussion."""

    version = HiddenField()
    note = TextAreaField(lazy_gettext("Note (optional, managers only)"), validators=[Optional(), Length(max=2000)])


class AcknowledgeForm(StepForm):
    """Acknowledge a complaint."""


class AmendRow(RowForm):
    """One amend made (no CSRF of its own: it is part of the resolve form)."""

    kind = SelectField(
        lazy_gettext("Amend"),
        choices=choices([("", lazy_gettext("None")), *[(k, AMEND_NAMES[k]) for k in AMEND_KINDS]]),
        default="",
    )
    value = StringField(lazy_gettext("Value"), validators=[Optional(), Length(max=20)])
    note = StringField(lazy_gettext("What exactly"), validators=[Optional(), Length(max=500)])


class ResolveForm(StepForm):
    """Resolve a complaint: the amends made and what was promised."""

    amends = FieldList(FormField(AmendRow), min_entries=AMEND_ROWS, max_entries=AMEND_ROWS)
    promise = TextAreaField(
        lazy_gettext("What was promised (the floor will see it)"), validators=[Optional(), Length(max=1000)]
    )


class FollowUpForm(StepForm):
    """The call back after a resolved complaint."""

    outcome = RadioField(
        lazy_gettext("Outcome"), choices=choices([(o, OUTCOME_NAMES[o]) for o in OUTCOME_NAMES]), default="satisfied"
    )


class CloseForm(StepForm):
    """Close a complaint that cannot be resolved."""

    reason = TextAreaField(lazy_gettext("Why it cannot be resolved"), validators=[DataRequired(), Length(max=1000)])


class LinkForm(Form):
    """Link anonymous feedback to the guest picked from a search."""

    guest_id = HiddenField()
