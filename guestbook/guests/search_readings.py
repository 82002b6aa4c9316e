"""Latin readings of names written in Chinese characters or kana: pinyin (anyascii) and romaji (pykakasi).

Kanji are shared by Chinese and Japanese, and a name's characters alone do not say which reading
staff will type: 山田 is "Yamada" to a Japanese guest and "Shan Tian" in pinyin. ``readings_for``
decides from the guest: kana in the name or a Japanese language tag mean romaji; a Chinese tag
means pinyin; kanji alone with neither (the default ``en``) gets both readings.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from typing import Any

from anyascii import anyascii

PINYIN = "pinyin"
ROMAJI = "romaji"
BOTH = frozenset({PINYIN, ROMAJI})

_kakasi: Any = None
_kakasi_lock = threading.Lock()


def is_kana(ch: str) -> bool:
    """Hiragana or katakana (including the half-width forms)."""
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F


def is_han(ch: str) -> bool:
    """A Chinese character (kanji / hanzi), including the compatibility block."""
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def has_han_or_kana(text: str) -> bool:
    """True when the text holds a character that has a pinyin or romaji reading."""
    return any(is_han(ch) or is_kana(ch) for ch in text)


def readings_for(names: str, language: str | None) -> frozenset[str]:
    """Which readings a guest's CJK names get: romaji, pinyin or (kanji only, language unknown) both."""
    tag = (language or "").strip().lower()
    if any(is_kana(ch) for ch in names) or tag.startswith("ja"):
        return frozenset({ROMAJI})
    if tag.startswith(("zh", "yue", "cmn", "wuu", "hak", "nan")):
        return frozenset({PINYIN})
    return BOTH


def _converter() -> Any:
    """The pykakasi converter, built once (loading its dictionaries takes a second or two)."""
    global _kakasi
    if _kakasi is None:
        with _kakasi_lock:
            if _kakasi is None:
                import pykakasi

                _kakasi = pykakasi.kakasi()  # type: ignore[no-untyped-call]
    return _kakasi


def load_readings() -> None:
    """Load the reading dictionaries now (a server worker's warm-up) rather than on the first kanji name."""
    _converter()


def _short_vowels(word: str) -> str:
    """Hepburn without long-vowel marks, as passports and most guests write it: satou → sato, shuu → shu."""
    return word.replace("ou", "o").replace("uu", "u").replace("oo", "o")


def romaji(word: str) -> list[list[str]]:
    """Romaji spellings of one word, each as its list of segments: Hepburn, passport, short vowels."""
    segments = _converter().convert(unicodedata.normalize("NFKC", word))
    hepburn = [str(s["hepburn"]).lower() for s in segments if s["hepburn"]]
    passport = [str(s["passport"]).lower() for s in segments if s["passport"]]
    spellings = [hepburn, passport, [_short_vowels(s) for s in hepburn]]
    unique: list[list[str]] = []
    for spelling in spellings:
        if spelling and spelling not in unique:
            unique.append(spelling)
    return unique


def pinyin(word: str) -> list[str]:
    """The pinyin (or other anyascii romanisation) of one word, split into its syllables."""
    roman = anyascii(unicodedata.normalize("NFKC", word))
    syllables = [s.lower() for s in _syllables(roman)]
    return syllables or [roman.lower()]


def _syllables(roman: str) -> list[str]:
    """anyascii capitalises each character's reading: ``ZhouXiaoMing`` → Zhou, Xiao, Ming."""
    out: list[str] = []
    current = ""
    for ch in roman:
        if ch.isupper() and current:
            out.append(current)
            current = ch
        elif ch.isalnum():
            current += ch
        elif current:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


@lru_cache(maxsize=65536)
def spellings(word: str, readings: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """Every Latin spelling of a CJK word under the given readings, primary first, as segment lists.

    Cached: names repeat (a few thousand family names cover most guests), and imports tokenise many.
    """
    out: list[list[str]] = []
    if ROMAJI in readings:
        out.extend(romaji(word))
    if PINYIN in readings or not out:
        out.append(pinyin(word))
    return tuple(tuple(segments) for segments in out)
