"""The feedback API: logging (guest and anonymous), every workflow step with its permission, 409 out of order with
the current status, 422 naming the field, naive times refused, linking, concurrent managers, merges."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.audit import AuditEvent
from guestbook.data import merges
from guestbook.extensions import db
from guestbook.relations import feedback as rules
from guestbook.relations.models import Feedback, FeedbackNote
from guestbook.relations.schemas import FeedbackCreate
from guestbook.staff.models import StaffUser

from .conftest import close_app
from .factories import ACTOR, make_guest

Headers = Callable[[str], dict[str, str]]

COMPLAINT = {
    "kind": "complaint",
    "category": "food",
    "severity": "major",
    "channel": "in_person",
    "text": "The soup was cold and nobody came back to the table.",
    "outlet": "terrace",
    "reported_at": "2026-12-03T20:15:00+07:00",
    "staff_involved": "Mai (server)",
}


def _log(client: FlaskClient, headers: dict[str, str], guest_id: int, **fields: object) -> dict[str, object]:
    response = client.post(f"/api/v1/guests/{guest_id}/feedback", json={**COMPLAINT, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body: dict[str, object] = response.get_json()
    return body


def test_floor_logs_a_complaint_and_gets_its_deadline(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Niran", family_name="Chai")
    owner = db.session.scalar(select(StaffUser).where(StaffUser.role == "manager"))
    assert owner is not None
    body = _log(client, api_key("floor"), guest.id, owner=owner.id)
    assert body["status"] == "open"
    assert body["due_by"] == "2026-12-03T16:00:00+00:00"  # 23:00 in Bangkok, the default business-day end
    assert body["guest_id"] == guest.id and body["outlet"] == "terrace" and body["owner"] == owner.id
    assert body["reported_at"] == "2026-12-03T13:15:00+00:00" and body["created_by"] == "api:test-floor"
    assert body["kind"] == "complaint" and body["category"] == "food" and body["severity"] == "major"
    stored = db.session.get(Feedback, body["id"])
    assert stored is not None and stored.text == COMPLAINT["text"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_create")).all()
    assert [(e.guest_id, e.actor) for e in events] == [(guest.id, "api:test-floor")]


def test_a_compliment_is_recorded_without_a_deadline(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Araya")
    body = _log(client, api_key("floor"), guest.id, kind="compliment", text="Mai remembered my birthday")
    assert (body["status"], body["due_by"], body["overdue"]) == ("recorded", None, False)
    ack = client.post(f"/api/v1/feedback/{body['id']}/acknowledge", json={}, headers=api_key("manager"))
    assert ack.status_code == 409 and ack.get_json()["status"] == "recorded"


def test_every_step_in_order_records_who_and_when(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Somchai")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    url = f"/api/v1/feedback/{fid}"

    ack = client.post(f"{url}/acknowledge", headers=manager)  # no body at all: the note is optional
    assert ack.status_code == 200
    body = ack.get_json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"] == "api:test-manager"
    assert body["acknowledged_at"] and body["overdue"] is False

    resolve = client.post(
        f"{url}/resolve",
        json={
            "amends": [
                {"kind": "apology", "note": ""},
                {"kind": "comped_item", "value": "180", "note": "dessert"},
            ],
            "promise": "The chef will greet them next time",
            "note": "Spoke with the chef; soup station fixed.",
        },
        headers=manager,
    )
    assert resolve.status_code == 200, resolve.get_json()
    body = resolve.get_json()
    assert body["status"] == "resolved" and body["resolved_by"] == "api:test-manager"
    assert body["amends"] == [
        {"kind": "apology", "value": None, "note": ""},
        {"kind": "comped_item", "value": "180.00", "note": "dessert"},
    ]
    assert body["promise"] == "The chef will greet them next time"
    resolved_on = datetime.fromisoformat(body["resolved_at"]).astimezone(UTC)
    # The follow-up: three days (the setting's default) after the property-local day it was resolved.
    from guestbook.admin.outlets import property_tz

    expected = resolved_on.astimezone(property_tz()).date().toordinal() + 3
    assert datetime.fromisoformat(body["follow_up_on"]).date().toordinal() == expected

    follow = client.post(f"{url}/follow-up", json={"outcome": "satisfied", "note": "Called; happy."}, headers=manager)
    assert follow.status_code == 200
    body = follow.get_json()
    assert body["status"] == "followed_up" and body["outcome"] == "satisfied"
    assert body["followed_up_by"] == "api:test-manager" and body["followed_up_at"]
    assert [(n["step"], n["body"], n["author"]) for n in body["notes"]] == [
        ("resolve", "Spoke with the chef; soup station fixed.", "api:test-manager"),
        ("follow_up", "Called; happy.", "api:test-manager"),
    ]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.guest_id == guest.id, AuditEvent.action.like("feedback_%"))
    ).all()
    assert actions == ["feedback_create", "feedback_acknowledge", "feedback_resolve", "feedback_follow_up"]
    # After the follow-up nothing else applies: not even closing.
    closed = client.post(f"{url}/close", json={"reason": "x"}, headers=manager)
    assert closed.status_code == 409 and closed.get_json()["status"] == "followed_up"


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("resolve", {"amends": [], "promise": ""}),
        ("follow-up", {"outcome": "satisfied"}),
    ],
)
def test_a_step_out_of_order_is_409_with_the_current_status(
    app: Flask, client: FlaskClient, api_key: Headers, step: str, body: dict[str, object]
) -> None:
    guest = make_guest(given_name="Order")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    response = client.post(f"/api/v1/feedback/{fid}/{step}", json=body, headers=api_key("manager"))
    assert response.status_code == 409
    answer = response.get_json()
    assert answer["status"] == "open" and answer["version"] == 1 and "open" in answer["error"]
    assert db.session.get(Feedback, fid).status == "open"  # type: ignore[union-attr]


def test_acknowledging_twice_is_409(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Twice")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    assert client.post(f"/api/v1/feedback/{fid}/acknowledge", json={}, headers=manager).status_code == 200
    again = client.post(f"/api/v1/feedback/{fid}/acknowledge", json={}, headers=manager)
    assert again.status_code == 409 and again.get_json()["status"] == "acknowledged"


def test_close_needs_a_reason_and_works_from_open(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Closer")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    for body in ({}, {"reason": "   "}):
        missing = client.post(f"/api/v1/feedback/{fid}/close", json=body, headers=manager)
        assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    done = client.post(f"/api/v1/feedback/{fid}/close", json={"reason": "Guest unreachable"}, headers=manager)
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["close_reason"], body["closed_by"]) == (
        "closed",
        "Guest unreachable",
        "api:test-manager",
    )
    again = client.post(f"/api/v1/feedback/{fid}/acknowledge", json={}, headers=manager)
    assert again.status_code == 409 and again.get_json()["status"] == "closed"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "rant"}, "kind"),
        ({"category": "parking"}, "category"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"channel": "pigeon"}, "channel"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"reported_at": "2026-12-03T20:15:00"}, "reported_at"),  # naive: no offset
        ({"reported_at": "2026-12-03 20:15:00+07:00"}, "reported_at"),
        ({"reported_at": "yesterday"}, "reported_at"),
        ({"outlet": "nowhere"}, "outlet"),
        ({"owner": 0}, "owner"),
        ({"owner": "1"}, "owner"),
        ({"mood": "angry"}, "mood"),
    ],
)
def test_a_bad_field_is_422_naming_it(
    app: Flask, client: FlaskClient, api_key: Headers, fields: dict[str, object], bad: str
) -> None:
    guest = make_guest(given_name="Fields")
    response = client.post(f"/api/v1/guests/{guest.id}/feedback", json={**COMPLAINT, **fields}, headers=api_key())
    assert response.status_code == 422, response.get_json()
    assert bad in response.get_json()["fields"]
    assert db.session.scalar(select(Feedback.id)) is None


def test_a_missing_text_is_422_and_unknown_guest_or_owner_404(
    app: Flask, client: FlaskClient, api_key: Headers
) -> None:
    guest = make_guest(given_name="Missing")
    headers = api_key("floor")
    body = {k: v for k, v in COMPLAINT.items() if k != "text"}
    missing = client.post(f"/api/v1/guests/{guest.id}/feedback", json=body, headers=headers)
    assert missing.status_code == 422 and "text" in missing.get_json()["fields"]
    unknown = client.post("/api/v1/guests/999999/feedback", json=COMPLAINT, headers=headers)
    assert unknown.status_code == 404 and "999999" in unknown.get_json()["error"]
    no_owner = client.post(f"/api/v1/guests/{guest.id}/feedback", json={**COMPLAINT, "owner": 99999}, headers=headers)
    assert no_owner.status_code == 404 and "owner" in no_owner.get_json()["fields"]
    assert client.post("/api/v1/feedback/999999/acknowledge", json={}, headers=api_key("manager")).status_code == 404
    assert client.get("/api/v1/feedback/999999", headers=api_key("manager")).status_code == 404


def test_step_bodies_are_validated(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Bodies")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    client.post(f"/api/v1/feedback/{fid}/acknowledge", json={}, headers=manager)
    for amends, field in (
        ([{"kind": "hug"}], "amends.0.kind"),
        ([{"kind": "discount", "value": "-5"}], "amends.0.value"),
        ([{"kind": "discount", "value": "12.345"}], "amends.0.value"),
        ([{"kind": "discount", "value": 12}], "amends.0.value"),
    ):
        response = client.post(f"/api/v1/feedback/{fid}/resolve", json={"amends": amends}, headers=manager)
        assert response.status_code == 422 and field in response.get_json()["fields"], response.get_json()
    client.post(f"/api/v1/feedback/{fid}/resolve", json={"amends": []}, headers=manager)
    bad = client.post(f"/api/v1/feedback/{fid}/follow-up", json={"outcome": "meh"}, headers=manager)
    assert bad.status_code == 422 and "outcome" in bad.get_json()["fields"]


def test_roles_floor_logs_but_cannot_read_or_handle(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Roles")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    for role in ("floor", "concierge"):
        headers = api_key(role)
        assert client.get("/api/v1/feedback", headers=headers).status_code == 403
        assert client.get(f"/api/v1/feedback/{fid}", headers=headers).status_code == 403
        assert client.get(f"/api/v1/feedback?guest_id={guest.id}", headers=headers).status_code == 403
        for step, body in (
            ("acknowledge", {}),
            ("resolve", {"amends": []}),
            ("follow-up", {"outcome": "satisfied"}),
            ("close", {"reason": "x"}),
            ("link", {"guest_id": guest.id}),
        ):
            assert client.post(f"/api/v1/feedback/{fid}/{step}", json=body, headers=headers).status_code == 403
        assert _log(client, headers, guest.id, kind="compliment")["status"] == "recorded"  # they may log
    assert db.session.get(Feedback, fid).status == "open"  # type: ignore[union-attr]
    for role in ("manager", "admin"):
        assert client.get(f"/api/v1/feedback/{fid}", headers=api_key(role)).status_code == 200


def test_list_filters(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    first, second = make_guest(given_name="First"), make_guest(given_name="Second")
    floor, manager = api_key("floor"), api_key("manager")
    old = _log(client, floor, first.id, reported_at="2020-01-01T12:00:00+07:00")["id"]  # long overdue
    fresh = _log(client, floor, second.id, reported_at="2099-01-01T12:00:00+07:00")["id"]  # not due yet
    praise = _log(client, floor, first.id, kind="compliment", text="Great")["id"]

    def ids(query: str) -> list[object]:
        response = client.get(f"/api/v1/feedback{query}", headers=manager)
        assert response.status_code == 200, response.get_json()
        return [f["id"] for f in response.get_json()["results"]]

    assert ids("") == [fresh, praise, old]  # newest reported first
    assert ids("?overdue=true") == [old]
    assert ids("?overdue=false") == [fresh, praise]
    assert ids(f"?guest_id={first.id}") == [praise, old]
    assert ids("?status=recorded") == [praise] and ids("?kind=complaint") == [fresh, old]
    assert ids("?status=open&overdue=true") == [old] and ids("?limit=1") == [fresh]
    listed = client.get("/api/v1/feedback?overdue=true", headers=manager).get_json()["results"][0]
    assert listed["overdue"] is True and listed["notes"] == []
    for query, field in (
        ("?status=pending", "status"),
        ("?overdue=yes", "overdue"),
        ("?guest_id=abc", "guest_id"),
        ("?guest_id=0", "guest_id"),
        ("?limit=501", "limit"),
    ):
        response = client.get(f"/api/v1/feedback{query}", headers=manager)
        assert response.status_code == 422 and field in response.get_json()["fields"], query
    assert client.get("/api/v1/feedback?status=open&status=closed", headers=manager).status_code == 400


def test_anonymous_feedback_is_linked_later(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest, other = make_guest(given_name="Reviewer"), make_guest(given_name="Other")
    manager = api_key("manager")
    created = client.post("/api/v1/feedback", json={**COMPLAINT, "channel": "review_site"}, headers=api_key("floor"))
    assert created.status_code == 201
    body = created.get_json()
    assert body["guest_id"] is None and body["status"] == "open" and body["due_by"]
    fid = body["id"]
    missing = client.post(f"/api/v1/feedback/{fid}/link", json={"guest_id": 999999}, headers=manager)
    assert missing.status_code == 404
    linked = client.post(
        f"/api/v1/feedback/{fid}/link", json={"guest_id": guest.id, "note": "Same name"}, headers=manager
    )
    assert linked.status_code == 200
    assert linked.get_json()["guest_id"] == guest.id and linked.get_json()["notes"][0]["step"] == "link"
    assert client.post(f"/api/v1/feedback/{fid}/link", json={"guest_id": guest.id}, headers=manager).status_code == 200
    taken = client.post(f"/api/v1/feedback/{fid}/link", json={"guest_id": other.id}, headers=manager)
    assert taken.status_code == 409 and taken.get_json()["status"] == "open"
    assert db.session.get(Feedback, fid).guest_id == guest.id  # type: ignore[union-attr]
    assert [
        f["id"] for f in client.get(f"/api/v1/feedback?guest_id={guest.id}", headers=manager).get_json()["results"]
    ] == [fid]


def test_a_stale_version_is_409_and_changes_nothing(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    """Manager A resolves; manager B, still looking at the open complaint, tries to close it as unresolvable."""
    guest = make_guest(given_name="Stale")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    seen = client.post(f"/api/v1/feedback/{fid}/acknowledge", json={}, headers=manager).get_json()["version"]
    resolved = client.post(
        f"/api/v1/feedback/{fid}/resolve", json={"promise": "Window table", "version": seen}, headers=manager
    )
    assert resolved.status_code == 200 and resolved.get_json()["version"] == seen + 1
    stale = client.post(f"/api/v1/feedback/{fid}/close", json={"reason": "No reply", "version": seen}, headers=manager)
    assert stale.status_code == 409
    assert stale.get_json()["status"] == "resolved" and stale.get_json()["version"] == seen + 1
    stored = db.session.get(Feedback, fid)
    assert stored is not None and stored.status == "resolved" and stored.promise == "Window table"


def test_two_managers_at_once_never_both_win(app: Flask, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two processes acknowledge and close the same complaint at the same moment: exactly one step wins, the other
    is a Conflict naming the status the winner left, and the record holds only the winner's step."""
    from guestbook import create_app

    from .conftest import _config

    guest = make_guest(given_name="Race")
    fid = rules.create_feedback(
        guest.id, FeedbackCreate.model_validate({"kind": "complaint", "text": "Noise"}), ACTOR
    ).id
    db.session.remove()
    apps = [create_app(_config(db_url), instance_path=str(tmp_path / f"i{n}")) for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(n: int) -> None:
        with apps[n].app_context():
            barrier.wait()
            try:
                if n == 0:
                    rules.acknowledge(fid, ACTOR, note="ack")
                else:
                    rules.close(fid, ACTOR, reason="duplicate of a review", version=1)
                outcomes[f"step{n}"] = "ok"
            except rules.Conflict as exc:
                outcomes[f"step{n}"] = f"conflict:{exc.status}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for each in apps:
        close_app(each)
    assert sorted(outcomes.values()) in (["conflict:acknowledged", "ok"], ["conflict:closed", "ok"])
    stored = db.session.get(Feedback, fid)
    assert stored is not None and stored.version == 2
    if outcomes["step0"] == "ok":
        assert (stored.status, stored.closed_at) == ("acknowledged", None)
    else:
        assert (stored.status, stored.acknowledged_at) == ("closed", None)
    notes = db.session.scalars(select(FeedbackNote.step).where(FeedbackNote.feedback_id == fid)).all()
    assert len(notes) == (1 if outcomes["step0"] == "ok" else 0)


def test_a_merged_guests_feedback_follows_the_kept_guest(app: Flask) -> None:
    keep, other = make_guest(given_name="Keep", family_name="Me"), make_guest(given_name="Other", family_name="Me")
    complaint = rules.create_feedback(
        other.id, FeedbackCreate.model_validate({"kind": "complaint", "text": "Cold room"}), ACTOR
    )
    merges.merge_guests(keep.id, other.id, {}, ACTOR)
    db.session.expire_all()
    moved = db.session.get(Feedback, complaint.id)
    assert moved is not None and moved.guest_id == keep.id
    assert [f.id for f in rules.list_feedback(rules.Filters(guest_id=keep.id))] == [complaint.id]


def test_erasing_a_guest_removes_their_feedback_and_its_discussion(app: Flask) -> None:
    from guestbook.data import erasure, privacy

    guest = make_guest(given_name="Forget", family_name="Me")
    complaint = rules.create_feedback(
        guest.id, FeedbackCreate.model_validate({"kind": "complaint", "text": "Rude doorman"}), ACTOR
    )
    rules.acknowledge(complaint.id, ACTOR, note="Called the guest back")
    exported = privacy.export_guest(guest.id, ACTOR)
    assert [row["text"] for row in exported["other"]["feedback"]] == ["Rude doorman"]
    erasure.erase_guest(guest.id, "guest asked", ACTOR)
    db.session.expire_all()
    assert db.session.scalar(select(Feedback.id)) is None
    assert db.session.scalar(select(FeedbackNote.id)) is None


def test_a_manager_adds_a_note_without_taking_a_step(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    import jsonschema

    from guestbook.blueprints import api_document

    guest = make_guest(given_name="Noted")
    manager = api_key("manager")
    logged = _log(client, api_key("floor"), guest.id)
    fid = logged["id"]
    response = client.post(
        f"/api/v1/feedback/{fid}/notes", json={"body": "  Chef is checking the soup.  "}, headers=manager
    )
    assert response.status_code == 201, response.get_json()
    note = response.get_json()
    assert (note["body"], note["author"]) == ("Chef is checking the soup.", "api:test-manager")
    assert isinstance(note["id"], int) and datetime.fromisoformat(note["created_at"]).tzinfo is not None
    spec = api_document()
    schema = {"$ref": "#/components/schemas/FeedbackNote", "components": spec["components"]}
    jsonschema.Draft202012Validator(schema).validate(note)
    assert "/feedback/{feedback_id}/notes" in spec["paths"]

    record = client.get(f"/api/v1/feedback/{fid}", headers=manager).get_json()
    assert [(n["step"], n["body"], n["author"]) for n in record["notes"]] == [
        ("note", "Chef is checking the soup.", "api:test-manager")
    ]
    assert (record["status"], record["version"]) == (logged["status"], logged["version"])  # not a step
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_note")).all()
    assert [(e.guest_id, e.actor, e.detail) for e in events] == [
        (guest.id, "api:test-manager", f"feedback {fid} note {note['id']}")
    ]


def test_a_note_needs_a_body_a_known_feedback_and_a_manager(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    guest = make_guest(given_name="Empty")
    manager = api_key("manager")
    fid = _log(client, api_key("floor"), guest.id)["id"]
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "x" * 2001}):
        refused = client.post(f"/api/v1/feedback/{fid}/notes", json=body, headers=manager)
        assert refused.status_code == 422 and "body" in refused.get_json()["fields"], body
    floor = client.post(f"/api/v1/feedback/{fid}/notes", json={"body": "me too"}, headers=api_key("floor"))
    assert floor.status_code == 403
    unknown = client.post("/api/v1/feedback/999999/notes", json={"body": "lost"}, headers=manager)
    assert unknown.status_code == 404 and "999999" in unknown.get_json()["error"]
    assert db.session.scalar(select(FeedbackNote.id)) is None
    with pytest.raises(rules.BadField):
        rules.add_note(fid, " \n ", ACTOR)
    with pytest.raises(rules.FeedbackNotFound):
        rules.add_note(999999, "lost", ACTOR)
    assert rules.add_note(fid, "x" * 2000 + "  ", ACTOR).body == "x" * 2000
