"""Request bodies of the feedback endpoints (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from guestbook.admin.schemas import OutletCode
from guestbook.errors import MAX_ID
from guestbook.guests.schemas import DATE_TIME_HELP, SPEND_CORE, SPEND_HELP, DateTimeText
from guestbook.relations.models import AMEND_KINDS, CATEGORIES, CHANNELS, FEEDBACK_KINDS, OUTCOMES, SEVERITIES
from guestbook.text import Text

Kind = Literal["complaint", "compliment"]
Category = Literal["food", "service", "room", "cleanliness", "noise", "billing", "wait", "other"]
Severity = Literal["minor", "major", "critical"]
Channel = Literal["in_person", "phone", "email", "review_site", "letter", "other"]
AmendKind = Literal["apology", "comped_item", "discount", "upgrade", "gift", "refund"]
Outcome = Literal["satisfied", "unsatisfied"]
# The literals above are the models' constants written out (mypy needs them spelled); they must stay the same.
for _literal, _values in (
    (Kind, FEEDBACK_KINDS),
    (Category, CATEGORIES),
    (Severity, SEVERITIES),
    (Channel, CHANNELS),
    (AmendKind, AMEND_KINDS),
    (Outcome, OUTCOMES),
):
    assert get_args(_literal) == _values, _values

Note = Annotated[str, Text(2000)]
Version = Field(
    default=None, ge=1, le=MAX_ID, description="the feedback's version as last read: a stale one answers 409"
)


class FeedbackCreate(BaseModel):
    """A complaint or a compliment, in the guest's words."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Kind
    category: Category = "other"
    severity: Severity = "minor"
    channel: Channel = "in_person"
    text: Annotated[str, Text(5000, required=True)] = Field(description="the guest's words")
    outlet: OutletCode | None = Field(default=None, description="outlet code")
    reported_at: DateTimeText | None = Field(
        default=None, description=f"{DATE_TIME_HELP}; default now (reviews and PMS notes often arrive later)"
    )
    staff_involved: Annotated[str, Text(300)] = ""
    owner: int | None = Field(default=None, ge=1, le=MAX_ID, description="id of the member of staff who owns it")

    @field_validator("reported_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("include the UTC offset, e.g. 2026-11-21T19:30:00+07:00")
        return value


class StepIn(BaseModel):
    """A workflow step: an optional note for the internal discussion, and the version the manager acted on."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Note = ""
    version: int | None = Version


class AcknowledgeIn(StepIn):
    """Acknowledge a complaint (the sundown rule's step)."""


class AmendIn(BaseModel):
    """One amend made: an apology, a comped item, a discount…, with its value when it has one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AmendKind
    value: Annotated[str, Text(20, core=SPEND_CORE, message=SPEND_HELP)] | None = Field(
        default=None, description="decimal string, e.g. 250.00 (at most 2 decimals)"
    )
    note: Annotated[str, Text(500)] = ""

    @field_validator("value")
    @classmethod
    def _decimal(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError(str(SPEND_HELP)) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            raise ValueError("a non-negative amount")
        return str(amount.quantize(Decimal("0.01")))


class ResolveIn(StepIn):
    """Resolve a complaint: the amends made and what was promised for next time."""

    amends: list[AmendIn] = Field(default_factory=list, max_length=20)
    promise: Annotated[str, Text(1000)] = Field(default="", description="what was promised (shown to the floor)")


class FollowUpIn(StepIn):
    """The owner called back: was the guest satisfied?"""

    outcome: Outcome


class CloseIn(StepIn):
    """Close a complaint that cannot be resolved, with the reason."""

    reason: Annotated[str, Text(1000, required=True)]


class LinkIn(BaseModel):
    """Link anonymous feedback to the guest who gave it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    guest_id: int = Field(ge=1, le=MAX_ID)
    note: Note = ""


class NoteIn(BaseModel):
    """A manager's note for the internal discussion, without taking a step."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: Annotated[str, Text(2000, required=True)] = Field(description="the note (managers only)")
