"""The sundown clock: due by the end of the property-local business day, across midnight, after-midnight ends,
timezones and daylight-saving changes; overdue only while open. Time is passed in, never read from the clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from guestbook.admin.settings import set_setting
from guestbook.relations import feedback as rules
from guestbook.relations import sundown
from guestbook.relations.schemas import FeedbackCreate

from .factories import ACTOR, make_guest

BANGKOK = ZoneInfo("Asia/Bangkok")
LONDON = ZoneInfo("Europe/London")


def _local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz).replace(fold=fold)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("reported", "end", "due"),
    [
        ((2026, 12, 3, 15, 0), time(23, 0), (2026, 12, 3, 23, 0)),  # same day
        ((2026, 12, 3, 23, 30), time(23, 0), (2026, 12, 4, 23, 0)),  # after the end: the next day's
        ((2026, 12, 3, 23, 0), time(23, 0), (2026, 12, 4, 23, 0)),  # at the end exactly: strictly after
        ((2026, 12, 3, 22, 59), time(23, 0), (2026, 12, 3, 23, 0)),
        ((2026, 12, 7, 23, 0), time(2, 0), (2026, 12, 8, 2, 0)),  # Monday 23:00, end 02:00: Tuesday 02:00
        ((2026, 12, 8, 1, 0), time(2, 0), (2026, 12, 8, 2, 0)),  # Tuesday 01:00: the same 02:00
        ((2026, 12, 8, 2, 30), time(2, 0), (2026, 12, 9, 2, 0)),
        ((2026, 12, 31, 23, 30), time(23, 0), (2027, 1, 1, 23, 0)),  # across the year
    ],
)
def test_due_by_in_bangkok(reported: tuple[int, ...], end: time, due: tuple[int, ...]) -> None:
    result = sundown.due_by(_local(BANGKOK, *reported), BANGKOK, end)
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
    assert result == _local(BANGKOK, *due)


def test_due_by_reads_the_property_clock_not_the_offset_it_was_sent_with() -> None:
    # 16:30 UTC is 23:30 in Bangkok: past a 23:00 end there, so due the next Bangkok evening.
    assert sundown.due_by(datetime(2026, 12, 3, 16, 30, tzinfo=UTC), BANGKOK, time(23, 0)) == _local(
        BANGKOK, 2026, 12, 4, 23, 0
    )
    # The same instant in London is 16:30: due 23:00 London that day.
    assert sundown.due_by(datetime(2026, 12, 3, 16, 30, tzinfo=UTC), LONDON, time(23, 0)) == datetime(
        2026, 12, 3, 23, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        sundown.due_by(datetime(2026, 12, 3, 16, 30), BANGKOK, time(23, 0))  # naive: refused


def test_due_by_across_the_clocks_going_forward_in_london() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. A complaint on Saturday evening is due 23:00 BST Sunday
    # if reported after Saturday's end; 23:00 BST is 22:00 UTC.
    saturday_late = _local(LONDON, 2026, 3, 28, 23, 30)
    assert sundown.due_by(saturday_late, LONDON, time(23, 0)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert sundown.due_by(_local(LONDON, 2026, 3, 28, 12, 0), LONDON, time(23, 0)) == datetime(
        2026, 3, 28, 23, 0, tzinfo=UTC
    )
    # An end in the skipped hour (01:30) falls an hour later that night, at 02:30 BST (01:30 UTC).
    assert sundown.due_by(_local(LONDON, 2026, 3, 28, 23, 0), LONDON, time(1, 30)) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 24 hours apart in wall time are 23 real hours that day.
    before = sundown.due_by(_local(LONDON, 2026, 3, 28, 0, 30), LONDON, time(2, 0))
    after = sundown.due_by(_local(LONDON, 2026, 3, 28, 3, 0), LONDON, time(2, 0))
    assert after - before == timedelta(hours=23)


def test_due_by_across_the_clocks_going_back_in_london() -> None:
    # 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice; the business day ends at the first.
    # (Compared in UTC: PEP 495 makes a time in the repeated hour unequal to any instant in another zone.)
    first = _local(LONDON, 2026, 10, 25, 1, 30, fold=0).astimezone(UTC)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert sundown.due_by(_local(LONDON, 2026, 10, 25, 1, 0), LONDON, time(1, 30)) == first
    # Reported in the repeated hour after the first 01:30: due the next night's 01:30 (GMT by then).
    repeated = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 01:45 BST
    assert sundown.due_by(repeated, LONDON, time(1, 30)) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    # A 23:00 end on the long day: 25 hours after the day before's.
    saturday = sundown.due_by(_local(LONDON, 2026, 10, 24, 12, 0), LONDON, time(23, 0))
    sunday = sundown.due_by(_local(LONDON, 2026, 10, 24, 23, 30), LONDON, time(23, 0))
    assert saturday == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 23:00 BST
    assert sunday == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 23:00 GMT
    assert sunday - saturday == timedelta(hours=25)


def test_parse_clock_and_the_setting(app: Flask) -> None:
    assert sundown.parse_clock("02:00") == time(2, 0) and sundown.parse_clock(" 23:59 ") == time(23, 59)
    for bad in ("24:00", "2:00", "noon", "", None, 2300):
        assert sundown.parse_clock(bad) is None
    assert sundown.business_day_end() == time(23, 0)  # the default
    set_setting("relations_business_day_end", "02:00", ACTOR)
    assert sundown.business_day_end() == time(2, 0)
    set_setting("relations_business_day_end", "late", ACTOR)  # unreadable: the default, never a crash
    assert sundown.business_day_end() == time(23, 0)


def _complaint(reported: datetime, **fields: object) -> FeedbackCreate:
    return FeedbackCreate.model_validate({"kind": "complaint", "text": "Cold soup", "reported_at": reported, **fields})


def test_a_logged_complaint_is_due_by_sundown_and_overdue_only_while_open(app: Flask) -> None:
    """The property is in Bangkok (tests' GUESTBOOK_TIMEZONE); the business day ends at the 02:00 setting."""
    set_setting("relations_business_day_end", "02:00", ACTOR)
    guest = make_guest(given_name="Niran")
    reported = _local(BANGKOK, 2026, 12, 7, 23, 0)  # Monday 23:00
    now = reported + timedelta(minutes=5)
    complaint = rules.create_feedback(guest.id, _complaint(reported), ACTOR, now=now)
    assert complaint.status == "open"
    assert complaint.due_by == _local(BANGKOK, 2026, 12, 8, 2, 0)
    assert not sundown.is_overdue(complaint, _local(BANGKOK, 2026, 12, 8, 2, 0))  # at the deadline: not yet
    late = _local(BANGKOK, 2026, 12, 8, 2, 1)
    assert sundown.is_overdue(complaint, late)
    overdue = rules.list_feedback(rules.Filters(overdue=True), now=late)
    assert [f.id for f in overdue] == [complaint.id]
    assert rules.list_feedback(rules.Filters(overdue=True), now=now) == []
    assert [f.id for f in rules.list_feedback(rules.Filters(overdue=False), now=now)] == [complaint.id]
    rules.acknowledge(complaint.id, ACTOR, now=late + timedelta(hours=1))
    acknowledged = rules.get_feedback(complaint.id)
    assert not sundown.is_overdue(acknowledged, late + timedelta(days=3))
    assert rules.list_feedback(rules.Filters(overdue=True), now=late + timedelta(days=3)) == []


def test_a_compliment_has_no_deadline_and_is_never_overdue(app: Flask) -> None:
    guest = make_guest(given_name="Araya")
    reported = _local(BANGKOK, 2026, 12, 3, 12, 0)
    compliment = rules.create_feedback(
        guest.id,
        FeedbackCreate.model_validate({"kind": "compliment", "text": "Lovely", "reported_at": reported}),
        ACTOR,
        now=reported,
    )
    assert compliment.status == "recorded" and compliment.due_by is None
    assert not sundown.is_overdue(compliment, reported + timedelta(days=30))


def test_reported_at_defaults_to_now(app: Flask) -> None:
    guest = make_guest(given_name="Somchai")
    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 15:00 in Bangkok
    complaint = rules.create_feedback(guest.id, FeedbackCreate(kind="complaint", text="Slow"), ACTOR, now=now)
    assert complaint.reported_at == now
    assert complaint.due_by == _local(BANGKOK, 2026, 12, 3, 23, 0)
