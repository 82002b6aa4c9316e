"""Erasure (issue 13 item 5): a guest anonymised everywhere, the raw database file holds none of their data,
their contacts never come back by themselves, and the audit trail is untouched."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, or_, select

from guestbook.admin.outlets import property_today
from guestbook.audit import AuditEvent
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing.models import BriefingArchive
from guestbook.data import erasure
from guestbook.data.models import Erasure
from guestbook.db import write_transaction
from guestbook.extensions import Base, db
from guestbook.guests import notes, search_results, suggestions
from guestbook.guests.models import ContactSuggestion, Guest, GuestNote, Preference, Visit
from guestbook.guests.schemas import PreferenceCreate, VisitCreate
from guestbook.guests.search_models import GuestToken, SearchVocabVariant
from guestbook.guests.visits import log_visit
from guestbook.letters.models import Letter, LetterBatch
from guestbook.reservations.bookings import ReservationIn, upsert_reservation
from guestbook.reservations.models import Reservation

from .conftest import AuthActions
from .factories import ACTOR, make_guest

KeyMaker = Callable[[str], dict[str, str]]

ZEPH: dict[str, Any] = {
    "given_name": "Zephyrine",
    "family_name": "Quortleby",
    "pronunciation": "zef-ih-reen kwort-el-bee",
    "email": "zephyrine.quortleby@example.org",
    "phone": "+66 81 937 4621",
    "address": {"line1": "77 Xanthoria Lane", "city": "Chiang Mai", "postal_code": "50200", "country": "TH"},
    "company": "Vortlebrook Holdings",
    "notes": "Likes the Zephyrine corner",
    "birthday": "1984-07-19",
}
THAI: dict[str, Any] = {
    "given_name": "สมฤดีพร",
    "family_name": "ศรีสุขเกษมวงศ์",
    "email": "somruedeeporn@example.co.th",
    "phone": "089 555 1234",
}
# What must not be left anywhere in the database file (as UTF-8 bytes).
SECRETS = [
    "Zephyrine",
    "zephyrine",
    "Quortleby",
    "quortleby",
    "zephyrine.quortleby@example.org",
    "819374621",
    "Xanthoria",
    "Vortlebrook",
    "สมฤดีพร",
    "ศรีสุขเกษมวงศ์",
    "somruedeeporn",
    "895551234",
]


def _rich_guest(fields: dict[str, Any]) -> Guest:
    """A guest with something in every table that can hold their data."""
    guest = make_guest(**fields)
    name = fields["given_name"]
    for days, table in ((400, "Q7"), (30, "Q8")):
        log_visit(
            guest.id,
            VisitCreate(
                outlet="terrace",
                visited_at=datetime.now(UTC) - timedelta(days=days),
                table=table,
                party_size=2,
                items=["Pad thai"],
                spend="1500.00",
                notes=f"{name} came with friends",
            ),
            ACTOR,
        )
    notes.add_note(guest.id, f"{name} asked for the quiet corner", ACTOR)
    notes.add_preference(
        guest.id, PreferenceCreate(category="seating", value="booth", note=f"{name}'s favourite"), ACTOR
    )
    suggestions.suggest_contact(guest.id, suggestions.ContactSuggestionIn(email=f"other.{name}@example.net"), ACTOR)
    upsert_reservation(
        "pms",
        f"R-{guest.id}",
        ReservationIn(
            guest_id=guest.id,
            outlet="terrace",
            arrival_date=property_today(),
            occasion=f"{name} birthday",
            notes=f"{name} wants a cake",
        ),
        ACTOR,
    )
    with write_transaction():
        batch = db.session.scalar(select(LetterBatch).where(LetterBatch.run_date == date(2026, 1, 1)))
        if batch is None:
            batch = LetterBatch(run_date=date(2026, 1, 1), created_by="tests")
            db.session.add(batch)
            db.session.flush()
        for kind, status in (("birthday", "drafted"), ("thank_you", "mailed")):
            db.session.add(
                Letter(
                    batch_id=batch.id,
                    guest_id=guest.id,
                    kind=kind,
                    family=kind,
                    period_key="2026",
                    status=status,
                    subject=f"For {name}",
                    greeting=f"Dear {name}",
                    body=f"We miss you, {name}.",
                    sign_off="Guest Relations",
                )
            )
    return db.session.get(Guest, guest.id)  # type: ignore[return-value]


def _db_files() -> list[Path]:
    path = Path(str(db.engine.url.database))
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def _found_in_file(secrets: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _db_files():
        raw = path.read_bytes()
        hits = [s for s in secrets if s.encode("utf-8") in raw]
        if hits:
            found[path.name] = hits
    return found


def _audit_rows() -> list[tuple[Any, ...]]:
    return [
        (e.id, e.at, e.actor, e.staff_user_id, e.api_key_id, e.action, e.guest_id, e.ip, e.detail)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite database file and its WAL")
def test_after_erasure_and_compaction_the_raw_file_holds_none_of_their_data(app: Flask) -> None:
    zeph = _rich_guest(ZEPH)
    thai = _rich_guest(THAI)
    keeper = make_guest(given_name="Marguerite", family_name="Okonkwo-Baptiste", email="marguerite@example.com")
    ids = (zeph.id, thai.id, keeper.id)
    briefing_archive.archive_briefing(property_today(), "", ACTOR)
    db.session.remove()
    assert _found_in_file(SECRETS), "the test data should be in the file before the erasure"

    erasure.erase_guest(ids[0], "asked by e-mail on 2 Dec", ACTOR)
    erasure.erase_guest(ids[1], "asked at the desk", ACTOR)
    result = erasure.compact_database()

    assert result["vacuum"] is True
    assert _found_in_file(SECRETS) == {}
    raw = b"".join(p.read_bytes() for p in _db_files())
    assert b"Okonkwo-Baptiste" in raw and b"marguerite@example.com" in raw  # others are untouched
    assert db.session.get(Guest, ids[2]).family_name == "Okonkwo-Baptiste"  # type: ignore[union-attr]


def test_erasure_blanks_the_profile_keeps_counts_and_stops_letters(app: Flask) -> None:
    guest = _rich_guest(ZEPH)
    gid = guest.id
    before_spend = db.session.scalar(select(func.sum(Visit.spend)).where(Visit.guest_id == gid))

    record = erasure.erase_guest(gid, "asked by e-mail", ACTOR)

    db.session.expire_all()
    erased = db.session.get(Guest, gid)
    assert erased is not None and erased.erased_at is not None
    assert (erased.given_name, erased.family_name, erased.email, erased.phone, erased.phone_digits) == (
        "",
        "",
        None,
        None,
        None,
    )
    assert (erased.address_line1, erased.address_city, erased.company, erased.notes, erased.pronunciation) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert erased.birthday_month is None and erased.birthday_year is None
    assert erased.do_not_contact is True and erased.marketing_consent is False
    assert erased.preferred_name == f"Erased guest #{gid}"
    # Statistics stay: the visits, their count and spend; their free text goes.
    assert erased.visit_count == 2
    visits = list(db.session.scalars(select(Visit).where(Visit.guest_id == gid)))
    assert len(visits) == 2 and all(v.notes == "" and v.table == "" and v.served_by_name == "" for v in visits)
    assert all(v.items == ["Pad thai"] for v in visits)
    assert (
        db.session.scalar(select(func.sum(Visit.spend)).where(Visit.guest_id == gid))
        == before_spend
        == Decimal("3000.00")
    )
    # What only described them is gone.
    for model in (GuestNote, Preference, ContactSuggestion):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.guest_id == gid)) == 0
    booking = db.session.scalars(select(Reservation).where(Reservation.guest_id == gid)).one()
    assert (booking.notes, booking.occasion) == ("", "")
    letters = {x.kind: x for x in db.session.scalars(select(Letter).where(Letter.guest_id == gid))}
    assert (letters["birthday"].status, letters["birthday"].skip_reason) == ("skipped", "erased")
    assert letters["thank_you"].status == "mailed"  # already in the post: history, but without its text
    assert all((x.subject, x.greeting, x.body) == ("", "", "") for x in letters.values())
    # Who, when and why are recorded; the audit event says which erasure, never why.
    row = db.session.get(Erasure, record.id)
    assert row is not None and (row.guest_id, row.kind, row.reason, row.erased_by) == (
        gid,
        "request",
        "asked by e-mail",
        "tests",
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "guest_erase")).one()
    assert event.guest_id == gid and "e-mail" not in event.detail


def test_search_no_longer_finds_them_and_their_words_leave_the_vocabulary(app: Flask) -> None:
    guest = _rich_guest(ZEPH)
    other = make_guest(given_name="Zephyrine", family_name="Otherperson")  # shares the given name
    assert {r.guest.id for r in search_results.find("Quortleby", "admin")} == {guest.id}

    erasure.erase_guest(guest.id, "request", ACTOR)

    assert search_results.find("Quortleby", "admin") == []
    assert search_results.find("Quortlby", "admin") == []  # nor with a typo-tolerant form
    assert search_results.find("819374621", "admin") == []  # nor by phone digits
    assert {r.guest.id for r in search_results.find("Zephyrine", "admin")} == {other.id}
    assert db.session.scalar(select(func.count()).select_from(GuestToken).where(GuestToken.guest_id == guest.id)) == 0
    vocab = set(db.session.scalars(select(SearchVocabVariant.token)))
    assert "quortleby" not in vocab and "zephyrine" in vocab  # still used by the other guest


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_archived_briefings_that_listed_them_are_rendered_again_without_them(app: Flask, tmp_path: Path) -> None:
    guest = _rich_guest(ZEPH)
    keeper = make_guest(given_name="Marguerite", family_name="Okonkwo")
    upsert_reservation(
        "pms", "K-1", ReservationIn(guest_id=keeper.id, outlet="terrace", arrival_date=property_today()), ACTOR
    )
    row = briefing_archive.archive_briefing(property_today(), "", ACTOR)
    assert row is not None

    def text_of(archive_id: int) -> str:
        pdf = tmp_path / "b.pdf"
        pdf.write_bytes(db.session.get(BriefingArchive, archive_id).pdf)  # type: ignore[union-attr]
        return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout

    assert "Quortleby" in text_of(row.id)
    erasure.erase_guest(guest.id, "request", ACTOR)
    db.session.expire_all()
    after = text_of(row.id)
    assert "Quortleby" not in after and "Zephyrine" not in after
    assert "Okonkwo" in after


def test_erasing_twice_is_409_and_the_reason_is_checked(app: Flask, client: FlaskClient, api_key: KeyMaker) -> None:
    guest = make_guest(given_name="Twice", family_name="Erased")
    admin = api_key("admin")
    url = f"/api/v1/guests/{guest.id}/erase"
    for bad in ({}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "a\x00b"}):
        response = client.post(url, json=bad, headers=admin)
        assert response.status_code == 422 and "reason" in response.get_json()["fields"], bad
    assert client.post(url, json={"reason": "ok"}, headers=api_key("manager")).status_code == 403

    first = client.post(url, json={"reason": "asked by phone"}, headers=admin)
    assert first.status_code == 200
    body = first.get_json()
    assert body["guest_id"] == guest.id and body["erasure_id"] >= 1 and body["erased_at"]
    again = client.post(url, json={"reason": "asked by phone"}, headers=admin)
    assert again.status_code == 409
    assert client.post("/api/v1/guests/999999/erase", json={"reason": "x"}, headers=admin).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Erasure)) == 1


def test_their_email_or_phone_cannot_come_back_unless_an_admin_overrides(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    guest = make_guest(given_name="Gone", family_name="Away", email="Gone.Away@Example.org", phone="+66 81 222 3344")
    erasure.erase_guest(guest.id, "request", ACTOR)
    admin, concierge = api_key("admin"), api_key("concierge")

    by_email = client.post("/api/v1/guests", json={"given_name": "G", "email": "gone.away@example.org"}, headers=admin)
    assert by_email.status_code == 409 and by_email.get_json()["field"] == "email"
    assert "forgotten" in by_email.get_json()["error"]
    by_phone = client.post("/api/v1/guests", json={"given_name": "G", "phone": "081 222 3344"}, headers=concierge)
    assert by_phone.status_code == 409 and by_phone.get_json()["field"] == "phone"
    refused = client.post(
        "/api/v1/guests?allow_erased=true", json={"given_name": "G", "phone": "081 222 3344"}, headers=concierge
    )
    assert refused.status_code == 403
    bad = client.post("/api/v1/guests?allow_erased=yes", json={"given_name": "G"}, headers=admin)
    assert bad.status_code == 422 and "allow_erased" in bad.get_json()["fields"]
    allowed = client.post(
        "/api/v1/guests?allow_erased=true", json={"given_name": "G", "email": "gone.away@example.org"}, headers=admin
    )
    assert allowed.status_code == 201 and allowed.get_json()["email"] == "gone.away@example.org"
    fresh = client.post("/api/v1/guests", json={"given_name": "New", "email": "new@example.org"}, headers=admin)
    assert fresh.status_code == 201


def test_the_new_guest_form_says_the_contact_was_erased(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Gone", email="gone@example.org")
    erasure.erase_guest(guest.id, "request", ACTOR)
    auth.login("concierge")
    token = auth.token("/guests/new")
    response = client.post(
        "/guests/new", data={"given_name": "Again", "email": "gone@example.org", "language": "en", "csrf_token": token}
    )
    assert response.status_code == 200
    assert "asked to be forgotten" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Guest).where(Guest.given_name == "Again")) == 0


def test_a_booking_with_an_erased_contact_makes_a_guest_without_it(app: Flask) -> None:
    guest = make_guest(given_name="Gone", email="gone@example.org", phone="+66 81 222 3344")
    erasure.erase_guest(guest.id, "request", ACTOR)
    booking, _created = upsert_reservation(
        "pms",
        "B-1",
        ReservationIn.model_validate(
            {
                "guest": {"given_name": "Gone", "email": "gone@example.org", "phone": "081 222 3344"},
                "outlet": "terrace",
                "arrival_date": property_today().isoformat(),
            }
        ),
        ACTOR,
    )
    made = db.session.get(Guest, booking.guest_id)
    assert made is not None and made.id != guest.id
    assert (made.email, made.phone, made.erased_at) == (None, None, None)


def test_audit_rows_written_before_the_erasure_are_unchanged(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    guest = _rich_guest(ZEPH)
    client.get(f"/api/v1/guests/{guest.id}", headers=api_key("manager"))
    before = _audit_rows()
    assert any(row[6] == guest.id for row in before)

    erasure.erase_guest(guest.id, "request", ACTOR)

    after = _audit_rows()
    assert after[: len(before)] == before
    assert [row[5] for row in after[len(before) :]] == ["guest_erase"]


def test_the_privacy_page_erases_after_the_number_is_typed(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Zephyrine", family_name="Quortleby")
    auth.login("admin")
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert f"/data/guests/{guest.id}/privacy" in card
    page = client.get(f"/data/guests/{guest.id}/privacy")
    assert page.status_code == 200
    token = auth.token(f"/data/guests/{guest.id}/privacy")
    wrong = client.post(
        f"/data/guests/{guest.id}/erase", data={"reason": "asked", "confirm": "999", "csrf_token": token}
    )
    assert wrong.status_code == 422 and db.session.get(Guest, guest.id).erased_at is None  # type: ignore[union-attr]
    done = client.post(
        f"/data/guests/{guest.id}/erase",
        data={"reason": "asked in person", "confirm": str(guest.id), "csrf_token": token},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Guest, guest.id).erased_at is not None  # type: ignore[union-attr]
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Erased guest" in card and "Quortleby" not in card and "Zephyrine" not in card
    record = client.get(f"/data/guests/{guest.id}/privacy").get_data(as_text=True)
    assert "asked in person" in record
    auth.login("manager")
    assert f"/data/guests/{guest.id}/privacy" not in client.get(f"/guests/{guest.id}").get_data(as_text=True)


def test_compact_database_runs_on_any_database(app: Flask) -> None:
    make_guest(given_name="Someone")
    result = erasure.compact_database()
    assert result["vacuum"] is True and result["database"] == db.engine.dialect.name
    assert db.session.scalar(select(func.count()).select_from(Guest)) == 1


def test_no_table_pointing_at_the_guest_keeps_their_rows_except_the_statistics(app: Flask) -> None:
    guest = _rich_guest(ZEPH)
    erasure.erase_guest(guest.id, "request", ACTOR)
    left: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table.name == "guest"]
        if not columns or table.name == "guest":
            continue
        count = db.session.scalar(select(func.count()).select_from(table).where(or_(*(c == guest.id for c in columns))))
        if count:
            left[table.name] = count
    assert set(left) <= erasure.KEPT_TABLES
    assert left == {"visit": 2, "reservation": 1, "letter": 2}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_an_archived_sheet_showing_them_as_a_possible_match_is_rendered_again(app: Flask, tmp_path: Path) -> None:
    candidate = make_guest(given_name="Zephyrine", family_name="Quortleby", allergies=[{"allergen": "lupin"}])
    booking, _ = upsert_reservation(
        "pms",
        "P-1",
        ReservationIn.model_validate(
            {
                "guest": {"given_name": "Zephyrine", "family_name": "Quortleby"},
                "outlet": "terrace",
                "arrival_date": property_today().isoformat(),
            }
        ),
        ACTOR,
    )
    assert booking.match == "possible" and booking.guest_id != candidate.id
    row = briefing_archive.archive_briefing(property_today(), "", ACTOR)
    assert row is not None
    pdf = tmp_path / "b.pdf"

    def text() -> str:
        db.session.expire_all()
        pdf.write_bytes(db.session.get(BriefingArchive, row.id).pdf)  # type: ignore[union-attr]
        return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout

    assert "lupin" in text().lower()
    erasure.erase_guest(candidate.id, "request", ACTOR)
    assert "lupin" not in text().lower()


def test_a_batch_forgets_the_letters_it_could_not_make_for_them(app: Flask) -> None:
    gone = make_guest(given_name="Gone")
    kept = make_guest(given_name="Kept")
    with write_transaction():
        failures = [
            {"guest_id": gone.id, "kind": "birthday", "language": "en", "reason": "Dear Gone: bad template"},
            {"guest_id": kept.id, "kind": "birthday", "language": "en", "reason": "bad template"},
        ]
        db.session.add(LetterBatch(run_date=date(2026, 2, 1), skipped=failures))
    erasure.erase_guest(gone.id, "request", ACTOR)
    db.session.expire_all()
    batch = db.session.scalars(select(LetterBatch)).one()
    assert [item["guest_id"] for item in batch.skipped] == [kept.id]


def test_an_import_does_not_bring_an_erased_guest_back(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    first = tmp_path / "guests.csv"
    first.write_text(
        "source_id,given_name,family_name,email\nP-1,Zephyrine,Quortleby,zq@example.org\nP-2,Ann,Keep,\n"
        "P-3,Nomail,Person,\n",
        encoding="utf-8",
    )
    created = runner.invoke(args=["import", "guests", str(first), "--source", "opera"])
    assert created.exit_code == 0, created.output
    gid = db.session.scalars(select(Guest.id).where(Guest.family_name == "Quortleby")).one()
    erasure.erase_guest(gid, "request", ACTOR)
    no_mail = db.session.scalars(select(Guest.id).where(Guest.given_name == "Nomail")).one()
    erasure.erase_guest(no_mail, "request", ACTOR)  # nothing to hash: the source id keeps them away
    # The same file again, and the same e-mail under a new source id: neither comes back.
    second = tmp_path / "again.csv"
    second.write_text(
        "source_id,given_name,family_name,email\nP-1,Zephyrine,Quortleby,zq@example.org\nQ-9,Zeph,Q,ZQ@example.org\n",
        encoding="utf-8",
    )
    for path in (first, second):
        again = runner.invoke(args=["import", "guests", str(path), "--source", "opera"])
        assert again.exit_code == 0, again.output
    db.session.rollback()
    for name in ("Zeph%", "Nomail"):
        assert db.session.scalar(select(func.count()).select_from(Guest).where(Guest.given_name.like(name))) == 0
    assert db.session.scalar(select(func.count()).select_from(Guest)) == 3  # the two erased rows and Ann


def test_an_edit_cannot_put_an_erased_contact_on_another_guest(
    app: Flask, client: FlaskClient, api_key: KeyMaker
) -> None:
    gone = make_guest(given_name="Gone", email="gone.again@example.org", phone="+66 81 555 0101")
    erasure.erase_guest(gone.id, "request", ACTOR)
    other = make_guest(given_name="Other")
    url = f"/api/v1/guests/{other.id}"
    concierge, admin = api_key("concierge"), api_key("admin")
    by_email = client.patch(url, json={"version": other.version, "email": "Gone.Again@example.org"}, headers=concierge)
    assert by_email.status_code == 409 and by_email.get_json()["field"] == "email"
    by_phone = client.patch(url, json={"version": other.version, "phone": "081 555 0101"}, headers=concierge)
    assert by_phone.status_code == 409 and by_phone.get_json()["field"] == "phone"
    assert client.get(url, headers=admin).get_json()["email"] is None  # nothing was written
    allowed = client.patch(url, json={"version": other.version, "phone": "081 555 0101"}, headers=admin)
    assert allowed.status_code == 200  # an admin decides it is someone else's number now
