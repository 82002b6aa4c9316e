"""Input shapes shared by the JSON API and the web forms: one set of validation rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from guestbook.admin.schemas import OutletCode
from guestbook.errors import MAX_ID
from guestbook.guests.models import ALLERGY_SEVERITIES, PREFERENCE_CATEGORIES
from guestbook.i18n import lazy_gettext
from guestbook.text import CONTROL_CLASS, NOT_BLANK_PATTERN, SPACE_CLASS, Text
from guestbook.validation import Language, one_of

_MONTH_DAY = re.compile(r"^--([0-9]{2})-([0-9]{2})$")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Short = Annotated[str, Field(max_length=120)]

# Regular expressions the stripped text must match; the OpenAPI document carries the same ones.
EMAIL_CORE = f"[^@{SPACE_CLASS}{CONTROL_CLASS}]+@[^@{SPACE_CLASS}{CONTROL_CLASS}]+\\.[^@{SPACE_CLASS}{CONTROL_CLASS}]+"
_PHONE_MARK = f"[+()./{SPACE_CLASS}-]"
PHONE_CORE = f"{_PHONE_MARK}*(?:[0-9]{_PHONE_MARK}*){{4,}}"
_DAY_31 = r"(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
_DAY_30 = r"(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
_MONTH_DAY_ANY = f"(?:{_DAY_31}|{_DAY_30}|02-(?:0[1-9]|1[0-9]|2[0-9]))"
_MONTH_DAY_COMMON = f"(?:{_DAY_31}|{_DAY_30}|02-(?:0[1-9]|1[0-9]|2[0-8]))"
_LEAP_YEAR = r"(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))"
# --MM-DD (any real day, 29 February too), or a real YYYY-MM-DD from 1900 (not after today: checked in code).
PARTIAL_DATE_CORE = f"--{_MONTH_DAY_ANY}|(?:19|20)[0-9]{{2}}-{_MONTH_DAY_COMMON}|{_LEAP_YEAR}-02-29"
# A real instant from 1900 to 2099 with seconds and a UTC offset, as RFC 3339 writes it (not after a day ahead: code).
_HOUR_MINUTE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
DATE_TIME_PATTERN = (
    f"^(?:(?:19|20)[0-9]{{2}}-{_MONTH_DAY_COMMON}|{_LEAP_YEAR}-02-29)"
    f"T{_HOUR_MINUTE}:[0-5][0-9](?:\\.[0-9]{{1,6}})?(?:Z|[+-]{_HOUR_MINUTE})$"
)
DATE_TIME_HELP = "ISO 8601 with seconds and a UTC offset, e.g. 2026-11-21T19:30:00+07:00"


def _date_time_text(value: Any) -> Any:
    """Text dates must be written exactly as the document says (the parser alone would take 19:30Z or a space)."""
    if isinstance(value, str):
        if not re.fullmatch(DATE_TIME_PATTERN, value):
            raise ValueError(f"use {DATE_TIME_HELP}")
        return datetime.fromisoformat(value)  # parsed here: a strict model takes no text after this step
    return value


DateTimeText = Annotated[
    datetime,
    BeforeValidator(_date_time_text),
    WithJsonSchema({"type": "string", "pattern": DATE_TIME_PATTERN, "description": DATE_TIME_HELP}),
]
PARTIAL_DATE_HELP = "YYYY-MM-DD (1900 to today), or --MM-DD when the year is unknown"
SPEND_CORE = r"[0-9]{1,10}(?:\.[0-9]{1,2})?"
Email = Annotated[str, Text(254, core=EMAIL_CORE, message=lazy_gettext("not an email address"))]
PHONE_HELP = lazy_gettext("digits, spaces and + ( ) - . / only; 4 digits at least")
Phone = Annotated[str, Text(40, core=PHONE_CORE, message=PHONE_HELP)]
COUNTRY_HELP = lazy_gettext("use the two-letter country code, e.g. TH")
SPEND_HELP = lazy_gettext("a decimal amount such as 1250.00")
PartialDateText = Annotated[str, Text(10, core=PARTIAL_DATE_CORE, message=PARTIAL_DATE_HELP)]
MAX_VISIT_AHEAD = timedelta(days=1)  # clocks differ; a visit dated later than this is a typo (9999-12-31)


def _property_today() -> date:
    """Today at the property; the UTC date outside an app context (no database to ask)."""
    from flask import has_app_context

    if not has_app_context():
        return datetime.now(UTC).date()
    from guestbook.admin.outlets import property_today  # late: reservations imports this module

    return property_today()


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
        if not ISO_DATE.fullmatch(value):
            raise ValueError  # fromisoformat also takes 20260101 and week dates; the API says YYYY-MM-DD
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("use YYYY-MM-DD, or --MM-DD when the year is unknown") from None
    if parsed.year < 1900 or parsed > _property_today():
        raise ValueError("the year must be between 1900 and today")
    return PartialDate(month=parsed.month, day=parsed.day, year=parsed.year)


class AddressIn(BaseModel):
    """A postal address for letters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line1: Annotated[str, Text(200)] = ""
    line2: Annotated[str, Text(200)] = ""
    city: Annotated[str, Text(120)] = ""
    region: Annotated[str, Text(120)] = ""
    postal_code: Annotated[str, Text(20)] = ""
    country: Annotated[str, Text(2, core="[A-Za-z]{2}", message=COUNTRY_HELP)] = Field(
        default="", description="ISO 3166-1 alpha-2"
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError("use the two-letter country code, e.g. TH")
        return value.upper()


class AllergyIn(BaseModel):
    """An allergy or dietary restriction."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    allergen: Annotated[str, Text(120, required=True)]
    severity: str = Field(default="severe", json_schema_extra={"enum": list(ALLERGY_SEVERITIES)})
    note: Annotated[str, Text(500)] = ""

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return one_of(value, ALLERGY_SEVERITIES)


class GuestFields(BaseModel):
    """Every editable field of a guest; all optional so PATCH can send only what changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: Annotated[str, Text(120)] | None = None
    family_name: Annotated[str, Text(120)] | None = None
    preferred_name: Annotated[str, Text(120)] | None = None
    pronunciation: Annotated[str, Text(200)] | None = None
    salutation: Annotated[str, Text(40)] | None = None
    language: Language | None = Field(default=None, description="BCP-47 tag, e.g. en, zh-Hans, ja")
    email: Email | None = None
    phone: Phone | None = None
    address: AddressIn | None = None
    birthday: PartialDateText | None = Field(default=None, description=PARTIAL_DATE_HELP)
    anniversary: PartialDateText | None = Field(default=None, description=PARTIAL_DATE_HELP)
    company: Annotated[str, Text(200)] | None = None
    vip_level: int | None = Field(default=None, ge=0, le=5)
    marketing_consent: bool | None = None
    do_not_contact: bool | None = None
    notes: Annotated[str, Text(10_000)] | None = None
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


def one_name_required(*names: str) -> dict[str, Any]:
    """JSON Schema: at least one of these fields holds a name (something besides spaces)."""
    text = {"type": "string", "pattern": NOT_BLANK_PATTERN}
    return {"anyOf": [{"required": [name], "properties": {name: text}} for name in names]}


class GuestCreate(GuestFields):
    """A new guest: at least one name is required."""

    model_config = ConfigDict(json_schema_extra=one_name_required("given_name", "family_name", "preferred_name"))

    @model_validator(mode="after")
    def _named(self) -> GuestCreate:
        if not (self.given_name or self.family_name or self.preferred_name):
            raise ValueError("a guest needs a given, family or preferred name")
        return self


class GuestPatch(GuestFields):
    """A change to a guest; ``version`` must be the version the client last read."""

    version: int = Field(ge=1, le=MAX_ID)


class VisitCreate(BaseModel):
    """A visit logged by a tablet or a point-of-sale system."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outlet: OutletCode = Field(description="outlet code")
    visited_at: DateTimeText = Field(description=f"{DATE_TIME_HELP}; from 1900 to at most a day ahead")
    table: Annotated[str, Text(40)] = ""
    party_size: int = Field(default=1, ge=1, le=500)
    items: list[Annotated[str, Text(120, required=True)]] = Field(default_factory=list, max_length=100)
    spend: Annotated[str, Text(20, core=SPEND_CORE, message=SPEND_HELP)] | None = Field(
        default=None, description="decimal string, e.g. 1250.00 (at most 2 decimals, under 10,000,000,000)"
    )
    notes: Annotated[str, Text(5000)] = ""
    confirm_sensitive: bool = Field(
        default=False, description="true saves notes that hold sensitive words (without it: 422 naming them)"
    )
    reservation_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="the guest's booking this visit honours; a booked one becomes arrived",
    )

    @field_validator("visited_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("include the UTC offset, e.g. 2026-11-21T19:30:00+07:00")
        if value.year < 1900 or value > datetime.now(UTC) + MAX_VISIT_AHEAD:
            raise ValueError("a visit must be after 1900 and at most a day in the future")
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


class PreferenceCreate(BaseModel):
    """A preference recorded by staff."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: str
    value: Annotated[str, Text(200, required=True)]
    outlet: str | None = None
    note: Annotated[str, Text(500)] = ""
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
