"""Letters: who is due which letter and when, who is left out and why, and the CLI, API and web contracts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader
from sqlalchemy import select, update

from guestbook.actor import Actor
from guestbook.admin import settings
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters import batches as letter_batches
from guestbook.letters import selection as letters
from guestbook.letters.models import Letter, LetterBatch

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, add_visits, make_guest

SYSTEM = Actor.system("tests")
ADDRESS = {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"}


def logged_on_the_day(guest_id: int, outlet: str, visits: list[tuple[str, list[str]]], start: datetime) -> None:
    """Log visits dated in the future of today's clock on their own day (visits more than a day ahead are refused)."""
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        add_visits(guest_id, outlet, visits, start=start)


def guest(**fields: Any) -> Guest:
    """A guest who may be written to, unless the test says otherwise."""
    fields.setdefault("family_name", "Yu")
    fields.setdefault("salutation", "Mr")
    fields.setdefault("marketing_consent", True)
    fields.setdefault("address", ADDRESS)
    return make_guest(**fields)


def letters_of(guest_id: int) -> list[Letter]:
    db.session.rollback()
    return list(db.session.scalars(select(Letter).where(Letter.guest_id == guest_id).order_by(Letter.id)))


def run(day: date) -> LetterBatch:
    return letters.run_daily(day, SYSTEM)


def test_birthday_letter_goes_into_the_batch_ten_days_before(app: Flask) -> None:
    g = guest(birthday="--03-15")
    run(date(2027, 3, 4))
    assert letters_of(g.id) == []
    first = run(date(2027, 3, 5))
    found = letters_of(g.id)
    assert [(x.kind, x.period_key, x.occasion_date, x.status) for x in found] == [
        ("birthday", "2027", date(2027, 3, 15), "drafted")
    ]
    assert found[0].batch_id == first.id
    again = run(date(2027, 3, 5))
    assert again.id == first.id
    run(date(2027, 3, 6))
    assert len(letters_of(g.id)) == 1


def test_a_missed_day_is_caught_up_but_never_too_late(app: Flask) -> None:
    caught = guest(given_name="Caught", birthday="--03-15")
    late = guest(given_name="Late", birthday="--03-10")
    run(date(2027, 3, 7))  # 5 and 6 March were missed
    assert [x.kind for x in letters_of(caught.id)] == ["birthday"]
    assert letters_of(late.id) == []  # 3 days before: it could not arrive in time


def test_29_february_birthday_falls_on_28_february_in_common_years(app: Flask) -> None:
    g = guest(birthday="--02-29")
    run(date(2027, 2, 18))
    assert [(x.occasion_date, x.period_key) for x in letters_of(g.id)] == [(date(2027, 2, 28), "2027")]
    run(date(2028, 2, 19))
    assert [x.occasion_date for x in letters_of(g.id)] == [date(2027, 2, 28), date(2028, 2, 29)]


def test_birthday_and_lapse_make_one_combined_letter_that_tells_the_story(app: Flask) -> None:
    g = guest(given_name="Wei", preferred_name="Mr Yu", birthday="--03-15")
    add_visits(
        g.id,
        "terrace",
        [("Window 2", ["club sandwich", "coffee", "fried egg"])] * 3,
        start=datetime(2024, 2, 20, 8, tzinfo=UTC),
    )
    run(date(2027, 3, 5))
    for day in (date(2027, 3, 6), date(2027, 4, 1), date(2027, 6, 1)):
        run(day)
    found = letters_of(g.id)
    assert [x.kind for x in found] == ["birthday_we_miss_you"]
    text = found[0].body
    assert "It has been three years since you last stayed with us, and we have all missed you." in text
    assert "On 15 March it is your birthday: happy birthday" in text
    assert "Window 2" in text and "club sandwich, coffee and fried egg" in text
    assert found[0].greeting == "Dear Mr Yu,"


def test_we_miss_you_once_per_lapse_episode(app: Flask) -> None:
    g = guest()
    add_visits(
        g.id, "terrace", [("Bar 5", ["negroni"]), ("Bar 5", ["negroni"])], start=datetime(2025, 12, 1, tzinfo=UTC)
    )
    run(date(2026, 11, 30))
    assert letters_of(g.id) == []  # not yet twelve months
    run(date(2026, 12, 2))
    run(date(2026, 12, 3))
    assert [(x.kind, x.period_key) for x in letters_of(g.id)] == [("we_miss_you", "lapse-2025-12-01")]
    logged_on_the_day(g.id, "terrace", [("Bar 5", ["negroni"])], start=datetime(2027, 1, 10, tzinfo=UTC))
    run(date(2027, 6, 1))
    run(date(2028, 1, 12))
    assert [x.period_key for x in letters_of(g.id)] == ["lapse-2025-12-01", "lapse-2027-01-10"]


def test_we_miss_you_waits_for_a_birthday_within_the_cool_down(app: Flask) -> None:
    g = guest(birthday="--01-20")
    add_visits(g.id, "terrace", [("Bar 5", ["negroni"])] * 2, start=datetime(2025, 11, 1, tzinfo=UTC))
    run(date(2026, 11, 25))
    assert letters_of(g.id) == []  # held: it travels with the birthday letter
    run(date(2027, 1, 10))
    assert [x.kind for x in letters_of(g.id)] == ["birthday_we_miss_you"]


def test_thank_you_a_few_days_after_the_first_visit(app: Flask) -> None:
    g = guest()
    logged_on_the_day(g.id, "terrace", [("Table 12", ["pad thai"])], start=datetime(2027, 5, 1, 12, tzinfo=UTC))
    run(date(2027, 5, 3))
    assert letters_of(g.id) == []
    run(date(2027, 5, 4))
    found = letters_of(g.id)
    assert [(x.kind, x.period_key) for x in found] == [("thank_you", "first-visit")]
    assert "1 May 2027" in found[0].body
    run(date(2027, 5, 5))
    assert len(letters_of(g.id)) == 1


def test_anniversary_letter(app: Flask) -> None:
    g = guest(anniversary="--06-20")
    run(date(2027, 6, 10))
    assert [(x.kind, x.period_key) for x in letters_of(g.id)] == [("anniversary", "2027")]
    assert "20 June" in letters_of(g.id)[0].body


def test_left_out_guests_are_recorded_with_the_reason(app: Flask) -> None:
    cases = {
        "do_not_contact": guest(given_name="A", birthday="--03-15", do_not_contact=True),
        "no_consent": guest(given_name="B", birthday="--03-15", marketing_consent=False),
        "no_address": guest(given_name="C", birthday="--03-15", address={"line1": "", "city": "Paris"}),
        "erased": guest(given_name="D", birthday="--03-15"),
        "inactive": guest(given_name="E", birthday="--03-15"),
    }
    db.session.execute(update(Guest).where(Guest.id == cases["erased"].id).values(given_name="", family_name=""))
    add_visits(cases["inactive"].id, "terrace", [("T1", ["tea"])], start=datetime(2020, 1, 1, tzinfo=UTC))
    db.session.commit()
    # Both an anniversary and a birthday due: one letter goes, the other waits for the cool-down.
    both = guest(given_name="F", birthday="--03-15", anniversary="--03-14")
    batch = run(date(2027, 3, 5))
    for reason, g in cases.items():
        assert [(x.status, x.skip_reason) for x in letters_of(g.id)] == [("skipped", reason)], reason
    assert [(x.kind, x.status, x.skip_reason) for x in letters_of(both.id)] == [
        ("birthday", "drafted", None),
        ("anniversary", "skipped", "cool_down"),
    ]
    body = letter_batches.batch_to_dict(letter_batches.get_batch(batch.id))
    assert body["counts"]["skip_reason"]["no_address"] == 1
    assert {g.id for g, _why in letter_batches.needs_address()} == {cases["no_address"].id}


def test_a_letter_mailed_recently_holds_back_the_next_one(app: Flask) -> None:
    g = guest(birthday="--03-15")
    logged_on_the_day(g.id, "terrace", [("T", ["tea"])], start=datetime(2027, 2, 1, tzinfo=UTC))
    run(date(2027, 2, 4))  # thank-you for the first visit
    run(date(2027, 3, 5))
    assert [(x.kind, x.status, x.skip_reason) for x in letters_of(g.id)] == [
        ("thank_you", "drafted", None),
        ("birthday", "skipped", "cool_down"),
    ]
    settings.set_setting("letters_cool_down_days", 20, ACTOR)
    h = guest(given_name="Other", birthday="--03-16")
    logged_on_the_day(h.id, "terrace", [("T", ["tea"])], start=datetime(2027, 2, 1, tzinfo=UTC))
    run(date(2027, 2, 5))
    run(date(2027, 3, 6))
    assert [x.status for x in letters_of(h.id)] == ["drafted", "drafted"]


def test_returned_letter_flags_the_address_until_it_changes(app: Flask) -> None:
    g = guest(birthday="--03-15")
    batch = run(date(2027, 3, 5))
    letter_batches.approve_batch(batch.id, SYSTEM)
    assert letter_batches.mark_batch(batch.id, "printed", SYSTEM) == 1
    letter = letters_of(g.id)[0]
    letter_batches.mark_letter(letter.id, "returned", SYSTEM)
    assert [why for _g, why in letter_batches.needs_address()] == ["returned to sender"]
    run(date(2028, 3, 5))
    assert [(x.status, x.skip_reason) for x in letters_of(g.id)][-1] == ("skipped", "no_address")
    from guestbook.guests import profiles as guests
    from guestbook.guests.schemas import GuestPatch

    current = db.session.get(Guest, g.id)
    assert current is not None
    guests.update_guest(g.id, GuestPatch(version=current.version, address={**ADDRESS, "line1": "1 New Road"}), ACTOR)
    assert letter_batches.needs_address() == []


def test_edit_one_letter_and_statuses(app: Flask) -> None:
    g = guest(birthday="--03-15")
    batch = run(date(2027, 3, 5))
    letter = letters_of(g.id)[0]
    letter_batches.approve_letter(letter.id, SYSTEM)
    edited = letter_batches.edit_letter(letter.id, "Happy birthday!", "Dear Wei,", "A personal note.", "Yours,", SYSTEM)
    assert edited.status == "drafted" and edited.edited
    assert letter_batches.approve_batch(batch.id, SYSTEM) == 1
    letter_batches.mark_letter(letter.id, "mailed", SYSTEM)
    assert letters_of(g.id)[0].status == "mailed"


def test_cli_contract(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    g = guest(birthday="--03-15")
    result = runner.invoke(args=["letters", "run", "--date", "2027-03-05"])
    assert result.exit_code == 0, result.output
    batch_id = int(result.output.strip().splitlines()[-1])
    again = runner.invoke(args=["letters", "run", "--date", "2027-03-05"])
    assert int(again.output.strip().splitlines()[-1]) == batch_id
    assert runner.invoke(args=["letters", "approve", "--batch", str(batch_id)]).exit_code == 0
    assert [x.status for x in letters_of(g.id)] == ["approved"]
    out, labels = tmp_path / "letters.pdf", tmp_path / "labels.pdf"
    result = runner.invoke(
        args=["letters", "pdf", "--batch", str(batch_id), "--out", str(out), "--labels", str(labels)]
    )
    assert result.exit_code == 0, result.output
    assert len(PdfReader(out).pages) == 1 and len(PdfReader(labels).pages) == 1
    csv_path = tmp_path / "batch.csv"
    assert runner.invoke(args=["letters", "csv", "--batch", str(batch_id), "--out", str(csv_path)]).exit_code == 0
    assert "12 Marina View" in csv_path.read_text()
    assert runner.invoke(args=["letters", "approve", "--batch", "999"]).exit_code != 0
    assert runner.invoke(args=["letters", "run", "--date", "tomorrow"]).exit_code != 0


def test_api_contract(app: Flask, client: FlaskClient, api_key: Any) -> None:
    sent = guest(birthday="--03-15")
    left_out = guest(given_name="No", birthday="--03-15", marketing_consent=False)
    batch = run(date(2027, 3, 5))
    headers = api_key("concierge")
    body = client.get(f"/api/v1/letter-batches/{batch.id}", headers=headers).get_json()
    assert body["id"] == batch.id and body["run_date"] == "2027-03-05"
    by_guest = {x["guest_id"]: x for x in body["letters"]}
    assert by_guest[sent.id]["kind"] == "birthday" and by_guest[sent.id]["status"] == "drafted"
    assert "skip_reason" not in by_guest[sent.id]
    assert by_guest[left_out.id]["status"] == "skipped" and by_guest[left_out.id]["skip_reason"] == "no_consent"
    letter_batches.approve_batch(batch.id, SYSTEM)
    pdf = client.get(f"/api/v1/letter-batches/{batch.id}.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get("/api/v1/letter-batches/999", headers=headers).status_code == 404
    assert client.get("/api/v1/letter-batches/999.pdf", headers=headers).status_code == 404
    assert client.get(f"/api/v1/letter-batches/{batch.id}", headers=api_key("floor")).status_code == 403
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_export")).all()
    assert [e.guest_id for e in exports] == [sent.id]


def test_openapi_describes_the_letter_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/letter-batches/{batch_id}" in spec["paths"]
    assert "/letter-batches/{batch_id}.pdf" in spec["paths"]
    kinds = spec["components"]["schemas"]["Letter"]["properties"]["kind"]["enum"]
    assert kinds == ["birthday", "we_miss_you", "birthday_we_miss_you", "thank_you", "anniversary"]


def test_concierge_reviews_approves_and_prints(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    g = guest(given_name="Wei", birthday="--03-15")
    batch = run(date(2027, 3, 5))
    auth.login("concierge")
    page = client.get(f"/letters/batches/{batch.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Wei Yu" in html and "Approve all (1)" in html
    assert "letters.css" in html
    token = csrf_from(html)
    letter = letters_of(g.id)[0]
    response = client.post(
        f"/letters/{letter.id}",
        data={
            "csrf_token": token,
            "subject": "Happy birthday",
            "greeting": "Dear Wei,",
            "body": "We remember your table by the window.",
            "sign_off": "Warmly,",
        },
    )
    assert response.status_code == 302
    assert letters_of(g.id)[0].body == "We remember your table by the window."
    assert client.post(f"/letters/batches/{batch.id}/approve", data={"csrf_token": token}).status_code == 302
    assert letters_of(g.id)[0].status == "approved"
    pdf = client.get(f"/letters/batches/{batch.id}/letters.pdf")
    assert pdf.mimetype == "application/pdf"
    labels = client.get(f"/letters/batches/{batch.id}/labels.pdf")
    assert labels.mimetype == "application/pdf"
    assert "Marina View" in client.get(f"/letters/batches/{batch.id}/batch.csv").get_data(as_text=True)
    client.post(f"/letters/batches/{batch.id}/mark", data={"csrf_token": token, "status": "printed"})
    client.post(f"/letters/{letter.id}/action", data={"csrf_token": token, "action": "mailed"})
    assert letters_of(g.id)[0].status == "mailed"
    assert client.get("/letters/").status_code == 200
    assert client.get("/letters/needs-address").status_code == 200


def test_letter_pages_have_no_inline_script_or_style(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    g = guest(birthday="--03-15")
    batch = run(date(2027, 3, 5))
    letter = letters_of(g.id)[0]
    auth.login("admin")
    for path in (
        "/letters/",
        f"/letters/batches/{batch.id}",
        f"/letters/{letter.id}",
        "/letters/templates",
        "/letters/templates/birthday/zh-Hans",
        "/letters/settings",
        "/letters/needs-address",
    ):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        for tag in html.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src="), f"inline script on {path}"
        assert " style=" not in html and "<style" not in html, path


def test_floor_staff_cannot_see_letters(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert client.get("/letters/").status_code == 403


def test_template_editor_previews_with_a_real_guest_and_refuses_bad_fields(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    g = guest(given_name="Wei", preferred_name="Mr Yu", birthday="--03-15")
    auth.login("concierge")
    page = client.get("/letters/templates/birthday/en")
    token = csrf_from(page.get_data(as_text=True))
    form = {
        "csrf_token": token,
        "subject": "Hello {{ preferred_name }}",
        "greeting": "Dear {{ preferred_name }},",
        "body": "Happy birthday from {{ property_name }}.",
        "sign_off": "Warmly,",
        "preview_guest_id": str(g.id),
    }
    preview = client.post("/letters/templates/birthday/en", data={**form, "action": "preview"})
    assert "Hello Mr Yu" in preview.get_data(as_text=True)
    bad = client.post("/letters/templates/birthday/en", data={**form, "body": "{{ config }}", "action": "save"})
    assert "unknown field config" in bad.get_data(as_text=True)
    saved = client.post("/letters/templates/birthday/en", data={**form, "action": "save"})
    assert saved.status_code == 302
    run(date(2027, 3, 5))
    letter = letters_of(g.id)[0]
    assert letter.subject == "Hello Mr Yu" and letter.template_version == "en/1"


def test_letter_settings_page(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    page = client.get("/letters/settings")
    data = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "letters_birthday_days_before": "14",
        "letters_birthday_min_lead_days": "4",
        "letters_anniversary_days_before": "10",
        "letters_lapse_rule": "rhythm",
        "letters_lapse_months": "12",
        "letters_lapse_min_visits": "2",
        "letters_cool_down_days": "60",
        "letters_inactive_years": "5",
        "letters_thank_you_delay_days": "3",
        "letters_thank_you_window_days": "14",
        "letters_default_language": "en",
        "letters_concierge_name": "Anan Chaiyo",
        "letters_label_layout": "3x8",
        "letters_envelope": "DL",
        "letters_home_country": "th",
        "letters_logo_path": "",
    }
    assert client.post("/letters/settings", data=data).status_code == 302
    assert settings.get_setting("letters_birthday_days_before") == 14
    assert settings.get_setting("letters_home_country") == "TH"
    assert settings.get_setting("letters_lapse_rule") == "rhythm"  # each guest's own rhythm (segments)
    bad = client.post("/letters/settings", data={**data, "letters_label_layout": "lots"})
    assert "auto, or e.g. 3x8" in bad.get_data(as_text=True)


def test_a_lapse_rule_is_registered_per_app(app: Flask) -> None:
    from dataclasses import replace

    from guestbook.letters import rules

    chosen = replace(rules.RuleSettings.load(), lapse_rule="weekly-custom")
    assert rules.lapse_rule(chosen) is rules.FIXED_MONTHS  # unknown names fall back to the fixed threshold
    custom = rules.FixedMonthsLapse()
    rules.register_lapse_rule(app, "weekly-custom", custom)
    assert rules.lapse_rule(chosen) is custom
