"""One we-miss-you letter on demand: today's batch, the nightly run's keys and text, the refusals, the route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.audit import AuditEvent
from guestbook.data import erasure
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters import queue_one
from guestbook.letters import selection as letters
from guestbook.letters.models import Letter, LetterBatch

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest

SYSTEM = Actor.system("tests")
MANAGER = Actor(label="manager@example.test", role="manager")
ADDRESS = {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"}
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
LAST_VISIT = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)  # fifteen months before NOW: lapsed


@pytest.fixture
def frozen(app: Flask) -> Iterator[None]:
    """Today at the property is 1 March 2027 for the whole test."""
    with time_machine.travel(NOW, tick=False):
        yield


def lapsed_guest(**fields: Any) -> Guest:
    """A guest who may be written to, with two visits, the last on 1 December 2025."""
    fields.setdefault("given_name", "Wei")
    fields.setdefault("family_name", "Yu")
    fields.setdefault("salutation", "Mr")
    fields.setdefault("marketing_consent", True)
    fields.setdefault("address", ADDRESS)
    guest = make_guest(**fields)
    add_visits(guest.id, "terrace", [("Window 2", ["negroni"]), ("Window 2", ["negroni"])], start=LAST_VISIT)
    return guest


def letters_of(guest_id: int) -> list[Letter]:
    db.session.rollback()
    return list(db.session.scalars(select(Letter).where(Letter.guest_id == guest_id).order_by(Letter.id)))


def test_a_lapsed_guest_gets_one_drafted_letter_in_todays_batch(app: Flask, frozen: None) -> None:
    guest = lapsed_guest()
    letter = queue_one.queue_we_miss_you(guest.id, MANAGER)
    today = property_today()
    found = letters_of(guest.id)
    assert [(x.id, x.kind, x.family, x.status, x.period_key, x.lapse_key) for x in found] == [
        (letter.id, "we_miss_you", "we_miss_you", "drafted", "lapse-2025-12-01", "lapse-2025-12-01")
    ]
    batch = db.session.get(LetterBatch, found[0].batch_id)
    assert batch is not None and batch.run_date == today
    assert found[0].subject == "We have missed you, Mr Yu"
    assert found[0].greeting == "Dear Mr Yu,"
    assert "since you last stayed with us, on 1 December 2025, and we have all missed you." in found[0].body
    assert "your seat at Window 2" in found[0].body
    assert found[0].template_version == "en/builtin" and found[0].language == "en"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_queued")).one()
    assert (event.guest_id, event.actor) == (guest.id, "manager@example.test")
    assert f"letter={letter.id}" in event.detail


def test_the_letter_reads_as_the_nightly_run_writes_it(app: Flask, frozen: None) -> None:
    by_hand = lapsed_guest(given_name="Wei")
    by_run = lapsed_guest(given_name="Wei", email="other@example.test")
    queue_one.queue_we_miss_you(by_hand.id, MANAGER)
    letters.run_daily(property_today(), SYSTEM)
    [hand], [run] = letters_of(by_hand.id), letters_of(by_run.id)
    assert run.kind == "we_miss_you" and run.batch_id == hand.batch_id
    assert (hand.subject, hand.greeting, hand.body, hand.sign_off, hand.template_version) == (
        run.subject,
        run.greeting,
        run.body,
        run.sign_off,
        run.template_version,
    )


def test_a_second_call_is_refused_naming_the_batch(app: Flask, frozen: None) -> None:
    guest = lapsed_guest()
    first = queue_one.queue_we_miss_you(guest.id, MANAGER)
    with pytest.raises(queue_one.AlreadyQueued) as refused:
        queue_one.queue_we_miss_you(guest.id, MANAGER)
    assert refused.value.letter_id == first.id and refused.value.run_date == property_today()
    assert "already has a we-miss-you letter for this absence" in str(refused.value)
    assert "1 Mar 2027" in str(refused.value) and "drafted" in str(refused.value)
    assert len(letters_of(guest.id)) == 1


def test_the_nightly_run_never_writes_a_second_letter_for_the_same_absence(app: Flask, frozen: None) -> None:
    guest = lapsed_guest()
    other = lapsed_guest(given_name="Other", email="other@example.test")
    queue_one.queue_we_miss_you(guest.id, MANAGER)
    today = property_today()
    letters.run_daily(today, SYSTEM)
    letters.run_daily(today + timedelta(days=90), SYSTEM)  # after the cool-down: only the lapse key holds it back
    assert [(x.kind, x.lapse_key) for x in letters_of(other.id)] == [("we_miss_you", "lapse-2025-12-01")]
    assert [(x.kind, x.lapse_key) for x in letters_of(guest.id)] == [("we_miss_you", "lapse-2025-12-01")]


def test_a_letter_the_nightly_run_wrote_refuses_the_manual_one(app: Flask, frozen: None) -> None:
    guest = lapsed_guest()
    batch = letters.run_daily(date(2027, 2, 1), SYSTEM)
    with pytest.raises(queue_one.AlreadyQueued) as refused:
        queue_one.queue_we_miss_you(guest.id, MANAGER)
    assert refused.value.batch_id == batch.id
    assert len(letters_of(guest.id)) == 1


def test_a_guest_without_an_address_is_refused(app: Flask, frozen: None) -> None:
    guest = lapsed_guest(address={"line1": "12 Marina View"})  # no city nor postcode: the post cannot deliver
    with pytest.raises(queue_one.NoPostalAddress) as refused:
        queue_one.queue_we_miss_you(guest.id, MANAGER)
    assert str(refused.value) == "Wei Yu has no usable postal address: add one first."
    assert letters_of(guest.id) == []
    assert db.session.scalars(select(LetterBatch)).all() == []  # nothing half-made is left behind


def test_an_erased_guest_is_refused(app: Flask, frozen: None) -> None:
    guest = lapsed_guest()
    erasure.erase_guest(guest.id, "asked by e-mail", ACTOR)
    with pytest.raises(queue_one.GuestNotWritable) as refused:
        queue_one.queue_we_miss_you(guest.id, MANAGER)
    assert refused.value.reason == "erased"
    assert "erased or anonymised" in str(refused.value)
    assert letters_of(guest.id) == []


@pytest.mark.parametrize(
    ("fields", "reason", "message"),
    [
        ({"do_not_contact": True}, "do_not_contact", "Wei Yu asked not to be contacted."),
        ({"marketing_consent": False}, "no_consent", "Wei Yu has not agreed to receive letters."),
    ],
)
def test_a_guest_who_asked_for_no_letters_is_refused(
    app: Flask, frozen: None, fields: dict[str, Any], reason: str, message: str
) -> None:
    guest = lapsed_guest(**fields)
    with pytest.raises(queue_one.GuestNotWritable) as refused:
        queue_one.queue_we_miss_you(guest.id, MANAGER)
    assert (refused.value.reason, str(refused.value)) == (reason, message)
    assert letters_of(guest.id) == []


def test_an_unknown_or_never_seen_guest_is_refused(app: Flask, frozen: None) -> None:
    with pytest.raises(queue_one.GuestNotFound):
        queue_one.queue_we_miss_you(999_999, MANAGER)
    never = make_guest(given_name="New", marketing_consent=True, address=ADDRESS)
    with pytest.raises(queue_one.NoLapseEpisode):
        queue_one.queue_we_miss_you(never.id, MANAGER)
    assert letters_of(never.id) == []


def test_a_manager_queues_a_letter_from_the_dashboard(
    app: Flask, client: FlaskClient, auth: AuthActions, frozen: None
) -> None:
    guest = lapsed_guest()
    auth.login("manager")
    token = auth.token("/letters/")
    url = f"/letters/guests/{guest.id}/we-miss-you"
    response = client.post(url, data={"csrf_token": token, "next": "/segments/?view=slipping"})
    assert response.status_code == 302 and response.headers["Location"] == "/segments/?view=slipping"
    [letter] = letters_of(guest.id)
    assert (letter.kind, letter.status) == ("we_miss_you", "drafted")
    batch_page = f"/letters/batches/{letter.batch_id}"
    again = client.post(url, data={"csrf_token": token, "next": "https://evil.example/"}, follow_redirects=True)
    assert again.request.path == batch_page  # an outside address is never followed
    assert "already has a we-miss-you letter for this absence" in again.get_data(as_text=True)
    assert len(letters_of(guest.id)) == 1
    assert client.post(url, data={"next": "/segments/"}).status_code == 400  # no CSRF token


def test_the_route_falls_back_to_the_batch_page_and_flashes_success(
    app: Flask, client: FlaskClient, auth: AuthActions, frozen: None
) -> None:
    guest = lapsed_guest()
    auth.login("concierge")
    response = client.post(
        f"/letters/guests/{guest.id}/we-miss-you", data={"csrf_token": auth.token("/letters/")}, follow_redirects=True
    )
    [letter] = letters_of(guest.id)
    assert response.request.path == f"/letters/batches/{letter.batch_id}"
    assert "A we-miss-you letter for Wei Yu is in the batch of" in response.get_data(as_text=True)


def test_floor_staff_cannot_queue_a_letter(app: Flask, client: FlaskClient, auth: AuthActions, frozen: None) -> None:
    guest = lapsed_guest()
    auth.login("floor")
    token = auth.token("/guests/")
    response = client.post(f"/letters/guests/{guest.id}/we-miss-you", data={"csrf_token": token})
    assert response.status_code == 403
    assert letters_of(guest.id) == []
