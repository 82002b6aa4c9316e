"""The rows of an import: our columns per kind, and each row's cells checked into the values we store.

Each ``check_*`` function turns one row's cells into those values, or into problems ``(field, value,
reason)``, checked the way the API checks them (``import_parse`` reads dates, booleans and text); it
never touches the database (lookups are passed in).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from guestbook.data.import_parse import parse_bool, parse_datetime, partial_date_parts, text
from guestbook.guests.schemas import (
    COUNTRY_HELP,
    EMAIL_CORE,
    MAX_VISIT_AHEAD,
    PHONE_HELP,
    SPEND_HELP,
)
from guestbook.i18n import gettext
from guestbook.validation import LANGUAGE_CORE, LANGUAGE_HELP

GUEST_COLUMNS = (
    "source_id",
    "given_name",
    "family_name",
    "preferred_name",
    "email",
    "phone",
    "birthday",
    "anniversary",
    "language",
    "salutation",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "company",
    "vip_level",
    "marketing_consent",
    "do_not_contact",
    "notes",
)
VISIT_COLUMNS = (
    "source_id",
    "guest_source_id",
    "outlet",
    "visited_at",
    "table",
    "party_size",
    "items",
    "spend",
    "currency",
    "notes",
)
COLUMNS = {"guests": GUEST_COLUMNS, "visits": VISIT_COLUMNS}
REQUIRED = {"guests": ("source_id",), "visits": ("source_id", "guest_source_id", "outlet", "visited_at")}

Problem = tuple[str, str, str]  # (our field, value, reason)

_EMAIL = re.compile(EMAIL_CORE)
_PHONE = re.compile(r"[0-9+()./\s-]{4,40}")
_LANGUAGE = re.compile(LANGUAGE_CORE)
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_SPEND = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")


@dataclass(frozen=True)
class Column:
    """One column of the file: its place, its header and the field it fills."""

    index: int
    header: str
    field: str


def _email(raw: str) -> str | None:
    value = text(raw, 254)
    if not value:
        return None
    if not _EMAIL.fullmatch(value):
        raise ValueError(gettext("not an email address"))
    return value.lower()


def _phone(raw: str) -> str | None:
    value = text(raw, 40)
    if not value:
        return None
    if not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 4:
        raise ValueError(str(PHONE_HELP))
    return value


def _language(raw: str) -> str:
    value = text(raw, 35)
    if value and not _LANGUAGE.fullmatch(value):
        raise ValueError(str(LANGUAGE_HELP))
    return value or "en"


def _country(raw: str) -> str:
    value = text(raw, 2) if len(raw.strip()) <= 2 else ""
    if raw.strip() and not _COUNTRY.fullmatch(raw.strip()):
        raise ValueError(str(COUNTRY_HELP))
    return value.upper()


def _vip(raw: str) -> int:
    value = raw.strip()
    if not value:
        return 0
    if not value.isdigit() or not 0 <= int(value) <= 5:
        raise ValueError(gettext("a whole number from 0 to 5"))
    return int(value)


# Guest field -> (the Guest column it fills, its parser); birthday and anniversary fill three columns.
_GUEST_TEXT: dict[str, tuple[str, int]] = {
    "given_name": ("given_name", 120),
    "family_name": ("family_name", 120),
    "preferred_name": ("preferred_name", 120),
    "salutation": ("salutation", 40),
    "address_line1": ("address_line1", 200),
    "address_line2": ("address_line2", 200),
    "city": ("address_city", 120),
    "region": ("address_region", 120),
    "postal_code": ("address_postal_code", 20),
    "company": ("company", 200),
    "notes": ("notes", 10_000),
}
_GUEST_OTHER: dict[str, tuple[str, Callable[[str], Any]]] = {
    "email": ("email", _email),
    "phone": ("phone", _phone),
    "language": ("language", _language),
    "country": ("address_country", _country),
    "vip_level": ("vip_level", _vip),
    "marketing_consent": ("marketing_consent", parse_bool),
    "do_not_contact": ("do_not_contact", parse_bool),
}


def empty_guest() -> dict[str, Any]:
    """A guest's imported values when every cell is empty."""
    values: dict[str, Any] = {column: "" for column, _limit in _GUEST_TEXT.values()}
    values.update(email=None, phone=None, phone_digits=None, language="en", address_country="", vip_level=0)
    values.update(marketing_consent=False, do_not_contact=False)
    for kind in ("birthday", "anniversary"):
        values.update({f"{kind}_month": None, f"{kind}_day": None, f"{kind}_year": None})
    return values


def check_guest(
    cells: Sequence[str], columns: Sequence[Column], order: str, today: date
) -> tuple[str, dict[str, Any], list[Problem]]:
    """One guest row: its source id, the Guest column values, and the problems found."""
    values = empty_guest()
    problems: list[Problem] = []
    source_id = ""
    width = len(cells)
    for col in columns:
        raw = cells[col.index] if col.index < width else ""
        field = col.field
        try:
            if field == "source_id":
                source_id = text(raw, 120)
                if not source_id:
                    problems.append((field, raw, gettext("required")))
            elif field in _GUEST_TEXT:
                column, limit = _GUEST_TEXT[field]
                values[column] = text(raw, limit)
            elif field in _GUEST_OTHER:
                column, parse = _GUEST_OTHER[field]
                values[column] = parse(raw)
            else:  # birthday, anniversary
                month, day, year = partial_date_parts(raw, order, today)
                values.update({f"{field}_month": month, f"{field}_day": day, f"{field}_year": year})
        except ValueError as exc:
            problems.append((field, raw, str(exc)))
    if values["phone"]:
        values["phone_digits"] = re.sub(r"\D", "", values["phone"]) or None
    if not problems and not (values["given_name"] or values["family_name"] or values["preferred_name"]):
        named = next((c.field for c in columns if c.field in ("given_name", "family_name", "preferred_name")), "")
        problems.append((named or "source_id", "", gettext("a guest needs a given, family or preferred name")))
    return source_id, values, problems


@dataclass(frozen=True)
class VisitLookups:
    """What a visit row is checked against: outlets by code or name, the property's zone and currency."""

    outlets: dict[str, int]  # code and lower-cased name -> outlet id
    zone: ZoneInfo
    currency: str
    now: datetime


# A checked visit, compact (a million of them pass through): outlet id, visited_at in microseconds since
# the Unix epoch (UTC), table, party size, items, spend as decimal text or None, currency, notes.
VisitValues = tuple[Any, ...]
VisitChecker = Callable[[Sequence[str]], tuple[str, str, VisitValues, list[Problem]]]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    """An instant from microseconds since the Unix epoch (UTC)."""
    return EPOCH + micros * MICROSECOND


def visit_checker(columns: Sequence[Column], order: str, lookups: VisitLookups) -> VisitChecker:
    """A function checking one visit row (built once per file: a million rows make the dispatch count).

    It returns the row's source id, its guest's source id, the Visit column values and the problems found.
    """
    outlets, zone, latest = lookups.outlets, lookups.zone, lookups.now + MAX_VISIT_AHEAD

    def outlet(raw: str, values: dict[str, Any]) -> None:
        key = raw.strip()
        found = outlets.get(key) or outlets.get(key.lower())
        if found is None:
            raise ValueError(gettext("no outlet with this code or name"))
        values["outlet_id"] = found

    def visited_at(raw: str, values: dict[str, Any]) -> None:
        at = parse_datetime(raw, order, zone).astimezone(UTC)
        if at.year < 1900 or at > latest:
            raise ValueError(gettext("a visit must be after 1900 and at most a day in the future"))
        values["visited_at"] = at

    def party_size(raw: str, values: dict[str, Any]) -> None:
        size = raw.strip()
        if size:
            if not size.isdigit() or not 1 <= int(size) <= 500:
                raise ValueError(gettext("a whole number from 1 to 500"))
            values["party_size"] = int(size)

    def items(raw: str, values: dict[str, Any]) -> None:
        if raw:
            found = tuple(item for item in (text(part, 120) for part in raw.split(";")) if item)
            if len(found) > 100:
                raise ValueError(gettext("at most 100 items"))
            values["items"] = found

    def currency(raw: str, values: dict[str, Any]) -> None:
        code = raw.strip()
        if code:
            if not _CURRENCY.fullmatch(code):
                raise ValueError(gettext("a three-letter currency code such as THB"))
            values["currency"] = code.upper()

    def plain(name: str, limit: int) -> Callable[[str, dict[str, Any]], None]:
        def check(raw: str, values: dict[str, Any]) -> None:
            value = text(raw, limit)
            if limit == 120 and not value:
                raise ValueError(gettext("required"))
            values[name] = value

        return check

    def spend(raw: str, values: dict[str, Any]) -> None:
        amount = _spend(raw)
        values["spend"] = None if amount is None else str(amount)

    handlers: dict[str, Callable[[str, dict[str, Any]], None]] = {
        "source_id": plain("source_id", 120),
        "guest_source_id": plain("guest_source_id", 120),
        "outlet": outlet,
        "visited_at": visited_at,
        "table": plain("table", 40),
        "party_size": party_size,
        "items": items,
        "spend": spend,
        "currency": currency,
        "notes": plain("notes", 5000),
    }
    plan = [(col.index, col.field, handlers[col.field]) for col in columns]
    default_currency = lookups.currency

    def check(cells: Sequence[str]) -> tuple[str, str, VisitValues, list[Problem]]:
        values: dict[str, Any] = {
            "table": "",
            "party_size": 1,
            "items": (),
            "spend": None,
            "currency": default_currency,
            "notes": "",
        }
        problems: list[Problem] = []
        width = len(cells)
        for index, name, handler in plan:
            raw = cells[index] if index < width else ""
            try:
                handler(raw, values)
            except ValueError as exc:
                problems.append((name, raw, str(exc)))
        if problems:
            return values.get("source_id", ""), values.get("guest_source_id", ""), (), problems
        packed = (
            values["outlet_id"],
            (values["visited_at"] - EPOCH) // MICROSECOND,
            values["table"],
            values["party_size"],
            values["items"],
            values["spend"],
            values["currency"],
            values["notes"],
        )
        return values["source_id"], values["guest_source_id"], packed, problems

    return check


def _spend(raw: str) -> Decimal | None:
    value = raw.strip()
    if not value:
        return None
    if not _SPEND.fullmatch(value):
        raise ValueError(str(SPEND_HELP))
    try:
        return Decimal(value)  # at most two decimals (the pattern): stored as given
    except InvalidOperation:
        raise ValueError(str(SPEND_HELP)) from None


def visit_fingerprint(values: VisitValues, guest_id: int) -> tuple[Any, ...]:
    """What makes two versions of an imported visit the same (to the second; spend to the cent)."""
    outlet_id, micros, table, party_size, items, spend, currency, notes = values
    amount = None if spend is None else Decimal(spend).quantize(Decimal("0.01"))
    return (guest_id, outlet_id, micros // 1_000_000, table, party_size, tuple(items), amount, currency, notes)


def stored_visit_values(row: Any) -> VisitValues:
    """A stored visit (a row with the Visit columns) in the compact form ``visit_checker`` gives."""
    return (
        row.outlet_id,
        (row.visited_at - EPOCH) // MICROSECOND,
        row.table,
        row.party_size,
        tuple(row.items or ()),
        None if row.spend is None else str(row.spend),
        row.currency,
        row.notes,
    )


def now_utc() -> datetime:
    """The current instant (a function so one value is used for a whole file)."""
    return datetime.now(UTC)


def _shown(value: str) -> str:
    shown = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in value[:100])
    return shown + ("…" if len(value) > 100 else "")


def error_line(row: int, header: str, value: str, reason: str) -> str:
    """``row N, column C: value 'V': reason`` — the one form every import error takes."""
    return f"row {row}, column {header}: value '{_shown(value)}': {reason}"
