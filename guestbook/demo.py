"""Deterministic demo data: a hotel with four outlets, ~500 guests in many scripts, two years of visits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import property_for_update
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import search_index
from guestbook.guests.models import Allergy, Guest, Preference, Visit
from guestbook.guests.visits import refresh_visit_stats
from guestbook.staff.auth import hash_secret
from guestbook.staff.models import StaffUser

DEMO_TIMEZONE = "Asia/Bangkok"
DEMO_PASSWORD = "guestbook-demo"  # noqa: S105  (printed by scripts/run on purpose: demo only)
DEMO_STAFF = (
    ("Ploy Srisuk", "floor@demo.guestbook", "floor"),
    ("Anan Chaiyo", "concierge@demo.guestbook", "concierge"),
    ("Mali Wongsa", "manager@demo.guestbook", "manager"),
    ("Admin", "admin@demo.guestbook", "admin"),
)
OUTLETS = (
    ("rooms", "Riverside Rooms", "rooms"),
    ("terrace", "Terrace Restaurant", "restaurant"),
    ("bamboo", "Bamboo Bar", "bar"),
    ("cafe", "Verandah Café", "cafe"),
)

# (given, family, language, salutation) — names in every script staff meet.
LATIN = [
    ("Hans", "Müller", "de", "Mr"),
    ("José", "García", "es", "Mr"),
    ("Zoë", "Martin", "fr", "Ms"),
    ("Siobhán", "O'Brien", "en", "Ms"),
    ("John", "Smith", "en", "Mr"),
    ("François", "Lefèvre", "fr", "Mr"),
    ("Søren", "Kierkegaard", "da", "Mr"),
    ("Łukasz", "Nowak", "pl", "Mr"),
    ("Inês", "Gonçalves", "pt", "Ms"),
    ("Chloé", "Dubois", "fr", "Ms"),
    ("Jürgen", "Schäfer", "de", "Mr"),
    ("María", "Núñez", "es", "Ms"),
    ("Emma", "Johnson", "en", "Ms"),
    ("Oliver", "Brown", "en", "Mr"),
    ("Amélie", "Rousseau", "fr", "Ms"),
    ("Björn", "Svensson", "sv", "Mr"),
    ("Ana", "Pérez", "es", "Ms"),
    ("Liam", "Walsh", "en", "Mr"),
    ("Noémie", "Girard", "fr", "Ms"),
    ("Mateo", "Hernández", "es", "Mr"),
    ("Sophie", "Wagner", "de", "Ms"),
    ("Somchai", "Jaidee", "th", "Khun"),
    ("Niran", "Thongchai", "th", "Khun"),
    ("Priya", "Sharma", "en", "Ms"),
]
# (given, family, salutation): the salutation follows the given name's usual gender; "" where the
# name is used for both (수빈), so letters fall back to the name alone rather than guess.
CHINESE = [
    ("小明", "王", "Mr"),
    ("娜", "李", "Ms"),
    ("伟", "张", "Mr"),
    ("静", "陈", "Ms"),
    ("芳", "刘", "Ms"),
    ("强", "杨", "Mr"),
    ("秀英", "黄", "Ms"),
    ("磊", "周", "Mr"),
]
JAPANESE = [
    ("太郎", "山田", "Mr"),
    ("花子", "佐藤", "Ms"),
    ("一郎", "鈴木", "Mr"),
    ("さくら", "高橋", "Ms"),
    ("健", "田中", "Mr"),
    ("美咲", "伊藤", "Ms"),
]
KOREAN = [("민준", "김", "Mr"), ("서연", "이", "Ms"), ("지훈", "박", "Mr"), ("수빈", "최", ""), ("예준", "정", "Mr")]
CYRILLIC = [
    ("Иван", "Петров", "Mr"),
    ("Анна", "Смирнова", "Ms"),
    ("Дмитрий", "Иванов", "Mr"),
    ("Ольга", "Кузнецова", "Ms"),
]
GREEK = [
    ("Γιώργος", "Παπαδόπουλος", "Mr"),
    ("Ελένη", "Νικολάου", "Ms"),
    ("Νίκος", "Γεωργίου", "Mr"),
    ("Μαρία", "Οικονόμου", "Ms"),
]

TABLES = ["Window 2", "Window 4", "Terrace 7", "Booth 3", "Bar 5", "Table 12", "Garden 1", "Corner 9", "Table 14"]
DISHES = [
    "club sandwich",
    "coffee",
    "fried egg",
    "pad thai",
    "tom yum goong",
    "green curry",
    "mango sticky rice",
    "croissant",
    "eggs benedict",
    "fresh orange juice",
    "jasmine tea",
    "espresso",
    "Caesar salad",
    "grilled sea bass",
    "massaman curry",
    "som tam",
    "Singha beer",
    "negroni",
    "dry martini",
    "sparkling water",
]
ALLERGENS = [
    ("peanuts", "anaphylaxis"),
    ("shellfish", "severe"),
    ("gluten", "intolerance"),
    ("lactose", "intolerance"),
    ("sesame", "severe"),
    ("vegetarian", "dietary"),
    ("tree nuts", "severe"),
]
STREETS = ["Sukhumvit Road", "Orchard Road", "High Street", "Rue de Rivoli"]
CITIES = [
    ("Bangkok", "TH", "10330"),
    ("Singapore", "SG", "018956"),
    ("Hong Kong", "HK", ""),
    ("Tokyo", "JP", "100-0005"),
    ("London", "GB", "SW1A 1AA"),
    ("München", "DE", "80331"),
    ("Paris", "FR", "75001"),
    ("Seoul", "KR", "04524"),
]


@dataclass(frozen=True)
class DemoName:
    """A generated name with its language and salutation."""

    given: str
    family: str
    language: str
    salutation: str


def random_name(rng: random.Random) -> DemoName:
    """A name drawn from the script mix (about two in three Latin)."""
    roll = rng.random()
    if roll < 0.62:
        g, _, lang, sal = rng.choice(LATIN)
        _, f, _, _ = rng.choice(LATIN)
        return DemoName(g, f, lang, sal)
    if roll < 0.74:
        g, _, sal = rng.choice(CHINESE)
        return DemoName(g, rng.choice(CHINESE)[1], "zh-Hans", sal)
    if roll < 0.83:
        g, _, sal = rng.choice(JAPANESE)
        return DemoName(g, rng.choice(JAPANESE)[1], "ja", sal)
    if roll < 0.90:
        g, _, sal = rng.choice(KOREAN)
        return DemoName(g, rng.choice(KOREAN)[1], "ko", sal)
    if roll < 0.95:
        g, f, sal = rng.choice(CYRILLIC)
        return DemoName(g, f, "ru", sal)
    g, f, sal = rng.choice(GREEK)
    return DemoName(g, f, "el", sal)


def demo_loaded() -> bool:
    """True when the demo has been loaded into this database already."""
    return bool(db.session.scalar(select(func.count(StaffUser.id)).where(StaffUser.email == DEMO_STAFF[-1][1])))


def load_demo(seed: int = 7, guests: int = 500, today: date | None = None) -> bool:
    """Load the demo property, staff, guests and visits; returns False (and does nothing) when already loaded."""
    if demo_loaded():
        return False
    rng = random.Random(seed)
    # "Today" is the property's date: loaded in the Bangkok morning, the UTC date is still yesterday.
    today = today or datetime.now(UTC).astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
    with write_transaction():
        prop = property_for_update()
        prop.name, prop.address, prop.timezone, prop.currency = (
            "The Riverside Bangkok",
            "48 Oriental Avenue, Bang Rak, Bangkok 10500, Thailand",
            DEMO_TIMEZONE,
            "THB",
        )
        password_hash = hash_secret(DEMO_PASSWORD)
        staff = []
        for name, email, role in DEMO_STAFF:
            user = StaffUser(name=name, email=email, role=role, password_hash=password_hash)
            db.session.add(user)
            staff.append(user)
        outlets: dict[str, Outlet] = {}
        for code, name, kind in OUTLETS:
            existing = db.session.scalar(select(Outlet).where(Outlet.code == code))
            outlets[code] = existing or Outlet(property_id=prop.id, code=code, name=name, kind=kind)
            db.session.add(outlets[code])
        db.session.flush()
        tz = ZoneInfo(prop.timezone)
        created = [_story_guest(outlets, staff, today, tz)]
        for i in range(guests - 1):
            created.append(_random_guest(rng, i, outlets, staff, today, tz))
        db.session.flush()
        for guest in created:
            refresh_visit_stats(guest.id)
            search_index.index_guest(guest)
    from guestbook.reservations.demo import load_demo_reservations

    load_demo_reservations(today)
    from guestbook.relations.demo import load_demo_relations

    load_demo_relations(today)
    # The managers' dashboard and the card's standing line have figures from the first sign-in.
    from guestbook.segments.refresh import refresh

    refresh(Actor.system("demo"), today)
    return True


def _local(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)


def _story_guest(outlets: dict[str, Outlet], staff: list[StaffUser], today: date, tz: ZoneInfo) -> Guest:
    """Mr Yu, the guest from the story: window 2, club sandwich, coffee and egg; last here over a year ago."""
    guest = Guest(
        given_name="Wei",
        family_name="Yu",
        preferred_name="Mr Yu",
        salutation="Mr",
        pronunciation="yoo",
        language="en",
        email="wei.yu@example.com",
        phone="+65 6123 4567",
        phone_digits="6561234567",
        company="Straits Trading",
        address_line1="12 Marina View",
        address_city="Singapore",
        address_postal_code="018961",
        address_country="SG",
        birthday_month=(today + timedelta(days=9)).month,
        birthday_day=(today + timedelta(days=9)).day,
        birthday_year=1961,
        vip_level=3,
        marketing_consent=True,
    )
    db.session.add(guest)
    last = today - timedelta(days=400)
    for n in range(9):
        day = last - timedelta(days=3 * n)
        db.session.add(
            Visit(
                guest=guest,
                outlet=outlets["cafe"],
                visited_at=_local(day, 7, 30, tz),
                party_size=1,
                table="Window 2" if n != 4 and n != 7 else "Window 4",
                items=["club sandwich", "coffee", "fried egg"] if n % 3 else ["club sandwich", "coffee"],
                spend=Decimal("420.00"),
                currency="THB",
                served_by_id=staff[0].id,
                served_by_name=staff[0].name,
            )
        )
    return guest


def _random_guest(
    rng: random.Random, i: int, outlets: dict[str, Outlet], staff: list[StaffUser], today: date, tz: ZoneInfo
) -> Guest:
    name = random_name(rng) if i >= len(LATIN) else DemoName(LATIN[i][0], LATIN[i][1], LATIN[i][2], LATIN[i][3])
    if i == len(LATIN):
        name = DemoName("小明", "王", "zh-Hans", "Mr")
    city, country, postcode = rng.choice(CITIES)
    birthday = today + timedelta(days=rng.randint(0, 364))
    if i % 40 == 0:
        birthday = today + timedelta(days=rng.randint(1, 13))  # several birthdays in the coming two weeks
    ascii_local = f"guest{i:04d}"
    guest = Guest(
        given_name=name.given,
        family_name=name.family,
        salutation=name.salutation,
        language=name.language,
        email=f"{ascii_local}@example.com",
        phone=f"+66 8{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        company=rng.choice(["", "", "", "Siam Cement", "Acme Travel", "Mitsui & Co.", "Deutsche Bank"]),
        address_line1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
        address_city=city,
        address_postal_code=postcode,
        address_country=country,
        birthday_month=birthday.month,
        birthday_day=birthday.day,
        birthday_year=rng.choice([None, rng.randint(1950, 2000)]),
        vip_level=rng.choice([0] * 8 + [1, 2, 3]),
        marketing_consent=rng.random() < 0.7,
        do_not_contact=rng.random() < 0.03,
    )
    guest.phone_digits = "".join(ch for ch in guest.phone or "" if ch.isdigit())
    if i == 0:
        guest.allergies = [Allergy(allergen="peanuts", severity="anaphylaxis", note="carries an EpiPen")]
    elif rng.random() < 0.15:
        allergen, severity = rng.choice(ALLERGENS)
        if severity == "dietary":  # a diet is a preference (shown on the Diet line), never an allergy
            guest.preferences = [
                Preference(category="diet", value=allergen, source="stated", recorded_by_id=staff[0].id)
            ]
        else:
            guest.allergies = [Allergy(allergen=allergen, severity=severity)]
    db.session.add(guest)
    habit = rng.random()
    if i == 0 or habit < 0.25:  # a regular: same outlet, table and order, every week or two
        outlet = outlets["terrace"] if i == 0 else rng.choice(list(outlets.values())[1:])
        table, order = rng.choice(TABLES), rng.sample(DISHES, 3)
        if i == 0:
            table = "Window 2"
        gap, visits, stopped = rng.randint(5, 15), rng.randint(12, 40), 0
    elif habit < 0.40:  # a regular who stopped coming
        outlet, table, order = rng.choice(list(outlets.values())[1:]), rng.choice(TABLES), rng.sample(DISHES, 3)
        gap, visits, stopped = rng.randint(7, 20), rng.randint(6, 20), rng.randint(200, 500)
    else:  # occasional
        outlet, table, order = rng.choice(list(outlets.values())), "", rng.sample(DISHES, 2)
        gap, visits, stopped = rng.randint(40, 200), rng.randint(1, 5), rng.randint(0, 200)
    day = today - timedelta(days=stopped + rng.randint(1, gap))
    for _ in range(visits):
        if day < today - timedelta(days=730):
            break
        items = [it for it in order if rng.random() < 0.8] or order[:1]
        if rng.random() < 0.3:
            items.append(rng.choice(DISHES))
        served = rng.choice(staff[:3])
        db.session.add(
            Visit(
                guest=guest,
                outlet=outlet,
                visited_at=_local(day, rng.choice([8, 12, 19, 20]), rng.choice([0, 15, 30, 45]), tz),
                party_size=rng.choice([1, 2, 2, 2, 3, 4]),
                table=table if table and rng.random() < 0.8 else rng.choice(TABLES),
                items=items,
                spend=Decimal(rng.randint(300, 6000)),
                currency="THB",
                served_by_id=served.id,
                served_by_name=served.name,
            )
        )
        day -= timedelta(days=max(1, int(rng.gauss(gap, gap / 4))))
    if rng.random() < 0.2:
        db.session.add(
            Preference(
                guest=guest,
                category=rng.choice(["drink", "food", "room", "service"]),
                value=rng.choice(["still water, no ice", "quiet table", "high floor", "no coriander", "extra pillows"]),
                source=rng.choice(["stated", "observed"]),
                recorded_by_id=staff[0].id,
            )
        )
    return guest
