"""Search that forgives: accents, case, order, prefixes, typos, scripts; ranked; kept up to date."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook.extensions import db
from guestbook.guests import search, tonight
from guestbook.guests.models import Guest
from guestbook.guests.search import normalise, within_one_edit
from guestbook.guests.search_models import GuestToken, SearchVocabVariant
from guestbook.guests.search_sql import _typo_tokens
from guestbook.guests.search_tokens import fuzzy_eligible
from guestbook.guests.search_words import Word, near_tokens, word_match

from .factories import add_visits, make_guest

GUESTS = [
    {"given_name": "Hans", "family_name": "Müller"},
    {"given_name": "Zoë", "family_name": "Laurent"},
    {"given_name": "Siobhán", "family_name": "O'Brien"},
    {"given_name": "José", "family_name": "García"},
    {"given_name": "John", "family_name": "Smith"},
    {"given_name": "小明", "family_name": "王", "language": "zh-Hans"},
    {"given_name": "太郎", "family_name": "山田", "language": "ja"},
    {"given_name": "민준", "family_name": "김", "language": "ko"},
    {"given_name": "Иван", "family_name": "Петров", "language": "ru"},
    {"given_name": "Γιώργος", "family_name": "Παπαδόπουλος", "language": "el"},
    {
        "given_name": "Mai",
        "family_name": "Tanaka",
        "company": "Mitsui & Co.",
        "email": "mai.tanaka@mitsui.example",
        "phone": "+81 3-1234-5678",
    },
    {"given_name": "Peter", "family_name": "Miller"},
]

CASES = [
    ("muller", "Hans Müller"),
    ("Mueller", "Hans Müller"),
    ("MÜLLER", "Hans Müller"),
    ("zoe", "Zoë Laurent"),
    ("obrien", "Siobhán O'Brien"),
    ("o'brien", "Siobhán O'Brien"),
    ("garcia jos", "José García"),
    ("jose garcia", "José García"),
    ("Jonh", "John Smith"),
    ("Smiht", "John Smith"),
    ("smiht john", "John Smith"),
    ("小明", "王小明"),
    ("王小明", "王小明"),
    ("wang xiaoming", "王小明"),
    ("xiaoming", "王小明"),
    ("山田", "山田太郎"),
    ("太郎", "山田太郎"),
    ("민준", "김민준"),
    ("김민준", "김민준"),
    ("Петров", "Иван Петров"),
    ("петр", "Иван Петров"),
    ("ivan petrov", "Иван Петров"),
    ("Γιώργος", "Γιώργος Παπαδόπουλος"),
    ("γιωργος", "Γιώργος Παπαδόπουλος"),
    ("giorgos papadopoulos", "Γιώργος Παπαδόπουλος"),
    ("mitsui", "Mai Tanaka"),
    ("mai.tanaka@mitsui.example", "Mai Tanaka"),
    ("5678", "Mai Tanaka"),
    ("12345", "Mai Tanaka"),
]


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    return {g.full_name: g.id for g in (make_guest(**fields) for fields in GUESTS)}


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_service_finds(people: dict[str, int], query: str, expected: str) -> None:
    results = search.search_guests(query, limit=5)
    assert results, f"nothing for {query!r}"
    assert results[0].full_name == expected, [g.full_name for g in results]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_api_finds(people: dict[str, int], client: FlaskClient, api_key, query: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    # A manager sees contacts, so e-mail and any phone digits match (the floor's narrower search: test_search_privacy).
    response = client.get("/api/v1/guests", query_string={"q": query, "limit": 5}, headers=api_key("manager"))
    names = [r["full_name"] for r in response.get_json()["results"]]
    assert names and names[0] == expected, names


def test_no_false_friends(people: dict[str, int]) -> None:
    assert search.search_guests("zzzz") == []
    assert [g.full_name for g in search.search_guests("smith jose")] == []
    # one edit only: "Jxhx" is two edits from John
    assert "John Smith" not in [g.full_name for g in search.search_guests("Jxhx")]
    # short words are not fuzzy-matched
    assert [g.full_name for g in search.search_guests("Mal")] == []


def test_ranking_exact_then_prefix_then_fuzzy(app: Flask) -> None:
    fuzzy = make_guest(given_name="Anna", family_name="Millar")  # one edit from "miller"
    prefix = make_guest(given_name="Anna", family_name="Millerson")
    exact = make_guest(given_name="Anna", family_name="Miller")
    names = [g.id for g in search.search_guests("anna miller")]
    assert names == [exact.id, prefix.id, fuzzy.id]


def test_ties_broken_by_arrivals_today_then_recency(app: Flask) -> None:
    old = make_guest(given_name="Tom", family_name="Baker")
    recent = make_guest(given_name="Tom", family_name="Baker")
    never = make_guest(given_name="Tom", family_name="Baker")
    add_visits(old.id, "terrace", [("1", ["tea"])], start=datetime.now(UTC) - timedelta(days=300))
    add_visits(recent.id, "terrace", [("1", ["tea"])], start=datetime.now(UTC) - timedelta(days=3))
    assert [g.id for g in search.search_guests("tom baker")] == [recent.id, old.id, never.id]
    booked = app.extensions[tonight.EXTENSION_KEY]
    app.extensions[tonight.EXTENSION_KEY] = replace(booked, arriving_guest_ids=lambda: {never.id})
    assert search.search_guests("tom baker")[0].id == never.id


def test_index_follows_every_write(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    headers = api_key("admin")
    gid = client.post(
        "/api/v1/guests", json={"given_name": "Ada", "family_name": "Lovelace"}, headers=headers
    ).get_json()["id"]
    assert [g.id for g in search.search_guests("lovelace")] == [gid]
    client.patch(f"/api/v1/guests/{gid}", json={"version": 1, "family_name": "Byron"}, headers=headers)
    assert search.search_guests("lovelace") == []
    assert [g.id for g in search.search_guests("byron ada")] == [gid]


def test_normalise_and_edit_distance() -> None:
    assert normalise("MÜLLER") == "muller"
    assert normalise("O'Brien") == "obrien"
    assert normalise("Łukasz") == "lukasz"
    assert normalise("Søren") == "soren"
    assert within_one_edit("jonh", "john") and within_one_edit("smiht", "smith")
    assert within_one_edit("millar", "miller") and within_one_edit("mill", "mills")
    assert not within_one_edit("jxhx", "john") and not within_one_edit("abcd", "dcba")


def test_recency_is_the_same_key_the_token_index_holds(app: Flask) -> None:
    """``_with_recency`` (on SQLite the epoch is taken in SQL) gives minus whole seconds, as the index holds."""
    seen = make_guest(given_name="Recent")
    add_visits(seen.id, "terrace", [("T1", ["coffee"])], start=datetime(2026, 11, 1, 19, 30, 45, 900_000, tzinfo=UTC))
    never_id = make_guest(given_name="Never").id
    db.session.commit()
    at = db.session.get(Guest, seen.id).last_visit_at  # type: ignore[union-attr]
    indexed = db.session.scalar(select(func.min(GuestToken.recency)).where(GuestToken.guest_id == seen.id))
    assert at is not None and indexed == -int(at.timestamp())
    assert search._with_recency([seen.id, never_id]) == {seen.id: indexed, never_id: 0}


def _one_edit_by_definition(a: str, b: str) -> bool:
    """Every string one insertion, deletion, substitution or adjacent swap away from ``a``, built out."""
    letters = set(a + b)
    near = {a}
    near |= {a[:i] + a[i + 1 :] for i in range(len(a))}
    near |= {a[:i] + c + a[i:] for i in range(len(a) + 1) for c in letters}
    near |= {a[:i] + c + a[i + 1 :] for i in range(len(a)) for c in letters}
    near |= {a[:i] + a[i + 1] + a[i] + a[i + 2 :] for i in range(len(a) - 1)}
    return b in near


def test_one_edit_agrees_with_the_definition_on_every_short_string() -> None:
    words = ["".join(p) for n in range(6) for p in itertools.product("abc", repeat=n)]
    wrong = [(a, b) for a in words for b in words if within_one_edit(a, b) != _one_edit_by_definition(a, b)]
    assert not wrong, wrong[:10]


def test_a_typo_is_never_ruled_out_by_the_deletion_sets() -> None:
    """``near_tokens`` rules a word out when its deletions share nothing with a guest's: never for a token one edit
    away (about 18,000 pairs of four- to six-letter strings over three letters, against the definition), and the
    word's match is the token-by-token one (exact, prefix, one edit or none)."""
    words = ["".join(p) for n in range(4, 7) for p in itertools.product("abc", repeat=n)][::3]
    for token in words[::7]:
        near = near_tokens((token, "#1234", "@abcd"))  # contact tokens never match fuzzily
        assert "#1234" not in near and "@abcd" not in near
        for form in words:
            word = Word(form, frozenset({form}))
            one_edit = _one_edit_by_definition(form, token)
            assert one_edit <= (not word.near.isdisjoint(near)), (form, token)
            found = word_match(word, (token,), frozenset({token}), "", masked=False)
            expected = (1, "name") if form == token else (2, "prefix") if token.startswith(form) else None
            assert found == (expected or ((3, "fuzzy") if one_edit else None)), (form, token, found)


def test_the_search_page_lists_results(app: Flask, client: FlaskClient, auth, people: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    auth.login("floor")
    html = client.get("/guests/search?q=muller").get_data(as_text=True)
    assert "Hans Müller" in html
    html = client.get("/guests/?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_every_prefix_finds_the_guest_in_any_script(app: Flask) -> None:
    """Live search narrows letter by letter: each prefix must stay one index range on every database.

    Thai writes some vowels before the consonant they follow; a linguistic collation (ICU on
    PostgreSQL) sorts them after it, which would drop "สมเกียรติ" at the prefix "สมเ".
    """
    guest = make_guest(given_name="สมเกียรติ", family_name="ใจดี", language="th")
    other = make_guest(given_name="Ana", family_name="Ng")
    for word in ("สมเกียรติ", "ใจดี", "ana"):
        for end in range(1, len(word) + 1):
            found = [g.id for g in search.search_guests(word[:end])]
            assert (other.id if word == "ana" else guest.id) in found, word[:end]


def test_typo_lookup_finds_every_known_token_one_edit_away(app: Flask) -> None:
    """``_typo_tokens`` (two key lookups in the vocabulary) against the definition: every stored token one edit
    away, shorter, longer or as long, for forms that are tokens, deletions of tokens and neither."""
    for given, family in [("Mark", "Marks"), ("Maria", "Mario"), ("Mari", "Amri"), ("Smith", "Smiht"), ("Ark", "Mar")]:
        make_guest(given_name=given, family_name=family)
    known = set(db.session.scalars(select(SearchVocabVariant.token).distinct()))
    assert {"mark", "marks", "maria", "mario", "mari", "amri", "smith", "smiht"} <= known
    forms = sorted(known | {"marx", "mrk", "marka", "maris", "simth", "xyzw", "amr"})
    for form in forms:
        expected = {t for t in known if t != form and within_one_edit(form, t)} if fuzzy_eligible(form) else set()
        assert _typo_tokens(form) == expected, form
    assert _typo_tokens("mari") == {"mark", "maria", "mario", "amri"} | ({"mar"} & known)
    assert _typo_tokens("marks") >= {"mark"}  # a shorter known token: the second lookup
