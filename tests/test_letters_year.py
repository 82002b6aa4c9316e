"""A simulated year: the daily job run every day (some days twice, some days missed) never loses or doubles a letter."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update

from guestbook import create_app, jobs
from guestbook.actor import Actor
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters import selection as letters
from guestbook.letters.models import Letter, LetterBatch

from .conftest import _config, close_app
from .factories import add_visits, make_guest

START = date(2026, 11, 23)
DAYS = 366
MISSED = {
    date(2026, 12, 15),
    date(2026, 12, 16),
    date(2027, 2, 18),
    date(2027, 2, 19),
    date(2027, 2, 20),
    date(2027, 3, 5),
    date(2027, 6, 1),
    date(2027, 9, 21),
}
ADDRESS = {"line1": "1 Charoen Krung Road", "city": "Bangkok", "postal_code": "10500", "country": "TH"}


def _guest(name: str, **fields: Any) -> int:
    fields.setdefault("marketing_consent", True)
    fields.setdefault("address", ADDRESS)
    return make_guest(given_name=name, family_name="Guest", salutation="Ms", **fields).id


def _visits(guest_id: int, when: date, count: int) -> None:
    add_visits(guest_id, "terrace", [("Window 2", ["coffee"])] * count, start=datetime.combine(when, time(12), UTC))


@pytest.mark.slow
def test_a_simulated_year_of_daily_runs(app: Flask, db_url: str, tmp_path: Path) -> None:
    birthdays = {  # guest -> birthday (no visits: active, never lapsed)
        _guest("Newyear", birthday="--01-02"): date(2027, 1, 2),
        _guest("Leap", birthday="--02-29"): date(2027, 2, 28),
        _guest("Ides", birthday="--03-15"): date(2027, 3, 15),
        _guest("May", birthday="--05-20"): date(2027, 5, 20),
        _guest("Autumn", birthday="--09-30"): date(2027, 9, 30),
    }
    combined = _guest("Combined", birthday="--12-25")  # lapsed, birthday soon: one combined letter
    _visits(combined, date(2024, 1, 10), 3)
    lapsed_far = _guest("LapsedFar", birthday="--07-04")  # lapsed, birthday far off: we-miss-you now, birthday later
    _visits(lapsed_far, date(2025, 6, 1), 2)
    lapsing = _guest("Lapsing", birthday="--09-30")  # lapses in February
    _visits(lapsing, date(2026, 2, 10), 2)
    lapsed_only = _guest("LapsedOnly")
    _visits(lapsed_only, date(2025, 5, 5), 2)
    once = _guest("Once")  # one visit long ago: never "lapsed" (needs two)
    _visits(once, date(2025, 1, 5), 1)
    left_out = {
        _guest("NoConsent", birthday="--03-15", marketing_consent=False): "no_consent",
        _guest("DoNotContact", birthday="--05-20", do_not_contact=True): "do_not_contact",
        _guest("NoAddress", birthday="--07-04", address=None): "no_address",
        _guest("Erased", birthday="--01-02"): "erased",
        _guest("Inactive", birthday="--09-30"): "inactive",
    }
    erased = next(g for g, why in left_out.items() if why == "erased")
    inactive = next(g for g, why in left_out.items() if why == "inactive")
    db.session.execute(update(Guest).where(Guest.id == erased).values(given_name="", family_name=""))
    db.session.commit()
    _visits(inactive, date(2019, 3, 1), 2)
    newcomer = _guest("Newcomer")
    actor = Actor.system("simulated-year")
    config = _config(db_url)
    run_days = 0
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if day in MISSED:
            continue
        with time_machine.travel(datetime.combine(day, time(6, 0), UTC), tick=False):
            if day == date(2027, 4, 10):
                _visits(newcomer, day, 1)
            if offset % 30 == 0:
                scheduler_app = create_app(config, instance_path=str(tmp_path))
                jobs.daily_letters(scheduler_app)  # the scheduler's own entry point
                close_app(scheduler_app)
                db.session.rollback()
            else:
                letters.run_today(actor)
            if offset % 7 == 0:
                letters.run_today(actor)  # a second run the same day adds nothing
        run_days += 1

    db.session.rollback()
    batches = {b.id: b.run_date for b in db.session.scalars(select(LetterBatch))}
    assert len(batches) == run_days == len(set(batches.values()))
    rows = list(db.session.scalars(select(Letter).order_by(Letter.id)))
    by_guest: dict[int, list[Letter]] = {}
    for letter in rows:
        by_guest.setdefault(letter.guest_id, []).append(letter)

    def sent(guest_id: int) -> list[tuple[str, date]]:
        return [(x.kind, batches[x.batch_id]) for x in by_guest.get(guest_id, []) if x.status != "skipped"]

    for guest_id, birthday in birthdays.items():
        found = sent(guest_id)
        assert [kind for kind, _day in found] == ["birthday"], (guest_id, found)
        letter = next(x for x in by_guest[guest_id] if x.status != "skipped")
        assert letter.occasion_date == birthday
        written = batches[letter.batch_id]
        assert birthday - timedelta(days=10) <= written <= birthday - timedelta(days=4), (birthday, written)

    story = by_guest[combined]
    assert [(x.kind, x.status) for x in story] == [("birthday_we_miss_you", "drafted")]
    assert "we have all missed you" in story[0].body and "happy birthday" in story[0].body
    assert batches[story[0].batch_id] == date(2026, 12, 17)  # 15 and 16 December were missed: caught up

    assert [kind for kind, _day in sent(lapsed_far)] == ["we_miss_you", "birthday"]
    assert sent(lapsed_far)[0][1] == START
    assert sent(lapsing) == [("we_miss_you", date(2027, 2, 10)), ("birthday", date(2027, 9, 20))]
    assert [kind for kind, _day in sent(lapsed_only)] == ["we_miss_you"]
    assert sent(once) == []
    assert sent(newcomer) == [("thank_you", date(2027, 4, 13))]

    for guest_id, reason in left_out.items():
        recorded = by_guest[guest_id]
        assert recorded and all(x.status == "skipped" and x.skip_reason == reason for x in recorded), (reason, recorded)
    inactive_kinds = Counter(x.kind for x in by_guest[inactive])
    assert inactive_kinds == {"we_miss_you": 1, "birthday": 1}  # one row per letter it would have had

    keys = Counter((x.guest_id, x.family, x.period_key) for x in rows)
    assert max(keys.values()) == 1
    for guest_id in by_guest:
        days = sorted(day for _kind, day in sent(guest_id))
        assert all(b - a >= timedelta(days=60) for a, b in itertools.pairwise(days)), (guest_id, days)
