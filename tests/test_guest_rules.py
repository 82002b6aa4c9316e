"""Rules that live in the guest rule modules, tested through the rule function and through the API."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests import notes, profiles, visits
from guestbook.guests.card import card_for
from guestbook.guests.models import Visit
from guestbook.guests.schemas import GuestCreate, GuestPatch, VisitCreate
from guestbook.reservations import bookings

from .factories import make_guest

FLOOR = Actor(label="floor tablet", role="floor")
CONCIERGE = Actor(label="concierge desk", role="concierge")


def _visit_count(guest_id: int) -> int:
    return db.session.scalar(select(func.count(Visit.id)).where(Visit.guest_id == guest_id)) or 0


def _when() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")


def test_floor_may_not_change_contact_details_in_the_rule(app: Flask) -> None:
    guest = make_guest(family_name="Contact", email="old@example.com")
    patch = GuestPatch.model_validate({"version": guest.version, "email": "new@example.com", "phone": "+66 2 123 4567"})
    with pytest.raises(profiles.ContactNotAllowed, match="your role cannot change: email, phone"):
        profiles.update_guest(guest.id, patch, FLOOR)
    assert profiles.get_guest(guest.id).email == "old@example.com"
    updated = profiles.update_guest(guest.id, patch, CONCIERGE)
    assert updated.email == "new@example.com"


def test_floor_may_still_change_what_it_sees_in_the_rule(app: Flask) -> None:
    guest = make_guest(family_name="Visible")
    patch = GuestPatch.model_validate({"version": guest.version, "preferred_name": "Ken"})
    assert profiles.update_guest(guest.id, patch, FLOOR).preferred_name == "Ken"


def test_floor_may_not_create_a_guest_with_an_address_in_the_rule(app: Flask) -> None:
    data = GuestCreate.model_validate({"family_name": "Addressed", "address": {"city": "Bangkok"}})
    with pytest.raises(profiles.ContactNotAllowed, match="postal addresses"):
        profiles.create_guest(data, FLOOR)


def test_floor_may_not_change_contact_details_through_the_api(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Contact", email="old@example.com")
    body = {"version": guest.version, "email": "new@example.com"}
    refused = client.patch(f"/api/v1/guests/{guest.id}", json=body, headers=api_key("floor"))
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "your role cannot change: email"}
    allowed = client.patch(f"/api/v1/guests/{guest.id}", json=body, headers=api_key("concierge"))
    assert allowed.status_code == 200


def test_a_sensitive_visit_note_needs_confirming_in_the_rule(app: Flask) -> None:
    guest = make_guest(family_name="Noted")
    data = VisitCreate(outlet="terrace", visited_at=datetime.now(UTC), notes="Was rude and drunk")
    with pytest.raises(notes.NeedsConfirmation) as refused:
        visits.log_visit(guest.id, data, FLOOR)
    assert refused.value.words == ["rude", "drunk"]
    assert _visit_count(guest.id) == 0
    confirmed = data.model_copy(update={"confirm_sensitive": True})
    assert visits.log_visit(guest.id, confirmed, FLOOR).notes == "Was rude and drunk"


def test_a_sensitive_visit_note_needs_confirming_through_the_api(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, api_key
) -> None:
    guest = make_guest(family_name="Noted")
    url = f"/api/v1/guests/{guest.id}/visits"
    body = {"outlet": "terrace", "visited_at": _when(), "notes": "Was rude to the waiter"}
    refused = client.post(url, json=body, headers=api_key("floor"))
    assert refused.status_code == 422
    answer = refused.get_json()
    assert "rude" in answer["fields"]["notes"] and answer["sensitive_words"] == ["rude"]
    assert _visit_count(guest.id) == 0
    saved = client.post(url, json={**body, "confirm_sensitive": True}, headers=api_key("floor"))
    assert saved.status_code == 201
    assert _visit_count(guest.id) == 1
    plain = client.post(url, json={**body, "notes": "Loved the duck"}, headers=api_key("floor"))
    assert plain.status_code == 201


def test_the_cards_history_pages_are_the_visits_newest_first(app: Flask) -> None:
    """Page 1 comes from the recognition's latest visits, later pages from their own query: the same order."""
    guest = make_guest(family_name="Paged")
    start = datetime.now(UTC) - timedelta(days=30)
    for n in range(23):  # two outlets; some visits at the same minute (the id breaks the tie)
        at = start + timedelta(days=n // 2)
        visits.log_visit(
            guest.id, VisitCreate(outlet="terrace" if n % 3 else "bar", visited_at=at, table=f"T{n}"), FLOOR
        )
    newest = list(
        db.session.scalars(
            select(Visit.id).where(Visit.guest_id == guest.id).order_by(Visit.visited_at.desc(), Visit.id.desc())
        )
    )
    pages = []
    for page in (1, 2, 3):
        card = card_for(guest.id, FLOOR, device=None, chosen_booking=None, page=page, page_size=10)
        pages.append(([v.id for v in card.history], card.has_more))
    assert pages == [(newest[:10], True), (newest[10:20], True), (newest[20:], False)]
    exactly_ten = make_guest(family_name="Tenvisits")
    for n in range(10):
        visits.log_visit(exactly_ten.id, VisitCreate(outlet="terrace", visited_at=start + timedelta(days=n)), FLOOR)
    card = card_for(exactly_ten.id, FLOOR, device=None, chosen_booking=None, page=1, page_size=10)
    assert len(card.history) == 10 and card.has_more is False


def test_the_openapi_document_describes_confirm_sensitive(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    field = spec["components"]["schemas"]["VisitCreate"]["properties"]["confirm_sensitive"]
    assert field["type"] == "boolean" and field["default"] is False


def test_the_card_is_assembled_by_one_rule(app: Flask) -> None:
    guest = make_guest(family_name="Carded")
    when = datetime.now(UTC) - timedelta(days=3)
    kept = VisitCreate(
        outlet="terrace", visited_at=when, table="Table 4", notes="Rude to staff", confirm_sensitive=True
    )
    visit = visits.log_visit(guest.id, kept, CONCIERGE)
    booked = {"guest_id": guest.id, "outlet": "terrace", "arrival_date": property_today(), "arrival_time": time(23, 59)}
    booking, _created = bookings.upsert_reservation(
        "pms", "card-1", bookings.ReservationIn.model_validate(booked), CONCIERGE
    )
    card = card_for(guest.id, FLOOR, device=None, chosen_booking=None, page=1, page_size=10)
    assert card.guest.id == guest.id and card.show_contact is False
    assert [b.id for b in card.bookings] == [booking.id] and card.tonight is not None
    assert card.usual_at == card.tonight.outlet.name
    assert card.folded_notes == {visit.id}  # a sensitive note stays folded
    assert [v.id for v in card.history] == [visit.id] and card.has_more is False
    assert card.today == property_today()
    with pytest.raises(profiles.GuestNotFound):
        card_for(999_999, FLOOR, device=None, chosen_booking=None, page=1, page_size=10)


def test_the_card_page_shows_what_the_rule_assembled(app: Flask, client: FlaskClient, auth) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest(family_name="Carded", preferred_name="Kenji")
    auth.login("floor")
    page = client.get(f"/guests/{guest.id}")
    assert page.status_code == 200 and "Carded" in page.get_data(as_text=True)
    assert client.get("/guests/999999").status_code == 404
