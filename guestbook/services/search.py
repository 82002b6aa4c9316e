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

CANDIDATE_CAP = 400
PHONE_CAP = 200  # digits identify a guest; a page of the most recent matches is plenty
FUZZY_MIN_LENGTH = 4
_SPLIT = re.compile(r"[\s,./;:()\[\]{}<>!?\"_+=*&^%$#@~`|\\]+")
_CAMEL = re.compile(r"[A-Z][a-z]*|[a-z]+|[0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})

# Extension point: the reservations feature registers a function returning today's arriving guest ids.
arrivals_today_provider: list[Callable[[], set[int]]] = []
# ... and one returning the guests whose reservation today is at the table or room typed ("Window 2", "1204").
table_today_provider: list[Callable[[str], set[int]]] = []


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
    q = q.strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]*", q):  # an email address (or the start of one) is one word
        return [_Word(q.lower(), frozenset({q.lower()}))]
    out = []
    for w in words_of(q):
        if w.isdigit():
            out.append(_Word(w, frozenset({w})))
        else:
            # The index holds every form of a name (romanised too); a query only needs its own spellings.
            forms = {normalise(w)}
            if any(ch in w for ch in "äöüÄÖÜ"):
                forms.add(normalise(w.translate(_GERMAN)))
            out.append(_Word(w, frozenset(f for f in forms if f)))
    return out


def _prefix_upper(prefix: str) -> str:
    """Exclusive upper bound of the tokens starting with ``prefix``.

    Exact only in code-point order: SQLite's BINARY collation, and ``guest_token.token COLLATE "C"``
    on PostgreSQL (migration 0005). A linguistic collation would misplace some tokens (ICU sorts the
    Thai ``เก`` as ``กเ``, so ``สมเกียรติ`` falls outside the range of the prefix ``สมเ``).
    """
    return prefix + "\U0010ffff"


def _match_word(word: _Word, tokens: list[str], token_set: set[str]) -> int | None:
    """How one query word matches a guest's tokens: 1 exact, 2 prefix, 3 one edit, None no match."""
    if word.forms & token_set:
        return 1
    if any(token.startswith(form) for form in word.forms for token in tokens):
        return 2
    if any(_fuzzy_eligible(form) and within_one_edit(form, token) for form in word.forms for token in tokens):
        return 3
    return None


def _typo_tokens(form: str) -> set[str]:
    """Known tokens one edit away from ``form`` (symmetric-delete lookup in the vocabulary)."""
    if not _fuzzy_eligible(form):
        return set()
    variants = deletions(form) | {form}
    near = set(db.session.scalars(select(SearchVocabVariant.token).where(SearchVocabVariant.variant.in_(variants))))
    near |= set(db.session.scalars(select(SearchVocabVariant.token).where(SearchVocabVariant.token.in_(variants))))
    return {t for t in near if t != form and within_one_edit(form, t)}


class _Sql:
    """Builds one parameterised candidate query: the driver word scans, the others must EXIST."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def word_clause(self, alias: str, word: _Word, typos: dict[str, set[str]] | None) -> str:
        parts = [
            f"({alias}.token >= {self.bind(form)} AND {alias}.token < {self.bind(_prefix_upper(form))})"
            for form in sorted(word.forms)
        ]
        extra = set().union(*(typos.get(f, set()) for f in word.forms)) if typos is not None else set()
        if extra:
            parts.append(f"{alias}.token IN ({', '.join(self.bind(t) for t in sorted(extra))})")
        return "(" + " OR ".join(parts) + ")"


def _estimate(word: _Word, ceiling: int = 3000) -> int:
    """How many index rows a word's prefix scan touches (counted up to ``ceiling``: cheap, covering index)."""
    sql = _Sql()
    clause = sql.word_clause("a", word, None)
    stmt = text(f"SELECT count(*) FROM (SELECT 1 FROM guest_token a WHERE {clause} LIMIT {ceiling:d}) AS hits")
    return int(db.session.execute(stmt, sql.params).scalar_one())


def _word_candidates(driver: _Word, others: list[_Word], fuzzy: bool, cap: int) -> dict[int, tuple[int, int]]:
    """Guests whose tokens match every word (prefix; with ``fuzzy`` also one edit), capped.

    Returns guest id → (recency, how the driver word matched: 1 exact, 2 prefix, 3 one edit).
    Rows come in index order: exact tokens first, newest visit first within a token.
    """
    typos = {f: _typo_tokens(f) for w in (driver, *others) for f in w.forms} if fuzzy else None
    sql = _Sql()
    where = [sql.word_clause("a", driver, typos)]
    for word in others:
        clause = sql.word_clause("b", word, typos)
        where.append(f"EXISTS (SELECT 1 FROM guest_token b WHERE b.guest_id = a.guest_id AND {clause})")
    stmt = text(
        "SELECT a.guest_id, a.recency, a.token FROM guest_token a WHERE " + " AND ".join(where) + f" LIMIT {cap:d}"
    )
    found: dict[int, tuple[int, int]] = {}
    for gid, rec, token in db.session.execute(stmt, sql.params):
        level = 1 if token in driver.forms else 2 if any(token.startswith(f) for f in driver.forms) else 3
        if gid not in found or level < found[gid][1]:
            found[gid] = (rec, level)
    return found


def _phone_candidates(digits: str) -> dict[int, int]:
    if _is_sqlite():
        rows = db.session.execute(
            text("SELECT rowid FROM guest_phone_fts WHERE digits MATCH :q LIMIT :cap"),
            {"q": f'"{digits}"', "cap": PHONE_CAP},
        )
    else:
        rows = db.session.execute(
            select(GuestSearchKey.guest_id).where(GuestSearchKey.phone_digits.contains(digits)).limit(PHONE_CAP)
        )
    return _with_recency([r[0] for r in rows])


def _with_recency(ids: list[int]) -> dict[int, int]:
    """Guest id → minus the last-visit epoch (the same recency key the token index holds)."""
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
    # guest id -> (recency, provisional match level)
    candidates: dict[int, tuple[int, int]]
    if phone_words:
        found = _phone_candidates(max(phone_words, key=lambda w: len(w.raw)).raw)
        for extra in phone_words[1:]:
            also = _phone_candidates(extra.raw)
            found = {g: r for g, r in found.items() if g in also}
        candidates = {g: (r, 1) for g, r in found.items()}
    else:
        # The most selective word drives the index scan; the others are checked per guest (EXISTS).
        if len(name_words) > 1:
            driver = min(name_words, key=lambda w: (_estimate(w), -max(len(f) for f in w.forms)))
        else:
            driver = name_words[0]
        others = [w for w in name_words if w is not driver]
        # Every extra word filters, so fewer rows are needed to fill and rank a page.
        cap = CANDIDATE_CAP if not others else max(limit * 5, 100)
        candidates = _word_candidates(driver, others, fuzzy=False, cap=cap)
        if len(candidates) < limit:  # typo matches rank last, so they are only needed to fill the list
            fuzzy = _word_candidates(driver, others, fuzzy=True, cap=cap)
            candidates.update({g: v for g, v in fuzzy.items() if g not in candidates})
    arriving = set().union(*(p() for p in arrivals_today_provider)) if arrivals_today_provider else set()
    candidates.update({g: (r, 2) for g, r in _with_recency([g for g in arriving if g not in candidates]).items()})
    at_table = set().union(*(p(q) for p in table_today_provider)) if table_today_provider else set()
    candidates.update({g: (r, 1) for g, r in _with_recency(list(at_table)).items()})
    if not candidates:
        return []
    # With one word the driver's token already tells exact from prefix: only the head of the list
    # needs its stored keys (to promote exact full names and settle typos). With more words, all do.
    order = sorted(candidates, key=lambda g: (candidates[g][1], g not in arriving, candidates[g][0], g))
    to_check = order if len(name_words) > 1 or phone_words else order[: limit * 3]
    to_check = [*(g for g in order if g in at_table), *(g for g in to_check if g not in at_table)]
    keys = {
        gid: (tokens.split(" "), set(forms.split("|")), phone) for gid, tokens, forms, phone in _fetch_keys(to_check)
    }
    query_forms = _query_name_forms(name_words)
    hits: list[SearchHit] = []
    for gid in to_check:
        if gid in at_table:  # found by today's table or room: as good as an exact name
            hits.append(SearchHit(gid, 1, gid in arriving, candidates[gid][0], ["table"]))
            continue
        if gid not in keys:
            continue
        tokens, name_forms, phone = keys[gid]
        if any(w.raw not in phone for w in phone_words):  # e.g. an arriving guest added without matching
            continue
        token_set = set(tokens)
        levels = [_match_word(w, tokens, token_set) for w in name_words]
        if any(level is None for level in levels):
            continue
        if name_words and query_forms & name_forms:
            match = 0
        else:
            match = max((level for level in levels if level is not None), default=1)
        hits.append(SearchHit(gid, match, gid in arriving, candidates[gid][0]))
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


def _fetch_keys(ids: list[int]) -> list[tuple[int, str, str, str]]:
    rows: list[tuple[int, str, str, str]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ", ".join(f":k{i}" for i in range(len(chunk)))
        stmt = text(
            f"SELECT guest_id, tokens, name_forms, phone_digits FROM guest_search_key WHERE guest_id IN ({marks})"
        )
        result = db.session.execute(stmt, {f"k{i}": gid for i, gid in enumerate(chunk)})
        rows.extend((gid, toks, forms, phone or "") for gid, toks, forms, phone in result)
    return rows


def search_guests(q: str, limit: int = 20) -> list[Guest]:
    """The guests matching ``q``, best first (the one search used by the web and the API)."""
    hits = search_hits(q, limit)
    if not hits:
        return []
    by_id = {g.id: g for g in db.session.scalars(select(Guest).where(Guest.id.in_([h.guest_id for h in hits])))}
    return [by_id[h.guest_id] for h in hits if h.guest_id in by_id]
