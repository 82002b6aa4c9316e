"""Template filters: dates in the property's timezone, "1 year ago", masked contact details."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from flask import Flask, current_app


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["GUESTBOOK_TIMEZONE"])


def local_date(value: datetime | date | None) -> str:
    """``8 June 2025`` in the property's timezone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_tz()).date()
    return format_date(value, "d MMMM y", locale="en")


def local_datetime(value: datetime | None) -> str:
    """``8 June 2025, 19:30`` in the property's timezone."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(_tz()), "d MMMM y, HH:mm", locale="en")


def ago(value: datetime | None) -> str:
    """``1 year ago``, ``3 days ago``, ``today``."""
    if value is None:
        return ""
    delta = value - datetime.now(UTC)
    if -86400 < delta.total_seconds() <= 0:
        return "today"
    return format_timedelta(delta, granularity="day", threshold=1.0, locale="en", add_direction=True)


def partial_date_text(value: str | None) -> str:
    """``--11-27`` → ``27 November``; ``1961-11-27`` → ``27 November 1961``."""
    if not value:
        return ""
    if value.startswith("--"):
        month, day = int(value[2:4]), int(value[5:7])
        return format_date(date(2000, month, day), "d MMMM", locale="en")
    return format_date(date.fromisoformat(value), "d MMMM y", locale="en")


def language_name(tag: str | None) -> str:
    """``zh-Hans`` → ``Chinese (Simplified)``; unknown tags are shown as they are."""
    if not tag:
        return ""
    try:
        return str(Locale.parse(tag.replace("-", "_")).get_display_name("en"))
    except (ValueError, UnknownLocaleError):
        return tag


def register_filters(app: Flask) -> None:
    """Make the filters available in templates."""
    app.add_template_filter(local_date)
    app.add_template_filter(local_datetime)
    app.add_template_filter(ago)
    app.add_template_filter(partial_date_text)
    app.add_template_filter(language_name)
    app.add_template_global(lambda: datetime.now(UTC), "now_utc")
