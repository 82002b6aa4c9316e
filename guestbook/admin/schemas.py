"""Validated input for outlets (web form and API alike)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from guestbook.admin.models import OUTLET_KINDS
from guestbook.i18n import lazy_gettext
from guestbook.text import Text
from guestbook.validation import Language, one_of

OUTLET_CODE_CORE = r"[a-z0-9][a-z0-9_-]{0,31}"
OUTLET_CODE_HELP = lazy_gettext("lower-case letters, digits, _ and - (up to 32)")
OutletCode = Annotated[str, Text(32, required=True, core=OUTLET_CODE_CORE, message=OUTLET_CODE_HELP)]


class OutletCreate(BaseModel):
    """A new outlet."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: OutletCode = Field(description="short code, e.g. terrace")
    name: Annotated[str, Text(120, required=True)]
    kind: str = Field(default="restaurant", json_schema_extra={"enum": list(OUTLET_KINDS)})
    language: Language | None = Field(
        default=None,
        description="language of its menu items and table names (BCP-47, e.g. en, de, ja); default: the property's",
    )

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return one_of(value, OUTLET_KINDS)


class OutletPatch(BaseModel):
    """Rename, deactivate or reactivate an outlet, or set its language (only the fields given change)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Text(120, required=True)] | None = None
    active: bool | None = Field(default=None, description="false hides it from the pickers; history keeps it")
    language: Language | None = Field(default=None, description="BCP-47 tag, e.g. en, de, ja")
