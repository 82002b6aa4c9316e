"""Import files in the encodings properties' systems write: detected (or chosen per source), names intact."""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from guestbook.actor import Actor
from guestbook.data import imports
from guestbook.data.import_read import ImportFileError, detect_encoding, guess_legacy, open_rows
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit

ADMIN = Actor(label="tests", role="admin")
THAI = "source_id,given_name,family_name\nT1,สมชาย,ศรีสุข\nT2,นิรันดร์,วงศ์ใหญ่\nT3,สุดา,ทองดี\n"
CHINESE = "source_id,given_name,family_name\nC1,伟,王\nC2,秀英,刘\nC3,静,杨\n"
LATIN = "source_id,given_name,family_name\nL1,Zoë,Müller\nL2,José,García\nL3,Anaïs,Lefèvre\n"
MIXED = "source_id,given_name,family_name\nM1,สมชาย,ศรีสุข\nM2,伟,王\nM3,さくら,佐藤\nM4,민준,김\nM5,Zoë,Müller\n"


def names() -> list[tuple[str, str]]:
    db.session.rollback()
    return sorted((g, f) for g, f in db.session.execute(select(Guest.given_name, Guest.family_name)))


def run(path: Path, source: str = "pms") -> imports.ImportReport:
    lines: list[str] = []
    report = imports.run_import("guests", source, path, ADMIN, emit=lines.append)
    report.lines = lines
    return report


def expected(text: str) -> list[tuple[str, str]]:
    return sorted((line.split(",")[1], line.split(",")[2]) for line in text.strip().splitlines()[1:])


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (THAI, "cp874", "cp874"),
        (CHINESE, "cp936", "cp936"),
        (LATIN, "cp1252", "cp1252"),
        (MIXED, "utf-8", "utf-8"),
        (MIXED, "utf-8-sig", "utf-8-sig"),
        (MIXED, "utf-16", "utf-16"),
    ],
)
def test_each_encoding_is_detected_and_names_come_through(
    app: Flask, tmp_path: Path, text: str, encoding: str, detected: str
) -> None:
    path = tmp_path / "guests.csv"
    path.write_bytes(text.encode(encoding))
    report = run(path)
    assert report.lines == []
    assert report.encoding == detected
    assert report.created == len(text.strip().splitlines()) - 1
    assert names() == expected(text)


def test_utf16_big_endian_with_bom(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "guests.csv"
    path.write_bytes(codecs.BOM_UTF16_BE + MIXED.encode("utf-16-be"))
    assert run(path).created == 5
    assert names() == expected(MIXED)


def test_the_source_setting_overrides_detection(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "guests.csv"
    path.write_bytes(THAI.encode("cp874"))
    imports.save_settings("guests", "legacy", {}, "cp874", "YMD", ADMIN)
    assert run(path, source="legacy").encoding == "cp874"
    assert names() == expected(THAI)


def test_a_wrong_encoding_setting_is_a_clear_error_and_writes_nothing(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "guests.csv"
    path.write_bytes(THAI.encode("cp874"))
    imports.save_settings("guests", "wrong", {}, "utf-8", "YMD", ADMIN)
    report = run(path, source="wrong")
    assert report.errors == 1
    assert report.lines == [
        "file: row 1: the file is not valid utf-8 text: choose its encoding in the source's settings"
    ]
    assert names() == []


def test_detection_rules() -> None:
    assert detect_encoding(codecs.BOM_UTF8 + b"a,b\n", at_end=True) == "utf-8-sig"
    assert detect_encoding("a,é\n".encode(), at_end=True) == "utf-8"
    # A sample cut in the middle of a UTF-8 character is still UTF-8.
    assert detect_encoding("a,ก".encode()[:-1], at_end=False) == "utf-8"
    assert guess_legacy("ชื่อ,นามสกุล\nสมชาย,ศรีสุข\n".encode("cp874")) == "cp874"
    assert guess_legacy("名,姓\n伟,王\n秀英,刘\n".encode("cp936")) == "cp936"
    with pytest.raises(ImportFileError, match="binary"):
        detect_encoding(bytes(range(256)) * 10, at_end=True)


def test_xlsx_with_dates_and_numbers(app: Flask, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["source_id", "given_name", "family_name", "birthday", "vip_level", "marketing_consent"])
    sheet.append(["X1", "さくら", "佐藤", datetime(1990, 4, 3), 2, True])
    sheet.append([1002, "민준", "김", "--07-15", None, False])
    path = tmp_path / "guests.xlsx"
    book.save(path)
    with open_rows(path) as opened:
        assert opened.encoding == "xlsx"
        rows = list(opened.rows)
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].cells[3] == "1990-04-03" and rows[1].cells[0] == "1002"
    report = run(path)
    assert report.lines == [] and report.created == 2
    sato = db.session.scalar(select(Guest).where(Guest.family_name == "佐藤"))
    assert sato is not None
    assert (sato.birthday_year, sato.birthday_month, sato.birthday_day, sato.vip_level) == (1990, 4, 3, 2)
    assert sato.marketing_consent is True


def test_xlsx_visits_with_excel_datetimes(app: Flask, tmp_path: Path) -> None:
    guests = tmp_path / "g.csv"
    guests.write_text("source_id,given_name\nG1,Niran\n", encoding="utf-8")
    run(guests)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["source_id", "guest_source_id", "outlet", "visited_at", "spend"])
    sheet.append(["V1", "G1", "terrace", datetime(2025, 4, 3, 19, 30), 1250.5])
    path = tmp_path / "visits.xlsx"
    book.save(path)
    lines: list[str] = []
    report = imports.run_import("visits", "pms", path, ADMIN, emit=lines.append)
    assert lines == [] and report.created == 1
    visit = db.session.scalar(select(Visit))
    assert visit is not None
    assert visit.visited_at.isoformat() == "2025-04-03T12:30:00+00:00"  # 19:30 property time (Bangkok)
    assert str(visit.spend) == "1250.50"


def test_a_broken_xlsx_is_one_error(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    report = run(path)
    assert report.lines == ["file: not a readable XLSX workbook"]
    assert db.session.scalar(select(func.count()).select_from(Guest)) == 0
