"""Forms of address: how staff greet a guest in person, and a sayable form of a name staff may not read.

"Khun" (คุณ) goes with the given name: Niran Smith is "Khun Niran", never "Khun Smith". Other salutations go
with the family name ("Mr Sato", "Ms 이"). A greeting in a script other than Latin or Thai gets a sayable
form beside it: the guest's pronunciation when one is on file, else a romanisation (romaji for Japanese,
pinyin for Chinese, the usual passport spelling of common Korean family names, anyascii for the rest).
Pure functions: the briefing and the letters call them with plain strings.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from anyascii import anyascii

from guestbook.guests.search_readings import has_han_or_kana, is_kana, pinyin, romaji

KHUN = frozenset({"khun", "คุณ"})

# Korean family names as their bearers spell them in passports (anyascii would say "I" for 이 and "Gim" for 김).
KOREAN_FAMILY_NAMES = {
    "김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang", "조": "Cho", "윤": "Yoon",
    "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang",
    "안": "Ahn", "송": "Song", "류": "Ryu", "유": "Yoo", "홍": "Hong", "전": "Jeon", "고": "Ko", "문": "Moon",
    "양": "Yang", "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "노": "Noh", "남": "Nam", "심": "Shim",
}  # fmt: skip


def is_khun(salutation: str) -> bool:
    """Whether the salutation is the Thai "Khun", which goes with the given name."""
    return salutation.strip().rstrip(".").lower() in KHUN


def with_khun(salutation: str, given: str) -> str:
    """``Khun Niran``; in Thai script without a space: ``คุณนิรันดร์``."""
    salutation = salutation.strip()
    return f"{salutation}{given}" if salutation == "คุณ" else f"{salutation} {given}"


def spoken_greeting(given: str, family: str, salutation: str, preferred: str, full: str) -> str:
    """How staff greet the guest: the preferred name, else Khun + given name or salutation + family name."""
    if preferred:
        return preferred
    salutation = salutation.strip()
    if not salutation:
        return ""
    if is_khun(salutation) and given:
        return with_khun(salutation, given)
    return f"{salutation} {family or full}"


def spaced_name(given: str, family: str, full: str) -> str:
    """The name with a space between its parts, so each romanises apart: ``이 민지``, not ``이민지``."""
    hangul = any("\uac00" <= ch <= "\ud7af" for ch in family + given)
    if given and family and (hangul or has_han_or_kana(family + given)):
        return f"{family} {given}".strip()
    return full


def _readable(ch: str) -> bool:
    """Latin, Thai, digits, spaces and punctuation: what the property's staff read (Thailand, English-speaking)."""
    if not ch.isalpha():
        return True
    name = unicodedata.name(ch, "")
    return name.startswith(("LATIN", "THAI"))


def needs_sayable(text: str) -> bool:
    """True when ``text`` holds letters of a script staff may not read (CJK, Hangul, Cyrillic, Arabic…)."""
    return not all(_readable(ch) for ch in text)


@lru_cache(maxsize=4096)
def _romanise_word(word: str, japanese: bool) -> str:
    if all(_readable(ch) for ch in word):
        return word
    if word in KOREAN_FAMILY_NAMES:
        return KOREAN_FAMILY_NAMES[word]
    if has_han_or_kana(word):
        if japanese or any(is_kana(ch) for ch in word):
            spellings = romaji(word)
            # The passport spelling (Sato, not Satou) is how the guest says it to staff.
            roman = "".join(spellings[1] if len(spellings) > 1 else spellings[0]) if spellings else ""
        else:
            roman = "".join(pinyin(word))
        return roman.capitalize() if roman else word
    roman = anyascii(unicodedata.normalize("NFKC", word)).strip()
    return roman[:1].upper() + roman[1:].lower() if roman else word


def romanised(text: str, language: str = "") -> str:
    """``Ms 이`` → ``Ms Lee``, ``Mr 佐藤`` → ``Mr Sato`` (Japanese guests), ``Mr 王`` → ``Mr Wang``."""
    japanese = language.strip().lower().startswith("ja")
    return " ".join(_romanise_word(word, japanese) for word in text.split())


def sayable(greeting: str, pronunciation: str, language: str) -> str:
    """What staff say for a greeting they may not read: the pronunciation on file, else a romanisation.

    Empty when the greeting reads as it is (Latin or Thai) and no pronunciation is on file.
    """
    if pronunciation.strip():
        return pronunciation.strip()
    if greeting and needs_sayable(greeting):
        return romanised(greeting, language)
    return ""
