"""Request bodies of the tag endpoints (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from guestbook.guests.tags import COLOR_PATTERN, MAX_NAME, MAX_TAGS_PER_GUEST
from guestbook.text import Text

TagName = Annotated[str, Text(MAX_NAME, required=True)]


class TagCreate(BaseModel):
    """A new tag: its name (unique whatever the case) and its colour."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: TagName
    color: Annotated[str, Field(pattern=COLOR_PATTERN, description="#rrggbb")] = "#6b7280"


class GuestTagsIn(BaseModel):
    """The guest's tags after the change (names of defined tags, any case)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tags: Annotated[list[TagName], Field(max_length=MAX_TAGS_PER_GUEST)]
