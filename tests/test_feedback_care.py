"""The "handle with care" block: the 90-day window, promises, compliments, who sees it (every role, while the
record stays managers-only), and the briefing: the arrival's ``care`` in JSON, the screen and the PDF's box."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.i18n import in_language
from guestbook.models.base import utcnow
from guestbook.relations import care
from guestbook.relations import feedback as rules
from guestbook.relations.models import Feedback
from guestbook.relations.schemas import AmendIn, FeedbackCreate
from guestbook.reservations import bookings as reservations

from .conftest import AuthActions
from .factories import ACTOR, make_guest

Headers = Callable[[str], dict[str, str]]
NOW = datetime(2026, 12, 10, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok
DAY = date(2026, 11, 22)


def _complaint(guest_id: int, reported: datetime, category: str = "food", severity: str = "major") -> Feedback:
    data = FeedbackCreate.model_validate(
        {"kind": "complaint", "category": category, "severity": severity, "text": "Cold soup", "reported_at": reported}
    )
    return rules.create_feedback(guest_id, data, ACTOR, now=reported)


def _resolved(guest_id: int, resolved: datetime, promise: str = "The chef will greet them") -> Feedback:
    complaint = _complaint(guest_id, resolved - timedelta(hours=3))
    rules.acknowledge(complaint.id, ACTOR, now=resolved - timedelta(hours=2))
    amends = [AmendIn(kind="apology"), AmendIn(kind="comped_item", value="180", note="dessert")]
    return rules.resolve(complaint.id, ACTOR, amends, promise, now=resolved)


def _compliment(guest_id: int, reported: datetime, text: str) -> None:
    data = FeedbackCreate.model_validate({"kind": "compliment", "text": text, "reported_at": reported})
    rules.create_feedback(guest_id, data, ACTOR, now=reported)


def test_nothing_to_handle_is_null(app: Flask) -> None:
    guest = make_guest(given_name="Calm")
    assert care.care_for(guest.id, "floor", now=NOW) is None
    _compliment(guest.id, NOW - timedelta(days=2), "Lovely evening")  # a compliment alone is no reason for care
    assert care.care_for(guest.id, "floor", now=NOW) is None


def test_the_90_day_window_after_resolving(app: Flask) -> None:
    inside, outside = make_guest(given_name="Inside"), make_guest(given_name="Outside")
    _resolved(inside.id, NOW - timedelta(days=89))
    _resolved(outside.id, NOW - timedelta(days=91))
    assert care.care_for(outside.id, "floor", now=NOW) is None
    block = care.care_for(inside.id, "floor", now=NOW)
    assert block is not None
    assert block["open"] is False and block["promises"] == ["The chef will greet them"]
    with in_language("en"):
        block = care.care_for(inside.id, "floor", now=NOW)
    assert block is not None
    # Reported 3 hours before 89 days ago: 12 September 2026, 09:00 in Bangkok.
    assert block["banner"] == (
        "Handle with care: complaint about food on 12 September, apology and comped item (dessert); "
        "promised: The chef will greet them"
    )
    # Exactly on the edge: 90 days to the second is still in, a second later is out.
    edge = make_guest(given_name="Edge")
    resolved = _resolved(edge.id, NOW - timedelta(days=90))
    assert resolved.resolved_at is not None
    assert care.care_for(edge.id, "floor", now=NOW) is not None
    assert care.care_for(edge.id, "floor", now=NOW + timedelta(seconds=1)) is None


def test_an_open_complaint_keeps_the_block_however_old(app: Flask) -> None:
    guest = make_guest(given_name="Waiting")
    complaint = _complaint(guest.id, NOW - timedelta(days=200), category="noise")
    with in_language("en"):
        block = care.care_for(guest.id, "floor", now=NOW)
    assert block is not None and block["open"] is True and block["promises"] == []
    assert block["banner"].startswith("Handle with care: complaint about noise on ")
    assert block["banner"].endswith("(not resolved yet)")
    rules.acknowledge(complaint.id, ACTOR, now=NOW)
    assert care.care_for(guest.id, "floor", now=NOW)["open"] is True  # type: ignore[index]
    rules.close(complaint.id, ACTOR, "Guest never replied", now=NOW)  # closed without resolving: nothing left
    assert care.care_for(guest.id, "floor", now=NOW) is None


def test_compliments_of_the_last_90_days_are_listed(app: Flask) -> None:
    guest = make_guest(given_name="Mixed")
    _resolved(guest.id, NOW - timedelta(days=10), promise="Window table next time")
    _compliment(guest.id, NOW - timedelta(days=100), "Too old to list")
    _compliment(guest.id, NOW - timedelta(days=30), "Mai was wonderful")
    _compliment(guest.id, NOW - timedelta(days=5), "Best curry in town")
    block = care.care_for(guest.id, "floor", now=NOW)
    assert block is not None
    assert block["compliments"] == ["Best curry in town", "Mai was wonderful"]
    # A newer complaint comes first in the banner and the promises; the count of the rest is shown.
    _resolved(guest.id, NOW - timedelta(days=1), promise="Call before booking")
    with in_language("en"):
        block = care.care_for(guest.id, "floor", now=NOW)
    assert block is not None
    assert block["promises"] == ["Call before booking", "Window table next time"]
    assert block["banner"].endswith("promised: Call before booking (+1 more)")


def test_floor_sees_care_in_the_guest_json_but_not_the_record(
    app: Flask, client: FlaskClient, api_key: Headers
) -> None:
    guest = make_guest(given_name="Floor", family_name="View")
    resolved = _resolved(guest.id, utcnow() - timedelta(days=3))
    rules.create_feedback(
        guest.id, FeedbackCreate.model_validate({"kind": "compliment", "text": "Loved the terrace"}), ACTOR
    )
    plain = make_guest(given_name="Plain")
    floor = api_key("floor")
    body = client.get(f"/api/v1/guests/{guest.id}", headers=floor).get_json()
    assert body["care"]["promises"] == ["The chef will greet them"]
    assert body["care"]["open"] is False and body["care"]["compliments"] == ["Loved the terrace"]
    assert body["care"]["banner"].startswith("Handle with care: complaint about food on ")
    assert "Cold soup" not in str(body)  # the guest's words of the complaint stay in the record
    assert client.get(f"/api/v1/guests/{plain.id}", headers=floor).get_json()["care"] is None
    assert client.get(f"/api/v1/feedback/{resolved.id}", headers=floor).status_code == 403
    assert client.get(f"/api/v1/feedback?guest_id={guest.id}", headers=floor).status_code == 403
    manager = client.get(f"/api/v1/guests/{guest.id}", headers=api_key("manager")).get_json()
    assert manager["care"] == body["care"]


def _book(ext: str, guest_id: int) -> None:
    body = {"outlet": "terrace", "arrival_date": DAY.isoformat(), "arrival_time": "19:30", "guest_id": guest_id}
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def test_the_briefing_carries_care_on_screen_in_json_and_on_paper(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key: Headers, tmp_path: Path
) -> None:
    upset = make_guest(given_name="Kanya", family_name="Upset")
    happy = make_guest(given_name="Happy", family_name="Guest")
    _resolved(upset.id, utcnow() - timedelta(days=4), promise="Chef greets them at the table")
    _book("c1", upset.id)
    _book("c2", happy.id)
    body = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    by_guest = {a["guest_id"]: a for a in body["arrivals"]}
    assert by_guest[happy.id]["care"] is None and by_guest[happy.id]["complaints"] == []
    assert by_guest[upset.id]["care"]["promises"] == ["Chef greets them at the table"]
    assert by_guest[upset.id]["care"]["banner"].startswith("Handle with care: complaint about food on ")
    [complaint] = by_guest[upset.id]["complaints"]
    assert complaint["promised"] == "Chef greets them at the table"
    # Resolved four days ago: shown with its promise, but not counted among the open complaints.
    assert body["summary"]["open_complaints"] == 0
    _complaint(happy.id, utcnow() - timedelta(hours=1))
    again = client.get(f"/api/v1/briefings/{DAY.isoformat()}", headers=api_key("floor")).get_json()
    assert again["summary"]["open_complaints"] == 1
    assert complaint["summary"].startswith("complaint about food on ") and complaint["raised_on"]
    pdf = briefing_archive.render_pdf(briefing.build_briefing(DAY, None, None, "floor"))
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    joined = " ".join(text.split())
    assert "Chef greets them at the table" in joined and "Last time:" in joined
    auth.login("floor")
    page = client.get(f"/briefing/?date={DAY.isoformat()}").get_data(as_text=True)
    assert "Chef greets them at the table" in page
