"""The feedback screens: floor staff log a complaint from the card (CSRF form post) and see the care banner but not
the record; a manager walks every step from the queue; a stale page or a step out of order is refused with a
message; anonymous feedback is linked to a guest; the header's overdue badge (managers only, one COUNT)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from guestbook.extensions import db
from guestbook.relations import feedback as rules
from guestbook.relations.models import Feedback, FeedbackNote
from guestbook.relations.schemas import FeedbackCreate

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, make_guest

BANGKOK = ZoneInfo("Asia/Bangkok")
WORDS = "The soup was cold and nobody came back to the table."


@pytest.fixture
def manager(app: Flask) -> FlaskClient:
    """A second tablet, signed in as the manager."""
    client = app.test_client()
    AuthActions(client).login("manager")
    return client


def _log_from_card(client: FlaskClient, guest_id: int, **fields: str) -> str:
    page = client.get(f"/relations/guests/{guest_id}/feedback/new")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "kind": "complaint",
        "category": "food",
        "severity": "major",
        "channel": "in_person",
        "text": WORDS,
        "outlet": "terrace",
        "staff_involved": "Mai",
        **fields,
    }
    response = client.post(f"/relations/guests/{guest_id}/feedback/new", data=form, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _one(**where: object) -> Feedback:
    found = db.session.scalars(select(Feedback).filter_by(**where)).all()
    assert len(found) == 1
    return found[0]


def _step(client: FlaskClient, feedback_id: int, step: str, prefix: str, **fields: str) -> str:
    page = client.get(f"/relations/feedback/{feedback_id}")
    token = csrf_from(page.get_data(as_text=True))
    data = {f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    response = client.post(f"/relations/feedback/{feedback_id}/{step}", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _version_on(page: str, prefix: str) -> str:
    match = re.search(rf'id="{prefix}-version" name="{prefix}-version" type="hidden" value="(\d+)"', page)
    assert match, f"no {prefix} form on the page"
    return match.group(1)


def test_floor_logs_a_complaint_from_the_card_and_sees_the_banner_not_the_record(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Niran", family_name="Chai")
    auth.login("floor")
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert f'href="/relations/guests/{guest.id}/feedback/new"' in card and "Handle with care" not in card

    page = _log_from_card(client, guest.id)
    assert re.search(r"Complaint logged: acknowledge by 23:00 (today|tomorrow)\.", page), page
    stored = _one(guest_id=guest.id)
    assert (stored.kind, stored.status, stored.category, stored.severity) == ("complaint", "open", "food", "major")
    assert stored.text == WORDS and stored.staff_involved == "Mai" and stored.created_by == "floor@example.test"
    # Back on the card: the banner with its open marker, never the guest's words (that is the record).
    banner = page.split('class="care-banner is-open"', 1)[1].split("</section>", 1)[0]
    assert "Handle with care: complaint about food on" in banner and "(not resolved yet)" in banner
    assert 'class="badge care-open">Open<' in banner and WORDS not in page
    assert "See the complaints" not in banner  # the link is for managers
    assert client.get(f"/relations/feedback/{stored.id}").status_code == 403
    assert client.get("/relations/feedback").status_code == 403

    queue = manager.get("/relations/feedback").get_data(as_text=True)
    assert f'href="/relations/feedback/{stored.id}">Niran Chai</a>' in queue and "Acknowledge by" in queue
    record = manager.get(f"/relations/feedback/{stored.id}").get_data(as_text=True)
    assert WORDS in record and "logged by floor@example.test" in record


def test_the_outlet_defaults_to_the_tablets_and_a_compliment_has_no_deadline(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Araya")
    auth.login("floor")
    client.set_cookie("guestbook_outlet", "bar")
    form = client.get(f"/relations/guests/{guest.id}/feedback/new").get_data(as_text=True)
    assert '<option selected value="bar">' in form
    assert 'value="in_person" selected' in form or '<option selected value="in_person">' in form
    page = _log_from_card(client, guest.id, kind="compliment", text="Mai remembered my birthday", outlet="bar")
    assert "Compliment saved." in page and "Handle with care" not in page
    stored = _one(guest_id=guest.id)
    assert (stored.kind, stored.status, stored.due_by) == ("compliment", "recorded", None)


def test_the_guests_words_are_required(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Araya")
    auth.login("floor")
    page = client.get(f"/relations/guests/{guest.id}/feedback/new")
    response = client.post(
        f"/relations/guests/{guest.id}/feedback/new",
        data={"csrf_token": csrf_from(page.get_data(as_text=True)), "kind": "complaint", "text": "  "},
    )
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    no_token = client.post(f"/relations/guests/{guest.id}/feedback/new", data={"kind": "complaint", "text": "x"})
    assert no_token.status_code in (400, 422)
    assert db.session.scalars(select(Feedback)).all() == []


def test_a_manager_walks_every_step_on_screens(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Somchai")
    auth.login("floor")
    _log_from_card(client, guest.id)
    fid = _one(guest_id=guest.id).id

    page = manager.get(f"/relations/feedback/{fid}").get_data(as_text=True)
    assert f'action="/relations/feedback/{fid}/acknowledge"' in page
    assert "/resolve" not in page and "/follow-up" not in page  # only the next step's form (and close)
    page = _step(manager, fid, "acknowledge", "ack", version=_version_on(page, "ack"), note="Called her table.")
    assert "Acknowledged." in page and "Called her table." in page and "/resolve" in page

    page = _step(
        manager,
        fid,
        "resolve",
        "res",
        **{
            "version": _version_on(page, "res"),
            "amends-0-kind": "apology",
            "amends-1-kind": "comped_item",
            "amends-1-value": "250",
            "amends-1-note": "dessert",
            "amends-2-kind": "",
            "promise": "A window table next time",
            "note": "Chef told.",
        },
    )
    assert "Resolved. The owner is reminded to call back." in page and "Call back on" in page
    stored = db.session.get(Feedback, fid)
    assert stored is not None and stored.status == "resolved"
    assert stored.amends == [
        {"kind": "apology", "value": None, "note": ""},
        {"kind": "comped_item", "value": "250.00", "note": "dessert"},
    ]
    assert stored.promise == "A window table next time" and stored.follow_up_on is not None

    page = _step(manager, fid, "follow-up", "fol", version=_version_on(page, "fol"), outcome="satisfied")
    assert "Follow-up recorded." in page
    assert re.findall(rf'action="/relations/feedback/{fid}/([a-z-]+)"', page) == ["notes"]  # no step left, a note yes
    db.session.refresh(stored)
    assert (stored.status, stored.outcome, stored.followed_up_by) == (
        "followed_up",
        "satisfied",
        "manager@example.test",
    )
    notes = db.session.scalars(select(FeedbackNote.body).where(FeedbackNote.feedback_id == fid)).all()
    assert notes == ["Called her table.", "Chef told."]
    # The floor's card now carries what was promised.
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "promised: A window table next time" in card and "is-open" not in card


def test_close_needs_a_reason_and_a_step_out_of_order_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Dara")
    auth.login("floor")
    _log_from_card(client, guest.id)
    fid = _one(guest_id=guest.id).id
    page = manager.get(f"/relations/feedback/{fid}").get_data(as_text=True)
    version = _version_on(page, "clo")

    page = _step(manager, fid, "resolve", "res", version=version, promise="nothing")  # open: resolve comes later
    assert "That step does not fit: the feedback is Open." in page
    page = _step(manager, fid, "close", "clo", version=version, reason="")
    assert "Not saved: This field is required." in page
    assert db.session.get(Feedback, fid).status == "open"  # type: ignore[union-attr]
    page = _step(manager, fid, "close", "clo", version=version, reason="Guest left no contact details")
    assert "Closed." in page and "Guest left no contact details" in page
    assert db.session.get(Feedback, fid).status == "closed"  # type: ignore[union-attr]


def test_a_stale_page_says_it_changed_meanwhile(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Ploy")
    auth.login("floor")
    _log_from_card(client, guest.id)
    fid = _one(guest_id=guest.id).id
    seen = _version_on(manager.get(f"/relations/feedback/{fid}").get_data(as_text=True), "ack")
    rules.acknowledge(fid, ACTOR, note="another manager")  # meanwhile, on another tablet
    page = _step(manager, fid, "acknowledge", "ack", version=seen, note="me too")
    assert "This feedback changed meanwhile: check it and try again." in page
    assert db.session.scalars(select(FeedbackNote.body)).all() == ["another manager"]


def test_anonymous_feedback_is_linked_to_a_guest_found_by_name(
    app: Flask, manager: FlaskClient, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Kittipong", family_name="Saelim")
    anonymous = rules.create_feedback(
        None, FeedbackCreate(kind="complaint", text="Review: slow service", channel="review_site"), ACTOR
    )
    page = manager.get(f"/relations/feedback/{anonymous.id}?q=Kittipong").get_data(as_text=True)
    assert "Anonymous" in page and f'name="guest_id" value="{guest.id}"' in page
    response = manager.post(
        f"/relations/feedback/{anonymous.id}/link",
        data={"csrf_token": csrf_from(page), "guest_id": str(guest.id)},
        follow_redirects=True,
    )
    assert "Linked to the guest." in response.get_data(as_text=True)
    assert _one(id=anonymous.id).guest_id == guest.id
    auth.login("floor")
    assert "Handle with care" in client.get(f"/guests/{guest.id}").get_data(as_text=True)


@pytest.fixture
def feedback_counts(app: Flask) -> Iterator[list[str]]:
    """The SQL statements that count feedback, as they run."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "count" in statement.lower() and "feedback" in statement.lower():
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def test_the_header_badge_counts_overdue_complaints_for_managers_only(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient, feedback_counts: list[str]
) -> None:
    guest = make_guest(given_name="Mali")
    three_days_ago = datetime.combine(
        datetime.now(BANGKOK).date() - timedelta(days=3), time(12), tzinfo=BANGKOK
    )  # noon: due 23:00 that day, so 2 or 3 days late by now
    late = rules.create_feedback(
        guest.id,
        FeedbackCreate(kind="complaint", text="Cold soup", reported_at=three_days_ago),
        ACTOR,
        now=three_days_ago,
    )
    fresh = rules.create_feedback(guest.id, FeedbackCreate(kind="complaint", text="Noise"), ACTOR)  # not late yet

    page = manager.get("/guests/").get_data(as_text=True)
    assert len(feedback_counts) == 1  # one COUNT for the page
    badge = re.search(r'<a class="overdue-badge" href="([^"]+)"[^>]*aria-label="([^"]+)"[^>]*>(.*?)</a>', page)
    assert badge is not None, page
    assert badge.group(1) == "/relations/feedback?overdue=1" and badge.group(2) == "1 overdue complaint"
    assert badge.group(3).endswith(" 1")
    queue = manager.get(badge.group(1)).get_data(as_text=True)
    assert queue.count('class="is-overdue"') == 1 and re.search("Overdue by [23] days<", queue)
    assert f"/relations/feedback/{late.id}" in queue and f"/relations/feedback/{fresh.id}" not in queue

    feedback_counts.clear()
    auth.login("floor")
    floor_page = client.get("/guests/").get_data(as_text=True)
    assert "overdue-badge" not in floor_page and feedback_counts == []

    rules.acknowledge(late.id, ACTOR)
    assert "overdue-badge" not in manager.get("/guests/").get_data(as_text=True)


def test_the_report_page_shows_the_figures_with_charts(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Beam")
    fid = rules.create_feedback(
        guest.id,
        FeedbackCreate(
            kind="complaint", text="x", category="noise", outlet="bar", reported_at="2026-03-02T12:00:00+07:00"
        ),
        ACTOR,
    ).id
    rules.acknowledge(fid, ACTOR, now=datetime.fromisoformat("2026-03-02T15:30:00+07:00"))
    page = manager.get("/relations/feedback/report?from=2026-03-01&to=2026-03-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "median 3.5 h, 90% within 3.5 h" in html
    assert "<svg" in html and "Bamboo Bar" in html and "style=" not in html.split("<main", 1)[1]
    assert html.count('class="chart-bar report-bar"') == 8 + 1 + 1  # every category, one outlet, one month
    bad = manager.get("/relations/feedback/report?from=2026-03-31&to=2026-03-01")
    assert bad.status_code == 422 and "from is after to" in bad.get_data(as_text=True)
    auth.login("floor")
    assert client.get("/relations/feedback/report").status_code == 403


def test_a_manager_adds_a_note_to_the_discussion_on_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Lek")
    auth.login("floor")
    _log_from_card(client, guest.id)
    stored = _one(guest_id=guest.id)
    fid, version = stored.id, stored.version

    before = manager.get(f"/relations/feedback/{fid}").get_data(as_text=True)
    assert f'action="/relations/feedback/{fid}/notes"' in before and "Add note" in before
    token = csrf_from(before)
    response = manager.post(
        f"/relations/feedback/{fid}/notes", data={"csrf_token": token, "body": " <b>Chef</b> will call. "}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/relations/feedback/{fid}#notes-h")
    page = manager.get(f"/relations/feedback/{fid}").get_data(as_text=True)
    assert "Note added." in page and "&lt;b&gt;Chef&lt;/b&gt; will call." in page and "<b>Chef</b>" not in page
    db.session.expire_all()
    stored = _one(id=fid)
    assert (stored.status, stored.version) == ("open", version)  # a note is not a step
    data = rules.feedback_to_dict(stored)
    assert [(n["step"], n["body"], n["author"]) for n in data["notes"]] == [
        ("note", "<b>Chef</b> will call.", "manager@example.test")
    ]
    # The acknowledge form (made before the note) still goes through: the version did not move.
    page = _step(manager, fid, "acknowledge", "ack", version=_version_on(before, "ack"))
    assert "Acknowledged." in page and "changed meanwhile" not in page


def test_an_empty_note_a_missing_token_and_the_floor_are_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, manager: FlaskClient
) -> None:
    guest = make_guest(given_name="Fon")
    auth.login("floor")
    _log_from_card(client, guest.id)
    fid = _one(guest_id=guest.id).id
    token = csrf_from(manager.get(f"/relations/feedback/{fid}").get_data(as_text=True))

    page = manager.post(
        f"/relations/feedback/{fid}/notes", data={"csrf_token": token, "body": "   "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Not saved:" in page and "Note added." not in page
    assert manager.post(f"/relations/feedback/{fid}/notes", data={"body": "no token"}).status_code == 400
    floor_token = csrf_from(client.get(f"/guests/{guest.id}").get_data(as_text=True))
    floor = client.post(f"/relations/feedback/{fid}/notes", data={"csrf_token": floor_token, "body": "me too"})
    assert floor.status_code == 403
    assert manager.post("/relations/feedback/999999/notes", data={"csrf_token": token, "body": "x"}).status_code == 404
    assert db.session.scalars(select(FeedbackNote)).all() == []
