"""The guest JSON's ``segment`` and the hand-set tier: contract, roles, and the model figures by role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from guestbook.segments import refresh as segment_refresh

from .factories import ACTOR, make_guest


def test_segment_is_null_before_the_first_refresh_then_filled(
    app: Flask, client: FlaskClient, api_key: Callable[[str], dict[str, str]]
) -> None:
    guest = make_guest(given_name="Araya")
    headers = api_key("manager")
    assert client.get(f"/api/v1/guests/{guest.id}", headers=headers).get_json()["segment"] is None
    segment_refresh.refresh(ACTOR, date(2026, 6, 30))
    segment = client.get(f"/api/v1/guests/{guest.id}", headers=headers).get_json()["segment"]
    assert segment["tier"] == "C" and segment["tier_source"] == "computed" and segment["rfm"] is None
    assert segment["lifecycle"] is None and segment["p_active"] is None and segment["refreshed_at"]


def test_override_needs_a_reason_and_wins_until_removed(
    app: Flask, client: FlaskClient, api_key: Callable[[str], dict[str, str]]
) -> None:
    guest = make_guest(given_name="Critic")
    manager = api_key("manager")
    url = f"/api/v1/guests/{guest.id}/tier"
    missing = client.put(url, json={"tier": "A"}, headers=manager)
    assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    blank = client.put(url, json={"tier": "A", "reason": "   "}, headers=manager)
    assert blank.status_code == 422
    assert client.put(url, json={"tier": "D", "reason": "x"}, headers=manager).status_code == 422
    done = client.put(
        url, json={"tier": "A", "reason": "food critic, Bangkok Post", "influence": "critic"}, headers=manager
    )
    assert done.status_code == 200
    segment = done.get_json()["segment"]
    assert (segment["tier"], segment["tier_source"], segment["tier_reason"], segment["influence"]) == (
        "A",
        "override",
        "food critic, Bangkok Post",
        "critic",
    )
    assert client.get(f"/api/v1/guests/{guest.id}", headers=manager).get_json()["segment"]["tier"] == "A"
    removed = client.delete(url, headers=manager)
    assert removed.status_code == 200
    after = removed.get_json()["segment"]
    assert after["tier_source"] == "computed" and after["tier"] == "C" and after["influence"] == "critic"
    assert (
        client.put("/api/v1/guests/999999/tier", json={"tier": "A", "reason": "x"}, headers=manager).status_code == 404
    )


def test_floor_and_concierge_cannot_set_tiers(
    app: Flask, client: FlaskClient, api_key: Callable[[str], dict[str, str]]
) -> None:
    guest = make_guest(given_name="Somsri")
    for role in ("floor", "concierge"):
        response = client.put(
            f"/api/v1/guests/{guest.id}/tier", json={"tier": "A", "reason": "x"}, headers=api_key(role)
        )
        assert response.status_code == 403
