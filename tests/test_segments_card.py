"""The card's standing line: tier (and a hand-set one with its reason), influence, lifecycle and segment for
every role; the lapse model's figures or why they are missing for managers only."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from guestbook.segments import overrides
from guestbook.segments import refresh as segment_refresh
from guestbook.segments.models import GuestSegment

from .conftest import AuthActions
from .factories import ACTOR, add_visits, make_guest


def test_standing_line_by_role(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Kanya")
    add_visits(guest.id, "terrace", [("T4", ["Pad thai"]), ("T4", ["Pad thai"])])
    segment_refresh.refresh(ACTOR, date.today())
    overrides.set_override(guest.id, "A", "writes for the Bangkok Post", ACTOR, "press")
    auth.login("manager")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Tier A ✎" in page and "Press" in page
    assert "Tier set by hand: writes for the Bangkok Post" in page
    assert "Lapse risk needs at least 30 guests with visits" in page  # the model is not fitted for one guest
    floor = app.test_client()
    AuthActions(floor).login("floor")
    page = floor.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Tier A ✎" in page and "Press" in page
    assert "Lapse risk" not in page and "Tier set by hand" not in page


def test_model_figures_show_for_managers(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Weekly")
    add_visits(guest.id, "terrace", [("T1", ["Som tam"])] * 6)
    segment_refresh.refresh(ACTOR, date.today())
    # Figures as the refresh would write them once the model is fitted.
    from guestbook.db import write_transaction
    from guestbook.extensions import db

    with write_transaction():
        row = db.session.get(GuestSegment, guest.id)
        assert row is not None
        row.p_active, row.expected_visits_90d, row.model_note = 0.82, 7.4, ""
    auth.login("manager")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "82% likely still coming" in page and "7.4 visits expected in 90 days" in page
    floor = app.test_client()
    AuthActions(floor).login("floor")
    assert "likely still coming" not in floor.get(f"/guests/{guest.id}").get_data(as_text=True)


def test_a_manager_sets_and_clears_the_tier_from_the_card(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    from .conftest import csrf_from

    guest = make_guest(given_name="Mai")
    auth.login("manager")
    page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Set the tier by hand" in page
    url = f"/segments/guests/{guest.id}/tier"
    token = csrf_from(page)
    no_reason = client.post(url, data={"csrf_token": token, "tier": "A", "reason": " ", "influence": ""})
    assert no_reason.status_code == 302 and overrides.segment_json(guest.id, "manager") is None
    done = client.post(
        url, data={"csrf_token": token, "tier": "A", "reason": "city councillor", "influence": "official"}
    )
    assert done.status_code == 302
    segment = overrides.segment_json(guest.id, "manager")
    assert segment is not None and (segment["tier"], segment["tier_source"], segment["influence"]) == (
        "A",
        "override",
        "official",
    )
    assert "Tier set by hand: city councillor" in client.get(f"/guests/{guest.id}").get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "tier": "computed", "reason": "", "influence": ""})
    cleared = overrides.segment_json(guest.id, "manager")
    assert cleared is not None and cleared["tier_source"] == "computed" and cleared["influence"] == "official"
    assert client.post(url, data={"tier": "A", "reason": "x"}).status_code == 400  # no CSRF token
    floor = app.test_client()
    AuthActions(floor).login("floor")
    assert "Set the tier by hand" not in floor.get(f"/guests/{guest.id}").get_data(as_text=True)
