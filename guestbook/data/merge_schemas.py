"""The merge request body: the other guest's id and, per guest field, whose value to keep."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from guestbook.errors import MAX_URL_ID

Choice = Literal["keep", "other"] | None


class MergeFields(BaseModel):
    """Whose value each field takes: ``keep`` (the survivor's) or ``other``; a field not sent follows the rules."""

    model_config = ConfigDict(extra="forbid")

    given_name: Choice = None
    family_name: Choice = None
    preferred_name: Choice = None
    pronunciation: Choice = None
    salutation: Choice = None
    language: Choice = None
    email: Choice = None
    phone: Choice = None
    address: Choice = None
    birthday: Choice = None
    anniversary: Choice = None
    company: Choice = None
    vip_level: Choice = None
    marketing_consent: Choice = None
    do_not_contact: Choice = None
    notes: Choice = None


class GuestMergeIn(BaseModel):
    """Merge the guest ``other_id`` into the guest in the path."""

    model_config = ConfigDict(extra="forbid")

    other_id: int = Field(ge=1, le=MAX_URL_ID, description="the guest merged away (its id then answers 404)")
    fields: MergeFields = Field(default_factory=MergeFields)

    def choices(self) -> dict[str, str]:
        """The fields a person chose, as ``{field: "keep" | "other"}``."""
        return {name: value for name, value in self.fields.model_dump().items() if value is not None}
