"""Search keys of a guest: normalised words in every spelling staff type, contact keys kept apart.

Name and company tokens are plain (``muller``, ``yamada``, ``zhouxiaoming``). Contact keys carry
a prefix no typed word can produce (``_SPLIT`` cuts at both characters), so each role's search
chooses whether to match them: ``@`` for e-mail (the address and the words of its local part) and
``#`` for the last four phone digits, the only digits a masked card shows (``index_tokens`` says how
they are scanned).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

from anyascii import anyascii

from guestbook.guests.search_readings import has_han_or_kana, readings_for, spellings

EMAIL_PREFIX = "@"
PHONE_PREFIX = "#"
SHOWN_PHONE_DIGITS = 4  # the card's masked phone shows these last digits; search matches no more for masked roles
FUZZY_MIN_LENGTH = 4
_SPLIT = re.compile(r"[\s,./;:()\[\]{}<>!?\"_+=*&^%$#@~`|\\]+")
_CAMEL = re.compile(r"[A-Z][a-z]*|[a-z]+|[0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


class Nameable(Protocol):
    """What the tokeniser reads of a guest (a ``Guest``, or a stand-in in the benchmark)."""

    given_name: str
    family_name: str
    preferred_name: str
    company: str
    email: str | None


def is_cjk_or_kana(ch: str) -> bool:
    """Chinese characters, kana or Hangul: scripts written without spaces between given and family name."""
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF


def _strip_marks(word: str) -> str:
    """Remove accents from Latin, Greek and Cyrillic letters; leave kana and Hangul whole."""
    out = []
    for ch in word:
        if ord(ch) < 0x0590 or 0x1E00 <= ord(ch) <= 0x1FFF:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if unicodedata.category(c) != "Mn"))
        else:
            out.append(ch)
    return "".join(out)


def _clean(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).casefold()
    return word.replace("'", "").replace("’", "").replace("-", "")


@lru_cache(maxsize=65536)  # names repeat; an import tokenises each of them several times
def normalise(word: str) -> str:
    """Case- and accent-free form of one word: ``MÜLLER`` → ``muller``, ``O'Brien`` → ``obrien``."""
    stripped = _strip_marks(_clean(word))
    if all(ord(ch) < 0x250 for ch in stripped):
        stripped = anyascii(stripped).lower()  # ø → o, ł → l, æ → ae
    return stripped


def german(word: str) -> str:
    """The word with German umlauts spelled out: ``Müller`` → ``mueller``."""
    return normalise(word.translate(_GERMAN))


def words_of(text_value: str) -> list[str]:
    """Split text into words, keeping hyphenated and apostrophised names as one word."""
    return [w for w in _SPLIT.split(text_value) if w and re.search(r"\w", w)]


@lru_cache(maxsize=65536)
def _non_latin(word: str) -> bool:
    return any(ord(ch) >= 0x250 for ch in _strip_marks(_clean(word)))


def word_forms(word: str, readings: frozenset[str] = frozenset({"pinyin"})) -> set[str]:
    """Every searchable form of one word: plain, German-umlaut, romanised (pinyin/romaji) and its syllables."""
    forms = {normalise(word)}
    if any(ch in word for ch in "äöüÄÖÜ"):
        forms.add(german(word))
    if "-" in word:
        forms.update(normalise(part) for part in word.split("-") if part)
    if has_han_or_kana(word):
        for segments in spellings(word, readings):
            forms.add(normalise("".join(segments)))
            if len(segments) > 1:
                forms.update(normalise(s) for s in segments)
    elif _non_latin(word):
        roman = anyascii(_strip_marks(unicodedata.normalize("NFKC", word)))
        forms.add(normalise(roman))
        syllables = _CAMEL.findall(roman)
        if len(syllables) > 1:
            forms.update(s.lower() for s in syllables)
    return {f for f in forms if f}


def _readings(guest: Nameable) -> frozenset[str]:
    names = f"{guest.given_name or ''}{guest.family_name or ''}{guest.preferred_name or ''}"
    return readings_for(names, getattr(guest, "language", None))


def _whole_readings(word: str, readings: frozenset[str]) -> list[str]:
    """One string per spelling of a word: ``山田`` → ``yamada`` (romaji) and ``shantian`` (pinyin)."""
    if has_han_or_kana(word):
        return [normalise("".join(s)) for s in spellings(word, readings)]
    return [normalise(anyascii(_strip_marks(unicodedata.normalize("NFKC", word))))]


def joined_readings(family: str, given: str, readings: frozenset[str]) -> set[str]:
    """A CJK name romanised as one word, family first and given first: ``zhouxiaoming``, ``xiaomingzhou``."""
    out: set[str] = set()
    fam, giv = _whole_readings(family, readings), _whole_readings(given, readings)
    for i in range(max(len(fam), len(giv))):
        f, g = fam[min(i, len(fam) - 1)], giv[min(i, len(giv) - 1)]
        out.update({f + g, g + f})
    return {w for w in out if w}


def name_forms(guest: Nameable) -> set[str]:
    """Each way of writing the guest's full name, as sorted token lists, for exact-match ranking."""
    readings = _readings(guest)
    forms: set[str] = set()
    for fields in ((guest.given_name, guest.family_name), (guest.preferred_name,)):
        words = [w for f in fields for w in words_of(f or "")]
        if not words:
            continue
        forms.add(" ".join(sorted(normalise(w) for w in words)))
        forms.add(" ".join(sorted(german(w) for w in words)))
        if any(_non_latin(w) for w in words):
            per_word = [_whole_readings(w, readings) for w in words]
            for i in range(max(len(r) for r in per_word)):
                forms.add(" ".join(sorted(r[min(i, len(r) - 1)] for r in per_word)))
    family, given = guest.family_name or "", guest.given_name or ""
    if family and given and all(is_cjk_or_kana(ch) for ch in family + given):
        forms.add(normalise(family) + normalise(given))
        forms.update(joined_readings(family, given, readings))
    return forms


def name_tokens(guest: Nameable) -> set[str]:
    """Tokens of the guest's names (every spelling and reading), without company or contacts."""
    readings = _readings(guest)
    tokens: set[str] = set()
    for value in (guest.given_name, guest.family_name, guest.preferred_name):
        for word in words_of(value or ""):
            tokens |= word_forms(word, readings)
    family, given = guest.family_name or "", guest.given_name or ""
    if family and given and all(is_cjk_or_kana(ch) for ch in family + given):
        tokens.add(normalise(family + given))
        tokens |= joined_readings(family, given, readings)
    return tokens


def company_tokens(guest: Nameable) -> set[str]:
    """Tokens of the guest's company name."""
    readings = _readings(guest)
    return {f for word in words_of(guest.company or "") for f in word_forms(word, readings)}


def email_tokens(email: str | None) -> set[str]:
    """Contact tokens of an e-mail address: ``@`` + the address, and ``@`` + each word of its local part."""
    if not email:
        return set()
    address = email.strip().lower()
    words = {normalise(w) for w in re.split(r"[@._+-]", address.split("@")[0]) if len(w) > 1}
    return {EMAIL_PREFIX + address, *(EMAIL_PREFIX + w for w in words if w)}


def phone_token(digits: str | None) -> str | None:
    """The contact token of a phone number: ``#`` + its last four digits (what a masked card shows)."""
    if not digits or len(digits) < SHOWN_PHONE_DIGITS:
        return None
    return PHONE_PREFIX + digits[-SHOWN_PHONE_DIGITS:]


def guest_tokens(guest: Nameable) -> set[str]:
    """All search tokens of a guest: names (all forms and readings), company, e-mail and shown phone digits."""
    tokens = name_tokens(guest) | company_tokens(guest) | email_tokens(guest.email)
    shown = phone_token(getattr(guest, "phone_digits", None))
    if shown:
        tokens.add(shown)
    return {t[:120] for t in tokens if t}


def index_tokens(keys: set[str]) -> set[str]:
    """The ``guest_token`` rows for a guest's stored keys: e-mail words are scanned without their ``@``.

    The candidate scan then costs one index range per query word, as for names; whether a role may
    match a word through an e-mail is decided on the stored keys (``guest_search_key.tokens``), where
    the ``@`` stays. The whole address keeps its ``@`` prefix in both places.
    """
    return {t[1:] if t.startswith(EMAIL_PREFIX) and "@" not in t[1:] else t for t in keys}


def deletions(token: str) -> set[str]:
    """Every string made by deleting one character of ``token``."""
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def fuzzy_eligible(token: str) -> bool:
    """Words of four letters or more match with one edit; digits and contact keys never do."""
    return (
        len(token) >= FUZZY_MIN_LENGTH
        and not token.isdigit()
        and "@" not in token
        and not token.startswith((EMAIL_PREFIX, PHONE_PREFIX))
    )
