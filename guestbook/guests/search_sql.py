"""The candidate queries of guest search: the SQL that finds guests for the query's words (``search`` ranks them).

Names: the most selective word scans ``guest_token`` in index order (one B-tree range per spelling, exact tokens
first, newest visit first within a token), stopped at a cap; every other word is an ``EXISTS`` probe on
``(guest_id, token)``; with ``fuzzy`` the known tokens one letter off join in (symmetric-delete vocabulary); with
``exact`` only whole tokens match (the pass that finds exact full names behind the cap). Phones: a run of digits
through the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), filtered by the local forms and sorted by
recency in SQL.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, bindparam, select, text, union_all

from guestbook.db import rows
from guestbook.db_rows import statement
from guestbook.guests.search_index import on_sqlite
from guestbook.guests.search_models import SearchVocabVariant
from guestbook.guests.search_tokens import deletions, fuzzy_eligible
from guestbook.guests.search_words import Word, within_one_edit

# Phone matches read (from the trigram index, in its order) and sorted by recency: four digits match 700-1,900
# guests at a million and 7,000-19,000 at ten million, and reading each costs a heap row and a guest lookup.
# 2,500 made four digits at ten million take 53-81 ms at p95 (329 ms at worst); 500 is meant to stay near the
# cost of the first version's 200 (an arbitrary 200, not sorted), and sorts the 500 first found (the local forms
# can only drop some of them). More digits find a guest for sure.
PHONE_SCAN_ROWS = 500


def prefix_upper(prefix: str) -> str:
    """Exclusive upper bound of the tokens starting with ``prefix``.

    Exact only in code-point order: SQLite's BINARY collation, and ``guest_token.token COLLATE "C"``
    on PostgreSQL (migration 0005). A linguistic collation would misplace some tokens (ICU sorts the
    Thai ``เก`` as ``กเ``, so ``สมเกียรติ`` falls outside the range of the prefix ``สมเ``).
    """
    return prefix + "\U0010ffff"


def _typo_tokens(form: str) -> set[str]:
    """Known tokens one edit away from ``form`` (symmetric-delete lookup in the vocabulary)."""
    if not fuzzy_eligible(form):
        return set()
    variants = sorted(deletions(form) | {form})
    firsts = sorted({v[1:] for v in variants})
    near = set(rows(_near_tokens_stmt(), {"variants": variants, "firsts": firsts, "tokens": variants}).scalars())
    return {t for t in near if t != form and within_one_edit(form, t)}


@statement
def _near_tokens_stmt() -> CompoundSelect[str]:
    """Tokens sharing a deletion with the form (``variants``: its deletions and itself), and tokens that are one
    of them (``tokens``, the same list): one statement, built once.

    The table's key is (variant, token), so "token IN" alone scanned the whole vocabulary. Every known token ``t``
    has the row (``t[1:]``, ``t``) (a token's every deletion is stored), so the second branch looks those keys up:
    ``firsts`` are the variants' first deletions.
    """
    vocab = SearchVocabVariant
    return union_all(
        select(vocab.token).where(vocab.variant.in_(bindparam("variants", expanding=True))),
        select(vocab.token).where(
            vocab.variant.in_(bindparam("firsts", expanding=True)), vocab.token.in_(bindparam("tokens", expanding=True))
        ),
    )


class _Sql:
    """Builds one parameterised candidate query: the driver word scans, the others must EXIST."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def prefix_range(self, alias: str, form: str, exact: bool = False) -> str:
        """The tokens starting with ``form``: one B-tree range (``exact``: the token ``form`` itself, for the pass
        that finds exact full names behind the cap)."""
        if exact:
            return f"{alias}.token = {self.bind(form)}"
        return f"({alias}.token >= {self.bind(form)} AND {alias}.token < {self.bind(prefix_upper(form))})"

    def word_clause(self, alias: str, word: Word, typos: dict[str, set[str]] | None, exact: bool = False) -> str:
        parts = [self.prefix_range(alias, form, exact) for form in sorted(word.forms)]
        extra = _typo_extras(word, typos)
        if extra:
            parts.append(f"{alias}.token IN ({', '.join(self.bind(t) for t in sorted(extra))})")
        return "(" + " OR ".join(parts) + ")"

    def word_branches(
        self, alias: str, word: Word, typos: dict[str, set[str]] | None, exact: bool = False
    ) -> list[str]:
        """The word as disjoint conditions, each one B-tree range (PostgreSQL: one index-only scan per branch).

        PostgreSQL turns an OR of ranges ("müller": ``muller`` or ``mueller``; a typo's extra tokens) into a
        BitmapOr: every range is read whole (50,000 rows for a common German name) and the heap visited, before
        LIMIT can stop it, and the rows lose index order. Branches of a UNION ALL each stop early. A form whose
        range holds another form's is dropped, and so is a typo token inside a range: no row is counted twice.
        """
        forms = sorted(f for f in word.forms if exact or not any(f != g and f.startswith(g) for g in word.forms))
        parts = [self.prefix_range(alias, form, exact) for form in forms]
        extra = _typo_extras(word, typos)
        parts += [f"{alias}.token = {self.bind(t)}" for t in sorted(extra) if not t.startswith(tuple(forms))]
        return parts


def _typo_extras(word: Word, typos: dict[str, set[str]] | None) -> set[str]:
    """The known tokens one edit away from any of the word's forms (none outside the fuzzy pass)."""
    return set().union(*(typos.get(f, set()) for f in word.forms)) if typos is not None else set()


def estimates(words: list[Word], ceiling: int = 3000) -> tuple[list[int], list[int]]:
    """How many index rows each word's prefix scan touches, and how many hold the word as a whole token (each
    counted up to ``ceiling``: cheap, covering index).

    One statement for all the words and both counts: a round trip per word cost as much as a small count.
    """
    sql = _Sql()
    counts = []
    for exact, word in [(False, w) for w in words] + [(True, w) for w in words]:
        if on_sqlite():
            inner = f"SELECT 1 FROM guest_token a WHERE {sql.word_clause('a', word, None, exact)}"
        else:  # one index-only scan per range, stopped by the LIMIT (an OR would read every range whole)
            inner = " UNION ALL ".join(
                f"SELECT 1 FROM guest_token a WHERE {b}" for b in sql.word_branches("a", word, None, exact)
            )
        counts.append(f"(SELECT count(*) FROM ({inner} LIMIT {ceiling:d}) AS hits)")
    row = [int(n) for n in rows(text("SELECT " + ", ".join(counts)), sql.params).one()]
    return row[: len(words)], row[len(words) :]


def word_candidates(
    driver: Word, others: list[Word], fuzzy: bool, cap: int, tag_ids: list[int] | None = None, *, exact: bool = False
) -> tuple[dict[int, tuple[int, int]], bool]:
    """Guests whose tokens match every word (prefix; with ``fuzzy`` also one edit; with ``exact`` only whole
    tokens) and carry every tag, capped; and whether the cap cut the list short.

    Returns guest id → (recency, how the driver word matched: 1 exact, 2 prefix, 3 one edit).
    Rows come in index order: exact tokens first, newest visit first within a token.
    """
    typos = {f: _typo_tokens(f) for w in (driver, *others) for f in w.forms} if fuzzy else None
    sql = _Sql()
    where: list[str] = []
    # On PostgreSQL, OFFSET 0 keeps each other word a per-candidate probe of (guest_id, token), as on SQLite.
    # Without it the planner turns EXISTS into a join whose order rests on its guess of a token's rows; a
    # common name outside the column's most-common values is guessed at one row, and the nested loop then
    # rescans the other word's whole range for every candidate (seconds at a million guests).
    probe_end = "" if on_sqlite() else " OFFSET 0"
    for word in others:
        clause = sql.word_clause("b", word, typos, exact)
        where.append(f"EXISTS (SELECT 1 FROM guest_token b WHERE b.guest_id = a.guest_id AND {clause}{probe_end})")
    for tag_id in tag_ids or []:  # a tag narrows the scan itself, so the cap never hides a tagged guest
        where.append(
            f"EXISTS (SELECT 1 FROM guest_tag t WHERE t.guest_id = a.guest_id AND t.tag_id = {sql.bind(tag_id)})"
        )
    filters = "".join(" AND " + w for w in where)
    if on_sqlite():
        scan = sql.word_clause("a", driver, typos, exact)
        stmt = text(f"SELECT a.guest_id, a.recency, a.token FROM guest_token a WHERE {scan}{filters} LIMIT {cap:d}")
    else:
        # One branch per range of the driver, each an index-only scan in index order that stops at the cap; the
        # ranges are disjoint and in ascending order, so the branches read in turn keep index order (the typo
        # tokens come last). See ``_Sql.word_branches``.
        branches = [
            f"SELECT a.guest_id, a.recency, a.token FROM guest_token a WHERE {b}{filters}"
            f" ORDER BY a.token, a.recency, a.guest_id LIMIT {cap:d}"
            for b in sql.word_branches("a", driver, typos, exact)
        ]
        if len(branches) == 1:
            stmt = text(branches[0])
        else:
            stmt = text(" UNION ALL ".join(f"({b})" for b in branches) + f" LIMIT {cap:d}")
    found: dict[int, tuple[int, int]] = {}
    read = 0
    for gid, rec, token in rows(stmt, sql.params):
        read += 1
        level = 1 if token in driver.forms else 2 if any(token.startswith(f) for f in driver.forms) else 3
        if gid not in found or level < found[gid][1]:
            found[gid] = (rec, level)
    return found, read >= cap


def exact_candidates(words: list[Word], counts: list[int], cap: int, tag_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Guests holding every word as a whole token, capped: the rarest whole token drives (``counts``, from
    ``estimates``; a word no guest holds whole: no scan). It reads at most as many rows as the prefix pass could
    have: a word's whole token is in its range."""
    if min(counts) == 0:
        return {}
    driver = min(zip(words, counts, strict=True), key=lambda pair: (pair[1], -max(len(f) for f in pair[0].forms)))[0]
    found, _ = word_candidates(driver, [w for w in words if w is not driver], False, cap, tag_ids, exact=True)
    return found


def phone_probe(digits: str) -> str:
    """The run of digits the trigram index looks up: the number without its trunk ``0`` or ``00`` (3+ digits)."""
    probe = digits[2:] if digits.startswith("00") else digits[1:] if digits.startswith("0") else digits
    return probe if len(probe) >= 3 else digits


def phone_forms(digits: str) -> list[str]:
    """``phone_digits_match`` as LIKE patterns: a stored number matches the digits if it is LIKE any of them.

    Any run (``%0840494%``); ``00`` + digits: the number starts with them; a trunk ``0``: the rest follows a
    country code of 1–3 digits (``_840494%`` … ``___840494%``). Digits hold no LIKE wildcard. The stored keys
    are still checked in Python: a pattern missing here would lose matches, one too many only costs time.
    """
    if digits.startswith("00"):
        return [f"%{digits}%", f"{digits[2:]}%"]
    if digits.startswith("0") and len(digits) > 3:
        return [f"%{digits}%", *(f"{'_' * k}{digits[1:]}%" for k in (1, 2, 3))]
    return [f"%{digits}%"]


def phone_candidates(
    words: list[Word], count: int, after: tuple[int, int] | None = None, tag_ids: list[int] | None = None
) -> list[tuple[int, int]]:
    """The most recent guests whose phone matches every word and who carry every tag: [(guest id, recency)].

    Ordered as the page ranks them (recency, the token index's minus the last-visit epoch, then id), from
    ``after`` (the last pair of the previous page) on, ``count`` at most. The index finds the run of digits
    (``phone_probe``), the local forms (``phone_forms``) filter, and the matches are sorted: all of them when the
    index yields at most ``PHONE_SCAN_ROWS`` rows; digits shared by more guests (four digits at a million guests
    and up, a country or mobile prefix such as ``0812``) are sorted from the first ones in the index's order:
    reading them all costs more than the page is worth, and a guest is found for sure by typing more digits.
    """
    sql = _Sql()
    sqlite = on_sqlite()
    column, ident = ("f.digits", "f.rowid") if sqlite else ("k.phone_digits", "k.guest_id")
    runs = sorted({phone_probe(w.raw) for w in words}, key=len, reverse=True)
    probes = [f"{column} LIKE {sql.bind('%' + run + '%')}" for run in runs[1 if sqlite else 0 :]]
    for tag_id in tag_ids or []:  # as in ``word_candidates``: a tag narrows the match itself, never a capped list
        tagged = f"t.guest_id = {ident} AND t.tag_id = {sql.bind(tag_id)}"
        probes.append(f"EXISTS (SELECT 1 FROM guest_tag t WHERE {tagged})")
    forms = [" OR ".join(f"m.digits LIKE {sql.bind(p)}" for p in phone_forms(w.raw)) for w in words]
    if sqlite:
        probes.insert(0, f"f.digits MATCH {sql.bind(chr(34) + runs[0] + chr(34))}")  # the longest run
        run = f"SELECT f.rowid AS id, f.digits AS digits FROM guest_phone_fts f WHERE {' AND '.join(probes)}"
    else:
        # OFFSET 0 plans the trigram index's bitmap scan on its own: with the LIMIT in view the planner chose a
        # sequential scan (see the word search). The guests are then read by id: a join from the keys was planned
        # as a nested loop, twice as slow as this array probe.
        run = (
            "SELECT x.id, x.digits FROM (SELECT k.guest_id AS id, k.phone_digits AS digits FROM guest_search_key k"
            f" WHERE {' AND '.join(probes)} OFFSET 0) x"
        )
    matching = f"SELECT m.id FROM ({run} LIMIT {PHONE_SCAN_ROWS:d}) m WHERE {' AND '.join(f'({f})' for f in forms)}"
    if sqlite:
        recency = "COALESCE(-CAST(strftime('%s', g.last_visit_at) AS INTEGER), 0)"
        source, outer = f"({matching}) p JOIN guest g ON g.id = p.id", []
    else:
        recency = "COALESCE(-trunc(extract(epoch FROM g.last_visit_at))::bigint, 0)"
        source, outer = "guest g", [f"g.id = ANY(ARRAY({matching}))"]
    if after is not None:
        outer.append(f"({recency}, g.id) > ({sql.bind(after[0])}, {sql.bind(after[1])})")
    stmt = text(
        f"SELECT g.id, {recency} AS recency FROM {source}{' WHERE ' + ' AND '.join(outer) if outer else ''}"
        f" ORDER BY recency, g.id LIMIT {count:d}"
    )
    return [(int(gid), int(rec)) for gid, rec in rows(stmt, sql.params)]
