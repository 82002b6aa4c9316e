"""Guest search, the query's words: how a query is clipped and split, and how one word matches a guest's keys.

Pure Python, no database: ``search`` scans the candidates in SQL and checks each candidate's stored
tokens with ``word_match``. A masked role's words never reach e-mail or phone tokens (see ``search``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from guestbook.guests.search_tokens import (
    EMAIL_PREFIX,
    PHONE_PREFIX,
    SHOWN_PHONE_DIGITS,
    deletions,
    fuzzy_eligible,
    german,
    normalise,
    words_of,
)
from guestbook.text import blank_control_chars

MAX_QUERY_CHARS = 200  # a guest's full name with a phone number fits; a pasted page does not
MAX_QUERY_WORDS = 12  # each word is one EXISTS in the query: a thousand would overflow SQLite's expression depth


def clip_query(q: str) -> str:
    """The query as search uses it: at most MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words, no controls."""
    return " ".join(blank_control_chars(q[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS])


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    size = len(a)
    if len(b) - size > 1:
        return False
    i = 0  # the first difference; what follows it is compared by slices (scored for every candidate's tokens)
    while i < size and a[i] == b[i]:
        i += 1
    if size < len(b):  # one letter more in b, at i
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < size and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


@dataclass(frozen=True)
class Word:
    raw: str
    forms: frozenset[str]
    kind: str = "name"  # name (also company), email (a whole address), phone (4+ digits)
    # "@hy1987": the word as part of an e-mail address (checked on the stored keys; see ``index_tokens``).
    contact: frozenset[str] = frozenset()

    @functools.cached_property
    def matchable(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Every form a token may equal or start with (names and e-mail words), as a set and as a tuple."""
        forms = self.forms | self.contact
        return forms, tuple(forms)

    @functools.cached_property
    def fuzzy_forms(self) -> tuple[str, ...]:
        """The forms that may match with one edit (``fuzzy_eligible``)."""
        return tuple(f for f in self.forms if fuzzy_eligible(f))

    @functools.cached_property
    def near(self) -> frozenset[str]:
        """The fuzzy forms and their one-letter deletions: a token one edit away shares one (``near_tokens``)."""
        return with_deletions(self.fuzzy_forms)


_EMAIL_WORD = re.compile(r"[^@\s]+@[^@\s]*")
_PHONE_TYPED = re.compile(r"\+?[\d\s().-]+")


def query_words(q: str, masked: bool) -> list[Word]:
    """The query's words with the forms each may match; a masked role's words never reach contact tokens."""
    q = q.strip()
    if _EMAIL_WORD.fullmatch(q):  # an email address (or the start of one) is one word
        address = q.lower()
        return [Word(address, frozenset() if masked else frozenset({EMAIL_PREFIX + address}), "email")]
    if _PHONE_TYPED.fullmatch(q) and sum(ch.isdigit() for ch in q) >= SHOWN_PHONE_DIGITS:
        # "084 049 4312", "+66 (84) 049-4312": one number
        q = re.sub(r"\D", "", q)
    out = []
    # Punctuation splits words too ("a.b.c…"): the cap holds for the words search uses, not only the spaced ones.
    for w in words_of(q)[:MAX_QUERY_WORDS]:
        if w.isdigit() and len(w) >= SHOWN_PHONE_DIGITS:
            # Masked roles match only the shown last four digits (one exact token); others any run of digits.
            shown = frozenset({PHONE_PREFIX + w}) if masked and len(w) == SHOWN_PHONE_DIGITS else frozenset()
            out.append(Word(w, shown, "phone"))
        elif w.isdigit():
            out.append(Word(w, frozenset({w})))
        else:
            # The index holds every form of a name (romanised too); a query only needs its own spellings.
            forms = {normalise(w)}
            if any(ch in w for ch in "äöüÄÖÜ"):
                forms.add(german(w))
            forms = {f for f in forms if f}
            # Roles that see contacts also find the words of an e-mail's local part ("hy1987").
            contact = frozenset() if masked else frozenset(EMAIL_PREFIX + f for f in forms)
            out.append(Word(w, frozenset(forms), contact=contact))
    return out


def phone_digits_match(query: str, phone: str) -> bool:
    """Digits typed by a role that sees full contacts: any run, or a local form of the number.

    ``0840494`` finds ``+66 84 049 4…``: a leading trunk 0 stands for the country code (1–3 digits);
    ``0066…`` is the international form of ``+66…``.
    """
    if not phone:
        return False
    if query in phone:
        return True
    if query.startswith("00"):
        return phone.startswith(query[2:])
    if query.startswith("0") and len(query) > 3:
        return any(phone[k:].startswith(query[1:]) for k in (1, 2, 3))
    return False


def visible_tokens(tokens: list[str], masked: bool) -> list[str]:
    """The tokens a role may match: masked roles never see e-mail or phone keys."""
    if not masked:
        return tokens
    return [t for t in tokens if not t.startswith((EMAIL_PREFIX, PHONE_PREFIX))]


def _match_word(word: Word, tokens: tuple[str, ...], token_set: AbstractSet[str]) -> tuple[int, str] | None:
    """How one query word matches a guest's tokens: (1 exact, 2 prefix, 3 one edit; its reason code), or None."""
    forms, starts = word.matchable
    exact = forms & token_set
    if exact:
        return 1, _code(exact, "name")
    prefixed = [t for t in tokens if t.startswith(starts)]
    if prefixed:
        return 2, _code(set(prefixed), "prefix")
    # Most candidates scored here match no word (today's arrivals are checked against every query): two sets of
    # one-letter deletions that share nothing rule every token out at once (``near_tokens``); otherwise the length
    # test first, the edit test next, and whether the token may match fuzzily only for a token one edit away.
    if not word.fuzzy_forms or word.near.isdisjoint(near_tokens(tokens)):
        return None
    for form in word.fuzzy_forms:
        size = len(form)
        for token in tokens:
            if -1 <= len(token) - size <= 1 and within_one_edit(form, token) and fuzzy_eligible(token):
                return 3, "fuzzy"
    return None


@functools.lru_cache(maxsize=1024)
def near_tokens(tokens: tuple[str, ...]) -> frozenset[str]:
    """A guest's tokens that may match with one edit, each with its one-letter deletions, remembered by the tokens.

    Two words within one edit (insertion, deletion, substitution or adjacent swap) always share a string of
    this kind: the shorter one itself is a deletion of the longer, and a substitution or a swap leaves the same
    string when each loses the letter that differs (for a swap: the first letter of one, the second of the
    other). So a word whose forms and deletions (``Word.near``) share nothing with these is no token's typo;
    a shared one is only a hint, confirmed by ``within_one_edit``.
    """
    return with_deletions(t for t in tokens if fuzzy_eligible(t))


def with_deletions(strings: Iterable[str]) -> frozenset[str]:
    """The strings and each one's one-letter deletions (two words one edit apart share one; ``near_tokens``)."""
    return frozenset(v for s in strings for v in (s, *deletions(s)))


def _code(matched: AbstractSet[str], plain: str) -> str:
    """``email`` when only e-mail tokens matched, ``phone`` for the shown-digits token, else ``plain``."""
    if all(t.startswith(EMAIL_PREFIX) for t in matched):
        return "email"
    if all(t.startswith(PHONE_PREFIX) for t in matched):
        return "phone"
    return plain


def word_match(
    word: Word, tokens: tuple[str, ...], token_set: AbstractSet[str], phone: str, masked: bool
) -> tuple[int, str] | None:
    """One query word against one guest's stored keys, as the role may see them."""
    if word.kind == "phone":
        if masked:  # only the digits the masked card shows
            shown = len(word.raw) == SHOWN_PHONE_DIGITS and phone[-SHOWN_PHONE_DIGITS:] == word.raw
            return (1, "phone") if shown else None
        return (1, "phone") if phone_digits_match(word.raw, phone) else None
    if word.kind == "email":
        return (1, "email") if word.forms and any(t.startswith(f) for f in word.forms for t in tokens) else None
    return _match_word(word, tokens, token_set)
