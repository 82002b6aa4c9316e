"""What the duplicate finder compares of a guest: its blocking keys, and the evidence two guests share.

Names come from the search index's stored name forms (``guest_search_key.name_forms``: normalised,
accent-free, CJK names in pinyin and romaji), so "王小明" and "Wang Xiaoming" meet on ``wangxiaoming``.
Thai has no reading in the search tokens that matches how Thai names are written in Latin letters, so
names also get a consonant skeleton (``สมชาย`` and ``Somchai`` are both ``SMC``): a "similar name" across
the two scripts. Everything here is plain data in, plain data out: ``duplicates`` does the reading and writing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations
from typing import Any

from guestbook.guests.search import within_one_edit
from guestbook.guests.search_readings import readings_for
from guestbook.guests.search_tokens import name_forms, normalise, word_forms, words_of

# The reason codes, stable English in JSON; ``duplicates.REASON_LABELS`` translates them for screens.
SAME_EMAIL = "same email"
SAME_PHONE = "same phone"
SAME_NAME = "same name"
SIMILAR_NAME = "similar name"
SAME_BIRTHDAY = "same birthday"
SAME_ADDRESS = "same address"
REASONS = (SAME_EMAIL, SAME_PHONE, SAME_NAME, SIMILAR_NAME, SAME_BIRTHDAY, SAME_ADDRESS)

# How strongly each piece of evidence alone says "the same person"; combined as 1 - Π(1 - w).
WEIGHTS = {
    SAME_EMAIL: 0.6,
    SAME_PHONE: 0.6,
    SAME_NAME: 0.4,
    SIMILAR_NAME: 0.3,
    SAME_BIRTHDAY: 0.3,
    SAME_ADDRESS: 0.35,
}
SHORT_NAME_WEIGHT = 0.25  # "Nok" and "Nok": a short name alone tells little
SHORT_NAME_CHARS = 5
UNRELATED_NAMES = 0.7  # contacts shared by two names with nothing in common (a couple's phone)
OTHER_BIRTHDAY = 0.7  # both birthdays on file and different
PHONE_DIGITS = 9  # the national number: +66 81 234 5678 and 081 234 5678 are one (as ``guests.erased``)
MIN_PHONE_DIGITS = 7

# Blocking key kinds (the prefix of each key).
KIND_NAME = "n"
KIND_EMAIL = "e"
KIND_PHONE = "p"
KIND_BIRTHDAY = "b"
KIND_ADDRESS = "a"
KIND_SKELETON = "t"

# Thai consonants by the Latin sound class they are written with (RTGS and the usual passport spellings).
_THAI_CLASS = {
    **dict.fromkeys("กขฃคฅฆ", "K"),
    "ง": "G",
    **dict.fromkeys("จฉชฌ", "C"),
    **dict.fromkeys("ซศษส", "S"),
    **dict.fromkeys("ฎฏฐฑฒดตถทธ", "T"),
    **dict.fromkeys("ญณน", "N"),  # ญ is "y" only at the start of a word, rare in names
    **dict.fromkeys("บปผพภ", "P"),
    **dict.fromkeys("ฝฟ", "F"),
    "ม": "M",
    **dict.fromkeys("รลฬฤฦ", "L"),
    "ำ": "M",  # sara am: "kham"
}
_THAI_FINAL_N = set("รลฬ")  # a word-final r or l is said (and spelled) n: พร → "porn", สุนทร → "sunthorn"
_THAI_SILENCER = "\u0e4c"  # thanthakhat: the consonant before it is not pronounced
_LATIN_DIGRAPHS = (("rn", "n"), ("ng", "G"), ("ch", "C"), ("sh", "S"), ("ph", "P"), ("th", "T"), ("kh", "K"))
_LATIN_CLASS = str.maketrans(
    {
        "j": "C",
        "g": "K",
        "k": "K",
        "c": "K",
        "q": "K",
        "x": "S",
        "z": "S",
        "s": "S",
        "d": "T",
        "t": "T",
        "b": "P",
        "p": "P",
        "f": "F",
        "m": "M",
        "n": "N",
        "r": "L",
        "l": "L",
    }
)
_SKELETON_CHARS = re.compile(r"[^A-Z]")
_REPEATS = re.compile(r"(.)\1+")


def is_thai(text: str) -> bool:
    """True when the text holds a Thai letter."""
    return any("\u0e01" <= ch <= "\u0e5b" for ch in text)


def word_skeleton(word: str) -> str:
    """A word's consonants by sound class, vowels and glides dropped: ``สมชาย`` and ``Somchai`` are ``SMC``."""
    if is_thai(word):
        out: list[str] = []
        chars = list(unicodedata.normalize("NFC", word))
        for i, ch in enumerate(chars):
            if ch == _THAI_SILENCER and out:
                out.pop()
                continue
            last = i == len(chars) - 1 or all(not ("\u0e01" <= c <= "\u0e2e") for c in chars[i + 1 :])
            if ch in _THAI_FINAL_N and last and i > 0:
                out.append("N")
            else:
                out.append(_THAI_CLASS.get(ch, ""))
        skeleton = "".join(out)
    else:
        latin = normalise(word)
        if not latin.isascii():
            return ""
        for digraph, sound in _LATIN_DIGRAPHS:
            latin = latin.replace(digraph, sound)
        skeleton = _SKELETON_CHARS.sub("", latin.translate(_LATIN_CLASS))
    return _REPEATS.sub(r"\1", skeleton)


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: ``name_keys`` shares one per name
class NameKeys:
    """What a guest's names give the comparison (shared by every guest with the same names)."""

    names: frozenset[str]  # each full-name form written as one word, in every word order (wangxiaoming)
    block_names: frozenset[str]  # the same, words in sorted order only: enough for two guests to meet
    tokens: frozenset[str]  # every name word and reading, and the names above
    family: frozenset[str]  # the family name's words and readings
    forms: tuple[tuple[str, ...], ...]  # the Latin forms as word lists, for "similar name"
    skeleton: str  # sorted word skeletons of given and family name ("" when none)
    thai: bool


@dataclass(frozen=True, slots=True)
class GuestKeys:
    """One guest as the duplicate finder sees it (built from a database row by ``guest_keys``)."""

    guest_id: int
    name: NameKeys
    email: str
    phone: str
    birthday: tuple[int, int, int | None] | None
    address: str


@dataclass(slots=True)
class _Nameable:
    given_name: str
    family_name: str
    preferred_name: str
    company: str
    email: str | None
    language: str


# The columns ``guest_keys`` reads, in this order (``duplicates`` selects them).
ROW_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "preferred_name",
    "language",
    "email",
    "phone_digits",
    "birthday_month",
    "birthday_day",
    "birthday_year",
    "address_postal_code",
    "address_line1",
    "name_forms",
)


def _compact(words: list[str]) -> set[str]:
    """A name as one word, in every order of its words (up to three): ``wang xiaoming`` → two keys."""
    if len(words) <= 3:
        return {"".join(p) for p in permutations(words)}
    return {"".join(sorted(words))}


@lru_cache(maxsize=100_000)  # names repeat: a scan meets each distinct name once
def name_keys(given: str, family: str, preferred: str, language: str, stored: str | None) -> NameKeys:
    """The name part of a guest's keys, from the stored search name forms (computed when there are none)."""
    if stored is None:
        stored = "|".join(name_forms(_Nameable(given, family, preferred, "", None, language)))
    forms = [f.split(" ") for f in stored.split("|") if f]
    names: set[str] = set()
    block_names: set[str] = set()
    tokens: set[str] = set()
    for words in forms:
        names |= _compact(words)
        block_names.add("".join(sorted(words)))
        tokens.update(words)
    tokens |= names
    readings = readings_for(f"{given}{family}{preferred}", language)
    family_words = {f for w in words_of(family) for f in word_forms(w, readings) if len(f) >= 2}
    words = [w for value in (given, family) for w in words_of(value)]
    skeletons = [word_skeleton(w) for w in words]
    skeleton = " ".join(sorted(skeletons)) if skeletons and all(skeletons) else ""
    return NameKeys(
        names=frozenset(names),
        block_names=frozenset(block_names),
        tokens=frozenset(tokens),
        family=frozenset(family_words),
        forms=tuple(tuple(w) for w in forms if all(t.isascii() for t in w)),
        skeleton=skeleton if len(skeleton.replace(" ", "")) >= 3 else "",
        thai=is_thai(f"{given}{family}"),
    )


def guest_keys(row: Any) -> GuestKeys:
    """The guest's keys from a row holding ``ROW_FIELDS``."""
    (gid, given, family, preferred, language, email, digits, b_month, b_day, b_year, postal, line1, stored) = row
    name = name_keys(given or "", family or "", preferred or "", language or "", stored)
    phone = digits[-PHONE_DIGITS:] if digits and len(digits) >= MIN_PHONE_DIGITS else ""
    birthday = (int(b_month), int(b_day), int(b_year) if b_year else None) if b_month and b_day else None
    return GuestKeys(
        guest_id=int(gid),
        name=name,
        email=(email or "").strip().lower(),
        phone=phone,
        birthday=birthday,
        address=address_key(postal, line1) if postal and line1 else "",
    )


@lru_cache(maxsize=65_536)
def address_key(postal_code: str, line1: str) -> str:
    """Postal code (no spaces, upper case) and the first address line's normalised words; "" without both."""
    postal_key = re.sub(r"\s+", "", postal_code).upper()
    line_key = " ".join(normalise(w) for w in words_of(line1))
    return f"{postal_key}|{line_key}" if postal_key and line_key else ""


def blocking_keys(keys: GuestKeys, kinds: frozenset[str]) -> list[str]:
    """The blocks a guest falls in, for the key kinds asked for: only guests sharing a block are compared.

    The birthday's blocks pair its month and day with the whole name (every spelling), the family
    name, and the name's consonant skeleton: a birthday with a first name alone would put every
    Somchai born on 3 May in one block and say little.
    """
    out: list[str] = []
    name = keys.name
    if KIND_EMAIL in kinds and keys.email:
        out.append(f"e:{keys.email}")
    if KIND_PHONE in kinds and keys.phone:
        out.append(f"p:{keys.phone}")
    if KIND_ADDRESS in kinds and keys.address:
        out.append(f"a:{keys.address}")
    if KIND_NAME in kinds:
        out.extend(f"n:{n}" for n in name.block_names)
    if KIND_SKELETON in kinds and name.skeleton:
        out.append(f"t:{name.skeleton}")
    if KIND_BIRTHDAY in kinds and keys.birthday:
        day = f"b:{keys.birthday[0]:02d}{keys.birthday[1]:02d}:"
        out.extend(f"{day}n:{n}" for n in name.block_names)
        out.extend(f"{day}f:{f}" for f in name.family)
        if name.skeleton:
            out.append(f"{day}s:{name.skeleton}")
    return out


def _similar_forms(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Word by word within one letter (``Jon Smyth``/``John Smith``), or one name inside the other (``Nok``)."""
    if set(a) < set(b) or set(b) < set(a):
        return True
    if len(a) != len(b) or len(a) > 3:
        return False
    return any(all(within_one_edit(x, y) for x, y in zip(a, p, strict=True)) for p in permutations(b))


def similar_name(a: NameKeys, b: NameKeys) -> bool:
    """Names that differ but look like one spelled twice, including Thai and its Latin spelling."""
    if a.thai != b.thai and a.skeleton and a.skeleton == b.skeleton:
        return True
    return any(_similar_forms(fa, fb) for fa in a.forms for fb in b.forms)


@lru_cache(maxsize=500_000)  # a scan compares the same two names many times
def name_evidence(a: NameKeys, b: NameKeys) -> tuple[str | None, float, bool]:
    """What two names say: ``same name``, ``similar name`` or None; its weight; whether they share any word."""
    shared = a.names & b.names
    if shared:
        short = max(len(n) for n in shared) < SHORT_NAME_CHARS
        return SAME_NAME, SHORT_NAME_WEIGHT if short else WEIGHTS[SAME_NAME], True
    if similar_name(a, b):
        return SIMILAR_NAME, WEIGHTS[SIMILAR_NAME], True
    return None, 0.0, bool(a.tokens & b.tokens)


def compare(a: GuestKeys, b: GuestKeys) -> tuple[float, list[str]]:
    """How likely two guests are one person (0–1), and the reasons, strongest first."""
    reasons: list[str] = []
    miss = 1.0
    if a.email and a.email == b.email:
        reasons.append(SAME_EMAIL)
        miss *= 1.0 - WEIGHTS[SAME_EMAIL]
    if a.phone and a.phone == b.phone:
        reasons.append(SAME_PHONE)
        miss *= 1.0 - WEIGHTS[SAME_PHONE]
    name_reason, name_weight, related = name_evidence(a.name, b.name)
    if name_reason is not None:
        reasons.append(name_reason)
        miss *= 1.0 - name_weight
    other_birthday = False
    if a.birthday and b.birthday:
        (am, ad, ay), (bm, bd, by) = a.birthday, b.birthday
        if (am, ad) == (bm, bd) and (ay is None or by is None or ay == by):
            reasons.append(SAME_BIRTHDAY)
            miss *= 1.0 - WEIGHTS[SAME_BIRTHDAY]
        else:
            other_birthday = True
    if a.address and a.address == b.address:
        reasons.append(SAME_ADDRESS)
        miss *= 1.0 - WEIGHTS[SAME_ADDRESS]
    score = 1.0 - miss
    if not related:
        score *= UNRELATED_NAMES
    if other_birthday:
        score *= OTHER_BIRTHDAY
    return round(score, 3), reasons
