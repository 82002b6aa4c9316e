"""The sundown rule: a complaint is acknowledged before the end of the property-local business day on which it was
reported; one reported after the business day ended is due at the end of the next one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from guestbook.admin.settings import DEFAULTS, get_setting
from guestbook.relations.models import Feedback

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _wall_clock(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) the property's clock shows ``at`` on ``day``.

    A wall time repeated when clocks go back counts at its first occurrence (``fold=0``); one skipped when
    clocks go forward is read with the offset before the change, so it falls an hour after the gap.
    """
    return datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


def due_by(reported_at: datetime, tz: ZoneInfo, business_day_end: time) -> datetime:
    """The first business-day end strictly after ``reported_at`` (UTC): the same local day's when it is still
    ahead, else the next day's. With an end after midnight (02:00) a complaint at 23:00 Monday and one at 01:00
    Tuesday are both due 02:00 Tuesday."""
    if reported_at.tzinfo is None:
        raise ValueError("reported_at must carry its UTC offset")
    instant = reported_at.astimezone(UTC)
    local_day = instant.astimezone(tz).date()
    # Compared in UTC: aware datetimes sharing one tzinfo compare by wall time, which is wrong across a change.
    for offset in range(3):
        candidate = _wall_clock(local_day + timedelta(days=offset), business_day_end, tz)
        if candidate > instant:
            return candidate
    raise AssertionError("a business day ends within three days")  # pragma: no cover


def parse_clock(value: object) -> time | None:
    """``HH:MM`` (24-hour) as a time, or None when ``value`` is not one."""
    match = _CLOCK.match(str(value).strip()) if isinstance(value, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else None


def business_day_end() -> time:
    """The setting ``relations_business_day_end`` (``HH:MM``, property time); its default when unreadable."""
    found = parse_clock(get_setting("relations_business_day_end"))
    if found is not None:
        return found
    default = parse_clock(DEFAULTS["relations_business_day_end"])
    assert default is not None
    return default


def is_overdue(feedback: Feedback, now: datetime) -> bool:
    """A complaint still ``open`` (nobody acknowledged it) after its sundown deadline."""
    return (
        feedback.kind == "complaint"
        and feedback.status == "open"
        and feedback.due_by is not None
        and now.astimezone(UTC) > feedback.due_by.astimezone(UTC)
    )
