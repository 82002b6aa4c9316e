"""The staff interface in the viewer's language: Flask-Babel set-up, typed gettext, locale-aware formats.

Staff see every label, message and printed heading in their own language (``LANGUAGES``); guest data,
outlet names and everything staff type stay as entered. Machines read English: the JSON API and the
command line always run in ``en`` (the locale selector, ``admin.locale``, decides per request).

Translatable strings go through the functions below, never sentences glued from pieces::

    gettext("Saved %(name)s.", name=guest.display_name)
    ngettext("%(num)d visit", "%(num)d visits", count)     # num is the count
    lazy_gettext("Name")                                   # module level: form labels, constants

Catalogs live in ``guestbook/translations/<lang>/LC_MESSAGES/messages.po``; ``scripts/i18n`` extracts,
updates and compiles them (compiled ``.mo`` files are build output, not committed).

Dates, times, numbers and money use Babel with the current locale: ``format_day`` (``3 Dec 2026``,
``3 ธ.ค. 2569`` with the Buddhist year when the property asks for it, ``2026年12月3日``),
``format_weekday`` (``Thu 3 Dec``, ``12月3日(木)``), ``format_time`` (always 24-hour ``19:30``),
``format_money`` (the property's currency in the viewer's notation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import match_skeleton
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# The shipped languages, each named in its own script (the language menu shows these).
LANGUAGES: dict[str, str] = {"en": "English", "th": "ไทย", "zh_Hans": "简体中文", "ja": "日本語"}
DEFAULT_LANGUAGE = "en"

babel = Babel()

# Browser and ISO tags that mean one of the shipped languages.
_ALIASES = {
    "en": "en",
    "th": "th",
    "ja": "ja",
    "zh": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
}


def normalise_language(tag: str | None) -> str | None:
    """``zh-CN`` / ``zh-Hans`` / ``zh`` → ``zh_Hans``; ``th-TH`` → ``th``; anything unshipped → None."""
    if not tag:
        return None
    key = tag.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    base = key.split("_", 1)[0]
    if base == "zh":  # zh-TW, zh-Hant: traditional Chinese is not shipped
        return None
    return _ALIASES.get(base)


def best_language(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The first shipped language among ``Accept-Language`` entries (already sorted by quality)."""
    for tag, quality in accepted:
        if quality > 0:
            found = normalise_language(tag)
            if found:
                return found
    return None


def init_i18n(app: Flask, locale_selector: Callable[[], str], buddhist_year: Callable[[], bool]) -> None:
    """Bind Flask-Babel to ``app`` with the given selector and the Thai year setting."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=locale_selector)
    app.extensions["guestbook_buddhist_year"] = buddhist_year
    # The same callables Flask-Babel installs, through the per-request catalogue below.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # Jinja's ``_`` resolves ``gettext`` and calls it, and that calls the function above: three calls through the
    # template context per message (a card shows a hundred). The same newstyle behaviour in one call each:
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        html_lang=html_lang,
    )
    app.jinja_env.filters.update(
        format_day=format_day,
        format_weekday=format_weekday,
        format_day_month=format_day_month,
        format_month=format_month,
        format_time=format_time,
        format_number=format_number,
        format_money=format_money,
    )


_NULL = NullTranslations()


@pass_context
def _template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates, as Jinja's newstyle gettext: the message made safe when the template
    autoescapes, then always %-formatted (the variables escaped; ``%%`` is ``%`` with or without variables)."""
    message: str = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        message = Markup(message)  # noqa: S704  (our catalogue's words, as Jinja's own; the variables are escaped)
    return message % variables if variables or "%" in message else message


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """``ngettext()`` in templates, as Jinja's newstyle ngettext (``num`` is a variable unless one is given)."""
    variables.setdefault("num", num)
    message: str = _translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        message = Markup(message)  # noqa: S704  (as in _template_gettext)
    return message % variables


def _translations() -> NullTranslations:
    """The current language's catalogue, found once per request and locale.

    Flask-Babel looks it up afresh for every message (a page has a hundred); this keeps it beside
    Flask-Babel's own per-request state, keyed by the locale object, so ``force_locale`` blocks (PDFs
    in another language) get theirs and the request's comes back after them.
    """
    if not has_app_context():
        return _NULL
    state = g.get("_flask_babel")
    if state is None:
        first: NullTranslations = get_translations()  # the request's first message: Flask-Babel sets its state up
        return first
    locale = getattr(state, "babel_locale", None)
    known = getattr(state, "guestbook_translations", None)
    if locale is not None and known is not None and known[0] is locale:
        known_translations: NullTranslations = known[1]
        return known_translations
    translations: NullTranslations = get_translations()
    state.guestbook_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def gettext(string: str, /, **variables: Any) -> str:
    """The message in the current language, ``%(name)s`` placeholders filled."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """The singular or plural form for ``num`` (``%(num)d`` is filled with it)."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, /, **variables: Any) -> Any:
    """A message translated when it is shown (form labels, module-level constants).

    Flask-Babel's lazy string, over this module's ``gettext`` (the per-request catalogue) rather than
    Flask-Babel's, which looks the catalogue up again for every label of every form on a page.
    """
    return LazyString(gettext, string, **variables)


def code_label(labels: Mapping[str, Any], code: str | None) -> str:
    """A stored code's label from ``labels`` (lazy messages) in the current language; an unknown code as it is."""
    if code is None:
        return ""
    label = labels.get(code)
    return str(label) if label is not None else code


def current_language() -> str:
    """The shipped language of the current request or ``force_locale`` block."""
    if not has_app_context():
        return DEFAULT_LANGUAGE
    locale = get_locale()
    if locale is None:
        return DEFAULT_LANGUAGE
    return normalise_language(str(locale)) or DEFAULT_LANGUAGE


def in_language(language: str | None) -> Any:
    """``with in_language("th"): ...`` renders messages and formats in that language (PDFs, jobs)."""
    return force_locale(normalise_language(language) or DEFAULT_LANGUAGE)


def html_lang() -> str:
    """The BCP 47 tag for ``<html lang>``: ``zh-Hans``, ``th`` …"""
    return current_language().replace("_", "-")


def babel_locale() -> Locale:
    """The Babel locale for formatting in the current language (English as ``en_GB``)."""
    return _locale()


def _locale() -> Locale:
    return _locale_for(current_language())


@lru_cache(maxsize=16)
def _locale_for(language: str) -> Locale:
    # English is written the way a hotel in Asia or Europe writes it: "3 December 2026", 24-hour times.
    return Locale.parse("en_GB" if language == "en" else language)


def _buddhist() -> bool:
    if current_language() != "th" or not has_app_context():
        return False
    setting: Callable[[], bool] | None = current_app.extensions.get("guestbook_buddhist_year")
    return bool(setting()) if setting else False


_YEAR = re.compile(r"y+")
_ERA = re.compile(r"G+")


def _pattern(skeleton: str) -> str:
    return _pattern_for(current_language(), skeleton)


@lru_cache(maxsize=128)
def _pattern_for(language: str, skeleton: str) -> str:
    locale = _locale_for(language)
    skeletons = locale.datetime_skeletons
    key = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    return str(skeletons[key].pattern)


def _format(value: date | datetime, pattern: str) -> str:
    """Format with a CLDR pattern; in Thai with the Buddhist year (พ.ศ. 2569) when the property asks for it."""
    day = value.date() if isinstance(value, datetime) else value
    return _formatted_day(day, _buddhist_era(pattern, day) if _buddhist() else pattern, current_language())


def _buddhist_era(pattern: str, day: date) -> str:
    """``pattern`` with the year written in the Buddhist era (พ.ศ. 2569)."""
    return _ERA.sub("'พ.ศ.'", _YEAR.sub(f"'{day.year + 543}'", pattern))


@lru_cache(maxsize=4096)
def _formatted_day(day: date, pattern: str, language: str) -> str:
    """Babel's date formatting, remembered: a list shows the same few days many times (last visits)."""
    return str(_babel_format_date(day, pattern, locale=_locale_for(language)))


def day_formatter(width: str = "medium") -> Callable[[date], str]:
    """``format_day`` for many days in one language: the language, pattern and era are looked up once (a result
    list formats a date per guest; ``format_day`` is this for one day)."""
    language = current_language()
    pattern = _long_date_pattern(language) if width == "long" else _pattern_for(language, "yMMMd")
    buddhist = _buddhist()

    def formatted(day: date) -> str:
        return _formatted_day(day, _buddhist_era(pattern, day) if buddhist else pattern, language)

    return formatted


def format_day(value: date | datetime | None, width: str = "medium") -> str:
    """A date with its year: ``3 Dec 2026``, ``3 ธ.ค. 2569``, ``2026年12月3日``; long: ``3 December 2026``."""
    if value is None:
        return ""
    return day_formatter(width)(value.date() if isinstance(value, datetime) else value)


@lru_cache(maxsize=16)
def _long_date_pattern(language: str) -> str:
    """The language's long date pattern (every search result's last visit uses it)."""
    return str(_locale_for(language).date_formats["long"].pattern)


def format_weekday(value: date | datetime | None, with_year: bool = False) -> str:
    """A day with its weekday: ``Thu 3 Dec`` / ``พฤ. 3 ธ.ค.`` / ``12月3日(木)``; ``with_year`` adds the year."""
    if value is None:
        return ""
    return _format(value, _pattern("yMMMEd" if with_year else "MMMEd"))


def format_day_month(value: date | datetime | None) -> str:
    """A day and month without the year (birthdays): ``27 November`` / ``27 พฤศจิกายน`` / ``11月27日``."""
    if value is None:
        return ""
    return _format(value, _pattern("MMMMd"))


def format_month(value: date | datetime | None, with_year: bool = False) -> str:
    """A month, for chart axes and report titles: ``Nov`` / ``พ.ย.`` / ``11月``; ``with_year``: ``Nov 2026``."""
    if value is None:
        return ""
    return _format(value, _pattern("yMMM" if with_year else "MMM"))


def format_time(value: time | datetime | None) -> str:
    """Always the 24-hour clock, as a hotel's floor reads it: ``19:30``."""
    if value is None:
        return ""
    return value.strftime("%H:%M")


def format_number(value: int | float | Decimal | None) -> str:
    """A number with the viewer's grouping: ``12,500``."""
    if value is None:
        return ""
    return str(_babel_format_decimal(value, locale=_locale()))


def format_money(value: int | float | Decimal | str | None, currency: str) -> str:
    """An amount in ``currency`` in the viewer's notation: ``฿1,250.00`` / ``THB 1,250.00``."""
    if value is None or value == "":
        return ""
    return str(_babel_format_currency(Decimal(str(value)), currency, locale=_locale()))
