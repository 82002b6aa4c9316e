"""Rewrite every guest's search keys with the current tokeniser, on a bare connection (for migrations).

Reads the guest columns it needs with plain SQL (never the ORM models, which may be ahead of the
schema being migrated) and keeps each guest's recency as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, text

from guestbook.guests.search_tokens import deletions, fuzzy_eligible, guest_tokens, index_tokens, name_forms

BATCH = 2000


@dataclass
class _Row:
    """The columns of ``guest`` the tokeniser reads."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str
    company: str
    email: str | None
    phone_digits: str | None
    language: str


def _guests(conn: Connection) -> Iterator[list[_Row]]:
    last = 0
    while True:
        rows = conn.execute(
            text(
                "SELECT id, given_name, family_name, preferred_name, company, email, phone_digits, language"
                " FROM guest WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        yield [_Row(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5], r[6], r[7] or "") for r in rows]
        last = rows[-1][0]


def retokenise_all(conn: Connection) -> int:
    """Recompute ``guest_token``, ``guest_search_key`` and the typo vocabulary for every guest; returns the count."""
    sqlite = conn.dialect.name == "sqlite"
    done = 0
    for batch in _guests(conn):
        ids = [g.id for g in batch]
        marks = ", ".join(f":g{i}" for i in range(len(ids)))
        params = {f"g{i}": gid for i, gid in enumerate(ids)}
        recency: dict[int, int] = dict(
            conn.execute(
                text(f"SELECT guest_id, MIN(recency) FROM guest_token WHERE guest_id IN ({marks}) GROUP BY guest_id"),
                params,
            ).all()
        )
        conn.execute(text(f"DELETE FROM guest_token WHERE guest_id IN ({marks})"), params)
        conn.execute(text(f"DELETE FROM guest_search_key WHERE guest_id IN ({marks})"), params)
        token_rows: list[dict[str, object]] = []
        key_rows: list[dict[str, object]] = []
        vocab: set[str] = set()
        for guest in batch:
            tokens = guest_tokens(guest)
            rec = int(recency.get(guest.id, 0) or 0)
            token_rows.extend({"t": t, "r": rec, "g": guest.id} for t in index_tokens(tokens))
            key_rows.append(
                {
                    "g": guest.id,
                    "tokens": " ".join(sorted(tokens)),
                    "forms": "|".join(sorted(name_forms(guest))),
                    "phone": guest.phone_digits or "",
                }
            )
            vocab |= {t for t in tokens if fuzzy_eligible(t)}
        if token_rows:
            conn.execute(text("INSERT INTO guest_token (token, recency, guest_id) VALUES (:t, :r, :g)"), token_rows)
        conn.execute(
            text(
                "INSERT INTO guest_search_key (guest_id, tokens, name_forms, phone_digits)"
                " VALUES (:g, :tokens, :forms, :phone)"
            ),
            key_rows,
        )
        variants = [{"v": v, "t": t} for t in vocab for v in deletions(t)]
        if variants:
            insert = (
                "INSERT OR IGNORE INTO search_vocab_variant (variant, token) VALUES (:v, :t)"
                if sqlite
                else "INSERT INTO search_vocab_variant (variant, token) VALUES (:v, :t) ON CONFLICT DO NOTHING"
            )
            conn.execute(text(insert), variants)
        done += len(batch)
    return done
