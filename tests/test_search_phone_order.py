"""Phone search lists the most recent matching guests, and fills its page (SQLite and ``scripts/test_postgres``).

The match used to keep an arbitrary ``PHONE_CAP`` of the matches (the physical order of the phone index) and show
the most recent of those, so a guest who came yesterday could be missing while one from years ago was listed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from guestbook.extensions import db
from guestbook.guests import search, search_sql, search_words, tags
from guestbook.guests.models import Guest
from guestbook.guests.search_index import touch_recency

from .factories import ACTOR, make_guest

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _guests_with_digits(n: int) -> list[int]:
    """``n`` guests whose phones hold 4821 (all different numbers); the later created, the more recent the visit.

    Created oldest first, so the phone index's physical (rowid) order is the least recent first: a capped match
    in that order holds the wrong guests.
    """
    ids = []
    for i in range(n):
        guest = make_guest(given_name=f"Guest{i:03d}", family_name="Phone", phone=f"+66 81 {i:03d} 4821")
        guest.last_visit_at = NOW - timedelta(days=n - i)
        touch_recency(guest)
        ids.append(guest.id)
    db.session.commit()
    return ids


def _by_recency(ids: list[int]) -> list[int]:
    at = {g: v for g, v in db.session.execute(sa.select(Guest.id, Guest.last_visit_at).where(Guest.id.in_(ids)))}
    return sorted(ids, key=lambda g: (-at[g].timestamp(), g))


def test_phone_search_shows_the_most_recent_matches_when_more_than_the_cap_match(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PHONE_CAP", 8)
    ids = _guests_with_digits(30)
    make_guest(given_name="Other", family_name="Number", phone="+66 81 999 1234")  # no 4821
    db.session.commit()
    expected = _by_recency(ids)
    assert expected[:5] == ids[::-1][:5]  # the most recent were created last
    assert [g.id for g in search.search_guests("4821", limit=5)] == expected[:5]
    assert [g.id for g in search.search_guests("4821", limit=20)] == expected[:20]
    # The local form (a trunk 0 for the country code: +66 81 00x …) goes through the same ordered match.
    assert [g.id for g in search.search_guests("08100", limit=3)] == [g for g in expected if g in ids[:10]][:3]


def test_phone_with_a_name_ranks_the_most_recent_matches(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PHONE_CAP", 8)
    ids = _guests_with_digits(20)
    found = [g.id for g in search.search_guests("phone 4821", limit=5)]  # "phone": the family name, a prefix match
    assert found == _by_recency(ids)[:5]


def test_a_phone_page_is_filled_when_candidates_fail_the_digit_check(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _guests_with_digits(40)
    expected = _by_recency(ids)
    # The seven most recent candidates fail the stored-key check (as a number whose key disagrees with the
    # index would): the page is filled from further candidates, still the most recent ones.
    failing = {_digits_of(expected[k]) for k in range(7)}
    real = search_words.phone_digits_match

    def check(query: str, phone: str) -> bool:
        return phone not in failing and real(query, phone)

    monkeypatch.setattr(search_words, "phone_digits_match", check)
    monkeypatch.setattr(search, "phone_digits_match", check)
    assert [g.id for g in search.search_guests("4821", limit=5)] == expected[7:12]
    assert [g.id for g in search.search_guests("4821", limit=20)] == expected[7:27]


def _digits_of(guest_id: int) -> str:
    return db.session.execute(sa.select(Guest.phone_digits).where(Guest.id == guest_id)).scalar_one()


def test_a_tag_narrows_the_phone_match_itself(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PHONE_CAP", 8)
    ids = _guests_with_digits(20)
    tags.create_tag("press", "#aa3355", ACTOR)
    tagged = ids[10]  # neither among the first rows of the phone index nor among the most recent
    tags.set_guest_tags(tagged, ["press"], ACTOR)
    db.session.commit()
    assert [g.id for g in search.search_guests("tag:press 4821", limit=5)] == [tagged]


_LIKE = sa.text("SELECT CAST(:p AS TEXT) LIKE CAST(:f AS TEXT)")


def test_sql_phone_forms_agree_with_the_python_check(app: Flask) -> None:
    """``phone_forms`` is ``phone_digits_match`` as LIKE patterns: the same answer for every pair."""
    phones = ["66840494312", "12128404944", "840494", "0066840494312", "4930123456", "66812345678", ""]
    queries = ["0840494", "840494", "0066840494312", "0049301", "00123", "0812", "4312", "0123", "1234", "012"]
    for phone in phones:
        for query in queries:
            forms = search_sql.phone_forms(query)
            probe = "%" + search_sql.phone_probe(query) + "%"
            like = [db.session.execute(_LIKE, {"p": phone, "f": f}).scalar() for f in forms]
            in_sql = any(like) and db.session.execute(_LIKE, {"p": phone, "f": probe}).scalar()
            assert bool(in_sql) == search_words.phone_digits_match(query, phone), (query, phone)
