"""Request bodies of the segments endpoints (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from guestbook.segments.models import INFLUENCE_KINDS
from guestbook.text import Text


class TierOverrideIn(BaseModel):
    """A tier set by hand, with the reason (required): influence that spend does not show."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tier: Literal["A", "B", "C"]
    reason: Annotated[str, Text(500, required=True)]
    influence: Literal[INFLUENCE_KINDS] | Literal[""] | None = Field(  # type: ignore[valid-type]
        default=None, description="press, critic, official, travel_trade, community or other; empty clears it"
    )
