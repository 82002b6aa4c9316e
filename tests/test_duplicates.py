"""Duplicates (issue 13 item 2): the scan finds likely pairs by blocking, scores them, and forgets nothing rejected."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, update

from guestbook import create_app, jobs
from guestbook.admin.settings import set_setting
from guestbook.audit import AuditEvent
from guestbook.data import duplicates
from guestbook.data.duplicate_keys import word_skeleton
from guestbook.data.models import DuplicatePair, NotDuplicate
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.scheduler import DUPLICATE_SCAN_JOB, build_scheduler

from .conftest import _config, close_app
from .factories import ACTOR, make_guest


def _pairs() -> dict[tuple[int, int], duplicates.Pair]:
    return {p.guest_ids: p for p in duplicates.list_pairs(limit=500)}


def _key(a: Guest, b: Guest) -> tuple[int, int]:
    return (min(a.id, b.id), max(a.id, b.id))


def _erase(guest_id: int) -> None:
    with write_transaction():
        db.session.execute(update(Guest).where(Guest.id == guest_id).values(erased_at=datetime.now(UTC)))


def test_same_phone_in_another_format_and_the_same_name_is_a_pair(app: Flask) -> None:
    first = make_guest(given_name="Ann", family_name="Lee", phone="+66 81 234 5678")
    second = make_guest(given_name="ANN", family_name="Lée", phone="081-234-5678")
    stranger = make_guest(given_name="Bruno", family_name="Costa", phone="+351 912 345 678")
    assert duplicates.run_scan(ACTOR) == 1
    pair = _pairs()[_key(first, second)]
    assert pair.reasons == ["same phone", "same name"]
    assert 0.7 < pair.score <= 1.0
    assert all(stranger.id not in ids for ids in _pairs())


def test_same_email_is_a_pair_and_a_shared_email_of_unrelated_names_is_not(app: Flask) -> None:
    mei = make_guest(given_name="Mei", family_name="Tan", email="mei.tan@example.com")
    m_tan = make_guest(given_name="M", family_name="Tan", email="Mei.Tan@example.com")
    couple_a = make_guest(given_name="Oscar", family_name="Wilde", email="home@example.org")
    couple_b = make_guest(given_name="Constance", family_name="Lloyd", email="home@example.org")
    duplicates.run_scan(ACTOR)
    pairs = _pairs()
    assert pairs[_key(mei, m_tan)].reasons == ["same email"]
    assert _key(couple_a, couple_b) not in pairs  # one e-mail and names with nothing in common: below the bar


def test_chinese_characters_and_their_pinyin_with_the_same_birthday(app: Flask) -> None:
    hanzi = make_guest(given_name="小明", family_name="王", language="zh-Hans", birthday="--05-03")
    latin = make_guest(given_name="Xiaoming", family_name="Wang", birthday="1988-05-03")
    other_day = make_guest(given_name="Xiaoming", family_name="Wang", birthday="--05-04")
    duplicates.run_scan(ACTOR)
    pairs = _pairs()
    assert pairs[_key(hanzi, latin)].reasons == ["same name", "same birthday"]
    assert _key(hanzi, other_day) not in pairs  # the same name alone is not enough (and birthdays differ)


def test_thai_and_its_latin_spelling_are_a_similar_name(app: Flask) -> None:
    assert word_skeleton("สมชาย") == word_skeleton("Somchai") == "SMC"
    assert word_skeleton("สุนทร") == word_skeleton("Sunthorn")
    thai = make_guest(given_name="สมชาย", family_name="ใจดี", language="th", birthday="1975-07-14")
    latin = make_guest(given_name="Somchai", family_name="Jaidee", birthday="1975-07-14")
    someone = make_guest(given_name="Niran", family_name="Thongchai", birthday="1975-07-14")
    duplicates.run_scan(ACTOR)
    pairs = _pairs()
    assert pairs[_key(thai, latin)].reasons == ["similar name", "same birthday"]
    assert _key(thai, someone) not in pairs and _key(latin, someone) not in pairs


def test_pairs_come_highest_score_first(app: Flask) -> None:
    a1 = make_guest(given_name="Hans", family_name="Müller", phone="+49 151 2345 6789", email="hans@example.de")
    a2 = make_guest(given_name="Hans", family_name="Mueller", phone="0151 2345 6789", email="hans@example.de")
    b1 = make_guest(given_name="Emma", family_name="Brown", phone="+44 7700 900123")
    b2 = make_guest(given_name="Emma", family_name="Brown", phone="07700 900123")
    c1 = make_guest(given_name="Liam", family_name="Walsh", birthday="--02-29")
    c2 = make_guest(given_name="Liam", family_name="Walsh", birthday="1992-02-29")
    duplicates.run_scan(ACTOR)
    listed = duplicates.list_pairs()
    assert [p.guest_ids for p in listed] == [_key(a1, a2), _key(b1, b2), _key(c1, c2)]
    assert listed[0].score > listed[1].score > listed[2].score
    assert listed[0].reasons == ["same email", "same phone", "same name"]


def test_a_rejected_pair_never_comes_back(app: Flask) -> None:
    one = make_guest(given_name="Ana", family_name="Pérez", phone="+34 612 345 678")
    two = make_guest(given_name="Ana", family_name="Perez", phone="612 345 678")
    duplicates.run_scan(ACTOR)
    assert _key(one, two) in _pairs()
    duplicates.reject_pair(two.id, one.id, ACTOR)
    assert _key(one, two) not in _pairs()
    assert db.session.get(NotDuplicate, _key(one, two)) is not None
    assert duplicates.run_scan(ACTOR) == 0
    assert _key(one, two) not in _pairs()
    assert duplicates.candidates_for([one.id])[one.id] == []
    rejects = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "duplicate_reject")).all()
    assert sorted(e.guest_id for e in rejects) == sorted([one.id, two.id])


def test_an_erased_guest_is_never_suggested(app: Flask) -> None:
    kept = make_guest(given_name="Noémie", family_name="Girard", email="noemie@example.fr")
    gone = make_guest(given_name="Noemie", family_name="Girard", email="noemie@example.fr")
    duplicates.run_scan(ACTOR)
    assert _key(kept, gone) in _pairs()
    _erase(gone.id)
    assert _key(kept, gone) not in _pairs()  # the stored pair is hidden at once
    duplicates.run_scan(ACTOR)
    assert db.session.scalar(select(func.count()).select_from(DuplicatePair)) == 0
    assert duplicates.candidates_for([kept.id])[kept.id] == []


def test_unrelated_guests_make_no_pair(app: Flask) -> None:
    make_guest(given_name="Søren", family_name="Kierkegaard", phone="+45 20 12 34 56", birthday="--05-05")
    make_guest(given_name="Siobhán", family_name="O'Brien", phone="+353 85 123 4567", birthday="--05-05")
    make_guest(given_name="太郎", family_name="山田", language="ja", email="taro@example.jp")
    assert duplicates.run_scan(ACTOR) == 0


def test_the_scan_is_audited_once_without_personal_data(app: Flask) -> None:
    make_guest(given_name="Zoë", family_name="Martin", phone="+33 6 12 34 56 78")
    make_guest(given_name="Zoe", family_name="Martin", phone="06 12 34 56 78")
    duplicates.run_scan(ACTOR)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "duplicates_scan")).all()
    assert len(events) == 1
    assert "Martin" not in events[0].detail and "5678" not in events[0].detail and "pairs=1" in events[0].detail


def test_blocking_compares_few_pairs_and_skips_giant_blocks(app: Flask) -> None:
    """2,000 guests with one family name: about 2 million pairs in all, a few thousand compared."""
    syllables = ["ka", "ri", "mo", "na", "te", "su", "lo", "vi", "de", "po", "zu", "fe", "bo", "xa", "gu"]
    with write_transaction():
        for n in range(2000):
            given = syllables[n % 15] + syllables[(n // 15) % 15] + syllables[(n // 225) % 15]
            birthday = f"--{n % 12 + 1:02d}-{(n // 12) % 28 + 1:02d}"
            make_guest(given_name=given.capitalize(), family_name="Lee", birthday=birthday, phone=f"+66 2 {n:07d}")
        for n in range(60):  # the hotel's own number typed on 60 profiles: one block, too big to mean anything
            make_guest(given_name=f"Walk{'x' * (n % 5)}", family_name=f"In{n}", phone="+66 2 999 9999")
    result = duplicates.scan(ACTOR)
    assert result.guests == 2060
    assert result.compared < 10_000  # under 0.5% of the 2,121,770 pairs
    assert result.skipped_blocks >= 1
    assert result.pairs == 0


def test_a_name_alone_is_suggested_only_when_the_bar_is_that_low(app: Flask) -> None:
    one = make_guest(given_name="Priya", family_name="Sharma")
    two = make_guest(given_name="Priya", family_name="Sharma")
    assert duplicates.run_scan(ACTOR) == 0
    set_setting("duplicates_min_score", 0.4, ACTOR)
    assert duplicates.run_scan(ACTOR) == 1
    assert _pairs()[_key(one, two)].reasons == ["same name"]


def test_candidates_for_a_new_guest_use_the_same_keys(app: Flask) -> None:
    old = make_guest(given_name="Niran", family_name="Thongchai", phone="+66 89 765 4321", birthday="--11-02")
    twin = make_guest(given_name="Niran", family_name="Thongchai", birthday="1980-11-02")
    new = make_guest(given_name="Niran", family_name="T", phone="089-765-4321")
    found = duplicates.candidates_for([new.id, twin.id])
    assert [(c.guest_id, c.reasons) for c in found[new.id]] == [(old.id, ["same phone"])]
    assert [c.guest_id for c in found[twin.id]] == [old.id]
    assert found[twin.id][0].reasons == ["same name", "same birthday"]
    # Without contacts (a role that sees them masked) the phone says nothing.
    assert duplicates.candidates_for([new.id], contacts=False)[new.id] == []
    assert duplicates.candidates_for([999_999])[999_999] == []


def test_the_command_prints_guests_pairs_and_seconds(app: Flask) -> None:
    make_guest(given_name="Oliver", family_name="Brown", email="oliver@example.co.uk")
    make_guest(given_name="Olivier", family_name="Brown", email="oliver@example.co.uk")
    result = app.test_cli_runner().invoke(args=["duplicates", "scan"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"scanned 2 guests, likely pairs: 1 \(compared: 1, blocks too big skipped: 0\), [0-9.]+ s\n", result.output
    )
    assert len(duplicates.list_pairs()) == 1


def test_the_nightly_job_scans_and_is_scheduled_after_the_backup(app: Flask, db_url: str, tmp_path: Path) -> None:
    make_guest(given_name="Łukasz", family_name="Nowak", phone="+48 601 234 567")
    make_guest(given_name="Lukasz", family_name="Nowak", phone="601 234 567")
    assert jobs.duplicate_scan(app) == 1
    assert jobs.duplicate_scan(app) == 1  # the same pairs again, not twice as many
    scheduler_app = create_app(_config(db_url), instance_path=str(tmp_path / "instance"))
    scheduler = build_scheduler(scheduler_app)
    close_app(scheduler_app)
    job = scheduler.get_job(DUPLICATE_SCAN_JOB)
    assert job is not None and "hour='3', minute='45'" in str(job.trigger)
