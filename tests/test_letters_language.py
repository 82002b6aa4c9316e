"""Letters speak one language (issue 8.12): item and table names are quoted only in their outlet's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.extensions import db
from guestbook.guests import notes
from guestbook.guests.schemas import PreferenceCreate
from guestbook.letters import selection as letters
from guestbook.letters.facts import same_language
from guestbook.letters.models import Letter

from .factories import ACTOR, add_visits, make_guest

SYSTEM = Actor.system("tests")
ADDRESS = {"line1": "Marienplatz 8", "city": "München", "postal_code": "80331", "country": "DE"}
HABITS = [("Window 4", ["fried egg", "grilled sea bass", "negroni"])] * 3
RUN = date(2027, 3, 5)


def _guest(language: str, outlet: str, habits: list[tuple[str, list[str]]] = HABITS, **fields: Any) -> int:
    fields.setdefault("given_name", "Hans")
    fields.setdefault("family_name", "Müller")
    g = make_guest(
        language=language,
        salutation="Mr",
        birthday="--03-15",
        marketing_consent=True,
        address=ADDRESS,
        **fields,
    )
    add_visits(g.id, outlet, habits, start=datetime(2026, 2, 1, 12, tzinfo=UTC))
    return g.id


def _body(guest_id: int) -> str:
    db.session.rollback()
    letter = db.session.scalars(select(Letter).where(Letter.guest_id == guest_id)).one()
    assert letter.status == "drafted", letter.skip_reason
    return f"{letter.subject}\n{letter.greeting}\n{letter.body}\n{letter.sign_off}"


def test_outlets_carry_a_language_defaulting_to_the_property_language(app: Flask) -> None:
    terrace = outlets.outlet_by_code("terrace")
    assert terrace is not None and terrace.language == "en"
    stube = outlets.create_outlet(OutletCreate(code="stube", name="Stube", language="de"), ACTOR)
    assert stube.language == "de"


def test_german_letter_leaves_out_english_item_and_table_names_and_english_quotes_them(app: Flask) -> None:
    german = _guest("de", "terrace")
    english = _guest("en", "terrace", given_name="Wei", family_name="Yu")
    letters.run_daily(RUN, SYSTEM)
    de = _body(german)
    assert "fried egg" not in de and "Window 4" not in de and "negroni" not in de
    assert "Wir erinnern uns" not in de  # the whole memory sentence goes, not half of it
    assert "\n\n\n" not in de and " \n" not in de  # and leaves no empty paragraph behind
    assert "Sehr geehrter Herr Müller" in de and "Geburtstag" in de
    en = _body(english)
    assert "your seat at Window 4" in en
    assert "fried egg, grilled sea bass and negroni" in en


def test_japanese_letter_never_says_window_4_no_oseki(app: Flask) -> None:
    gid = _guest("ja", "terrace", given_name="太郎", family_name="山田")
    letters.run_daily(RUN, SYSTEM)
    ja = _body(gid)
    assert "Window 4" not in ja and "のお席" not in ja and "fried egg" not in ja
    assert "山田様" in ja


def test_a_german_outlet_is_quoted_in_a_german_letter(app: Flask) -> None:
    outlets.create_outlet(OutletCreate(code="stube", name="Stube", language="de"), ACTOR)
    gid = _guest("de", "stube", [("Fenster 4", ["Spiegelei", "Wolfsbarsch", "Negroni"])] * 3)
    letters.run_daily(RUN, SYSTEM)
    de = _body(gid)
    assert "Ihren Platz an Fenster 4" in de and "Ihr Spiegelei, Wolfsbarsch und Negroni" in de


def test_habits_come_from_the_outlet_in_the_letter_language_only(app: Flask) -> None:
    outlets.create_outlet(OutletCreate(code="stube", name="Stube", language="de"), ACTOR)
    gid = _guest("de", "terrace")  # most visits at the English-named terrace
    add_visits(gid, "stube", [("Ecke 2", ["Apfelstrudel"])] * 2, start=datetime(2026, 1, 1, 12, tzinfo=UTC))
    letters.run_daily(RUN, SYSTEM)
    de = _body(gid)
    assert "Ecke 2" in de and "Apfelstrudel" in de
    assert "Window 4" not in de and "fried egg" not in de


def test_a_seating_preference_for_no_outlet_is_in_the_property_language(app: Flask) -> None:
    english = _guest("en", "terrace", [("", ["coffee"])] * 2, given_name="Wei", family_name="Yu")
    german = _guest("de", "terrace", [("", ["coffee"])] * 2)
    for gid in (english, german):
        notes.add_preference(gid, PreferenceCreate(category="seating", value="by the piano"), ACTOR)
    letters.run_daily(RUN, SYSTEM)
    assert "by the piano" in _body(english)
    assert "by the piano" not in _body(german)


def test_preview_follows_the_same_rule(app: Flask) -> None:
    from guestbook.letters.templates import current_template

    gid = _guest("de", "terrace")
    text = current_template("birthday", "de").text
    assert "Window 4" not in letters.preview(gid, "birthday", "de", text, RUN).body
    en = current_template("birthday", "en").text
    assert "Window 4" in letters.preview(gid, "birthday", "en", en, RUN).body


def test_same_language_compares_base_languages_and_chinese_scripts() -> None:
    assert same_language("de", "de-AT") and same_language("en-GB", "en")
    assert same_language("zh-Hans", "zh-CN") and not same_language("zh-Hant", "zh-Hans")
    assert not same_language("en", "ja") and not same_language("", "en")
