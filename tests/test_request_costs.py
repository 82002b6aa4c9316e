"""What a floor request costs the database: no query per result, no re-reading after a read's audit row.

Issue 16 item 2 halves the CPU per request partly by reading less: the search list loads every result's
allergies in one query, the card's audit event does not expire what the card has loaded, and the settings
and the property are read once per transaction. These tests count statements, so they fail if a change
brings the per-result or per-helper queries back; they time nothing (scripts/bench_load does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, select

from guestbook import audit
from guestbook.admin.outlets import default_property
from guestbook.admin.settings import get_setting, set_setting
from guestbook.audit import AuditEvent
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.i18n import gettext, in_language

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, add_visits, make_guest


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block (on the app's engine)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


CARD_SELECTS = 17  # the card's SELECTs for a guest with an allergy, as signed-in floor staff
# A keystroke's statements here, once the session's first search has run; the latest visit's outlet of each result
# comes with the result's columns, not from a statement of its own over all their visits. PostgreSQL's search has
# statements of its own (its planner setting, the vocabulary's spelling variants).
SEARCH_STATEMENTS = {"sqlite": 9, "postgresql": 10}


def _search_statements(client: FlaskClient) -> int:
    with statements() as seen:
        page = client.get("/guests/search?q=tanaka")
    assert page.status_code == 200
    assert not any(re.search(r"\bFROM\s+visit\b.*\bGROUP BY\b", s, re.S) for s in seen), seen
    return len(seen)


def test_search_list_reads_allergies_in_one_query_whatever_the_number_of_results(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    for n in range(3):
        make_guest(given_name=f"Aki{n}", family_name="Tanaka", allergies=[{"allergen": f"peanut {n}"}])
    auth.login("floor")
    _search_statements(client)  # the session's first search also reads what later ones find cached
    few = _search_statements(client)
    for n in range(3, 15):
        make_guest(given_name=f"Aki{n}", family_name="Tanaka", allergies=[{"allergen": f"peanut {n}"}])
    page = client.get("/guests/search?q=tanaka").get_data(as_text=True)
    assert page.count("⚠ peanut") == 15  # every result still shows its allergy
    many = _search_statements(client)
    assert many == few, f"{few} statements for 3 results, {many} for 15: a query per result is back"
    budget = SEARCH_STATEMENTS[db.engine.dialect.name]
    assert few <= budget, f"{few} statements per keystroke, {budget} before"


def test_the_card_reads_each_panel_once(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest_id = make_guest(given_name="Yui", family_name="Mori", allergies=[{"allergen": "shellfish"}]).id
    auth.login("floor")
    client.get(f"/guests/{guest_id}")  # warm: the first page of a session signs in and caches the tag styles
    with statements() as seen:
        page = client.get(f"/guests/{guest_id}")
    assert page.status_code == 200 and "shellfish" in page.get_data(as_text=True)
    selects = [s for s in seen if s.lstrip().startswith("SELECT")]
    # The tables each SELECT reads (SQLAlchemy puts FROM on its own line: match any whitespace).
    tables = [re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", s) for s in selects]
    assert all(tables) and len(tables) >= 15, seen  # the capture sees the card's queries
    reads = {table: sum(table in found for found in tables) for table in {t for found in tables for t in found}}
    # The photo, segments, complaints and relations are read once, and a guest's no-shows and late
    # cancellations in one query beside today's bookings.
    for table in ("guest_photo", "guest_segment", "segment_override", "feedback"):
        assert reads.get(table) == 1, f"{table} read {reads.get(table)} times: {tables}"
    # The settings, the signed-in account, the outlet pickers and the property's timezone and currency are the
    # worker's since the first card (tests/test_shared_cache.py); one small query asks whether they changed.
    for table in ("setting", "staff_user", "outlet", "property"):
        assert table not in reads, tables
    assert reads.get("cache_generation") == 1, tables
    # Whether there is a photo, never its bytes; the tag form's choices and the outlets' names are the worker's.
    assert not any(re.search(r"guest_photo\.data\b(?! IS NOT NULL)", s) for s in selects), selects
    assert not any(re.search(r"\bFROM\s+tag\s+ORDER", s) for s in selects), selects
    assert sum(found[0] == "reservation" for found in tables) == 2, tables  # today's bookings, the attendance
    assert sum(s.lstrip().startswith("SELECT guest.id, guest.given_name") for s in selects) == 1, selects
    # A new query on every card is a choice to make on purpose: this is the count after issue 16.
    assert len(selects) <= CARD_SELECTS, f"{len(selects)} queries: {tables}"


def test_the_card_names_the_visits_outlets_without_reading_them(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """Last time, the history and the visit form's outlet come from the worker's outlet maps, not the outlet rows."""
    guest_id = make_guest(given_name="Ren", family_name="Sato").id
    add_visits(guest_id, "bar", [("B2", ["gin"])])
    add_visits(
        guest_id, "terrace", [("T4", ["pad thai"]), ("T4", ["pad thai"])], start=datetime.now(UTC) - timedelta(hours=1)
    )
    auth.login("floor")
    client.get(f"/guests/{guest_id}")  # warm: the worker keeps the outlet maps from the first card
    with statements() as seen:
        page = client.get(f"/guests/{guest_id}").get_data(as_text=True)
    assert not any(re.search(r"\bFROM\s+outlet\b", s) for s in seen), seen
    # The history's first page is the recognition's latest visits: no query of its own (later pages have one).
    assert not any(re.search(r"\bFROM\s+visit\b.*\bOFFSET\b", s, re.S) for s in seen), seen
    history = page.split('id="history"', 1)[1]
    assert (
        history.count('<td class="outlet">Terrace</td>') == 2
        and history.count('<td class="outlet">Bamboo Bar</td>') == 1
    )
    last_time = page.split('id="last-h"', 1)[1].split("</dl>", 1)[0]
    assert "Terrace, T4" in last_time
    assert re.search(r'<option selected value="terrace">|<option value="terrace" selected', page), (
        "the last visit's outlet"
    )


def test_a_reads_audit_row_keeps_what_was_loaded(app: Flask) -> None:
    guest = make_guest(given_name="Kenji", family_name="Ito")
    guest_id = guest.id
    db.session.remove()
    loaded = db.session.get(Guest, guest_id)
    assert loaded is not None
    audit.record_now(ACTOR, "guest_view", guest_id, "card")
    assert not inspect(loaded).expired_attributes  # still loaded: no second read of the guest
    with statements() as seen:
        assert loaded.family_name == "Ito"
    assert seen == []
    db.session.remove()
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.guest_id == guest_id)).all()
    assert [r.action for r in rows if r.action == "guest_view"] == ["guest_view"]  # and the row is written


def test_other_writes_still_expire_what_was_loaded(app: Flask) -> None:
    guest = make_guest(given_name="Sora", family_name="Abe")
    loaded = db.session.get(Guest, guest.id)
    assert loaded is not None
    with write_transaction():
        audit.record(ACTOR, "guest_edit", guest.id, "changed: nothing")
    assert inspect(loaded).expired  # a rule's write: the next read sees the database


def test_settings_and_property_are_read_once_per_transaction_and_changes_are_seen(app: Flask) -> None:
    db.session.remove()
    with statements() as seen:
        for _ in range(5):
            get_setting("letters_lapse_months")
            get_setting("sensitive_words")
            default_property()
    assert len(seen) <= 4, seen  # BEGIN, the cache generations, the settings, the property
    db.session.remove()
    with statements() as seen:  # the next transaction (request): the settings are the worker's
        get_setting("letters_lapse_months")
    assert [s for s in seen if "setting" in s] == [], seen
    set_setting("letters_lapse_months", 18, ACTOR)
    assert get_setting("letters_lapse_months") == 18
    with write_transaction():  # a change inside a longer transaction is seen by the same transaction
        set_setting("letters_lapse_months", 20, ACTOR)
        assert get_setting("letters_lapse_months") == 20
    assert get_setting("letters_lapse_months") == 20


def test_messages_follow_a_forced_language_and_come_back(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        thai = gettext("Log tonight's visit")
        assert thai == "บันทึกการมาใช้บริการคืนนี้"
        with in_language("ja"):
            assert gettext("Log tonight's visit") == "今夜のご来店を記録"
        assert gettext("Log tonight's visit") == thai
        with in_language("en"):
            assert gettext("Log tonight's visit") == "Log tonight's visit"
        assert gettext("Log tonight's visit") == thai


def _book(guest_id: int, ref: str, table: str = "", at: str | None = None) -> None:
    from guestbook.admin.outlets import property_today
    from guestbook.reservations.bookings import ReservationIn, upsert_reservation

    fields: dict[str, object] = {
        "guest_id": guest_id,
        "outlet": "terrace",
        "arrival_date": property_today(),
        "table": table,
    }
    if at:
        fields["arrival_time"] = at
    upsert_reservation("pms", ref, ReservationIn.model_validate(fields), ACTOR)


def test_a_search_reads_todays_bookings_at_most_once(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    """Who arrives, who sits at the table typed and at what time: one query of today's bookings."""
    booked = make_guest(given_name="Haruto", family_name="Sato")
    _book(booked.id, "B-1", table="Window 2", at="19:30")
    auth.login("floor")
    client.get("/guests/search?q=sato")
    with statements() as seen:
        page = client.get("/guests/search?q=sato").get_data(as_text=True)
    assert "arrives today 19:30" in page
    # Once per search at most: here none, since the first search left them with the worker (test_shared_cache.py).
    assert sum("FROM reservation" in " ".join(s.split()) for s in seen) == 0, seen
    by_table = client.get("/guests/search?q=window+2").get_data(as_text=True)
    assert "Haruto" in by_table and "table window 2 tonight" in by_table


def test_todays_bookings_are_read_afresh_inside_a_write(app: Flask) -> None:
    """Cached for a read transaction only: a rule that adds a booking sees it at once."""
    from guestbook.guests import tonight

    guest_id = make_guest(given_name="Mei", family_name="Lin").id
    db.session.remove()
    assert guest_id not in tonight.arriving_guest_ids()  # cached in this read transaction
    with write_transaction():
        _book(guest_id, "W-1")  # a rule calling a rule: joins this write
        assert guest_id in tonight.arriving_guest_ids()
    assert guest_id in tonight.arriving_guest_ids()  # and the next read transaction too


def test_arrival_times_list_a_booking_with_a_time_first(app: Flask) -> None:
    from guestbook.admin.outlets import property_today
    from guestbook.guests import tonight

    guest = make_guest(given_name="Anna", family_name="Kowalska")
    guest_id = guest.id
    _book(guest_id, "T-1")
    _book(guest_id, "T-2", at="20:15")
    _book(guest_id, "T-3", at="12:00")
    db.session.remove()
    times = [
        at.strftime("%H:%M") if at else None for _gid, at in tonight.live_arrival_times([guest_id], property_today())
    ]
    assert times == ["12:00", "20:15", None]


def test_the_tag_stylesheet_follows_a_new_tag(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    from guestbook.guests import tags

    tags.create_tag("press", "#112233", ACTOR)
    auth.login("floor")
    first = client.get("/guests/search?q=x").get_data(as_text=True)
    tags.create_tag("wine lover", "#445566", ACTOR)
    second = client.get("/guests/search?q=x").get_data(as_text=True)

    def url(page: str) -> str:
        return page.split('<link rel="stylesheet" href="')[1].split('"')[0]

    assert url(first) != url(second)
    css = client.get(url(second)).get_data(as_text=True)
    assert "--tag-color: #112233" in css and "--tag-color: #445566" in css


def test_a_reads_audit_row_does_not_queue_behind_the_postgres_write_lock(app: Flask) -> None:
    """On PostgreSQL a card's audit row (and the search counter) skip the one write lock; rules still take it.

    On SQLite every write takes SQLite's own lock, so this is about PostgreSQL only (scripts/test_postgres).
    """
    import threading

    import pytest

    from guestbook.db import POSTGRES_WRITE_LOCK

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (scripts/test_postgres)")
    guest_id = make_guest(given_name="Noa", family_name="Levi").id
    db.session.remove()
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with app.app_context(), db.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK:d})")
            holding.set()
            release.wait(20)
            conn.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(10)
        done = threading.Event()

        def read_the_card() -> None:
            with app.app_context():
                audit.record_now(ACTOR, "guest_view", guest_id, "card")
                db.session.remove()
            done.set()

        reader = threading.Thread(target=read_the_card)
        reader.start()
        assert done.wait(10), "the audit row of a read waited for the write lock"
        reader.join()
        blocked = threading.Event()

        def a_rule_write() -> None:
            with app.app_context():
                with write_transaction():
                    audit.record(ACTOR, "guest_edit", guest_id, "")
                db.session.remove()
            blocked.set()

        writer = threading.Thread(target=a_rule_write)
        writer.start()
        assert not blocked.wait(1), "a rule's write did not wait for the write lock"
    finally:
        release.set()
        holder.join()
    writer.join(10)
    assert blocked.is_set()


def test_logging_a_visit_writes_in_few_statements_and_keeps_the_guests_record(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """The visit post: the outlet from the worker's map, the server's name alone, one UPDATE for count and last visit
    (RETURNING, not read back), the search order, the audit row."""
    guest_id = make_guest(given_name="Ren", family_name="Ito").id
    auth.login("floor")
    page = client.get(f"/guests/{guest_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "outlet": "terrace", "table": "4", "party_size": "2", "notes": ""}
    assert client.post(f"/guests/{guest_id}/visits", data=form).status_code == 302  # the first also fills the map
    with statements() as seen:
        assert client.post(f"/guests/{guest_id}/visits", data=form).status_code == 302
    selects = [s for s in seen if s.lstrip().startswith("SELECT") and "pg_advisory_xact_lock" not in s]
    assert not any(re.search(r"\bFROM\s+outlet\b", s) for s in selects), selects
    assert not any("password_hash" in s for s in selects), selects  # the server's name, not their account
    updates = [s for s in seen if s.lstrip().startswith("UPDATE guest ")]
    assert len(updates) == 1 and len(selects) <= 3, seen  # the generations, the guest, the server's name
    db.session.expire_all()
    guest = db.session.get(Guest, guest_id)
    assert guest is not None and guest.visit_count == 2 and guest.last_visit_at is not None
    visits = db.session.scalars(select(Visit).where(Visit.guest_id == guest_id)).all()
    assert max(v.visited_at for v in visits) == guest.last_visit_at
    assert {v.served_by_name for v in visits} == {"Floor"} and all(v.outlet.code == "terrace" for v in visits)
