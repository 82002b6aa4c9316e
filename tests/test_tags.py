"""Team tags: managers define them, staff set them, the guest JSON, search (tag:NAME) and the card show them."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from guestbook.guests import search_results, tags

from .conftest import AuthActions
from .factories import ACTOR, make_guest


def _define(client: FlaskClient, headers: dict[str, str], name: str, color: str = "#aa3355"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tags", json={"name": name, "color": color}, headers=headers)


def test_managers_define_tags_and_everyone_lists_them(client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    manager = api_key("manager")
    created = _define(client, manager, "Wine lover", "#AA3355")
    assert created.status_code == 201
    assert created.get_json() == {"id": created.get_json()["id"], "name": "Wine lover", "color": "#aa3355"}
    assert _define(client, api_key("admin"), "press").status_code == 201
    assert _define(client, api_key("floor"), "quiet").status_code == 403
    assert _define(client, api_key("concierge"), "quiet").status_code == 403
    listed = client.get("/api/v1/tags", headers=api_key("floor"))
    assert listed.status_code == 200
    assert [t["name"] for t in listed.get_json()["results"]] == ["press", "Wine lover"]


def test_tag_names_are_unique_whatever_the_case_and_colours_checked(client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    manager = api_key("manager")
    assert _define(client, manager, "Press").status_code == 201
    assert _define(client, manager, "  PRESS ").status_code == 409
    bad = _define(client, manager, "vip table", "red")
    assert bad.status_code == 422 and "color" in bad.get_json()["fields"]
    assert _define(client, manager, "", "#000000").status_code == 422
    assert _define(client, manager, "x" * 41, "#000000").status_code == 422
    assert (
        client.post("/api/v1/tags", json={"name": "a", "color": "#000000", "extra": 1}, headers=manager).status_code
        == 422
    )


def test_floor_sets_a_guests_tags_and_the_json_carries_them(client: FlaskClient, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    manager, floor = api_key("manager"), api_key("floor")
    _define(client, manager, "wine lover")
    _define(client, manager, "prefers quiet")
    guest = make_guest(given_name="Ana", family_name="Lee")
    put = client.put(f"/api/v1/guests/{guest.id}/tags", json={"tags": ["Wine Lover", "prefers quiet"]}, headers=floor)
    assert put.status_code == 200
    assert put.get_json() == {"guest_id": guest.id, "tags": ["prefers quiet", "wine lover"]}
    body = client.get(f"/api/v1/guests/{guest.id}", headers=floor).get_json()
    assert body["tags"] == ["prefers quiet", "wine lover"]
    cleared = client.put(f"/api/v1/guests/{guest.id}/tags", json={"tags": []}, headers=floor)
    assert cleared.status_code == 200 and cleared.get_json()["tags"] == []


def test_unknown_tag_is_a_422_naming_it_and_nothing_changes(client: FlaskClient, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    floor = api_key("floor")
    _define(client, api_key("manager"), "press")
    guest = make_guest(given_name="Ana")
    client.put(f"/api/v1/guests/{guest.id}/tags", json={"tags": ["press"]}, headers=floor)
    bad = client.put(f"/api/v1/guests/{guest.id}/tags", json={"tags": ["press", "food critic"]}, headers=floor)
    assert bad.status_code == 422
    assert "food critic" in bad.get_json()["fields"]["tags"]
    assert client.get(f"/api/v1/guests/{guest.id}", headers=floor).get_json()["tags"] == ["press"]
    assert client.put("/api/v1/guests/999999/tags", json={"tags": []}, headers=floor).status_code == 404
    assert client.put(f"/api/v1/guests/{guest.id}/tags", json={"tags": "press"}, headers=floor).status_code == 422


def _tagged_people(app: Flask) -> dict[str, int]:
    tags.create_tag("press", "#1d4ed8", ACTOR)
    tags.create_tag("wine lover", "#7c2d12", ACTOR)
    people = {
        "lee_press": make_guest(given_name="Ana", family_name="Lee").id,
        "lee": make_guest(given_name="Bo", family_name="Lee").id,
        "kim_press": make_guest(given_name="Jin", family_name="Kim").id,
        "kim_wine": make_guest(given_name="Min", family_name="Kim").id,
    }
    tags.set_guest_tags(people["lee_press"], ["press"], ACTOR)
    tags.set_guest_tags(people["kim_press"], ["press", "wine lover"], ACTOR)
    tags.set_guest_tags(people["kim_wine"], ["wine lover"], ACTOR)
    return people


def test_search_by_tag_alone_and_with_a_name(app: Flask) -> None:
    people = _tagged_people(app)
    alone = {r.guest.id for r in search_results.find("tag:press", "floor")}
    assert alone == {people["lee_press"], people["kim_press"]}
    with_name = search_results.find("tag:press lee", "floor")
    assert [r.guest.id for r in with_name] == [people["lee_press"]]
    assert "tag press" in with_name[0].reason
    assert [r.guest.id for r in search_results.find("lee TAG:Press", "manager")] == [people["lee_press"]]
    both = {r.guest.id for r in search_results.find('tag:press tag:"wine lover"', "floor")}
    assert both == {people["kim_press"]}
    assert {r.guest.id for r in search_results.find("tag:wine-lover kim", "floor")} == {
        people["kim_press"],
        people["kim_wine"],
    }
    assert search_results.find("tag:nosuchtag", "floor") == []
    assert search_results.find("tag:nosuchtag lee", "floor") == []


def test_search_api_results_carry_tags(client: FlaskClient, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    people = _tagged_people(app)
    found = client.get("/api/v1/guests", query_string={"q": "tag:press lee"}, headers=api_key("floor"))
    assert found.status_code == 200
    results = found.get_json()["results"]
    assert [r["id"] for r in results] == [people["lee_press"]] and results[0]["tags"] == ["press"]


def test_card_and_results_show_tag_chips_and_the_form(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    people = _tagged_people(app)
    auth.login("floor")
    card = client.get(f"/guests/{people['kim_press']}").get_data(as_text=True)
    press = tags.tag_by_name("press")
    assert press is not None
    assert f'class="tag-chip tag-{press.id}">press</span>' in card
    assert 'style="' not in card  # the CSP refuses inline styles: colours come from the tag stylesheet
    css = client.get("/guests/tags.css")
    assert css.mimetype == "text/css" and f".tag-{press.id} {{ --tag-color: #1d4ed8; }}" in css.get_data(as_text=True)
    assert 'name="tags" value="wine lover" checked' in card
    results = client.get("/guests/search", query_string={"q": "tag:press"}).get_data(as_text=True)
    assert results.count('class="tag-chip tag-') == 3  # Kim: press + wine lover, Lee: press
    token = auth.token(f"/guests/{people['lee']}")
    saved = client.post(f"/guests/{people['lee']}/tags", data={"csrf_token": token, "tags": ["wine lover"]})
    assert saved.status_code == 302
    assert [t.name for t in tags.tags_of_guests([people["lee"]])[people["lee"]]] == ["wine lover"]


def test_tag_page_is_for_managers(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    auth.login("floor")
    assert client.get("/guests/tags").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("manager")
    page = client.get("/guests/tags")
    assert page.status_code == 200
    token = auth.token("/guests/tags")
    added = client.post("/guests/tags", data={"csrf_token": token, "name": "Regular", "color": "#15803d"})
    assert added.status_code == 302
    again = client.post("/guests/tags", data={"csrf_token": token, "name": "regular", "color": "#15803d"})
    assert again.status_code == 422 and "A tag with this name exists." in again.get_data(as_text=True)
    tag = tags.tag_by_name("regular")
    assert tag is not None and tag.color == "#15803d"
    assert client.post(f"/guests/tags/{tag.id}/delete", data={"csrf_token": token}).status_code == 302
    assert tags.list_tags() == []
