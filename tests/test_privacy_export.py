"""A guest's data export (issue 13 item 5): everything held, as JSON and as a readable PDF; admins only."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from guestbook.admin.outlets import property_today
from guestbook.audit import AuditEvent
from guestbook.data import privacy
from guestbook.data.privacy import SECTIONS
from guestbook.data.privacy_pdf import render_export
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import notes, photos, suggestions, tags
from guestbook.guests.schemas import AllergyIn, PreferenceCreate, VisitCreate
from guestbook.guests.visits import log_visit
from guestbook.letters.models import GuestAddressFlag
from guestbook.reservations.bookings import ReservationIn, upsert_reservation

from .conftest import AuthActions
from .factories import ACTOR, make_guest

KeyMaker = Callable[[str], dict[str, str]]
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _guest_with_everything() -> int:
    guest = make_guest(
        given_name="Zoë",
        family_name="Müller",
        preferred_name="Zoë",
        email="zoe.mueller@example.de",
        phone="+49 30 1234 5678",
        address={"line1": "Hauptstraße 5", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        birthday="1990-03-14",
        notes="Allergic to cats at home",
    )
    log_visit(
        guest.id,
        VisitCreate(
            outlet="terrace",
            visited_at=datetime.now(UTC) - timedelta(days=3),
            table="T4",
            items=["Tom yum"],
            spend="900.00",
            notes="celebrated",
        ),
        ACTOR,
    )
    notes.add_note(guest.id, "Prefers still water", ACTOR)
    notes.add_preference(guest.id, PreferenceCreate(category="seating", value="window"), ACTOR)
    notes.add_allergy(guest.id, AllergyIn(allergen="peanut", severity="severe"), ACTOR)
    tags.create_tag("regular", "#336699", ACTOR)
    tags.set_guest_tags(guest.id, ["regular"], ACTOR)
    photos.record_consent(guest.id, ACTOR)
    suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(phone="+49 170 111 2222"), ACTOR)
    upsert_reservation(
        "pms",
        "R-77",
        ReservationIn(guest_id=guest.id, outlet="terrace", arrival_date=property_today(), occasion="anniversary"),
        ACTOR,
    )
    with write_transaction():
        db.session.add(GuestAddressFlag(guest_id=guest.id, fingerprint="f" * 64))
    return guest.id


def test_the_json_export_has_every_section_and_contacts_in_full(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    gid = _guest_with_everything()
    response = client.get(f"/api/v1/guests/{gid}/export", headers=api_key("admin"))

    assert response.status_code == 200
    data = response.get_json()
    assert set(SECTIONS) <= set(data)
    profile = data["profile"]
    assert (profile["given_name"], profile["family_name"]) == ("Zoë", "Müller")
    assert profile["email"] == "zoe.mueller@example.de" and profile["phone"] == "+49 30 1234 5678"
    assert profile["address_line1"] == "Hauptstraße 5" and profile["birthday_year"] == 1990
    assert [v["outlet"] for v in data["visits"]] == ["terrace"] and data["visits"][0]["spend"] == "900.00"
    assert data["visits"][0]["notes"] == "celebrated" and data["visits"][0]["items"] == ["Tom yum"]
    assert [n["body"] for n in data["notes"]] == ["Prefers still water"]
    assert [p["value"] for p in data["preferences"]] == ["window"]
    assert [a["allergen"] for a in data["allergies"]] == ["peanut"]
    assert [t["name"] for t in data["tags"]] == ["regular"]
    assert data["photo"]["consent"] is True and data["photo"]["has_photo"] is False
    assert [s["value"] for s in data["contact_suggestions"]] == ["+49 170 111 2222"]
    assert [r["occasion"] for r in data["reservations"]] == ["anniversary"]
    assert data["erased_at"] is None and data["erasures"] == []
    # Any other table pointing at the guest is listed too (here: a returned-letter address flag).
    assert [row["fingerprint"] for row in data["other"]["guest_address_flag"]] == ["f" * 64]
    actions = [e["action"] for e in data["access_log"]]
    assert actions[0] == "guest_export" and "guest_create" in actions
    assert set(data["access_log"][0]) == {"id", "at", "who", "action", "device", "address"}
    # The export is audited, with nothing personal in the detail.
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "guest_export")).one()
    assert event.guest_id == gid and event.detail == ""


def test_export_is_for_admins_only_and_unknown_ids_are_404(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    gid = make_guest(given_name="Ann").id
    for role in ("floor", "concierge", "manager"):
        headers = api_key(role)
        assert client.get(f"/api/v1/guests/{gid}/export", headers=headers).status_code == 403
        assert client.get(f"/api/v1/guests/{gid}/export.pdf", headers=headers).status_code == 403
    admin = api_key("admin")
    assert client.get("/api/v1/guests/999999/export", headers=admin).status_code == 404
    assert client.get("/api/v1/guests/999999/export.pdf", headers=admin).status_code == 404


@needs_pdftotext
@pytest.mark.parametrize(
    ("given", "family"),
    [("สมชาย", "ใจดี"), ("小明", "王"), ("花子", "佐藤"), ("민준", "김"), ("Zoë", "Müller")],
    ids=["thai", "chinese", "japanese", "korean", "latin"],
)
def test_the_pdf_export_reads_back_in_every_script(
    app: Flask, client: FlaskClient, api_key: KeyMaker, tmp_path: Path, given: str, family: str
) -> None:
    gid = make_guest(given_name=given, family_name=family, notes=f"{family} {given} likes tea").id
    response = client.get(f"/api/v1/guests/{gid}/export.pdf", headers=api_key("admin"))

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = _pdftotext(response.data, tmp_path)
    assert given in text and family in text
    assert "guest_create" in text  # the access log is in it
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "guest_export_pdf")).all()


@needs_pdftotext
def test_a_long_export_runs_over_several_pages(app: Flask, tmp_path: Path) -> None:
    gid = _guest_with_everything()
    data = privacy.collect_export(gid)
    data["access_log"] = data["access_log"] * 200
    pdf = render_export(data)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert "Müller" in _pdftotext(pdf, tmp_path)


def test_the_privacy_page_downloads_json_and_pdf(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    gid = make_guest(given_name="王", family_name="小明").id
    auth.login("admin")
    page = client.get(f"/data/guests/{gid}/privacy")
    assert page.status_code == 200
    as_json = client.get(f"/data/guests/{gid}/export.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["Content-Disposition"]
    assert "王" in as_json.get_data(as_text=True)
    as_pdf = client.get(f"/data/guests/{gid}/export.pdf")
    assert as_pdf.status_code == 200 and as_pdf.data.startswith(b"%PDF")
    auth.login("manager")
    assert client.get(f"/data/guests/{gid}/privacy").status_code == 403


def test_the_export_follows_rows_that_hang_off_the_guests_rows(app: Flask) -> None:
    """A complaint points at the guest; its follow-up notes point at the complaint, and are the guest's data too."""
    from guestbook.relations import feedback as feedback_rules
    from guestbook.relations.schemas import FeedbackCreate

    guest = make_guest(given_name="Ιωάννα", family_name="Παπαδοπούλου")
    other = make_guest(given_name="Other")
    complaint = feedback_rules.create_feedback(
        guest.id, FeedbackCreate.model_validate({"kind": "complaint", "text": "Cold soup"}), ACTOR
    )
    feedback_rules.add_note(complaint.id, "Called her back: soup on the house next time", ACTOR)
    elsewhere = feedback_rules.create_feedback(
        other.id, FeedbackCreate.model_validate({"kind": "complaint", "text": "Loud table"}), ACTOR
    )
    feedback_rules.add_note(elsewhere.id, "Not hers", ACTOR)

    data = privacy.collect_export(guest.id)

    assert [row["text"] for row in data["other"]["feedback"]] == ["Cold soup"]
    bodies = [row["body"] for row in data["other"]["feedback_note"]]
    assert "Called her back: soup on the house next time" in bodies
    assert "Not hers" not in bodies
    assert {row["feedback_id"] for row in data["other"]["feedback_note"]} == {complaint.id}
