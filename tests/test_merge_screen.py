"""The merge screens: two guests side by side, merge, the card's Undo, the history with the review list."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from guestbook.extensions import db
from guestbook.guests.models import Guest

from .conftest import AuthActions, csrf_from
from .factories import add_visits, make_guest


def _pair() -> tuple[int, int]:
    keep = make_guest(given_name="Zoë", family_name="Müller", email="zoe@example.test").id
    other = make_guest(given_name="Zoe", family_name="Mueller", email="zm@example.test", company="Ἀλέξανδρος Ltd").id
    add_visits(other, "bar", [("B1", ["Negroni"])])
    return keep, other


def test_the_form_shows_both_guests_with_a_choice_per_differing_field(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    keep, other = _pair()
    auth.login("admin")
    page = client.get(f"/data/merge/{keep}/{other}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Zoë" in html and "Ἀλέξανδρος Ltd" in html
    assert 'name="field-email" value="keep" checked' in html and 'name="field-email" value="other"' in html
    assert 'name="field-company" value="other" checked' in html  # the survivor has none: the other's is preselected
    assert 'name="field-vip_level"' not in html  # the same on both: nothing to choose
    assert f"/data/merge/{other}/{keep}" in html  # the swap link


def test_merge_and_undo_through_the_screens(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    keep, other = _pair()
    auth.login("admin")
    token = csrf_from(client.get(f"/data/merge/{keep}/{other}").get_data(as_text=True))
    response = client.post(
        f"/data/merge/{keep}/{other}", data={"csrf_token": token, "field-email": "other", "field-company": "keep"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/guests/{keep}")
    card = client.get(f"/guests/{keep}").get_data(as_text=True)
    assert "this guest now holds both profiles" in card and "Undo merge" in card
    db.session.expire_all()
    survivor = db.session.get(Guest, keep)
    assert survivor is not None and survivor.email == "zm@example.test" and survivor.company == ""
    # The other's card sends staff to the survivor.
    gone = client.get(f"/guests/{other}")
    assert gone.status_code == 302 and gone.headers["Location"].endswith(f"/guests/{keep}")
    assert "This guest was merged into Zoë Müller." in client.get(f"/guests/{keep}").get_data(as_text=True)
    # Undo from the history, after a visit was added to the survivor: it is listed for review.
    add_visits(keep, "terrace", [("T7", ["Cake"])])
    history = client.get("/data/merges").get_data(as_text=True)
    assert f"#{other}" in history and "Undo" in history
    undo = client.post("/data/merges/1/undo", data={"csrf_token": csrf_from(history)})
    assert undo.status_code == 200
    review = undo.get_data(as_text=True)
    assert "Merge undone" in review and "T7" in review
    db.session.expire_all()
    back = db.session.get(Guest, other)
    assert back is not None and back.company == "Ἀλέξανδρος Ltd" and back.visit_count == 1
    assert client.get(f"/guests/{other}").status_code == 200


def test_a_post_without_the_csrf_token_merges_nothing(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    keep, other = _pair()
    auth.login("admin")
    response = client.post(f"/data/merge/{keep}/{other}", data={"field-email": "other"})
    assert response.status_code in (400, 403)
    db.session.expire_all()
    assert db.session.get(Guest, other) is not None


def test_same_guest_and_undo_twice_on_the_screens(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    keep, other = _pair()
    auth.login("admin")
    same = client.get(f"/data/merge/{keep}/{keep}")
    assert same.status_code == 422 and "cannot be merged into itself" in same.get_data(as_text=True)
    token = csrf_from(client.get(f"/data/merge/{keep}/{other}").get_data(as_text=True))
    client.post(f"/data/merge/{keep}/{other}", data={"csrf_token": token})
    client.post("/data/merges/1/undo", data={"csrf_token": token})
    again = client.post("/data/merges/1/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "already undone" in again.get_data(as_text=True)


def test_only_admins_see_the_merge_screens(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    keep, other = _pair()
    auth.login("manager")
    assert client.get(f"/data/merge/{keep}/{other}").status_code == 403
    assert client.get("/data/merges").status_code == 403
