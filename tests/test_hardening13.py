"""Issue 13 point 8: hardening found while testing the build as a new user would.

A thousand-word search, control characters in names, the CJK web fonts' route, forms of address in letters
and on the briefing, and ``scripts/run`` naming the port it serves on.
"""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from guestbook.briefing import assembly as briefing
from guestbook.guests import address
from guestbook.guests.search import search_hits
from guestbook.guests.search_words import MAX_QUERY_WORDS, query_words
from guestbook.letters import wording
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, add_visits, make_guest

ROOT = Path(__file__).resolve().parents[1]
THOUSAND_WORDS = " ".join(f"niran{i}" for i in range(1000))
THOUSAND_DOTTED = ".".join(["niran"] * 1000)  # punctuation splits words too


# 1. A query of a thousand words answers normally (it used to overflow SQLite's expression tree: a 500).


def test_a_thousand_word_search_answers_on_the_screen(client: FlaskClient, auth: AuthActions) -> None:
    make_guest(given_name="Niran", family_name="Smith")
    auth.login("floor")
    for q in (THOUSAND_WORDS, THOUSAND_DOTTED, "Niran " * 1000, "Ni." * 1000):
        for path in ("/guests/", "/guests/search"):
            response = client.get(path, query_string={"q": q})
            assert response.status_code == 200, (path, q[:30])
    found = client.get("/guests/search", query_string={"q": "Niran " * 1000}).get_data(as_text=True)
    assert "Niran Smith" in found  # the first words are searched with


def test_a_thousand_word_search_through_the_api_is_a_clear_422_never_a_500(
    client: FlaskClient,
    api_key,  # type: ignore[no-untyped-def]
) -> None:
    make_guest(given_name="Niran", family_name="Smith")
    floor = api_key("floor")
    for q in (THOUSAND_WORDS, THOUSAND_DOTTED):
        response = client.get("/api/v1/guests", query_string={"q": q}, headers=floor)
        assert response.status_code == 422 and "words" in response.get_json()["fields"]["q"]
    # 200 characters of one-letter words split by punctuation pass the API's check: searched with the first words.
    dotted = client.get("/api/v1/guests", query_string={"q": "Ni." * 66}, headers=floor)
    assert dotted.status_code == 200 and [r["full_name"] for r in dotted.get_json()["results"]] == ["Niran Smith"]


def test_the_search_uses_at_most_the_word_cap(app: Flask) -> None:
    assert len(query_words(THOUSAND_DOTTED, masked=False)) == MAX_QUERY_WORDS
    assert len(query_words(THOUSAND_WORDS, masked=True)) == MAX_QUERY_WORDS
    guest = make_guest(given_name="Niran", family_name="Smith")
    assert [h.guest_id for h in search_hits(" ".join(["niran", "smith"] * 500))] == [guest.id]


# 2. Control characters are refused in names (API 422, a message on the form); real text of every script is kept.

NAMES_KEPT = [
    ("محمد", "العلي"),  # Arabic, right to left
    ("שרה", "כהן"),  # Hebrew
    ("Zoe\u0308", "Mu\u0308ller"),  # combining diaeresis
    ("\u202bנועה\u202c", "Levi"),  # bidi embedding marks are format characters, not controls
    ("สมศรี", "ใจดี"),
]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_api_refuses_control_characters_in_names(client: FlaskClient, api_key, char: str) -> None:  # type: ignore[no-untyped-def]
    admin = api_key("admin")
    for field in ("given_name", "family_name", "preferred_name", "pronunciation", "salutation"):
        body = {"given_name": "Ann", field: f"An{char}n"}
        response = client.post("/api/v1/guests", json=body, headers=admin)
        assert response.status_code == 422, field
        assert "control characters" in response.get_json()["fields"][field]


@pytest.mark.parametrize(("given", "family"), NAMES_KEPT)
def test_api_keeps_every_script_and_combining_marks(client: FlaskClient, api_key, given: str, family: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/guests", json={"given_name": given, "family_name": family}, headers=api_key())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert given in body["full_name"] or given.strip("\u202b\u202c") in body["full_name"]
    assert family in body["full_name"]


def test_the_new_guest_form_refuses_a_nul_with_a_message_and_keeps_rtl(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    token = csrf_from(client.get("/guests/new").get_data(as_text=True))
    refused = client.post(
        "/guests/new", data={"csrf_token": token, "given_name": "Ni\x00ran", "family_name": "Smith", "language": "en"}
    )
    assert refused.status_code == 200  # the form again, not a redirect to a new guest
    assert "control characters are not allowed" in refused.get_data(as_text=True)
    kept = client.post(
        "/guests/new",
        data={"csrf_token": token, "given_name": "محمد", "family_name": "שרה", "language": "ar"},
        follow_redirects=True,
    )
    assert kept.status_code == 200 and "محمد" in kept.get_data(as_text=True)


# 3. The CJK web fonts: served from the PDF fonts folder, cached long, declared per unicode-range.


def test_the_cjk_font_is_served_with_long_cache_headers(client: FlaskClient) -> None:
    fonts = ROOT / "guestbook" / "pdf" / "fonts"
    for script, name in (("cjk", "DroidSansFallbackFull.ttf"),):
        response = client.get(f"/fonts/{script}.ttf")
        assert response.status_code == 200 and response.mimetype == "font/ttf"
        assert response.data == (fonts / name).read_bytes()
        assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.public
        response.close()
    assert client.get("/fonts/thai.ttf").status_code == 404 and client.get("/fonts/hangul.ttf").status_code == 404
    assert client.get("/fonts/..%2Fconfig.py").status_code == 404


def test_the_stylesheet_declares_the_fonts_only_for_their_scripts(client: FlaskClient) -> None:
    css = (ROOT / "static" / "css" / "app.css").read_text()
    cjk = next(line for line in css.splitlines() if '"Guestbook CJK"; src:' in line)
    assert 'url("../../fonts/cjk.ttf")' in cjk and "U+4E00-9FFF" in cjk and "U+3040-30FF" in cjk
    assert "U+0" not in cjk.split("unicode-range:")[1]  # nothing Latin: a Latin page does not download it


# 4. Forms of address.


def test_khun_goes_with_the_given_name_in_letters() -> None:
    assert wording.polite_name("Niran", "Smith", "Khun", "", "Niran Smith", "en") == "Khun Niran"
    assert wording.polite_name("Niran", "Smith", "khun.", "", "Niran Smith", "en-GB") == "khun. Niran"
    assert wording.polite_name("นิรันดร์", "สมิธ", "คุณ", "", "นิรันดร์ สมิธ", "en") == "คุณนิรันดร์"
    assert wording.polite_name("Niran", "Smith", "Mr", "", "Niran Smith", "th") == "คุณNiran"
    assert wording.polite_name("Niran", "Smith", "Khun", "Nin", "Niran Smith", "en") == "Nin"  # their own choice
    # Others keep the family name, in each language's form.
    assert wording.polite_name("Taro", "Sato", "Mr", "", "Taro Sato", "en") == "Mr Sato"
    assert wording.polite_name("太郎", "佐藤", "Mr", "", "佐藤太郎", "ja") == "佐藤様"
    assert wording.polite_name("Taro", "Sato", "Mr", "", "Taro Sato", "ja") == "Sato様"
    assert wording.polite_name("小明", "王", "Mr", "", "王小明", "zh-Hans") == "王先生"
    assert wording.polite_name("丽", "王", "Ms", "", "王丽", "zh-Hans") == "王女士"
    assert wording.polite_name("Wei", "Wang", "Mr", "", "Wei Wang", "en") == "Mr Wang"
    assert wording.polite_name("민지", "이", "Ms", "", "이민지", "ko") == "이민지님"
    # Khun is not a man's title: a Chinese letter to "Khun Lek" does not say 先生.
    assert wording.polite_name("小明", "王", "Khun", "", "王小明", "zh-Hans") == "王小明"


def test_a_we_miss_you_letter_to_khun_niran_smith_says_khun_niran(app: Flask) -> None:
    from guestbook.actor import Actor
    from guestbook.letters import selection
    from guestbook.letters.models import Letter

    from .test_letters import ADDRESS, letters_of

    guest = make_guest(
        given_name="Niran", family_name="Smith", salutation="Khun", marketing_consent=True, address=ADDRESS
    )
    add_visits(guest.id, "terrace", [("Bar 5", ["negroni"])] * 2, start=datetime(2025, 11, 1, tzinfo=UTC))
    selection.run_daily(date(2026, 12, 2), Actor.system("tests"))
    letters: list[Letter] = letters_of(guest.id)
    assert [x.kind for x in letters] == ["we_miss_you"]
    assert "Khun Niran" in letters[0].greeting and "Smith" not in letters[0].greeting


def test_spoken_greeting_and_its_sayable_form() -> None:
    assert address.spoken_greeting("Niran", "Smith", "Khun", "", "Niran Smith") == "Khun Niran"
    assert address.spoken_greeting("Niran", "Smith", "Mr", "", "Niran Smith") == "Mr Smith"
    assert address.spoken_greeting("Niran", "Smith", "", "", "Niran Smith") == ""
    assert address.sayable("Ms 이", "", "ko") == "Ms Lee"
    assert address.sayable("Mr 佐藤", "", "ja") == "Mr Sato"
    assert address.sayable("Mr 王", "", "zh-Hans") == "Mr Wang"
    assert address.sayable("Mr Иванов", "", "ru") == "Mr Ivanov"
    assert address.sayable("Ms 이", "ee MIN-jee", "ko") == "ee MIN-jee"  # the guest's own word wins
    assert address.sayable("Khun Niran", "", "th") == "" and address.sayable("คุณนิรันดร์", "", "th") == ""
    assert address.sayable(address.spaced_name("민준", "김", "김민준"), "", "ko") == "Kim Minjun"


DAY = date(2026, 11, 22)


def _book(ext: str, guest_id: int, at: str) -> None:
    body = {"outlet": "terrace", "arrival_date": DAY.isoformat(), "guest_id": guest_id, "party_size": 2}
    body["arrival_time"] = at
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def test_the_briefing_greets_khun_niran_and_says_ms_lee(
    client: FlaskClient,
    auth: AuthActions,
    api_key,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    niran = make_guest(given_name="Niran", family_name="Smith", salutation="Khun")
    lee = make_guest(given_name="민지", family_name="이", salutation="Ms", language="ko")
    sato = make_guest(given_name="太郎", family_name="佐藤", salutation="Mr", language="ja")
    wang = make_guest(given_name="小明", family_name="王", salutation="Mr", language="zh-Hans", pronunciation="wahng")
    for n, guest in enumerate((niran, lee, sato, wang)):
        _book(f"G{n}", guest.id, f"19:{n:02d}")
    arrivals = {a.guest_id: a for a in briefing.build_briefing(DAY, "terrace").arrivals}
    assert (arrivals[niran.id].greeting, arrivals[niran.id].say) == ("Khun Niran", "")
    assert (arrivals[lee.id].greeting, arrivals[lee.id].say) == ("Ms 이", "Ms Lee")
    assert (arrivals[sato.id].greeting, arrivals[sato.id].say) == ("Mr 佐藤", "Mr Sato")
    assert (arrivals[wang.id].greeting, arrivals[wang.id].say) == ("Mr 王", "wahng")
    auth.login("manager")
    page = client.get(f"/briefing/?date={DAY.isoformat()}&outlet=terrace").get_data(as_text=True)
    assert "greet Khun Niran" in page and "Khun Smith" not in page
    assert "greet Ms 이" in page and "say <em>Ms Lee</em>" in page and "say <em>Mr Sato</em>" in page
    pdf = client.get(f"/api/v1/briefings/{DAY.isoformat()}.pdf?outlet=terrace", headers=api_key("manager"))
    assert pdf.status_code == 200
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = " ".join(text.split()) + " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Khun Niran" in flat and "Khun Smith" not in flat
    assert "Ms Lee" in flat and "Mr Sato" in flat


# 5. scripts/run names the port it serves on.


def test_scripts_run_announces_the_port_it_serves_on() -> None:
    script = (ROOT / "scripts" / "run").read_text()
    announce = next(line for line in script.splitlines() if "serving on" in line)
    assert "${PORT:-5000}" in announce
    served = next(line for line in script.splitlines() if "flask --app wsgi run" in line)
    assert '--port "${PORT:-5000}"' in served
    echoed = subprocess.run(
        ["bash", "-c", announce], env={"PORT": "5123", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True
    )
    assert echoed.stdout.strip() == "==> serving on http://127.0.0.1:5123 (Ctrl-C to stop)"


def test_the_cjk_web_font_is_served_once_and_then_revalidated(client: FlaskClient) -> None:
    first = client.get("/fonts/cjk.ttf")
    assert first.status_code == 200 and first.mimetype == "font/ttf" and len(first.data) > 1_000_000
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    assert "max-age=31536000" in first.headers["Cache-Control"]
    again = client.get("/fonts/cjk.ttf", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
