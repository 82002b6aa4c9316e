"""What a worker keeps between requests, and how a change made anywhere reaches it (``cached(topic=...)``).

Each worker keeps the settings, the property's timezone and currency, today's bookings, the tag colours and
the signed-in account, and asks the database once per request whether they changed (``cache_generation``, raised by
triggers: migration 0020). Here the changes are made by another connection, as another worker, an import or
psql would, never through the rules: the next request must see each of them. Runs on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from guestbook.admin.outlets import property_currency, property_today, property_tz
from guestbook.admin.settings import get_setting
from guestbook.extensions import db
from guestbook.guests import tonight
from guestbook.models.cache import TOPIC_TABLES

from .conftest import AuthActions, csrf_from
from .factories import make_guest
from .test_request_costs import statements


@pytest.fixture
def outside(app: Flask) -> Iterator[sa.Engine]:
    """Another connection to the app's database: another worker, an import, psql."""
    engine = sa.create_engine(db.engine.url, poolclass=sa.NullPool)
    yield engine
    engine.dispose()


def _generations(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {topic: n for topic, n in conn.execute(sa.text("SELECT topic, n FROM cache_generation"))}


def _write(engine: sa.Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_every_topic_has_a_generation_and_only_its_own_tables_raise_it(app: Flask, outside: sa.Engine) -> None:
    before = _generations(outside)
    assert set(before) == set(TOPIC_TABLES)
    _write(outside, "UPDATE setting SET value = value WHERE 1 = 0")  # a statement that changes no row
    _write(outside, "UPDATE tag SET color = '#000000' WHERE id = -1")
    _write(outside, "UPDATE outlet SET name = name WHERE code = 'terrace'")
    after = _generations(outside)
    assert after["property"] > before["property"]  # the outlet's table is the property's topic
    assert after["reservation"] == before["reservation"] and after["staff"] == before["staff"]
    # SQLite's triggers fire per row (an update of no row raises nothing); PostgreSQL's per statement (it may).
    for topic in ("setting", "tag"):
        assert after[topic] >= before[topic]
    db.session.remove()
    _write(outside, "DELETE FROM staff_user WHERE email = 'nobody@example.test'")
    _write(outside, "UPDATE staff_user SET name = name || '' WHERE email = 'floor@example.test'")
    assert _generations(outside)["staff"] > after["staff"]


def test_a_setting_changed_elsewhere_is_seen_by_the_next_transaction(app: Flask, outside: sa.Engine) -> None:
    assert get_setting("letters_lapse_months") == 12
    db.session.remove()
    with statements() as seen:
        assert get_setting("letters_lapse_months") == 12
    assert not any("FROM setting" in " ".join(s.split()) for s in seen), seen  # kept by the worker
    db.session.remove()
    _write(
        outside,
        "INSERT INTO setting (key, value, updated_at) VALUES ('letters_lapse_months', '18', :now)",
        now=datetime(2026, 12, 3, 12, 0),
    )
    assert get_setting("letters_lapse_months") == 18


def test_a_timezone_changed_elsewhere_moves_today(app: Flask, outside: sa.Engine) -> None:
    _write(outside, "UPDATE property SET timezone = 'Pacific/Kiritimati'")
    db.session.remove()
    assert str(property_tz()) == "Pacific/Kiritimati"
    db.session.remove()
    _write(outside, "UPDATE property SET timezone = 'Pacific/Pago_Pago'")  # 25 hours behind Kiritimati
    assert str(property_tz()) == "Pacific/Pago_Pago"


def test_a_currency_changed_elsewhere_is_used_by_the_next_transaction(app: Flask, outside: sa.Engine) -> None:
    _write(outside, "UPDATE property SET currency = 'JPY'")
    db.session.remove()
    assert property_currency() == "JPY"
    db.session.remove()
    with statements() as seen:
        assert property_currency() == "JPY"
    assert not any("FROM property" in " ".join(s.split()) for s in seen), seen  # kept by the worker
    db.session.remove()
    _write(outside, "UPDATE property SET currency = 'EUR'")
    assert property_currency() == "EUR"


def test_a_booking_added_elsewhere_is_arriving_on_the_next_search(
    app: Flask, client: FlaskClient, auth: AuthActions, outside: sa.Engine
) -> None:
    guest_id = make_guest(given_name="Ren", family_name="Okada").id
    auth.login("floor")
    assert "arrives today" not in client.get("/guests/search?q=okada").get_data(as_text=True)
    db.session.remove()
    outlet_id = db.session.scalar(sa.text("SELECT id FROM outlet WHERE code = 'terrace'"))
    today = property_today()
    db.session.remove()
    _write(
        outside,
        "INSERT INTO reservation (source, external_id, guest_id, outlet_id, arrival_date, arrival_time, party_size,"
        " nights, status, \"table\", occasion, notes, match, created_at, updated_at) VALUES ('pms', 'R-9', :guest,"
        " :outlet, :day, '20:00:00', 2, 0, 'booked', '', '', '', 'linked', :now, :now)",
        guest=guest_id,
        outlet=outlet_id,
        day=today,
        now=datetime(2026, 12, 3, 12, 0),
    )
    assert "arrives today 20:00" in client.get("/guests/search?q=okada").get_data(as_text=True)
    db.session.remove()
    assert guest_id in tonight.arriving_guest_ids()


def test_an_account_deactivated_elsewhere_is_signed_out_on_its_next_request(
    app: Flask, client: FlaskClient, auth: AuthActions, outside: sa.Engine
) -> None:
    auth.login("floor")
    assert client.get("/guests/").status_code == 200
    assert client.get("/guests/").status_code == 200  # the account is the worker's now
    _write(outside, "UPDATE staff_user SET active = :no WHERE email = 'floor@example.test'", no=False)
    page = client.get("/guests/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_an_accounts_own_change_is_seen_at_once(
    app: Flask, client: FlaskClient, auth: AuthActions, outside: sa.Engine
) -> None:
    auth.login("floor")
    token = csrf_from(client.get("/guests/").get_data(as_text=True))
    assert client.post("/account/language", data={"language": "ja", "csrf_token": token}).status_code == 302
    with outside.connect() as conn:
        language = conn.execute(sa.text("SELECT language FROM staff_user WHERE email = 'floor@example.test'"))
        assert language.scalar() == "ja"
    assert 'lang="ja"' in client.get("/guests/").get_data(as_text=True)


def test_a_tag_colour_changed_elsewhere_changes_the_stylesheet(
    app: Flask, client: FlaskClient, auth: AuthActions, outside: sa.Engine
) -> None:
    from guestbook.guests import tags

    from .factories import ACTOR

    tags.create_tag("press", "#112233", ACTOR)
    auth.login("floor")

    def link(page: str) -> str:
        found = re.search(r'href="(/guests/tags\.css\?v=\w+)"', page)
        assert found, "no tag stylesheet on the page"
        return found.group(1)

    first = link(client.get("/guests/").get_data(as_text=True))
    assert first == link(client.get("/guests/").get_data(as_text=True))
    _write(outside, "UPDATE tag SET color = '#abcdef'")
    second = link(client.get("/guests/").get_data(as_text=True))
    assert second != first and "--tag-color: #abcdef" in client.get(second).get_data(as_text=True)


def test_an_outlet_renamed_elsewhere_is_in_the_next_cards_picker(
    app: Flask, client: FlaskClient, auth: AuthActions, outside: sa.Engine
) -> None:
    guest_id = make_guest(given_name="Aya", family_name="Kato").id
    auth.login("floor")
    assert ">Bamboo Bar</option>" in client.get(f"/guests/{guest_id}").get_data(as_text=True)
    _write(outside, "UPDATE outlet SET name = 'Long Bar' WHERE code = 'bar'")
    card = client.get(f"/guests/{guest_id}").get_data(as_text=True)
    assert ">Long Bar</option>" in card and "Bamboo Bar" not in card


def test_a_worker_keeps_a_bounded_number_of_values(app: Flask) -> None:
    """One key per account and per day asked about: a worker that runs for years must not grow without end."""
    from guestbook.db import SHARED, SHARED_MAX
    from guestbook.reservations.bookings import arriving_guest_ids

    start = property_today()
    for offset in range(SHARED_MAX + 10):
        arriving_guest_ids(start.fromordinal(start.toordinal() + offset))
        db.session.remove()
    assert 0 < len(app.extensions[SHARED]) <= SHARED_MAX
