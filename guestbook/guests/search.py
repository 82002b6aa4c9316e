"""Guest search: forgiving of accents, case, word order, typos and script; one interface for web and API.

Design (see README, "Search"): every guest write stores normalised tokens in ``guest_token``
(``search_index``; ordered by token, then most recent visit), so a prefix is a B-tree range scan. The most selective
query word drives a capped candidate scan; the other words are checked against the candidate's
stored tokens in Python (``search_words``). Words of 4+ letters also match with one edit through a small vocabulary of
one-letter deletions. Phone digits are found by substring through an FTS5 trigram table on SQLite
(LIKE on PostgreSQL, where pg_trgm serves it). Scoring: exact full name, then prefix, then fuzzy;
ties by today's arrivals, then last visit.

Masked roles (``masked=True``: the floor, who see contacts masked) search only what they are shown:
no e-mail at all, and a phone only by its last four digits (the ``#`` token; see ``search_tokens``),
so a masked contact cannot be rebuilt by watching which guest stays in the list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, extract, func, select, text
from sqlalchemy.orm import selectinload

from guestbook.db import rows
from guestbook.db_rows import statement
from guestbook.extensions import db
from guestbook.guests import tags, tonight
from guestbook.guests.models import Guest, guest_tag
from guestbook.guests.search_index import index_guest, on_sqlite, recency_key, remove_guest, touch_recency
from guestbook.guests.search_models import GuestSearchKey
from guestbook.guests.search_sql import estimates, exact_candidates, phone_candidates, word_candidates
from guestbook.guests.search_tokens import (
    deletions,
    german,
    guest_tokens,
    normalise,
    word_forms,
    words_of,
)
from guestbook.guests.search_words import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    Word,
    clip_query,
    phone_digits_match,
    query_words,
    visible_tokens,
    within_one_edit,
    word_match,
)

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "SearchHit",
    "clip_query",
    "deletions",
    "guest_tokens",
    "index_guest",
    "normalise",
    "remove_guest",
    "search_guests",
    "search_hits",
    "touch_recency",
    "within_one_edit",
    "word_forms",
    "words_of",
]

CANDIDATE_CAP = 400


PHONE_CAP = 200  # phone matches ranked at most: digits identify a guest; the most recent matches are plenty


class _Key(NamedTuple):
    """A guest's stored search key, split for matching (``_parsed``): the tokens every role may match and all of them
    (each as a tuple and a set), the full-name forms and the phone digits."""

    shown: tuple[str, ...]
    shown_set: frozenset[str]
    tokens: tuple[str, ...]
    token_set: frozenset[str]
    forms: frozenset[str]
    phone: str


@dataclass
class SearchHit:
    """One ranked result: the guest id, how well it matched (0 exact, 1 all words exact, 2 prefix, 3 fuzzy) and why.

    ``reasons`` holds codes in query-word order: ``table``, ``phone``, ``email``, ``name`` (exact),
    ``prefix`` and ``fuzzy`` (one letter off); ``search_results`` turns them into words for staff.
    """

    guest_id: int
    match: int
    arriving_today: bool
    recency: int
    reasons: list[str] = field(default_factory=list)


def _with_recency(ids: list[int]) -> dict[int, int]:
    """Guest id → minus the last-visit epoch (the same recency key the token index holds)."""
    if not ids:
        return {}
    if on_sqlite():  # SQLite works the epoch out: every search asks this of today's arrivals (50 at a busy dinner)
        return dict(rows(_sqlite_recency_stmt(), {"ids": ids}))
    return {gid: recency_key(at) for gid, at in rows(_recency_stmt(), {"ids": ids})}


@statement
def _sqlite_recency_stmt() -> Select[int, int]:
    """``_recency_stmt`` with the epoch taken in SQL."""
    return select(Guest.id, _sqlite_recency()).where(Guest.id.in_(bindparam("ids", expanding=True)))


def _sqlite_recency() -> Any:
    """``recency_key`` in SQL (``strftime('%s')``: whole seconds, as ``int(timestamp())``)."""
    return func.coalesce(-extract("epoch", Guest.last_visit_at), 0)


def _arrivals_with_keys(ids: list[int], keys: dict[int, _Key]) -> dict[int, int]:
    """``_with_recency`` of today's arrivals, their stored keys put in ``keys``: one statement for both, as every
    keystroke checks every arrival (50 at a busy dinner)."""
    if not ids:
        return {}
    sqlite = on_sqlite()
    found: dict[int, int] = {}
    for gid, recency, tokens, forms, phone in rows(
        _arrival_keys_stmt() if sqlite else _arrival_keys_at_stmt(), {"ids": ids}
    ):
        found[gid] = recency if sqlite else recency_key(recency)
        if tokens is not None:  # a guest not indexed yet matches nothing (as in ``_keys_of``)
            keys[gid] = _parsed(tokens, forms, phone or "")
    return found


def _arrival_keys_select(recency: Any) -> Select[Any]:
    key = GuestSearchKey
    return (
        select(Guest.id, recency, key.tokens, key.name_forms, key.phone_digits)
        .outerjoin(key, key.guest_id == Guest.id)
        .where(Guest.id.in_(bindparam("ids", expanding=True)))
    )


@statement
def _arrival_keys_stmt() -> Select[Any]:
    """SQLite: the recency worked out in SQL, as ``_sqlite_recency_stmt``."""
    return _arrival_keys_select(_sqlite_recency())


@statement
def _arrival_keys_at_stmt() -> Select[Any]:
    return _arrival_keys_select(Guest.last_visit_at)


@statement
def _recency_stmt() -> Select[int, datetime | None]:
    """Built once (as the other statements every search runs): building one costs more than running it."""
    return select(Guest.id, Guest.last_visit_at).where(Guest.id.in_(bindparam("ids", expanding=True)))


@functools.cache
def _guests_stmt() -> Select[Guest]:
    # The list shows each guest's allergies: loaded with the guests, not one query per result.
    return select(Guest).where(Guest.id.in_(bindparam("ids", expanding=True))).options(selectinload(Guest.allergies))


def search_hits(q: str, limit: int = 20, *, masked: bool = False) -> list[SearchHit]:
    """Rank guests for a query typed by staff or sent to the API.

    ``masked`` is for roles that see contact details masked: they match no e-mail, and a phone only
    by the four last digits their card shows. Longer queries are clipped (``clip_query``); the API
    refuses them with a 422 instead.
    """
    q = clip_query(q)
    q, tag_names = tags.split_tag_filters(q)
    tag_ids: list[int] = []
    if tag_names:
        known = tags.tag_ids_for_search(tag_names)
        if known is None:  # nobody carries a tag that does not exist
            return []
        tag_ids = known
        if not q:
            return _tagged_hits(tag_ids, limit)
    words = query_words(q, masked)
    if not words:
        return []
    if not on_sqlite():
        _plan_each_query()
    # Digits a role may match anywhere go through the phone index; a masked role's four digits are a token.
    phone_words = [w for w in words if w.kind == "phone" and not masked]
    token_words = [w for w in words if w not in phone_words]
    blind = [w for w in token_words if not w.forms]  # nothing this role may match (hidden contact digits)
    arriving = tonight.arriving_guest_ids()  # today's bookings, as the reservations domain supplies them
    at_table = tonight.guests_at_table(q)
    # guest id -> (recency, provisional match level)
    candidates: dict[int, tuple[int, int]] = {}
    words_capped = False  # a multi-word name scan stopped at its cap (see the exact pass below)
    exact_counts: list[int] = []
    keys: dict[int, _Key] = {}  # stored search keys, fetched once per guest
    if blind:
        pass
    elif phone_words and token_words:
        # The other words set each guest's match level, which outranks recency: the most recent matches, all ranked.
        candidates = {g: (r, 1) for g, r in phone_candidates(phone_words, PHONE_CAP, tag_ids=tag_ids)}
    elif phone_words:
        # Digits alone: every match ranks alike, so the page is the most recent matches; only they are checked.
        candidates = _phone_page(phone_words, limit, tag_ids, keys)
    else:
        # The most selective word drives the index scan; the others are checked per guest (EXISTS).
        if len(token_words) > 1:
            prefix_counts, exact_counts = estimates(token_words)
            estimated = zip(token_words, prefix_counts, strict=True)
            driver = min(estimated, key=lambda pair: (pair[1], -max(len(f) for f in pair[0].forms)))[0]
        else:
            driver = token_words[0]
        others = [w for w in token_words if w is not driver]
        # Every extra word filters, so fewer rows are needed to fill and rank a page.
        cap = CANDIDATE_CAP if not others else max(limit * 2, 40)
        candidates, capped = word_candidates(driver, others, fuzzy=False, cap=cap, tag_ids=tag_ids)
        words_capped = capped and bool(others)
        if len(candidates) < limit:  # typo matches rank last, so they are only needed to fill the list
            fuzzy, _ = word_candidates(driver, others, fuzzy=True, cap=cap, tag_ids=tag_ids)
            candidates.update({g: v for g, v in fuzzy.items() if g not in candidates})
    if not blind:
        arrivals = _arrivals_with_keys([g for g in arriving if g not in candidates], keys)
        candidates.update({g: (r, 2) for g, r in arrivals.items()})
    candidates.update({g: (r, 1) for g, r in _with_recency(list(at_table)).items()})
    if tag_ids:
        tagged = _carrying(tag_ids, list(candidates))
        candidates = {g: v for g, v in candidates.items() if g in tagged}
    if not candidates:
        return []
    # With one word the driver's token already tells exact from prefix: only the head of the list
    # needs its stored keys (to promote exact full names and settle typos). With more words, all do.
    order = sorted(candidates, key=lambda g: (candidates[g][1], g not in arriving, candidates[g][0], g))
    to_check = order if len(token_words) > 1 or phone_words else order[: limit * 3]
    to_check = [*(g for g in order if g in at_table), *(g for g in to_check if g not in at_table)]
    keys.update(_keys_of([g for g in to_check if g not in keys]))
    name_words = [w for w in words if w.kind == "name"]
    query_forms = _query_name_forms(name_words)

    def score(gid: int) -> SearchHit | None:
        if gid in at_table:  # found by today's table or room: as good as an exact name
            return SearchHit(gid, 1, gid in arriving, candidates[gid][0], ["table"])
        if gid not in keys or blind:
            return None
        key = keys[gid]
        tokens, token_set = (key.shown, key.shown_set) if masked else (key.tokens, key.token_set)
        matched = []
        for w in words:  # every word must match: most candidates (today's arrivals) fail the first
            m = word_match(w, tokens, token_set, key.phone, masked)
            if m is None:
                return None
            matched.append(m)
        reasons = list(dict.fromkeys(code for _, code in matched))
        if name_words and query_forms & key.forms:
            match = 0
            reasons = ["name" if code in ("prefix", "fuzzy") else code for code in reasons]
        else:
            match = max((level for level, _ in matched), default=1)
        return SearchHit(gid, match, gid in arriving, candidates[gid][0], list(dict.fromkeys(reasons)))

    hits = [hit for hit in map(score, to_check) if hit is not None]
    if words_capped and sum(hit.match == 0 for hit in hits) < limit:
        # The cap kept the driver's most recent prefix matches; older guests holding every word whole (an exact
        # full name, ranked first) can be behind them: "li na" behind 40 recent "Li Nan". With a page of exact full
        # names already found, any behind the cap are older and rank below them: no second pass.
        extra = {
            g: v for g, v in exact_candidates(token_words, exact_counts, cap, tag_ids).items() if g not in candidates
        }
        candidates.update(extra)
        keys.update(_keys_of(list(extra)))
        hits += [hit for hit in map(score, extra) if hit is not None]
    if tag_ids:
        for hit in hits:
            hit.reasons.append("tag")
    hits.sort(key=lambda h: (h.match, not h.arriving_today, h.recency, h.guest_id))
    return hits[:limit]


def _phone_page(words: list[Word], limit: int, tag_ids: list[int], keys: dict[int, _Key]) -> dict[int, tuple[int, int]]:
    """The ``limit`` most recent guests whose stored phone matches every word: id → (recency, 1); fills ``keys``.

    The SQL patterns (``phone_forms``) already say what ``phone_digits_match`` says, so the first page is
    normally the answer. A candidate whose key fails the check anyway is replaced from the next page (twice as
    large), up to ``PHONE_CAP`` candidates in all.
    """
    found: dict[int, tuple[int, int]] = {}
    after: tuple[int, int] | None = None
    count, examined = limit, 0
    while len(found) < limit and count > 0:
        page = phone_candidates(words, count, after, tag_ids)
        keys.update(_keys_of([g for g, _ in page if g not in keys]))
        for gid, rec in page:
            if gid in keys and all(phone_digits_match(w.raw, keys[gid].phone) for w in words):
                found[gid] = (rec, 1)
        examined += len(page)
        if len(page) < count:  # no more matches
            break
        after = (page[-1][1], page[-1][0])
        count = min(count * 2, PHONE_CAP - examined)
    return found


def _plan_each_query() -> None:
    """PostgreSQL: plan this transaction's statements for their values, never from a cached generic plan.

    psycopg prepares a statement after its fifth run; PostgreSQL may then keep one generic plan for every
    value. A token range's rows depend on the value (none for a typo, thousands for a common name), and the
    generic guess chose a sequential scan of the whole token table (seconds at a million guests).
    """
    db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _carrying(tag_ids: list[int], guest_ids: list[int]) -> set[int]:
    """Those of ``guest_ids`` that carry every tag of ``tag_ids``."""
    found: set[int] = set()
    for start in range(0, len(guest_ids), 900):
        chunk = guest_ids[start : start + 900]
        stmt = (
            select(guest_tag.c.guest_id)
            .where(guest_tag.c.tag_id.in_(tag_ids), guest_tag.c.guest_id.in_(chunk))
            .group_by(guest_tag.c.guest_id)
            .having(func.count() == len(set(tag_ids)))
        )
        found.update(rows(stmt).scalars())
    return found


def _tagged_hits(tag_ids: list[int], limit: int) -> list[SearchHit]:
    """A search by tags alone: the guests carrying every tag, today's arrivals first, then the most recent."""
    stmt = (
        select(Guest.id, Guest.last_visit_at)
        .join(guest_tag, guest_tag.c.guest_id == Guest.id)
        .where(guest_tag.c.tag_id.in_(tag_ids))
        .group_by(Guest.id, Guest.last_visit_at)
        .having(func.count() == len(set(tag_ids)))
        .order_by(Guest.last_visit_at.desc().nulls_last(), Guest.id.desc())
        .limit(CANDIDATE_CAP)
    )
    arriving = tonight.arriving_guest_ids()
    hits = [SearchHit(gid, 1, gid in arriving, recency_key(at), ["tag"]) for gid, at in rows(stmt)]
    hits.sort(key=lambda h: (not h.arriving_today, h.recency, -h.guest_id))
    return hits[:limit]


def _query_name_forms(words: list[Word]) -> set[str]:
    """The query as full-name forms: plain and German token lists, sorted like the stored ones."""
    if not words:
        return set()
    return {" ".join(sorted(normalise(w.raw) for w in words)), " ".join(sorted(german(w.raw) for w in words))}


def _keys_of(ids: list[int]) -> dict[int, _Key]:
    """The stored search keys of ``ids``, split for matching."""
    return {gid: _parsed(tokens, forms, phone) for gid, tokens, forms, phone in _fetch_keys(ids)}


@functools.lru_cache(maxsize=8192)
def _parsed(tokens: str, forms: str, phone: str) -> _Key:
    """A stored key split for matching, remembered by its text: today's arrivals are checked on every keystroke."""
    split = tuple(tokens.split(" "))
    shown = tuple(visible_tokens(list(split), masked=True))
    return _Key(shown, frozenset(shown), split, frozenset(split), frozenset(forms.split("|")), phone)


def _fetch_keys(ids: list[int]) -> list[tuple[int, str, str, str]]:
    """The stored search keys of ``ids`` (tokens, name forms, phone digits), 900 ids a statement."""
    found: list[tuple[int, str, str, str]] = []
    for start in range(0, len(ids), 900):
        result = rows(_keys_stmt(), {"ids": ids[start : start + 900]})
        found.extend((gid, toks, forms, phone or "") for gid, toks, forms, phone in result)
    return found


@statement
def _keys_stmt() -> Select[int, str, str, str]:
    """Built once: a text() with one named parameter per id was rebuilt (and re-parsed by the driver) per search."""
    key = GuestSearchKey
    return select(key.guest_id, key.tokens, key.name_forms, key.phone_digits).where(
        key.guest_id.in_(bindparam("ids", expanding=True))
    )


def search_guests(q: str, limit: int = 20, *, masked: bool = False) -> list[Guest]:
    """The guests matching ``q``, best first (the one search used by the web and the API)."""
    return [guest for guest, _hit in search_guest_hits(q, limit, masked=masked)]


def search_guest_hits(q: str, limit: int = 20, *, masked: bool = False) -> list[tuple[Guest, SearchHit]]:
    """The guests matching ``q`` with their hits (why each matched), best first."""
    hits = search_hits(q, limit, masked=masked)
    if not hits:
        return []
    ids = [h.guest_id for h in hits]
    by_id = {g.id: g for g in db.session.scalars(_guests_stmt(), {"ids": ids})}
    return [(by_id[h.guest_id], h) for h in hits if h.guest_id in by_id]
