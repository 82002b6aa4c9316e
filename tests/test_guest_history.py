"""The guest's record at a glance: visits, spend by role, no-shows through the reservations hook."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from guestbook.admin.outlets import property_today
from guestbook.admin.settings import set_setting
from guestbook.guests import history, visits
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations.bookings import ReservationIn, upsert_reservation

from .conftest import AuthActions
from .factories import ACTOR, make_guest


def _visit(guest_id: int, days_ago: int, spend: str | None, currency: str | None = None) -> None:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    visits.log_visit(
        guest_id, VisitCreate(outlet="terrace", visited_at=at.isoformat(), spend=spend, party_size=2), ACTOR
    )
    if currency:  # a visit logged in another currency (an old import): a visit, never spend
        from guestbook.extensions import db
        from guestbook.guests.models import Visit

        row = db.session.query(Visit).filter_by(guest_id=guest_id).order_by(Visit.id.desc()).first()
        assert row is not None
        row.currency = currency
        db.session.commit()


def _booking(guest_id: int, ext: str, day: date, status: str) -> None:
    data = ReservationIn.model_validate(
        {"guest_id": guest_id, "outlet": "terrace", "arrival_date": day.isoformat(), "status": status}
    )
    upsert_reservation("pms", ext, data, ACTOR)


def _regular(app: Flask) -> int:
    guest = make_guest(given_name="Lena", family_name="Brandt")
    _visit(guest.id, 3, "1200.50")
    _visit(guest.id, 40, "2000")
    _visit(guest.id, 100, None)
    _visit(guest.id, 200, "99", currency="USD")
    _visit(guest.id, 500, "800")
    today = property_today()
    _booking(guest.id, "NS1", today - timedelta(days=30), "no-show")
    _booking(guest.id, "NS2", today - timedelta(days=420), "no-show")
    _booking(guest.id, "C1", today - timedelta(days=10), "cancelled")
    _booking(guest.id, "B1", today + timedelta(days=3), "booked")
    return guest.id


def test_history_counts_visits_spend_and_no_shows(app: Flask) -> None:
    gid = _regular(app)
    record = history.guest_history(gid)
    assert record == {
        "visits_12m": 4,
        "spend_12m": "3200.50",
        "visits_total": 5,
        "spend_total": "4000.50",
        # three visits carry a spend in the property's currency (THB): 4000.50 / 3
        "average_spend": "1333.50",
        "currency": "THB",
        "no_shows_12m": 1,
        # Reservations keep no time of cancellation, so a late one cannot be told from an early one.
        "late_cancellations_12m": 0,
        "last_no_show": (property_today() - timedelta(days=30)).isoformat(),
    }
    assert Decimal(record["spend_total"]) == Decimal("1200.50") + 2000 + 800


def test_history_of_a_new_guest_is_zero(app: Flask) -> None:
    guest = make_guest(given_name="New")
    record = history.guest_history(guest.id)
    assert record["visits_total"] == 0 and record["spend_total"] == "0.00"
    assert record["average_spend"] is None and record["last_no_show"] is None and record["no_shows_12m"] == 0


def test_api_floor_sees_visits_and_no_shows_but_not_spend(client: FlaskClient, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    gid = _regular(app)
    floor = client.get(f"/api/v1/guests/{gid}", headers=api_key("floor")).get_json()["history"]
    assert floor["visits_12m"] == 4 and floor["no_shows_12m"] == 1
    assert floor["spend_12m"] is None and floor["spend_total"] is None and floor["average_spend"] is None
    manager = client.get(f"/api/v1/guests/{gid}", headers=api_key("manager")).get_json()["history"]
    assert manager["spend_12m"] == "3200.50" and manager["average_spend"] == "1333.50"


def test_setting_decides_who_sees_spend(client: FlaskClient, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    gid = _regular(app)
    set_setting("card_spend_roles", ["floor", "concierge", "manager", "admin"], ACTOR)
    assert client.get(f"/api/v1/guests/{gid}", headers=api_key("floor")).get_json()["history"]["spend_12m"] == (
        "3200.50"
    )
    set_setting("card_spend_roles", ["admin"], ACTOR)
    assert client.get(f"/api/v1/guests/{gid}", headers=api_key("manager")).get_json()["history"]["spend_12m"] is None


def test_card_shows_the_record_line_by_role(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    gid = _regular(app)
    auth.login("floor")
    page = client.get(f"/guests/{gid}").get_data(as_text=True)
    assert "4 visits in 12 months" in page and "(5 in all)" in page and "1 no-show" in page
    assert "spent" not in page and "3,200.50" not in page
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    page = client.get(f"/guests/{gid}").get_data(as_text=True)
    assert "spent ฿3,200.50 in 12 months" in page or "spent THB" in page
    assert "1,333.50 a visit" in page


def test_history_line_for_the_briefing(app: Flask) -> None:
    gid = _regular(app)
    line = history.history_line(history.guest_history(gid))
    assert line.startswith("4 visits in 12 months · 5 in all")
    assert "1 no-show" in line
    hidden = history.history_line(history.history_for(gid, "floor"))
    assert "3,200" not in hidden and "1 no-show" in hidden
