"""How a letter words dates, lists, the time since a visit and the guest's name, in the guest's language.

Merge-field helpers for ``selection.merge_fields`` and the printed letter's date (Babel for dates and
lists; the rest by hand for the languages the default templates are written in).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list

from guestbook.guests import address


@lru_cache(maxsize=256)
def babel_locale(language: str) -> Locale:
    """The Babel locale for a BCP-47 tag (bare ``en`` is written the British way: 5 March 2026)."""
    tag = "en-GB" if language == "en" else language
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(tag.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en_GB")


def long_date(day: date | None, language: str) -> str:
    """``5 March 2026`` / ``2026年3月5日`` for the guest's language."""
    return format_date(day, "long", locale=babel_locale(language)) if day else ""


def day_month(day: date | None, language: str) -> str:
    """``5 March`` / ``3月5日`` (the year of a birthday is nobody's business)."""
    if day is None:
        return ""
    locale = babel_locale(language)
    pattern = locale.date_formats["long"].pattern
    skeleton = "MMMMd"
    try:
        return format_date(day, locale.datetime_skeletons[skeleton].pattern, locale=locale)
    except KeyError:
        return format_date(day, pattern, locale=locale)


def join_list(items: list[str], language: str) -> str:
    """``club sandwich, coffee and fried egg`` in the guest's language."""
    return format_list(items, locale=babel_locale(language)) if items else ""


_EN_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_DE_NUMBERS = ("", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn")
_ZH_NUMBERS = ("", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十")


def time_since(months: int, language: str) -> str:
    """``three years``, ``over a year``, ``eight months`` in the guest's language (a letter spells it out)."""
    years, rest = divmod(max(months, 0), 12)
    base = language.split("-")[0]
    if base == "zh":
        if years == 0:
            return f"{months}个月"
        word = _ZH_NUMBERS[years] if years <= 10 else str(years)
        return f"{word}年多" if rest >= 3 else f"{word}年"
    if base == "ja":
        if years == 0:
            return f"{months}か月"
        return f"{years}年以上" if rest >= 3 else f"{years}年"
    if base == "ko":
        if years == 0:
            return f"{months}개월"
        return f"{years}년 이상" if rest >= 3 else f"{years}년"
    if base == "de":
        if years == 0:
            return f"{months} Monate"
        if years == 1:
            return "über ein Jahr" if rest >= 3 else "ein Jahr"
        return f"{_DE_NUMBERS[years] if years <= 10 else years} Jahre"
    if years == 0:
        return f"{_EN_NUMBERS[months] if months <= 10 else months} months"
    if years == 1:
        return "over a year" if rest >= 3 else "a year"
    return f"{_EN_NUMBERS[years] if years <= 10 else years} years"


def polite_name(given: str, family: str, salutation: str, preferred: str, full: str, language: str) -> str:
    """How a letter addresses the guest in their language: Mr Yu, 王先生, 山田様, 김민준님, Herr Müller, Khun Niran.

    "Khun" (คุณ, for anyone) goes with the given name: Niran Smith is "Khun Niran", never "Khun Smith"; a
    Thai letter always says คุณ and the given name.
    """
    base = language.split("-")[0]
    male = salutation.strip().rstrip(".").lower() in {"mr", "herr", "m", "monsieur", "先生"}
    female = salutation.strip().rstrip(".").lower() in {"ms", "mrs", "miss", "frau", "mme", "madame", "女士"}
    if base == "zh" and family:
        return f"{family}{'先生' if male else '女士' if female else ''}" if (male or female) else f"{full}"
    if base == "ja" and family:
        return f"{family}様"
    if base == "ko" and family:
        return f"{family}{given}님" if all("\uac00" <= ch <= "\ud7af" for ch in family + given) else f"{full}님"
    if preferred:
        return preferred
    if base == "th" and given:
        return address.with_khun("คุณ", given)
    if address.is_khun(salutation) and given:
        return address.with_khun(salutation, given)
    if base == "de" and family and (male or female):
        return f"{'Herr' if male else 'Frau'} {family}"
    if salutation and family:
        return f"{salutation} {family}"
    return full or given
