"""Admin and letters polish (issue 8.9): titles, staff form, outlets renamed and deactivated, empty states, PDFs."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from guestbook.actor import Actor
from guestbook.admin import outlets
from guestbook.admin.schemas import OutletCreate
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.letters import batches as letter_batches
from guestbook.letters import selection as letters
from guestbook.staff.models import StaffUser

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, add_visits, make_guest

SYSTEM = Actor.system("tests")
ADDRESS = {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"}


def _select_values(html: str, name: str) -> list[str]:
    """The option values of the first ``<select name=…>`` on the page."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select named {name}"
    return re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))


def test_settings_title_is_only_the_page_name(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and title.group(1) == "Settings · Guestbook"
    assert html.count("Sensitive words") == 1  # the section is on the page once, not in the head
    assert html.count('name="w-words"') == 1


def test_new_staff_password_is_required_and_only_editing_may_keep_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    floor = db.session.scalars(select(StaffUser).where(StaffUser.role == "floor")).first()
    assert floor is not None
    auth.login("admin")
    new_page = client.get("/admin/staff/new").get_data(as_text=True)
    assert "leave empty" not in new_page
    assert "Password (10+ characters)" in new_page
    token = csrf_from(new_page)
    refused = client.post(
        "/admin/staff/new",
        data={"name": "Ana", "email": "ana@example.com", "role": "floor", "active": "y", "csrf_token": token},
    )
    assert "A new account needs a password." in refused.get_data(as_text=True)
    edit_page = client.get(f"/admin/staff/{floor.id}").get_data(as_text=True)
    assert "leave empty to keep the current one" in edit_page


def test_api_keys_page_has_an_empty_state(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    html = client.get("/admin/api-keys").get_data(as_text=True)
    assert "No API keys yet." in html and "shown only once" in html


def test_outlets_are_renamed_deactivated_and_reactivated_on_the_admin_screen(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    outlets.create_outlet(OutletCreate(code="bamboo", name="Bamboo Bar", kind="bar"), ACTOR)
    g = make_guest(family_name="Archer")
    add_visits(g.id, "bamboo", [("Bar 5", ["negroni"])])
    bamboo = outlets.outlet_by_code("bamboo")
    assert bamboo is not None and bamboo.active and bamboo.language == "en"
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    token = csrf_from(page)
    assert f'action="/admin/outlets/{bamboo.id}"' in page

    saved = client.post(
        f"/admin/outlets/{bamboo.id}",
        data={"csrf_token": token, "action": "save", "name": "Bamboo Lounge", "language": "de"},
        follow_redirects=True,
    )
    assert "Outlet Bamboo Lounge saved." in saved.get_data(as_text=True)
    off = client.post(
        f"/admin/outlets/{bamboo.id}", data={"csrf_token": token, "action": "deactivate"}, follow_redirects=True
    )
    assert "Outlet Bamboo Lounge deactivated." in off.get_data(as_text=True)
    assert "Reactivate" in off.get_data(as_text=True)
    db.session.rollback()
    row = outlets.outlet_by_code("bamboo")
    assert row is not None and (row.name, row.language, row.active) == ("Bamboo Lounge", "de", False)

    # gone from the pickers of new bookings and visits; the visit history still names it
    assert "bamboo" not in _select_values(client.get("/reservations/new").get_data(as_text=True), "outlet")
    card = client.get(f"/guests/{g.id}").get_data(as_text=True)
    assert "bamboo" not in _select_values(card, "outlet")
    assert "terrace" in _select_values(card, "outlet")
    assert "Bamboo Lounge" in card

    client.post(f"/admin/outlets/{bamboo.id}", data={"csrf_token": token, "action": "reactivate"})
    assert "bamboo" in _select_values(client.get("/reservations/new").get_data(as_text=True), "outlet")
    actions = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "outlet_update")).all()
    assert any("deactivated" in a for a in actions) and any("reactivated" in a for a in actions)


def test_outlet_rename_refuses_an_empty_name(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    terrace = outlets.outlet_by_code("terrace")
    assert terrace is not None
    auth.login("admin")
    token = auth.token("/admin/settings")
    page = client.post(
        f"/admin/outlets/{terrace.id}",
        data={"csrf_token": token, "action": "save", "name": "", "language": "en"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "name:" in page
    assert client.post("/admin/outlets/99999", data={"csrf_token": token, "action": "deactivate"}).status_code == 404


def test_api_patch_outlet_renames_deactivates_and_is_documented(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    admin, manager = api_key("admin"), api_key("manager")
    created = client.post(
        "/api/v1/outlets", json={"code": "stube", "name": "Stube", "language": "de"}, headers=admin
    ).get_json()
    assert created["language"] == "de" and created["active"] is True
    oid = created["id"]
    renamed = client.patch(f"/api/v1/outlets/{oid}", json={"name": "Alte Stube"}, headers=admin)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Alte Stube"
    off = client.patch(f"/api/v1/outlets/{oid}", json={"active": False}, headers=admin).get_json()
    assert off["active"] is False and off["name"] == "Alte Stube" and off["code"] == "stube"
    listed = {o["code"]: o for o in client.get("/api/v1/outlets", headers=admin).get_json()["outlets"]}
    assert listed["stube"]["active"] is False and listed["terrace"]["active"] is True
    assert client.patch(f"/api/v1/outlets/{oid}", json={"active": True}, headers=admin).get_json()["active"] is True
    assert client.patch(f"/api/v1/outlets/{oid}", json={"name": ""}, headers=admin).status_code == 422
    assert client.patch(f"/api/v1/outlets/{oid}", json={"code": "x"}, headers=admin).status_code == 422
    assert client.patch(f"/api/v1/outlets/{oid}", json={"language": "not a tag"}, headers=admin).status_code == 422
    assert client.patch("/api/v1/outlets/99999", json={"active": False}, headers=admin).status_code == 404
    assert client.patch(f"/api/v1/outlets/{oid}", json={"active": False}, headers=manager).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    patch = spec["paths"]["/outlets/{outlet_id}"]["patch"]
    assert set(patch["responses"]) >= {"200", "404", "422"}
    assert set(spec["components"]["schemas"]["OutletPatch"]["properties"]) == {"name", "active", "language"}
    assert {"language", "active"} <= set(spec["components"]["schemas"]["Outlet"]["required"])


def _batch_with_a_drafted_letter() -> int:
    make_guest(family_name="Yu", salutation="Mr", birthday="--03-15", marketing_consent=True, address=ADDRESS)
    return letters.run_daily(date(2027, 3, 5), SYSTEM).id


def test_letters_pdf_before_approval_is_disabled_and_says_why(
    app: Flask, client: FlaskClient, auth: AuthActions, api_key
) -> None:  # type: ignore[no-untyped-def]
    batch_id = _batch_with_a_drafted_letter()
    auth.login("concierge")
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert f'href="/letters/batches/{batch_id}/letters.pdf"' not in page
    assert re.search(r"<button[^>]*disabled[^>]*>Letters PDF</button>", page)
    assert "Nothing to print yet" in page
    for path in ("letters.pdf", "labels.pdf"):
        response = client.get(f"/letters/batches/{batch_id}/{path}")
        assert response.status_code == 409
        assert response.mimetype == "text/html"
        assert "no approved letters" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/letter-batches/{batch_id}.pdf", headers=api_key("concierge"))
    assert api.status_code == 409 and "no approved letters" in api.get_json()["error"]

    letter_batches.approve_batch(batch_id, SYSTEM)
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert f'href="/letters/batches/{batch_id}/letters.pdf"' in page
    pdf = client.get(f"/letters/batches/{batch_id}/letters.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_cli_pdf_before_approval_fails_with_the_reason(app: Flask) -> None:
    batch_id = _batch_with_a_drafted_letter()
    result = app.test_cli_runner().invoke(args=["letters", "pdf", "--batch", str(batch_id), "--out", "/dev/null"])
    assert result.exit_code != 0 and "no approved letters" in result.output
