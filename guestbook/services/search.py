"""Guest search: forgiving of accents, case, word order, typos and script; one interface for web and API.

Design (see README, "Search"): every guest write stores normalised tokens in ``guest_token``
(ordered by token, then most recent visit), so a prefix is a B-tree range scan. The most selective
query word drives a capped candidate scan; the other words are checked against the candidate's
stored tokens in Python. Words of 4+ letters also match with one edit through a small vocabulary of
one-letter deletions. Phone digits are found by substring through an FTS5 trigram table on SQLite
(LIKE on PostgreSQL, where pg_trgm serves it). Scoring: exact full name, then prefix, then fuzzy;
ties by today's arrivals, then last visit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from anyascii import anyascii
from sqlalchemy import delete, insert, select, text, update

from ..extensions import db
from ..models import Guest
from ..models.search import GuestSearchKey, GuestToken, SearchVocabVariant

CANDIDATE_CAP = 4000
FUZZY_MIN_LENGTH = 4
_SPLIT = re.compile(r"[\s,./;:()\[\]{}<>!?\"_+=*&^%$#@~`|\\]+")
_CAMEL = re.compile(r"[A-Z][a-z]*|[a-z]+|[0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})

# Extension point: the reservations feature registers a function returning today's arriving guest ids.
arrivals_today_provider: list[Callable[[], set[int]]] = []


def _is_cjk_or_kana(ch: str) -> bool:
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


def normalise(word: str) -> str:
    """Case- and accent-free form of one word: ``MÜLLER`` → ``muller``, ``O'Brien`` → ``obrien``."""
    stripped = _strip_marks(_clean(word))
    if all(ord(ch) < 0x250 for ch in stripped):
        stripped = anyascii(stripped).lower()  # ø → o, ł → l, æ → ae
    return stripped


def words_of(text_value: str) -> list[str]:
    """Split text into words, keeping hyphenated and apostrophised names as one word."""
    return [w for w in _SPLIT.split(text_value) if w and re.search(r"\w", w)]


def word_forms(word: str) -> set[str]:
    """Every searchable form of one word: plain, German-umlaut, romanised and its syllables."""
    forms = {normalise(word)}
    if any(ch in word for ch in "äöüÄÖÜ"):
        forms.add(normalise(word.translate(_GERMAN)))
    if "-" in word:
        forms.update(normalise(part) for part in word.split("-") if part)
    if any(ord(ch) >= 0x250 for ch in _strip_marks(_clean(word))):
        roman = anyascii(_strip_marks(unicodedata.normalize("NFKC", word)))
        forms.add(normalise(roman))
        syllables = _CAMEL.findall(roman)
        if len(syllables) > 1:
            forms.update(s.lower() for s in syllables)
    return {f for f in forms if f}


def _name_forms(guest: Guest) -> set[str]:
    """Each way of writing the guest's full name, as sorted token lists, for exact-match ranking."""
    forms: set[str] = set()
    for fields in ((guest.given_name, guest.family_name), (guest.preferred_name,)):
        words = [w for f in fields for w in words_of(f or "")]
        if not words:
            continue
        plain = [normalise(w) for w in words]
        forms.add(" ".join(sorted(plain)))
        german = [normalise(w.translate(_GERMAN)) for w in words]
        forms.add(" ".join(sorted(german)))
        if any(any(ord(ch) >= 0x250 for ch in w) for w in words):
            roman = [normalise(anyascii(_strip_marks(unicodedata.normalize("NFKC", w)))) for w in words]
            forms.add(" ".join(sorted(roman)))
            if all(_is_cjk_or_kana(ch) for w in words for ch in w):
                forms.add("".join(normalise(w) for w in (guest.family_name, guest.given_name) if w))
    return forms


def guest_tokens(guest: Guest) -> set[str]:
    """All search tokens of a guest: names (all forms), CJK full name, company words and email."""
    tokens: set[str] = set()
    for value in (guest.given_name, guest.family_name, guest.preferred_name, guest.company):
        for word in words_of(value or ""):
            tokens |= word_forms(word)
    family, given = guest.family_name or "", guest.given_name or ""
    if family and given and all(_is_cjk_or_kana(ch) for ch in family + given):
        tokens.add(normalise(family + given))
    if guest.email:
        email = guest.email.lower()
        tokens.add(email)
        tokens.update(normalise(w) for w in re.split(r"[@._+-]", email.split("@")[0]) if len(w) > 1)
    return {t[:120] for t in tokens if t}


def _recency(guest: Guest) -> int:
    return -int(guest.last_visit_at.timestamp()) if guest.last_visit_at else 0


def deletions(token: str) -> set[str]:
    """Every string made by deleting one character of ``token``."""
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def _fuzzy_eligible(token: str) -> bool:
    return len(token) >= FUZZY_MIN_LENGTH and not token.isdigit() and "@" not in token


def index_guest(guest: Guest) -> None:
    """(Re)write a guest's search entries in the current transaction; call on every guest write."""
    remove_guest(guest.id)
    tokens = guest_tokens(guest)
    rec = _recency(guest)
    if tokens:
        db.session.execute(insert(GuestToken), [{"token": t, "recency": rec, "guest_id": guest.id} for t in tokens])
    db.session.execute(
        insert(GuestSearchKey),
        [
            {
                "guest_id": guest.id,
                "tokens": " ".join(sorted(tokens)),
                "name_forms": "|".join(sorted(_name_forms(guest))),
                "phone_digits": guest.phone_digits or "",
            }
        ],
    )
    _add_vocab(t for t in tokens if _fuzzy_eligible(t))
    if guest.phone_digits and _is_sqlite():
        db.session.execute(
            text("INSERT INTO guest_phone_fts(rowid, digits) VALUES (:id, :digits)"),
            {"id": guest.id, "digits": guest.phone_digits},
        )


def remove_guest(guest_id: int) -> None:
    """Drop a guest's search entries (before re-indexing, or when a guest is erased)."""
    db.session.execute(delete(GuestToken).where(GuestToken.guest_id == guest_id))
    db.session.execute(delete(GuestSearchKey).where(GuestSearchKey.guest_id == guest_id))
    if _is_sqlite():
        db.session.execute(text("DELETE FROM guest_phone_fts WHERE rowid = :id"), {"id": guest_id})


def touch_recency(guest: Guest) -> None:
    """Re-order a guest's tokens after a visit so recent guests come first."""
    db.session.execute(update(GuestToken).where(GuestToken.guest_id == guest.id).values(recency=_recency(guest)))


def _add_vocab(tokens: Iterable[str]) -> None:
    rows = [{"variant": v, "token": t} for t in set(tokens) for v in deletions(t)]
    if not rows:
        return
    stmt = insert(SearchVocabVariant).prefix_with("OR IGNORE") if _is_sqlite() else None
    if stmt is not None:
        db.session.execute(stmt, rows)
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(SearchVocabVariant).on_conflict_do_nothing(), rows)


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    return any(a == b[:i] + b[i + 1 :] for i in range(len(b)))


@dataclass
class SearchHit:
    """One ranked result: the guest id and why it matched (0 exact, 1 all words exact, 2 prefix, 3 fuzzy)."""

    guest_id: int
    match: int
    arriving_today: bool
    recency: int
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    raw: str
    forms: frozenset[str]


def _query_words(q: str) -> list[_Word]:
    out = []
    for w in words_of(q):
        if w.isdigit():
            out.append(_Word(w, frozenset({w})))
        else:
            out.append(_Word(w, frozenset(word_forms(w))))
    return out


def _prefix_upper(prefix: str) -> str:
    return prefix + "\U0010ffff"


def _match_word(word: _Word, tokens: list[str]) -> int | None:
    """How one query word matches a guest's tokens: 1 exact, 2 prefix, 3 fuzzy, None no match."""
    best: int | None = None
    for form in word.forms:
        for token in tokens:
            if token == form:
                return 1
            if token.startswith(form):
                best = 2
            elif best is None and _fuzzy_eligible(form) and within_one_edit(form, token):
                best = 3
    return best


def _candidates(word: _Word) -> dict[int, int]:
    """Guest ids (with recency) whose tokens start with, or are one edit from, a form of ``word``."""
    found: dict[int, int] = {}
    for form in word.forms:
        stmt = (
            select(GuestToken.guest_id, GuestToken.recency)
            .where(GuestToken.token >= form, GuestToken.token < _prefix_upper(form))
            .limit(CANDIDATE_CAP)
        )
        for gid, rec in db.session.execute(stmt):
            found.setdefault(gid, rec)
        if _fuzzy_eligible(form):
            variants = deletions(form) | {form}
            near = db.session.scalars(
                select(SearchVocabVariant.token).where(SearchVocabVariant.variant.in_(variants)).distinct()
            ).all()
            near += db.session.scalars(
                select(SearchVocabVariant.token).where(SearchVocabVariant.token.in_(variants)).distinct()
            ).all()
            typo_tokens = {t for t in near if t != form and within_one_edit(form, t)}
            if typo_tokens:
                stmt = (
                    select(GuestToken.guest_id, GuestToken.recency)
                    .where(GuestToken.token.in_(typo_tokens))
                    .limit(CANDIDATE_CAP)
                )
                for gid, rec in db.session.execute(stmt):
                    found.setdefault(gid, rec)
    return found


def _phone_candidates(digits: str) -> dict[int, int]:
    if _is_sqlite():
        rows = db.session.execute(
            text("SELECT rowid FROM guest_phone_fts WHERE digits MATCH :q LIMIT :cap"),
            {"q": f'"{digits}"', "cap": CANDIDATE_CAP},
        )
    else:
        rows = db.session.execute(
            select(GuestSearchKey.guest_id).where(GuestSearchKey.phone_digits.contains(digits)).limit(CANDIDATE_CAP)
        )
    ids = [r[0] for r in rows]
    if not ids:
        return {}
    recs = db.session.execute(select(Guest.id, Guest.last_visit_at).where(Guest.id.in_(ids)))
    return {gid: (-int(at.timestamp()) if at else 0) for gid, at in recs}


def search_hits(q: str, limit: int = 20) -> list[SearchHit]:
    """Rank guests for a query typed by staff or sent to the API."""
    words = _query_words(q)
    if not words:
        return []
    phone_words = [w for w in words if w.raw.isdigit() and len(w.raw) >= 4]
    name_words = [w for w in words if w not in phone_words]
    # Drive the scan with the most selective word: phone digits, then the longest word.
    if phone_words:
        candidates = _phone_candidates(max(phone_words, key=lambda w: len(w.raw)).raw)
        for extra in phone_words[1:]:
            candidates = {g: r for g, r in candidates.items() if g in _phone_candidates(extra.raw)}
    else:
        driver = max(name_words, key=lambda w: max(len(f) for f in w.forms))
        candidates = _candidates(driver)
    arriving = set().union(*(p() for p in arrivals_today_provider)) if arrivals_today_provider else set()
    if not candidates:
        return []
    keys = {
        gid: (tokens.split(" "), set(forms.split("|")))
        for gid, tokens, forms in _fetch_keys(list(candidates))
    }
    query_forms = _query_name_forms(name_words)
    hits: list[SearchHit] = []
    for gid, rec in candidates.items():
        if gid not in keys:
            continue
        tokens, name_forms = keys[gid]
        levels = [_match_word(w, tokens) for w in name_words]
        if any(level is None for level in levels):
            continue
        if name_words and query_forms & name_forms:
            match = 0
        else:
            match = max((level for level in levels if level is not None), default=1)
        hits.append(SearchHit(gid, match, gid in arriving, rec))
    hits.sort(key=lambda h: (h.match, not h.arriving_today, h.recency, h.guest_id))
    return hits[:limit]


def _query_name_forms(words: list[_Word]) -> set[str]:
    """The query as full-name forms: plain and romanised token lists, sorted like the stored ones."""
    if not words:
        return set()
    plain = " ".join(sorted(normalise(w.raw) for w in words))
    forms = {plain}
    forms.add(" ".join(sorted(normalise(w.raw.translate(_GERMAN)) for w in words)))
    return forms


def _fetch_keys(ids: list[int]) -> list[tuple[int, str, str]]:
    rows: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = select(GuestSearchKey.guest_id, GuestSearchKey.tokens, GuestSearchKey.name_forms).where(
            GuestSearchKey.guest_id.in_(chunk)
        )
        rows.extend((gid, toks, forms) for gid, toks, forms in db.session.execute(stmt))
    return rows


def search_guests(q: str, limit: int = 20) -> list[Guest]:
    """The guests matching ``q``, best first (the one search used by the web and the API)."""
    hits = search_hits(q, limit)
    if not hits:
        return []
    by_id = {g.id: g for g in db.session.scalars(select(Guest).where(Guest.id.in_([h.guest_id for h in hits])))}
    return [by_id[h.guest_id] for h in hits if h.guest_id in by_id]
