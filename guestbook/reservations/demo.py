"""Demo reservations for today and tomorrow: regulars, first-timers, a birthday, allergies, a hotel arrival list."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Allergy, Guest
from guestbook.reservations.bookings import GuestRef, ReservationIn, upsert_reservation

FIRST_TIMERS = [
    ("Camille", "Laurent", "fr"),
    ("Kenji", "Watanabe", "ja"),
    ("Aroha", "Ngata", "en"),
    ("Ji-woo", "Han", "ko"),
    ("Mateus", "Barbosa", "pt"),
    ("雨桐", "林", "zh-Hans"),
    ("Ирина", "Волкова", "ru"),
    ("Elena", "Rossi", "it"),
    ("Νεφέλη", "Δημητρίου", "el"),
    ("하은", "윤", "ko"),
]
DINNER_TIMES = [
    time(18, 0),
    time(18, 30),
    time(19, 0),
    time(19, 15),
    time(19, 30),
    time(20, 0),
    time(20, 30),
    time(21, 0),
]
LUNCH_TIMES = [time(12, 0), time(12, 30), time(13, 0)]
NOTES = [
    "",
    "",
    "",
    "",
    "window table if possible",
    "celebrating a promotion",
    "high chair needed",
    "late arrival flight",
]


def load_demo_reservations(today: date, seed: int = 11, per_day: int = 25) -> int:
    """Upsert about ``per_day`` reservations per day at the restaurant and the hotel (idempotent by external id)."""
    outlets = {o.code: o for o in db.session.scalars(select(Outlet))}
    if "terrace" not in outlets or "rooms" not in outlets:
        return 0
    rng = random.Random(seed)
    actor = Actor.system("demo")
    guest_ids = list(db.session.scalars(select(Guest.id).order_by(Guest.id)))
    if not guest_ids:
        return 0
    with write_transaction():
        count = 0
        for offset in (0, 1):
            day = today + timedelta(days=offset)
            picks = rng.sample(guest_ids[1:], min(len(guest_ids) - 1, 2 * per_day))
            for n in range(per_day):
                count += _restaurant(day, n, picks[n % len(picks)], guest_ids, rng, actor, offset)
                count += _hotel(day, n, picks[(n + per_day) % len(picks)], guest_ids, rng, actor, offset)
    return count


def _restaurant(
    day: date, n: int, guest_id: int, guest_ids: list[int], rng: random.Random, actor: Actor, offset: int
) -> int:
    ext = f"T{day:%Y%m%d}-{n:03d}"
    fields = {
        "outlet": "terrace",
        "arrival_date": day,
        "arrival_time": rng.choice(LUNCH_TIMES if n % 5 == 4 else DINNER_TIMES),
        "party_size": rng.choice([2, 2, 2, 3, 4, 4, 6]),
        "table": f"Table {rng.randint(1, 24)}",
        "notes": rng.choice(NOTES),
    }
    if n == 0 and offset == 0:
        # The regular with a peanut allergy, at their usual table.
        fields.update(
            guest_id=guest_ids[1], arrival_time=time(19, 30), table="Window 2", notes="asked for the usual table"
        )
    elif n == 1 and offset == 0:
        # A first-time guest celebrating a birthday today.
        fields["guest"] = GuestRef(
            given_name="Valentina",
            family_name="Moreau",
            email="valentina.moreau@example.net",
            birthday=f"{day.year - 40:04d}-{day.month:02d}-{day.day:02d}" if (day.month, day.day) != (2, 29) else None,
        )
        fields.update(occasion="Birthday", arrival_time=time(20, 0), party_size=4, notes="cake at dessert, candles")
    elif n % 6 == 2:
        given, family, lang = FIRST_TIMERS[(n // 6 + 5 * offset) % len(FIRST_TIMERS)]
        fields["guest"] = GuestRef(
            given_name=given, family_name=family, language=lang, email=f"demo.{n}.{offset}@example.net"
        )
    else:
        fields["guest_id"] = guest_id
    if n == 3:
        fields["occasion"] = "Anniversary"
    data = ReservationIn.model_validate(fields)
    reservation, _created = upsert_reservation("demo", ext, data, actor)
    if n == 1 and offset == 0 and not reservation.guest.allergies:
        reservation.guest.allergies = [Allergy(allergen="tree nuts", severity="severe", note="no almond in the cake")]
    return 1


def _hotel(
    day: date, n: int, guest_id: int, guest_ids: list[int], rng: random.Random, actor: Actor, offset: int
) -> int:
    ext = f"R{day:%Y%m%d}-{n:03d}"
    fields = {
        "outlet": "rooms",
        "arrival_date": day,
        "arrival_time": rng.choice([None, None, time(14, 0), time(15, 0), time(16, 30), time(22, 0)]),
        "party_size": rng.choice([1, 1, 2, 2, 3]),
        "table": f"Room {rng.randint(3, 18)}{rng.randint(1, 30):02d}",
        "nights": rng.choice([1, 2, 2, 3, 4, 7]),
        "notes": rng.choice(["", "", "airport pick-up", "extra pillows", "quiet room away from the lift"]),
    }
    if n == 0 and offset == 0:
        # Mr Yu, back after more than a year away.
        fields.update(guest_id=guest_ids[0], arrival_time=time(7, 0), nights=3, notes="returning after a year away")
    elif n % 8 == 5:
        given, family, lang = FIRST_TIMERS[(n + offset) % len(FIRST_TIMERS)]
        fields["guest"] = GuestRef(
            given_name=given, family_name=family, language=lang, email=f"demo.room.{n}.{offset}@example.net"
        )
    else:
        fields["guest_id"] = guest_id
    upsert_reservation("demo", ext, ReservationIn.model_validate(fields), actor)
    return 1
