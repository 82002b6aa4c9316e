"""Who knows whom: both directions with the inverse kind, through the API and the card; roles; merges and undo."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook.audit import AuditEvent
from guestbook.data import merges
from guestbook.extensions import db
from guestbook.relations import relationships
from guestbook.relations.models import INVERSE_KIND, GuestRelationship

from .conftest import AuthActions
from .factories import ACTOR, make_guest

Headers = Callable[[str], dict[str, str]]


def _rows() -> set[tuple[int, int, str, str]]:
    """Every stored direction: (guest, other, kind, note)."""
    stmt = select(
        GuestRelationship.guest_id, GuestRelationship.other_id, GuestRelationship.kind, GuestRelationship.note
    )
    return {tuple(r) for r in db.session.execute(stmt)}  # type: ignore[misc]


def _json_relationships(client: FlaskClient, headers: dict[str, str], guest_id: int) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/guests/{guest_id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body["relationships"], list)
    return body["relationships"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", list(INVERSE_KIND))
def test_every_kind_shows_on_both_sides_with_its_inverse(
    app: Flask, client: FlaskClient, api_key: Headers, kind: str
) -> None:
    ana = make_guest(given_name="Ana", family_name="Vance")
    tomas = make_guest(given_name="Tomás", family_name="Vance")
    headers = api_key("floor")
    response = client.post(
        f"/api/v1/guests/{ana.id}/relationships",
        json={"other_id": tomas.id, "kind": kind, "note": "met here in 2019"},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "guest_id": ana.id,
        "relationships": [{"guest_id": tomas.id, "name": "Tomás Vance", "kind": kind, "note": "met here in 2019"}],
    }
    assert _json_relationships(client, headers, ana.id) == [
        {"guest_id": tomas.id, "name": "Tomás Vance", "kind": kind, "note": "met here in 2019"}
    ]
    assert _json_relationships(client, headers, tomas.id) == [
        {"guest_id": ana.id, "name": "Ana Vance", "kind": INVERSE_KIND[kind], "note": "met here in 2019"}
    ]
    assert _rows() == {
        (ana.id, tomas.id, kind, "met here in 2019"),
        (tomas.id, ana.id, INVERSE_KIND[kind], "met here in 2019"),
    }


def test_the_asymmetric_inverses_are_the_documented_pairs() -> None:
    assert INVERSE_KIND["assistant_of"] == "has_assistant" and INVERSE_KIND["has_assistant"] == "assistant_of"
    assert INVERSE_KIND["referred_by"] == "referred" and INVERSE_KIND["referred"] == "referred_by"
    assert all(INVERSE_KIND[k] == k for k in ("spouse", "partner", "family", "friend", "colleague"))


def test_self_unknown_kind_and_bad_fields_are_422_naming_the_field(
    app: Flask, client: FlaskClient, api_key: Headers
) -> None:
    gid = make_guest(family_name="Alone").id
    headers = api_key("floor")
    url = f"/api/v1/guests/{gid}/relationships"
    response = client.post(url, json={"other_id": gid, "kind": "friend"}, headers=headers)
    assert response.status_code == 422 and "other_id" in response.get_json()["fields"]
    other = make_guest(family_name="Other").id
    response = client.post(url, json={"other_id": other, "kind": "husband"}, headers=headers)
    assert response.status_code == 422 and "kind" in response.get_json()["fields"]
    response = client.post(url, json={"other_id": other, "kind": "friend", "note": "x" * 501}, headers=headers)
    assert response.status_code == 422 and "note" in response.get_json()["fields"]
    response = client.post(url, json={"other_id": str(other), "kind": "friend"}, headers=headers)
    assert response.status_code == 422 and "other_id" in response.get_json()["fields"]
    assert _rows() == set()
    with pytest.raises(relationships.RelationshipError) as raised:
        relationships.add_relationship(gid, gid, "friend", "", ACTOR)
    assert raised.value.field == "other_id" and raised.value.status == 422


def test_unknown_guests_are_404(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    gid = make_guest(family_name="Known").id
    headers = api_key("floor")
    response = client.post(
        f"/api/v1/guests/{gid}/relationships", json={"other_id": 999_999, "kind": "friend"}, headers=headers
    )
    assert response.status_code == 404 and response.get_json()["fields"] == {"other_id": "no guest with id 999999"}
    response = client.post(
        "/api/v1/guests/999999/relationships", json={"other_id": gid, "kind": "friend"}, headers=headers
    )
    assert response.status_code == 404
    assert client.delete(f"/api/v1/guests/{gid}/relationships/999999", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/guests/999999/relationships/{gid}", headers=headers).status_code == 404


def test_an_existing_pair_is_replaced_on_both_sides(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    ana, ben = make_guest(given_name="Ana").id, make_guest(given_name="Ben").id
    headers = api_key("floor")
    assert (
        client.post(
            f"/api/v1/guests/{ana}/relationships", json={"other_id": ben, "kind": "friend"}, headers=headers
        ).status_code
        == 201
    )
    # Ben's side is edited: the pair is one relationship, whichever side it is sent from.
    response = client.post(
        f"/api/v1/guests/{ben}/relationships",
        json={"other_id": ana, "kind": "referred_by", "note": "came with Ana"},
        headers=headers,
    )
    assert response.status_code == 200
    assert _rows() == {(ben, ana, "referred_by", "came with Ana"), (ana, ben, "referred", "came with Ana")}
    changed = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "relationship_changed")).all()
    assert f"referred_by of guest {ana} (was friend)" in changed


def test_delete_removes_both_directions_and_a_second_delete_is_404(
    app: Flask, client: FlaskClient, api_key: Headers
) -> None:
    ana, ben, cy = (make_guest(given_name=n).id for n in ("Ana", "Ben", "Cy"))
    relationships.add_relationship(ana, ben, "spouse", "", ACTOR)
    relationships.add_relationship(ana, cy, "colleague", "", ACTOR)
    headers = api_key("floor")
    response = client.delete(f"/api/v1/guests/{ben}/relationships/{ana}", headers=headers)  # from the other side
    assert response.status_code == 200 and response.get_json() == {"guest_id": ben, "relationships": []}
    assert _rows() == {(ana, cy, "colleague", ""), (cy, ana, "colleague", "")}
    assert [r["guest_id"] for r in _json_relationships(client, headers, ana)] == [cy]
    assert client.delete(f"/api/v1/guests/{ana}/relationships/{ben}", headers=headers).status_code == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("relationship_%"))).all()
    assert sorted(actions) == ["relationship_added"] * 4 + ["relationship_removed"] * 2


@pytest.mark.parametrize("role", ["floor", "concierge", "manager", "admin"])
def test_every_role_reads_and_writes_relationships(
    app: Flask, client: FlaskClient, api_key: Headers, role: str
) -> None:
    ana, ben = make_guest(given_name="Ana").id, make_guest(given_name="Ben").id
    headers = api_key(role)
    assert (
        client.post(
            f"/api/v1/guests/{ana}/relationships", json={"other_id": ben, "kind": "friend"}, headers=headers
        ).status_code
        == 201
    )
    assert [r["guest_id"] for r in _json_relationships(client, headers, ben)] == [ana]
    assert client.delete(f"/api/v1/guests/{ana}/relationships/{ben}", headers=headers).status_code == 200


def test_without_a_key_nothing_is_read_or_written(app: Flask, client: FlaskClient) -> None:
    ana, ben = make_guest(given_name="Ana").id, make_guest(given_name="Ben").id
    assert (
        client.post(f"/api/v1/guests/{ana}/relationships", json={"other_id": ben, "kind": "friend"}).status_code == 401
    )
    assert client.delete(f"/api/v1/guests/{ana}/relationships/{ben}").status_code == 401
    assert _rows() == set()


def test_the_document_describes_the_endpoints_and_the_guest_json(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert set(doc["paths"]["/guests/{guest_id}/relationships"]) >= {"post"}
    assert set(doc["paths"]["/guests/{guest_id}/relationships/{other_id}"]) >= {"delete"}
    for name in ("Guest", "GuestCreated"):
        assert doc["components"]["schemas"][name]["properties"]["relationships"]["items"] == {
            "$ref": "#/components/schemas/GuestRelationship"
        }
    assert doc["components"]["schemas"]["RelationshipIn"]["properties"]["kind"]["enum"] == list(INVERSE_KIND)


# --- the card ------------------------------------------------------------------------------------------


def test_floor_adds_and_removes_from_the_card(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    ana = make_guest(given_name="Ana", family_name="Vance")
    mai = make_guest(given_name="Mai", family_name="Tran")
    auth.login("floor")
    page = client.get(f"/guests/{ana.id}").get_data(as_text=True)
    assert 'id="knows"' in page and "No one recorded yet" in page
    found = client.get(f"/relations/guests/{ana.id}/knows/new?q=Tran")
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and f'value="{mai.id}"' in html and f'value="{ana.id}"' not in html
    token = auth.token(f"/guests/{ana.id}")
    # Mai is Ana's assistant: the card asks what the other one is to this guest.
    response = client.post(
        f"/relations/guests/{ana.id}/knows",
        data={"csrf_token": token, "other_id": str(mai.id), "other_is": "assistant_of", "note": "books the table"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/guests/{ana.id}#knows")
    assert _rows() == {
        (mai.id, ana.id, "assistant_of", "books the table"),
        (ana.id, mai.id, "has_assistant", "books the table"),
    }
    card = client.get(f"/guests/{ana.id}").get_data(as_text=True)
    assert "Mai Tran" in card and "assistant" in card and f'href="/guests/{mai.id}"' in card
    assert f"/relations/guests/{ana.id}/network" in card
    other_card = client.get(f"/guests/{mai.id}").get_data(as_text=True)
    assert "Ana Vance" in other_card and "employer" in other_card
    # Without the CSRF token nothing is removed.
    client.post(f"/relations/guests/{ana.id}/knows/{mai.id}/remove", data={})
    assert len(_rows()) == 2
    response = client.post(f"/relations/guests/{ana.id}/knows/{mai.id}/remove", data={"csrf_token": token})
    assert response.status_code == 302 and _rows() == set()


def test_the_card_refuses_the_guest_themself(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    ana = make_guest(given_name="Ana").id
    auth.login("floor")
    token = auth.token(f"/guests/{ana}")
    response = client.post(
        f"/relations/guests/{ana}/knows", data={"csrf_token": token, "other_id": str(ana), "other_is": "friend"}
    )
    assert response.status_code == 302 and "/knows/new" in response.headers["Location"]
    assert _rows() == set()


# --- the network ---------------------------------------------------------------------------------------


def test_network_two_steps_out_with_tiers_and_a_cap(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    from guestbook.segments import overrides

    centre = make_guest(given_name="Centre", family_name="Guest").id
    spouse = make_guest(given_name="Spouse", family_name="Guest").id
    friend = make_guest(given_name="Friend", family_name="Far").id
    beyond = make_guest(given_name="Three", family_name="Steps").id
    relationships.add_relationship(centre, spouse, "spouse", "", ACTOR)
    relationships.add_relationship(friend, spouse, "friend", "", ACTOR)
    relationships.add_relationship(beyond, friend, "colleague", "", ACTOR)  # three steps: not drawn
    overrides.set_override(spouse, "A", "owner's friend", ACTOR)
    auth.login("floor")
    html = client.get(f"/relations/guests/{centre}/network").get_data(as_text=True)
    assert html.count('class="net-node step-1"') == 1 and html.count('class="net-node step-2"') == 1
    assert "Three Steps" not in html and "<script" not in html.split("<main")[-1].split("</main>")[0]
    assert 'class="net-dot tier-a"' in html and html.count('class="net-dot tier-c"') == 2
    assert html.count('<line class="net-edge"') == 2 and ">spouse</text>" in html and ">friend</text>" in html
    from guestbook.relations import network

    small = network.build_network(centre, limit=1)
    assert small is not None and [p.guest_id for p in small.people] == [spouse] and small.more == 1
    many = [make_guest(given_name=f"Guest{n:02d}").id for n in range(45)]
    for gid in many:
        relationships.add_relationship(centre, gid, "friend", "", ACTOR)
    capped = network.build_network(centre)
    assert capped is not None and len(capped.people) == network.MAX_PEOPLE and capped.more == 47 - network.MAX_PEOPLE
    assert "and 7 more" in client.get(f"/relations/guests/{centre}/network").get_data(as_text=True)
    # Forty on one ring: each name runs outwards along its ray, never upside down, clear of its neighbours'
    # (the names are 23 units high with a 4-unit outline: static/css/app.css, .net-name).
    ring = capped.people
    assert capped.radial and all(p.rotate is not None and -90 <= p.rotate <= 90 for p in ring)
    starts = [(p.label_x, p.label_y) for p in ring]
    assert min(math.dist(a, b) for a, b in zip(starts, starts[1:] + starts[:1], strict=True)) > 23 + 4
    dots = [(p.x, p.y) for p in ring]  # and the dots (44 across) clear of each other
    assert min(math.dist(a, b) for a, b in zip(dots, dots[1:] + dots[:1], strict=True)) > 44
    for p in ring:  # the name starts beyond the dot, on the dot's ray
        out = (p.label_x - network.CENTRE, p.label_y - network.CENTRE)
        assert math.hypot(*out) == pytest.approx(capped.radius + network.GAP)
        assert math.atan2(out[1], out[0]) == pytest.approx(math.atan2(p.y - network.CENTRE, p.x - network.CENTRE))
    assert small.people[0].rotate is None and not small.radial  # one person: a level name beside the dot
    assert client.get("/relations/guests/999999/network").status_code == 404


# --- merges --------------------------------------------------------------------------------------------


def test_merging_two_guests_related_to_the_same_person_and_to_each_other(app: Flask) -> None:
    keep = make_guest(given_name="Klaus", family_name="Müller").id
    other = make_guest(given_name="Klaus", family_name="Mueller").id
    wife = make_guest(given_name="Heike", family_name="Müller").id
    assistant = make_guest(given_name="Mai", family_name="Tran").id
    friend = make_guest(given_name="Ana", family_name="Ruiz").id
    relationships.add_relationship(keep, wife, "spouse", "", ACTOR)
    relationships.add_relationship(wife, other, "spouse", "second profile", ACTOR)  # the same pair from the duplicate
    relationships.add_relationship(keep, other, "family", "typed by mistake", ACTOR)  # the two to be merged
    relationships.add_relationship(assistant, other, "assistant_of", "", ACTOR)  # only the duplicate knew this
    relationships.add_relationship(friend, keep, "referred_by", "", ACTOR)
    before = _rows()
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    assert _rows() == {
        (keep, wife, "spouse", ""),
        (wife, keep, "spouse", ""),
        (assistant, keep, "assistant_of", ""),
        (keep, assistant, "has_assistant", ""),
        (friend, keep, "referred_by", ""),
        (keep, friend, "referred", ""),
    }
    assert [r.guest_id for r in relationships.relationships_of(keep)] == [friend, wife, assistant]
    merges.undo_merge(merge.id, ACTOR)
    db.session.expire_all()
    assert _rows() == before
    assert db.session.scalar(select(func.count()).select_from(GuestRelationship)) == 10
