"""Guest and visit imports (guestbook.data.imports): all or nothing, idempotent, validated like the API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from guestbook.actor import Actor
from guestbook.data import imports
from guestbook.data.models import GuestSourceRef, ImportRun
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import search
from guestbook.guests.erased import remember_erased
from guestbook.guests.models import Guest, Visit

ADMIN = Actor(label="tests", role="admin")
GUEST_HEADER = "source_id,given_name,family_name,email,phone,birthday,country,vip_level,marketing_consent\n"


def counts() -> tuple[int, int, int]:
    """Rows of guest, visit and guest_source_ref."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Guest)) or 0,
        db.session.scalar(select(func.count()).select_from(Visit)) or 0,
        db.session.scalar(select(func.count()).select_from(GuestSourceRef)) or 0,
    )


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def run(kind: str, path: Path, **options: object) -> imports.ImportReport:
    lines: list[str] = []
    report = imports.run_import(kind, "pms", path, ADMIN, emit=lines.append, **options)  # type: ignore[arg-type]
    report.lines = lines
    return report


GUESTS = GUEST_HEADER + (
    "g1,Niran,Smith,niran@example.com,+66 81 234 5678,1985-04-03,th,2,yes\n"
    "g2,伟,王,wei@example.cn,,--07-15,CN,0,no\n"
    "g3,Zoë,Müller,,,,DE,,\n"
)
VISITS = (
    "source_id,guest_source_id,outlet,visited_at,table,party_size,items,spend,currency,notes\n"
    "v1,g1,terrace,2025-04-03 19:30,T4,2,Tom yum;Pad thai,1250.50,THB,window seat\n"
    "v2,g1,Bamboo Bar,2025-05-01T20:00:00+07:00,,1,,,,\n"
    "v3,g2,bar,3 Apr 2025,,,,,,\n"
)


def test_guests_import_creates_then_is_idempotent(app: Flask, tmp_path: Path) -> None:
    path = write(tmp_path, "guests.csv", GUESTS)
    first = run("guests", path)
    assert first.lines == []
    assert first.counts() == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 0}
    niran = db.session.scalar(select(Guest).where(Guest.email == "niran@example.com"))
    assert niran is not None
    assert (niran.given_name, niran.phone_digits, niran.address_country) == ("Niran", "66812345678", "TH")
    assert (niran.birthday_year, niran.birthday_month, niran.birthday_day, niran.vip_level) == (1985, 4, 3, 2)
    assert niran.marketing_consent is True
    wang = db.session.scalar(select(Guest).where(Guest.family_name == "王"))
    assert wang is not None and (wang.birthday_year, wang.birthday_month, wang.birthday_day) == (None, 7, 15)
    before = counts()
    second = run("guests", path)
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0, "errors": 0}
    assert counts() == before
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [(r.created, r.unchanged) for r in runs] == [(3, 0), (0, 3)]


def test_a_changed_row_updates_the_guest_and_bumps_its_version(app: Flask, tmp_path: Path) -> None:
    run("guests", write(tmp_path, "a.csv", GUESTS))
    guest = db.session.scalar(select(Guest).where(Guest.given_name == "Zoë"))
    assert guest is not None
    gid, version = guest.id, guest.version
    changed = GUESTS.replace("g3,Zoë,Müller,,,,DE,,", "g3,Zoë,Müller-Lüdenscheidt,,,,DE,3,")
    report = run("guests", write(tmp_path, "b.csv", changed))
    assert report.counts() == {"created": 0, "updated": 1, "unchanged": 2, "skipped": 0, "errors": 0}
    db.session.expire_all()
    guest = db.session.get(Guest, gid)
    assert guest is not None
    assert guest.family_name == "Müller-Lüdenscheidt" and guest.vip_level == 3
    assert guest.version > version
    assert [r.id for r in search.search_guests("Lüdenscheidt", 20)] == [gid]


def test_dry_run_counts_and_writes_nothing(app: Flask, tmp_path: Path) -> None:
    before = counts()
    report = run("guests", write(tmp_path, "g.csv", GUESTS), dry_run=True)
    assert report.counts()["created"] == 3 and not report.committed
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (GUEST_HEADER + "g1,Ann,Lee,,,1990-13-45,,,\n", "row 2, column birthday: value '1990-13-45': not a date"),
        (GUEST_HEADER + "g1,Ann,Lee,,,,,,maybe\n", "row 2, column marketing_consent: value 'maybe': use true or false"),
        (GUEST_HEADER + "g1,Ann,Lee,not-an-email,,,,,\n", "row 2, column email: value 'not-an-email': not an email"),
        (GUEST_HEADER + "g1,Ann,Lee,,,,THA,,\n", "row 2, column country: value 'THA': use the two-letter"),
        (GUEST_HEADER + "g1,Ann\x00,Lee,,,,,,\n", "row 2, column given_name: value 'Ann\\u0000': control characters"),
        (GUEST_HEADER + "g1,Ann,Lee,,,,,,\ng1,Bob,Lee,,,,,,\n", "row 3, column source_id: value 'g1': the same"),
        (GUEST_HEADER + "g1,,,,,,,,\n", "row 2, column given_name: value '': a guest needs a given"),
        ("source_id,given_name,shoe_size\ng1,Ann,42\n", "row 1, column shoe_size: value 'shoe_size': unknown column"),
        ("given_name\nAnn\n", "row 1, column source_id: value '': missing column"),
        ("", "file: the file is empty"),
        ("\n\n", "file: the file has no header row"),
    ],
)
def test_broken_guest_files_write_nothing(app: Flask, tmp_path: Path, content: str, expected: str) -> None:
    run("guests", write(tmp_path, "ok.csv", GUESTS))
    before = counts()
    report = run("guests", write(tmp_path, "bad.csv", content))
    assert report.errors >= 1 and not report.committed
    assert any(line.startswith(expected) for line in report.lines), report.lines
    assert counts() == before


def test_binary_junk_is_one_clear_error(app: Flask, tmp_path: Path) -> None:
    before = counts()
    report = run("guests", write(tmp_path, "junk.csv", os.urandom(10 * 1024 * 1024)))
    assert report.lines == ["file: not a CSV or XLSX file (binary data)"]
    assert report.errors == 1 and counts() == before


def test_a_later_row_in_another_encoding_is_a_clear_error(app: Flask, tmp_path: Path) -> None:
    # 5 MB of plain UTF-8 (so the sample says UTF-8), then a cp1252 byte: the row is named, nothing written.
    body = GUEST_HEADER + "".join(f"g{i},Ann,Lee,,,,,,\n" for i in range(2, 260_000))
    content = body.encode() + "gx,Zo\xeb,Lee,,,,,,\n".encode("cp1252")
    before = counts()
    report = run("guests", write(tmp_path, "mixed.csv", content))
    assert report.errors == 1
    assert report.lines[0].startswith("file: row ") and "not valid utf-8 text" in report.lines[0]
    assert counts() == before


def test_mapping_date_order_and_dates(app: Flask, tmp_path: Path) -> None:
    imports.save_settings(
        "guests", "pms", {"source_id": "Guest No", "given_name": "First", "birthday": "DOB"}, "auto", "DMY", ADMIN
    )
    path = write(tmp_path, "m.csv", "Guest No,First,DOB\nA1,Ann,03/04/1990\nA2,Bob,3 Apr 1991\nA3,Cy,\n")
    assert run("guests", path).created == 3
    ann = db.session.scalar(select(Guest).where(Guest.given_name == "Ann"))
    assert ann is not None and (ann.birthday_day, ann.birthday_month) == (3, 4)
    unknown = run("guests", write(tmp_path, "u.csv", "source_id,First\nA9,Zed\n"))
    assert unknown.lines == [
        "row 1, column source_id: value 'source_id': unknown column (not in the mapping for this source)",
        "row 1, column Guest No: value '': missing column",
    ]


def test_ambiguous_dates_need_a_date_order(app: Flask, tmp_path: Path) -> None:
    report = run(
        "guests", write(tmp_path, "d.csv", "source_id,given_name,birthday\nA1,Ann,03/04/1990\nA2,Bo,13/04/1990\n")
    )
    assert report.lines == [
        "row 2, column birthday: value '03/04/1990': day and month are ambiguous: "
        "set the date order for this source (DMY or MDY)"
    ]


def test_erased_contacts_are_skipped_unless_allowed(app: Flask, tmp_path: Path) -> None:
    with write_transaction():
        remember_erased("niran@example.com", None)
    path = write(tmp_path, "g.csv", GUESTS)
    report = run("guests", path)
    assert report.counts() == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1, "errors": 0}
    assert report.lines == ["row 2: skipped: the email belongs to an erased guest"]
    assert db.session.scalar(select(Guest).where(Guest.email == "niran@example.com")) is None
    again = run("guests", path, allow_erased=True)
    assert again.counts() == {"created": 1, "updated": 0, "unchanged": 2, "skipped": 0, "errors": 0}


def test_visits_import_updates_counters_and_search(app: Flask, tmp_path: Path) -> None:
    run("guests", write(tmp_path, "g.csv", GUESTS))
    report = run("visits", write(tmp_path, "v.csv", VISITS))
    assert report.lines == []
    assert report.counts() == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0, "errors": 0}
    niran = db.session.scalar(select(Guest).where(Guest.given_name == "Niran"))
    assert niran is not None and niran.visit_count == 2
    assert niran.last_visit_at is not None and niran.last_visit_at.isoformat() == "2025-05-01T13:00:00+00:00"
    first = db.session.scalar(select(Visit).where(Visit.source_id == "v1"))
    assert first is not None
    assert first.visited_at.isoformat() == "2025-04-03T12:30:00+00:00"  # 19:30 in Bangkok
    assert first.items == ["Tom yum", "Pad thai"] and str(first.spend) == "1250.50"
    assert [r.id for r in search.search_guests("niran", 20)] == [niran.id]
    from guestbook.guests.search_models import GuestToken

    recency = set(db.session.scalars(select(GuestToken.recency).where(GuestToken.guest_id == niran.id)))
    assert recency == {-int(niran.last_visit_at.timestamp())}
    before = counts()
    assert run("visits", write(tmp_path, "v.csv", VISITS)).counts()["unchanged"] == 3
    assert counts() == before
    moved = VISITS.replace("v3,g2,bar,3 Apr 2025", "v3,g1,bar,3 Jun 2025")
    assert run("visits", write(tmp_path, "v2.csv", moved)).counts()["updated"] == 1
    db.session.expire_all()
    niran = db.session.get(Guest, niran.id)
    assert niran is not None and niran.visit_count == 3


def test_broken_visit_files_write_nothing(app: Flask, tmp_path: Path) -> None:
    run("guests", write(tmp_path, "g.csv", GUESTS))
    before = counts()
    bad = VISITS + "v4,nobody,terrace,2025-04-03,,,,,,\nv5,g1,moon,2025-04-03,,,,,,\nv6,g1,terrace,31/02/2025,,,,,,\n"
    report = run("visits", write(tmp_path, "v.csv", bad))
    assert report.lines == [
        "row 6, column outlet: value 'moon': no outlet with this code or name",
        "row 7, column visited_at: value '31/02/2025': not a date",
        "row 5, column guest_source_id: value 'nobody': no guest with this source id for this source",
    ]
    assert report.errors == 3 and counts() == before


NAME = st.text(
    alphabet=st.sampled_from([*list('abcXYZ éü,"\n'), "\x00", "ก", "王", "김", "さ"]), min_size=0, max_size=8
)
DAY = st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat()), st.text(alphabet="0123456789-/", max_size=10))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), NAME, NAME, DAY), max_size=6))
def test_random_guest_files_import_fully_or_not_at_all(
    app: Flask, tmp_path: Path, rows: list[tuple[str, str, str, str]]
) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source_id", "given_name", "family_name", "birthday"])
    writer.writerows(rows)
    # More than a few control bytes make the whole file "binary data" (one file-level error, tested apart).
    assume(out.getvalue().count("\x00") <= 8)
    before = counts()
    report = run("guests", write(tmp_path, "h.csv", out.getvalue()))
    if report.errors:
        assert counts() == before
        assert all(line.startswith("row ") for line in report.lines), report.lines
        assert not report.committed
    else:
        assert report.committed
        assert counts()[0] == before[0] + report.created
        assert report.created + report.updated + report.unchanged == len(rows)
    db.session.rollback()
