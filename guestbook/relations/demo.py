"""Demo guest relations: a few complaints at each step (one overdue), compliments, and who knows whom among
guests not booked this week (the demo's sheets are full), so the card's banner, the managers' queue, the report
and the network have something to show on the first sign-in.
Deterministic: the same guests are chosen every time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.admin.outlets import property_tz
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.relations import feedback as rules
from guestbook.relations.relationships import add_relationship
from guestbook.relations.schemas import AmendIn, FeedbackCreate
from guestbook.reservations.models import Reservation

ACTOR = Actor.system("demo")


def _at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)


def _complaint(guest_id: int, when: datetime, category: str, severity: str, text: str, outlet: str) -> int:
    data = FeedbackCreate.model_validate(
        {
            "kind": "complaint",
            "category": category,
            "severity": severity,
            "channel": "in_person",
            "text": text,
            "outlet": outlet,
            "reported_at": when,
        }
    )
    return rules.create_feedback(guest_id, data, ACTOR, now=when).id


def load_demo_relations(today: date) -> None:
    """Complaints, compliments and relationships among demo guests with no booking this week."""
    tz = property_tz()
    # Guests with no booking this week: the demo's sheets are its busiest (50 arrivals on four pages each), and
    # the briefing's care and companion lines are shown by the tests, not by the demo.
    week = [today + timedelta(days=n) for n in range(7)]
    this_week = set(db.session.scalars(select(Reservation.guest_id).where(Reservation.arrival_date.in_(week))))
    chosen = [
        g
        for g in db.session.scalars(select(Guest.id).where(Guest.erased_at.is_(None)).order_by(Guest.id).limit(80))
        if g not in this_week
    ]
    if len(chosen) < 12:  # a demo of a handful of guests (tests, a quick look) gets no relations
        return
    group, others = chosen[1:5], [chosen[0], *chosen[5:]]
    story = others[0]  # Mr Yu (the story's guest) unless he is booked this week
    # Who knows whom: a couple, an assistant who books for Mr Yu, a referral, colleagues.
    add_relationship(group[0], group[1], "spouse", "", ACTOR)
    add_relationship(others[1], story, "assistant_of", "Books his tables by phone", ACTOR)
    add_relationship(group[2], group[0], "referred_by", "", ACTOR)
    add_relationship(group[3], others[2], "colleague", "Same bank, Silom branch", ACTOR)
    # Resolved twelve days ago and followed up: the card still says what was promised.
    resolved = _complaint(
        group[0],
        _at(today - timedelta(days=12), 20, 10, tz),
        "food",
        "major",
        "The tom yum was lukewarm and the mains took forty minutes.",
        "terrace",
    )
    rules.acknowledge(resolved, ACTOR, note="Apologised at the table", now=_at(today - timedelta(days=12), 20, 25, tz))
    rules.resolve(
        resolved,
        ACTOR,
        [AmendIn(kind="apology"), AmendIn(kind="comped_item", value="180.00", note="mango sticky rice")],
        "Chef Niran greets them and checks the soup himself",
        now=_at(today - timedelta(days=12), 21, 0, tz),
    )
    rules.follow_up(resolved, ACTOR, "satisfied", now=_at(today - timedelta(days=9), 11, 0, tz))
    # Reported this morning, due by tonight's end of the business day.
    _complaint(
        group[3],
        _at(today, 8, 40, tz) if datetime.now(UTC) > _at(today, 8, 40, tz) else datetime.now(UTC),
        "wait",
        "minor",
        "Our table was not ready when we arrived for breakfast.",
        "terrace",
    )
    # Yesterday evening's, never acknowledged: overdue, so the managers' top bar shows it.
    _complaint(
        others[3],
        _at(today - timedelta(days=1), 19, 50, tz),
        "service",
        "critical",
        "The waiter argued with us about the bill in front of our guests.",
        "terrace",
    )
    for guest, days, text, who in (
        (group[1], 20, "Thank you for remembering our anniversary, the cake was a lovely surprise.", "Ploy Srisuk"),
        (others[4], 5, "Ploy found my favourite table by the window without being asked.", "Ploy Srisuk"),
        (others[5], 33, "Anan arranged the river taxi at midnight. Above and beyond.", "Anan Chaiyo"),
    ):
        data = FeedbackCreate.model_validate(
            {
                "kind": "compliment",
                "text": text,
                "reported_at": _at(today - timedelta(days=days), 21, 0, tz),
                "staff_involved": who,
            }
        )
        rules.create_feedback(guest, data, ACTOR, now=_at(today - timedelta(days=days), 21, 0, tz))
