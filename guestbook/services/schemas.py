"""Input shapes shared by the JSON API and the web forms: one set of validation rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..models import ALLERGY_SEVERITIES, OUTLET_KINDS, PREFERENCE_CATEGORIES

_MONTH_DAY = re.compile(r"^--(\d{2})-(\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Short = Annotated[str, Field(max_length=120)]


def one_of(value: str, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``; else the error message that lists them."""
    if value not in allowed:
        raise ValueError(f"one of {', '.join(allowed)}")
    return value


class PartialDate(BaseModel):
    """A date whose year may be unknown (birthdays, anniversaries)."""

    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        """``YYYY-MM-DD`` when the year is known, else ``--MM-DD``."""
        if self.year:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"--{self.month:02d}-{self.day:02d}"


def parse_partial_date(value: str) -> PartialDate:
    """Parse ``YYYY-MM-DD`` or ``--MM-DD``; raise ValueError with a message staff can act on."""
    value = value.strip()
    match = _MONTH_DAY.match(value)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2000, month, day)  # a leap year, so --02-29 is accepted
        except ValueError:
            raise ValueError("not a real month and day") from None
        return PartialDate(month=month, day=day)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("use YYYY-MM-DD, or --MM-DD when the year is unknown") from None
    if parsed.year < 1900 or parsed > date.today():
        raise ValueError("the year must be between 1900 and today")
    return PartialDate(month=parsed.month, day=parsed.day, year=parsed.year)


class AddressIn(BaseModel):
    """A postal address for letters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line1: str = Field(default="", max_length=200)
    line2: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=120)
    region: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(default="", max_length=2, description="ISO 3166-1 alpha-2")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError("use the two-letter country code, e.g. TH")
        return value.upper()


class AllergyIn(BaseModel):
    """An allergy or dietary restriction."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    allergen: str = Field(min_length=1, max_length=120)
    severity: str = Field(default="severe", json_schema_extra={"enum": list(ALLERGY_SEVERITIES)})
    note: str = Field(default="", max_length=500)

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return one_of(value, ALLERGY_SEVERITIES)


class GuestFields(BaseModel):
    """Every editable field of a guest; all optional so PATCH can send only what changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: str | None = Field(default=None, max_length=120)
    family_name: str | None = Field(default=None, max_length=120)
    preferred_name: str | None = Field(default=None, max_length=120)
    pronunciation: str | None = Field(default=None, max_length=200)
    salutation: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=35, description="BCP-47 tag, e.g. en, zh-Hans, ja")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    address: AddressIn | None = None
    birthday: str | None = Field(default=None, description="YYYY-MM-DD, or --MM-DD when the year is unknown")
    anniversary: str | None = Field(default=None, description="YYYY-MM-DD, or --MM-DD when the year is unknown")
    company: str | None = Field(default=None, max_length=200)
    vip_level: int | None = Field(default=None, ge=0, le=5)
    marketing_consent: bool | None = None
    do_not_contact: bool | None = None
    notes: str | None = Field(default=None, max_length=10_000)
    allergies: list[AllergyIn] | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value and not _LANG.match(value):
            raise ValueError("use a BCP-47 language tag such as en, th, zh-Hans or ja")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            raise ValueError("not an email address")
        return value.lower() if value else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[0-9+()./\s-]{4,40}", value):
            raise ValueError("digits, spaces and + ( ) - . / only")
        if value and sum(ch.isdigit() for ch in value) < 4:
            raise ValueError("too few digits")
        return value

    @field_validator("birthday", "anniversary")
    @classmethod
    def _partial_date(cls, value: str | None) -> str | None:
        if value:
            return parse_partial_date(value).iso()
        return value


class GuestCreate(GuestFields):
    """A new guest: at least one name is required."""

    @model_validator(mode="after")
    def _named(self) -> GuestCreate:
        if not (self.given_name or self.family_name or self.preferred_name):
            raise ValueError("a guest needs a given, family or preferred name")
        return self


class GuestPatch(GuestFields):
    """A change to a guest; ``version`` must be the version the client last read."""

    version: int = Field(ge=1)


class VisitCreate(BaseModel):
    """A visit logged by a tablet or a point-of-sale system."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outlet: str = Field(min_length=1, max_length=32, description="outlet code")
    visited_at: datetime = Field(description="ISO 8601 with a UTC offset")
    table: str = Field(default="", max_length=40)
    party_size: int = Field(default=1, ge=1, le=500)
    items: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(default_factory=list, max_length=100)
    spend: str | None = Field(default=None, description="decimal string, e.g. 1250.00")
    notes: str = Field(default="", max_length=5000)

    @field_validator("visited_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("include the UTC offset, e.g. 2026-11-21T19:30:00+07:00")
        return value

    @field_validator("spend")
    @classmethod
    def _spend(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("a decimal amount such as 1250.00") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            raise ValueError("a non-negative amount")
        return str(amount.quantize(Decimal("0.01")))

    def spend_decimal(self) -> Decimal | None:
        """Spend as a Decimal (never a float)."""
        return Decimal(self.spend) if self.spend is not None else None


class OutletCreate(BaseModel):
    """A new outlet."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="short code, e.g. terrace")
    name: Short = Field(min_length=1)
    kind: str = Field(default="restaurant", json_schema_extra={"enum": list(OUTLET_KINDS)})

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return one_of(value, OUTLET_KINDS)


class PreferenceCreate(BaseModel):
    """A preference recorded by staff."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: str
    value: str = Field(min_length=1, max_length=200)
    outlet: str | None = None
    note: str = Field(default="", max_length=500)
    source: str = "observed"

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        return one_of(value, PREFERENCE_CATEGORIES)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value not in ("stated", "observed"):
            raise ValueError("stated or observed")
        return value


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Flatten pydantic errors to ``{"field.path": "message"}`` for API bodies and forms."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        errors.setdefault(loc, message)
    return errors
