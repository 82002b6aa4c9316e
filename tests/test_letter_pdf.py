"""Letters and labels read back from the PDF: right name and facts per page, same order, fonts embedded."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from reportlab.lib.units import mm

from guestbook.actor import Actor
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.letters import batches as letter_batches
from guestbook.letters import exports as letter_exports
from guestbook.letters import render as letters_pdf
from guestbook.letters import render_sheets
from guestbook.letters import selection as letters

from .factories import ACTOR, add_visits, make_guest

SYSTEM = Actor.system("tests")
GUESTS = [
    # given, family, language, salutation, address, seat, items
    (
        "Wei",
        "Yu",
        "en",
        "Mr",
        {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"},
        "Window 2",
        ["club sandwich", "coffee", "fried egg"],
    ),
    (
        "小明",
        "王",
        "zh-Hans",
        "Mr",
        {"line1": "长安街1号", "city": "北京", "postal_code": "100000", "country": "CN"},
        "Booth 3",
        ["jasmine tea", "som tam"],
    ),
    (
        "太郎",
        "山田",
        "ja",
        "Mr",
        {"line1": "丸の内1-1", "city": "東京", "postal_code": "100-0005", "country": "JP"},
        "Garden 1",
        ["espresso", "croissant"],
    ),
    (
        "Hans",
        "Müller",
        "de",
        "Mr",
        {"line1": "Marienplatz 8", "city": "München", "postal_code": "80331", "country": "DE"},
        "Terrace 7",
        ["Singha beer", "green curry"],
    ),
    (
        "Иван",
        "Петров",
        "ru",
        "Mr",
        {"line1": "ул. Тверская 1", "city": "Москва", "postal_code": "125009", "country": "RU"},
        "Bar 5",
        ["dry martini", "negroni"],
    ),
    (
        "민준",
        "김",
        "ko",
        "Mr",
        {"line1": "세종대로 110", "city": "서울", "postal_code": "04524", "country": "KR"},
        "Corner 9",
        ["pad thai", "som tam"],
    ),
]


def _text(page: object) -> str:
    return " ".join(page.extract_text().split())  # type: ignore[attr-defined]


# Each guest's habits are at an outlet whose menu and tables are named in the letter's language, so the
# letter quotes them (a letter in another language leaves them out: issue 8.12, tests/test_letters_language.py).
OUTLET_FOR = {"zh-Hans": "jade", "ja": "sakura", "de": "stube", "ko": "hanok"}


def _outlet_for(language: str) -> str:
    code = OUTLET_FOR.get(language, "terrace")
    if outlets.outlet_by_code(code) is None:
        outlets.create_outlet(OutletCreate(code=code, name=code.title(), language=language), ACTOR)
    return code


@pytest.fixture
def batch_id(app: Flask) -> int:
    for given, family, language, salutation, address, seat, items in GUESTS:
        g = make_guest(
            given_name=given,
            family_name=family,
            language=language,
            salutation=salutation,
            address=address,
            birthday="--03-15",
            marketing_consent=True,
        )
        add_visits(g.id, _outlet_for(language), [(seat, items)] * 3, start=datetime(2025, 11, 1, 12, tzinfo=UTC))
    batch = letters.run_daily(date(2027, 3, 5), SYSTEM)
    letter_batches.approve_batch(batch.id, SYSTEM)
    return batch.id


def _pdfs(batch_id: int, tmp_path: Path) -> tuple[Path, Path]:
    out, labels = tmp_path / "letters.pdf", tmp_path / "labels.pdf"
    letter_exports.export_pdf(batch_id, SYSTEM, out)
    letter_exports.export_pdf(batch_id, SYSTEM, labels, labels=True)
    return out, labels


def test_each_page_holds_the_right_guest_and_their_history(batch_id: int, tmp_path: Path) -> None:
    out, _labels = _pdfs(batch_id, tmp_path)
    pages = PdfReader(out).pages
    assert len(pages) == len(GUESTS)
    for page, (given, family, _lang, _sal, address, seat, items) in zip(pages, GUESTS, strict=True):
        text = _text(page)
        assert family in text and given in text
        assert address["line1"].replace(" ", "") in text.replace(" ", "")  # pypdf adds spaces at font changes
        assert seat in text, text
        assert items[0] in text, text
    en, zh, ja, de, ru, ko = (_text(p) for p in pages)
    assert "Dear Mr Yu," in en and "we have all missed you" in en and "happy birthday" in en
    assert "SINGAPORE" in en
    assert "王先生" in zh and "生日快乐" in zh
    assert "山田様" in ja
    assert "Sehr geehrter Herr Müller" in de
    assert "Dear Mr Петров" in ru  # no Russian template: the property default language, names in Cyrillic
    assert "김민준님께" in ko.replace(" ", "") and "생신" in ko


def test_chinese_letter_is_set_in_a_cjk_font_with_its_digits(batch_id: int, tmp_path: Path) -> None:
    out, _labels = _pdfs(batch_id, tmp_path)
    zh = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(out), "-"], capture_output=True, text=True, check=True)
    assert "尊敬的王先生" in zh.stdout
    assert "3月15日是您的生日" in zh.stdout  # digits drawn too (the CJK font has none; they switch font)
    fonts = subprocess.run(["pdffonts", "-f", "2", "-l", "2", str(out)], capture_output=True, text=True, check=True)
    assert "DroidSansFallback" in fonts.stdout


def test_korean_letter_is_set_in_a_hangul_font(batch_id: int, tmp_path: Path) -> None:
    out, _labels = _pdfs(batch_id, tmp_path)
    page = str(len(GUESTS))
    ko = subprocess.run(
        ["pdftotext", "-f", page, "-l", page, str(out), "-"], capture_output=True, text=True, check=True
    )
    assert "김민준님께" in ko.stdout and "늘 앉으시던 자리(Corner 9)" in ko.stdout
    fonts = subprocess.run(["pdffonts", "-f", page, "-l", page, str(out)], capture_output=True, text=True, check=True)
    assert "NanumGothic" in fonts.stdout


def test_every_font_is_embedded(batch_id: int, tmp_path: Path) -> None:
    for path in _pdfs(batch_id, tmp_path):
        report = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = report.strip().splitlines()[2:]
        assert rows, report
        for row in rows:
            assert row.split()[-5] == "yes", f"not embedded in {path.name}: {row}"


def test_labels_are_in_the_same_order_as_the_letters(batch_id: int, tmp_path: Path) -> None:
    _out, labels = _pdfs(batch_id, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(labels), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "")
    positions = [flat.find(family + given if family in "王山田김" else given + family) for given, family, *_ in GUESTS]
    assert all(p >= 0 for p in positions), (positions, text)
    # 3 columns: row by row, left to right
    first_row = next(line for line in text.splitlines() if line.strip())
    assert first_row.index("Wei") < first_row.index("王") < first_row.index("山田")


def _y_of(page: object, needle: str) -> float:
    found: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if needle in text:
            found.append(tm[5])

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    assert found, needle
    return found[0]


@pytest.mark.parametrize(
    ("paper", "size", "window"),
    [
        ("A4", (595.3, 841.9), (45 * mm, 90 * mm)),  # DIN 5008 form B window: DL and C5 envelopes
        ("Letter", (612.0, 792.0), (1.9 * 72, 3.2 * 72)),  # #10 window envelope
    ],
)
def test_address_sits_in_the_envelope_window(
    batch_id: int, app: Flask, tmp_path: Path, paper: str, size: tuple[float, float], window: tuple[float, float]
) -> None:
    out = tmp_path / f"{paper}.pdf"
    letter_exports.export_pdf(batch_id, SYSTEM, out, paper=paper)
    page = PdfReader(out).pages[0]
    assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == size
    from_top = size[1] - _y_of(page, "Marina View")
    assert window[0] < from_top < window[1], from_top
    labels = tmp_path / f"{paper}-labels.pdf"
    recipients = [[f"Guest {n}", "Street"] for n in range(31)]
    render_sheets.write_labels(recipients, labels, paper)
    per_sheet = 24 if paper == "A4" else 30
    reader = PdfReader(labels)
    assert len(reader.pages) == 2
    assert _text(reader.pages[1]).count("Guest") == 31 - per_sheet


def test_big_batches_are_built_in_chunks_and_merged(batch_id: int, tmp_path: Path) -> None:
    data = letter_exports.print_data(letter_exports.printable_letters(batch_id), date(2027, 3, 5))
    buffer = io.BytesIO()
    letters_pdf.write_letters(data * 3, letter_exports.letterhead(), buffer, per_chunk=4)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    n = len(GUESTS)
    assert len(reader.pages) == 3 * n
    assert "Müller" in _text(reader.pages[3 + n]) and "Müller" in _text(reader.pages[3 + 2 * n])
    buffer = io.BytesIO()
    letters_pdf.write_letters(data, letter_exports.letterhead(), buffer, blank_backs=True)
    assert len(PdfReader(io.BytesIO(buffer.getvalue())).pages) == 2 * n


def test_chunks_merge_without_pdfunite_too(batch_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(letters_pdf.shutil, "which", lambda _name: None)
    data = letter_exports.print_data(letter_exports.printable_letters(batch_id), date(2027, 3, 5))
    buffer = io.BytesIO()
    letters_pdf.write_letters(data, letter_exports.letterhead(), buffer, per_chunk=2)
    assert len(PdfReader(io.BytesIO(buffer.getvalue())).pages) == len(GUESTS)


def test_a_batch_without_approved_letters_makes_no_pdf_but_says_why(app: Flask, tmp_path: Path) -> None:
    batch = letters.run_daily(date(2027, 3, 5), SYSTEM)
    out = tmp_path / "empty.pdf"
    with pytest.raises(letter_exports.NothingToPrint, match="no approved letters"):
        letter_exports.export_pdf(batch.id, SYSTEM, out)
    assert not out.exists()
