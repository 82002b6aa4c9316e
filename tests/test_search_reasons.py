"""Issue 8.10: results say why a guest is listed and what tells namesakes apart; local phone forms, romaji, pinyin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from guestbook.admin import outlets as outlet_service
from guestbook.admin.outlets import property_today
from guestbook.admin.schemas import OutletPatch
from guestbook.blueprints import api_document
from guestbook.extensions import db
from guestbook.guests import search, search_results
from guestbook.guests.search_reindex import retokenise_all
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

BOOKING = {"outlet": "terrace", "arrival_time": "19:30", "party_size": 2}


def _book(guest_id: int, ext: str, **extra: object) -> None:
    today = property_today().isoformat()
    data = reservations.ReservationIn.model_validate({**BOOKING, "arrival_date": today, "guest_id": guest_id, **extra})
    reservations.upsert_reservation("pms", ext, data, ACTOR)


def _reasons(q: str, role: str = "manager") -> dict[str, str]:
    return {r.guest.full_name: r.reason for r in search_results.find(q, role)}


def test_each_result_says_why_it_is_listed(app: Flask) -> None:
    make_guest(given_name="John", family_name="Smith", phone="+66 84 049 3121")
    make_guest(given_name="Mai", family_name="Tanaka", company="Mitsui & Co.", email="mt77@mitsui.example")
    assert _reasons("john smith") == {"John Smith": "name"}
    assert _reasons("Jonh Smith") == {"John Smith": "one letter off"}
    assert _reasons("Smiht") == {"John Smith": "one letter off"}
    assert _reasons("smi") == {"John Smith": "start of name"}
    assert _reasons("3121") == {"John Smith": "phone …3121"}
    assert _reasons("mitsui") == {"Mai Tanaka": "company"}
    assert _reasons("mt77@mitsui.example") == {"Mai Tanaka": "e-mail"}


def test_arrivals_and_tables_say_so(app: Flask) -> None:
    booked = make_guest(given_name="Maria", family_name="Silva")
    make_guest(given_name="Maria", family_name="Silva", company="Banco Azul")
    seated = make_guest(given_name="Tablo", family_name="Roomsky")
    _book(booked.id, "R1")
    _book(seated.id, "R2", table="Window 2", arrival_time="20:15")
    found = search_results.find("maria silva", "floor")
    assert found[0].guest.id == booked.id and found[0].reason == "arrives today 19:30 · name"
    assert found[1].reason == "name"
    table = search_results.find("window 2", "floor")
    assert [r.guest.id for r in table] == [seated.id]
    assert table[0].reason == "arrives today 20:15 · table window 2 tonight"


def test_namesakes_carry_a_distinguishing_detail(app: Flask) -> None:
    bangkok = make_guest(
        given_name="Anna",
        family_name="Lee",
        company="Siam Cement",
        address={"line1": "1 Sukhumvit", "city": "Bangkok", "country": "TH"},
    )
    make_guest(given_name="Anna", family_name="Lee", address={"line1": "9 Orchard Rd", "city": "Singapore"})
    add_visits(bangkok.id, "bar", [("Bar 5", ["negroni"])])
    manager = {r.guest.id: r.detail for r in search_results.find("anna lee", "manager")}
    assert manager[bangkok.id] == "Siam Cement · Bangkok · last at Bamboo Bar"
    assert "Singapore" in manager.values()
    floor = {r.guest.id: r.detail for r in search_results.find("anna lee", "floor")}
    assert floor[bangkok.id] == "Siam Cement · last at Bamboo Bar"  # the floor never sees addresses
    assert "Singapore" not in " ".join(floor.values())


def test_the_detail_names_the_outlet_of_the_latest_visit(app: Flask) -> None:
    """The latest visit by date wins, whatever order visits were logged in; a renamed outlet shows its new name."""
    guest = make_guest(given_name="Olga", family_name="Ivanova")
    never = make_guest(given_name="Olga", family_name="Ivanova", company="Gazprom")
    now = datetime.now(UTC)
    add_visits(guest.id, "terrace", [("T1", [])], start=now - timedelta(days=2))
    add_visits(guest.id, "bar", [("B1", [])], start=now - timedelta(days=30))  # logged later, happened earlier

    def details() -> dict[int, str]:
        return {r.guest.id: r.detail for r in search_results.find("olga ivanova", "floor")}

    assert details() == {guest.id: "last at Terrace", never.id: "Gazprom"}
    terrace = outlet_service.outlet_by_code("terrace")
    assert terrace is not None
    outlet_service.update_outlet(terrace.id, OutletPatch(name="Garden Terrace"), ACTOR)
    assert details()[guest.id] == "last at Garden Terrace"
    add_visits(guest.id, "bar", [("B2", [])], start=now - timedelta(hours=1))
    assert details()[guest.id] == "last at Bamboo Bar"
    assert [r.detail for r in search_results.recent("floor") if r.guest.id == guest.id] == ["last at Bamboo Bar"]


def test_the_card_masks_the_same_four_digits_search_uses(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Wei", family_name="Yu", phone="+65 6123 4567")
    auth.login("floor")
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "••• 4567" in card and "6123" not in card
    page = client.get("/guests/search?q=4567").get_data(as_text=True)
    assert "Wei Yu" in page and "phone …4567" in page


def test_local_phone_forms_match(app: Flask) -> None:
    thai = make_guest(given_name="Somchai", family_name="Dee", phone="+66 84 049 4312")
    make_guest(given_name="Other", family_name="Person", phone="+1 212 840 4944")  # 840494 inside, not after +1
    for q in ("0840494", "084 049 4312", "0066840494312", "840494"):
        ids = [g.id for g in search.search_guests(q)]
        assert thai.id in ids, q
    assert search.search_guests("0840494")[0].id == thai.id
    assert [g.id for g in search.search_guests("0840494")] == [thai.id]  # the trunk 0 stands for a country code


def test_japanese_names_by_romaji_and_chinese_pinyin_as_one_word(app: Flask) -> None:
    hanako = make_guest(given_name="花子", family_name="山田", language="ja")
    sakura = make_guest(given_name="さくら", family_name="高橋")  # kana: Japanese whatever the language field says
    sato = make_guest(given_name="一郎", family_name="佐藤")  # kanji only, language unknown: both readings
    xiaoming = make_guest(given_name="小明", family_name="周", language="zh-Hans")
    cases = {
        "Yamada Hanako": hanako.id,
        "hanako yamada": hanako.id,
        "yamadahanako": hanako.id,
        "Takahashi Sakura": sakura.id,
        "Sato Ichiro": sato.id,
        "satou": sato.id,
        "zuoteng": sato.id,  # the pinyin reading of the same characters
        "zhouxiaoming": xiaoming.id,
        "zhou xiaoming": xiaoming.id,
    }
    for q, gid in cases.items():
        hits = search.search_hits(q, 5)
        assert hits and hits[0].guest_id == gid, q
    assert search.search_hits("Yamada Hanako", 5)[0].match == 0  # the whole name: exact, not a prefix
    assert search.search_hits("zhouxiaoming", 5)[0].match == 0
    # A Japanese guest is not found by the Chinese reading of her name, nor a Chinese guest by romaji.
    assert hanako.id not in [h.guest_id for h in search.search_hits("shantian", 5)]
    assert xiaoming.id not in [h.guest_id for h in search.search_hits("shuu", 5)]


def test_existing_guests_are_retokenised_by_the_migration_function(app: Flask) -> None:
    hanako = make_guest(given_name="花子", family_name="山田", language="ja", email="hy@example.jp")
    # As the old tokeniser left it: pinyin only, the e-mail a plain token.
    db.session.execute(text("DELETE FROM guest_token WHERE guest_id = :g"), {"g": hanako.id})
    db.session.execute(
        text("INSERT INTO guest_token (token, recency, guest_id) VALUES ('shantian', 0, :g), ('hy@example.jp', 0, :g)"),
        {"g": hanako.id},
    )
    db.session.commit()
    assert search.search_guests("yamada") == []
    assert retokenise_all(db.session.connection()) == 1
    db.session.commit()
    assert [g.id for g in search.search_guests("yamada hanako")] == [hanako.id]
    assert search.search_guests("hy@example.jp", masked=True) == []
    assert [g.id for g in search.search_guests("hy@example.jp")] == [hanako.id]


def test_api_results_carry_the_reason(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    make_guest(given_name="John", family_name="Smith", company="Acme", phone="+66 84 049 3121")
    body = client.get("/api/v1/guests", query_string={"q": "3121"}, headers=api_key("floor")).get_json()
    (result,) = body["results"]
    assert result["match_reason"] == "phone …3121" and result["detail"] == "Acme"
    assert {"id", "full_name", "company", "visit_count", "allergies"} <= set(result)
    summary = api_document()["components"]["schemas"]["GuestSummary"]["properties"]
    assert "match_reason" in summary and "detail" in summary


def test_results_page_shows_reason_and_detail_escaped(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_guest(given_name="Eve", family_name="Adams", company="<b>Evil</b> Corp")
    auth.login("floor")
    html = client.get("/guests/?q=adams").get_data(as_text=True)
    assert re.search(r'class="result-why"[^>]*>name<', html)
    assert "&lt;b&gt;Evil&lt;/b&gt; Corp" in html and "<b>Evil</b>" not in html
