"""Template filters: dates in the property's timezone, "1 year ago", masked contact details."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_timedelta
from flask import Flask, g, has_request_context

from guestbook.admin.outlets import property_tz
from guestbook.guests import labels
from guestbook.guests.diets import split_allergies
from guestbook.guests.models import Allergy
from guestbook.i18n import babel_locale, day_formatter, format_day, format_day_month, format_time, gettext


def _tz() -> ZoneInfo:
    """The property's timezone (looked up once per request)."""
    if not has_request_context():
        return property_tz()
    tz: ZoneInfo | None = g.get("_property_tz")
    if tz is None:
        tz = g._property_tz = property_tz()
    return tz


def local_date(value: datetime | date | None) -> str:
    """``8 June 2025`` (``8 มิถุนายน พ.ศ. 2568``, ``2025年6月8日``) in the property's timezone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_tz()).date()
    return format_day(value, width="long")


def local_date_formatter() -> Callable[[datetime], str]:
    """``local_date`` for a list of datetimes: the timezone, language and pattern are looked up once."""
    tz, formatted = _tz(), day_formatter("long")
    return lambda value: formatted(value.astimezone(tz).date())


def local_day(value: datetime | date | None) -> str:
    """``25 Nov 2026`` (the short form of ``local_date``, for table columns) in the property's timezone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_tz()).date()
    return format_day(value)


def local_datetime(value: datetime | None) -> str:
    """``8 June 2025, 19:30`` in the property's timezone and the viewer's language."""
    return local_datetime_formatter()(value) if value is not None else ""


def local_datetime_formatter() -> Callable[[datetime], str]:
    """``local_datetime`` for a list of datetimes (a card's history): the timezone, language, pattern and words
    are looked up once (``local_datetime`` is this for one)."""
    tz, day, both = _tz(), day_formatter("long"), gettext("%(date)s, %(time)s")

    def formatted(value: datetime) -> str:
        local = value.astimezone(tz)
        return both % {"date": day(local.date()), "time": format_time(local)}

    return formatted


def ago(value: datetime | None) -> str:
    """``1 year ago``, ``2 days ago``, ``today``: calendar days at the property, not 24-hour spans."""
    if value is None:
        return ""
    tz = _tz()
    days = (value.astimezone(tz).date() - datetime.now(UTC).astimezone(tz).date()).days
    if days == 0:
        return gettext("today")
    return str(
        format_timedelta(
            timedelta(days=days), granularity="day", threshold=1.0, locale=babel_locale(), add_direction=True
        )
    )


def partial_date_text(value: str | None) -> str:
    """``--11-27`` → ``27 November``; ``1961-11-27`` → ``27 November 1961`` (in the viewer's language)."""
    if not value:
        return ""
    if value.startswith("--"):
        month, day = int(value[2:4]), int(value[5:7])
        return format_day_month(date(2000, month, day))
    return format_day(date.fromisoformat(value), width="long")


def language_name(tag: str | None) -> str:
    """``zh-Hans`` → ``Chinese (Simplified)`` (``จีน (ตัวย่อ)`` for a Thai viewer); unknown tags as they are."""
    if not tag:
        return ""
    try:
        return str(Locale.parse(tag.replace("-", "_")).get_display_name(babel_locale()))
    except (ValueError, UnknownLocaleError):
        return tag


def real_allergies(allergies: Iterable[Allergy]) -> list[Allergy]:
    """The allergies that are a safety matter: diets stored as allergies (vegetarian…) left out."""
    return split_allergies(allergies)[0]


def register_filters(app: Flask) -> None:
    """Make the filters available in templates."""
    app.add_template_filter(local_date)
    app.add_template_filter(local_day)
    app.add_template_filter(local_datetime)
    app.add_template_filter(ago)
    app.add_template_global(local_datetime_formatter, "local_datetime_formatter")
    app.add_template_filter(partial_date_text)
    app.add_template_filter(language_name)
    app.add_template_filter(real_allergies)
    app.add_template_filter(labels.influence_label, "influence_label")
    app.add_template_global(lambda: datetime.now(UTC), "now_utc")
