"""Reading the values of import cells: dates in the common forms (with a day/month order per source),
instants in the property's time, booleans, and free text checked the way the API checks it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from guestbook.guests.schemas import parse_partial_date
from guestbook.i18n import gettext, ngettext
from guestbook.text import find_control_char

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_XYY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_D_MON_Y = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})")
_MON_D_Y = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})")
_TIME = re.compile(r"(?:^|[T ])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


class Ambiguous(ValueError):
    """03/04/2025 with no day/month order set for the source."""


def parse_date(raw: str, order: str) -> date:
    """A calendar date in one of the common forms (ISO, 03/04/2025 in the source's order, 3 Apr 2025)."""
    s = raw.strip()
    if m := _YMD.fullmatch(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _XYY.fullmatch(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if order == "DMY" or (order == "YMD" and a > 12):
            d, mo = a, b
        elif order == "MDY" or (order == "YMD" and b > 12) or a == b:
            mo, d = a, b
        else:
            raise Ambiguous(gettext("day and month are ambiguous: set the date order for this source (DMY or MDY)"))
    elif m := _D_MON_Y.fullmatch(s):
        d, mo, y = int(m[1]), _MONTHS.get(m[2].lower(), 0), int(m[3])
    elif m := _MON_D_Y.fullmatch(s):
        mo, d, y = _MONTHS.get(m[1].lower(), 0), int(m[2]), int(m[3])
    else:
        raise ValueError(gettext("not a date"))
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(gettext("not a date")) from None


def parse_datetime(raw: str, order: str, zone: ZoneInfo) -> datetime:
    """An instant: a date with an optional time and offset; without an offset it is the property's local time."""
    s = raw.strip()
    if _ISO_START.match(s):
        try:
            value = datetime.fromisoformat(s)
        except ValueError:
            value = None
        if value is not None:
            return value.replace(tzinfo=zone) if value.tzinfo is None else value
    found = _TIME.search(s)
    hour = minute = second = micro = 0
    offset: str | None = None
    if found:
        hour, minute = int(found[1]), int(found[2])
        second = int(found[3] or 0)
        micro = int((found[4] or "0").ljust(6, "0"))
        offset = found[5]
        s = s[: found.start()].strip()
    day = parse_date(s, order)
    try:
        value = datetime(day.year, day.month, day.day, hour, minute, second, micro)
    except ValueError:
        raise ValueError(gettext("not a time")) from None
    if offset is None:
        return value.replace(tzinfo=zone)
    return datetime.fromisoformat(f"{value.isoformat()}{'+00:00' if offset == 'Z' else _full_offset(offset)}")


def _full_offset(offset: str) -> str:
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{(digits[2:] or '00')}"


def parse_bool(raw: str) -> bool:
    """true/false, yes/no, y/n, 1/0 in any case; empty is false."""
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(gettext("use true or false (yes/no, 1/0)"))


def text(raw: str, limit: int) -> str:
    """Free text: control characters refused, at most ``limit`` characters, stripped."""
    if raw.isprintable():  # the fast path: most cells are short printable text
        if len(raw) <= limit:
            return raw.strip()
    else:
        bad = find_control_char(raw)
        if bad is not None:
            raise ValueError(gettext("control characters are not allowed (found %(char)s)", char=bad))
    value = raw.strip()
    if len(value) > limit:
        raise ValueError(ngettext("at most %(num)d character", "at most %(num)d characters", limit))
    return value


def partial_date_parts(raw: str, order: str, today: date) -> tuple[int | None, int | None, int | None]:
    """A birthday or anniversary: ``--MM-DD``, or a full date from 1900 to today (as the API accepts)."""
    value = raw.strip()
    if not value:
        return None, None, None
    if value.startswith("--"):
        parsed = parse_partial_date(value)  # no year: checked without asking the database for "today"
        return parsed.month, parsed.day, None
    day = parse_date(value, order)  # "not a date", or the day/month order is ambiguous
    if day.year < 1900 or day > today:
        raise ValueError(gettext("the year must be between 1900 and today"))
    return day.month, day.day, day.year
