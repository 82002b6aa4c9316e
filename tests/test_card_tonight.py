"""Tonight on the card: today's booking on top and in the visit form, arrival on save, what the guest said last time."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from guestbook.admin import outlets
from guestbook.admin.outlets import property_tz
from guestbook.briefing import assembly as briefing
from guestbook.briefing.render import render_briefing
from guestbook.extensions import db
from guestbook.guests import recognition, visits
from guestbook.guests.models import Guest, Visit
from guestbook.guests.schemas import VisitCreate
from guestbook.reservations import bookings as reservations
from guestbook.reservations.models import Reservation

from .conftest import AuthActions, csrf_from
from .factories import ACTOR, make_guest

# 10:00 in Bangkok on 10 June 2026 (03:00 UTC); the booking is for 19:30 that evening.
NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def bangkok(app: Flask) -> None:
    """The property is in Bangkok (UTC+7), so its day and the UTC day differ for seven hours."""
    prop = outlets.default_property()
    prop.timezone = "Asia/Bangkok"
    db.session.commit()


def _visit(guest_id: int, when: datetime, outlet: str = "bar", table: str = "Bar 5", notes: str = "") -> Visit:
    return visits.log_visit(
        guest_id,
        VisitCreate(
            outlet=outlet,
            visited_at=when,
            table=table,
            party_size=3,
            items=["negroni"],
            notes=notes,
            confirm_sensitive=True,  # as staff who confirmed the warning
        ),
        ACTOR,
    )


def _book(guest_id: int, ext: str, at: time | None = time(19, 30), day: date = TODAY, **extra: object) -> Reservation:
    fields: dict[str, object] = {
        "guest_id": guest_id,
        "outlet": "terrace",
        "arrival_date": day,
        "arrival_time": at,
        "party_size": 2,
        "table": "Table 23",
        **extra,
    }
    reservation, _created = reservations.upsert_reservation(
        "pms", ext, reservations.ReservationIn.model_validate(fields), ACTOR
    )
    return reservation


def _bar_regular() -> Guest:
    """Three visits at the Bamboo Bar, Bar 5, party of 3 — and tonight a Terrace booking."""
    guest = make_guest(given_name="Nattaya", family_name="Srisuk")
    for n in range(3):
        _visit(guest.id, NOW - timedelta(days=10 + 7 * n))
    return guest


def test_card_shows_todays_booking_and_prefills_the_visit_from_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _bar_regular()
    res = _book(guest.id, "T1", occasion="Wedding anniversary", notes="Quiet <corner> please")
    with time_machine.travel(NOW, tick=False):
        auth.login("floor")
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    booked = html[html.index('class="panel booked-today"') :].split("</section>")[0]
    for text in ("19:30", "Terrace", "Table 23", "party of 2", "Wedding anniversary", "Quiet &lt;corner&gt; please"):
        assert text in booked, text
    assert html.index("booked-today") < html.index("Their usual") < html.index("Log tonight")
    form = html[html.index('id="log-h"') :].split("</form>")[0]
    assert re.search(r'<option selected value="terrace">|<option value="terrace" selected>', form), "outlet = booking's"
    assert re.search(r'name="table"[^>]*value="Table 23"', form), "table = booking's, not the bar habit"
    assert re.search(r'name="party_size"[^>]*value="2"', form), "party = booking's"
    assert re.search(rf'name="reservation_id"[^>]*value="{res.id}"', form)
    # Recognised at the booking's outlet: the heading says where the usual is from.
    assert "Their usual at Terrace" in html
    # The bar order is shown as from elsewhere and not pre-ticked: one tap must not record negroni at the Terrace.
    assert "Order elsewhere" in html
    assert not re.search(r'name="items"[^>]*value="negroni"[^>]*checked', form)


def test_saving_the_prefilled_visit_marks_the_booking_arrived(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _bar_regular()
    res = _book(guest.id, "T1")
    with time_machine.travel(NOW, tick=False):
        auth.login("floor")
        page = client.get(f"/guests/{guest.id}").get_data(as_text=True)
        form = page[page.index('id="log-h"') :].split("</form>")[0]
        fields = dict(re.findall(r'name="(reservation_id|table|party_size)"[^>]*value="([^"]*)"', form))
        response = client.post(
            f"/guests/{guest.id}/visits",
            data={"csrf_token": csrf_from(page), "outlet": "terrace", "items": ["negroni"], **fields},
        )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#top"), "the card opens at the top, where 'Visit saved.' is"
    visit = db.session.scalars(select(Visit).where(Visit.guest_id == guest.id).order_by(Visit.id.desc())).first()
    assert visit is not None and (visit.outlet.code, visit.table, visit.party_size) == ("terrace", "Table 23", 2)
    assert db.session.get(Reservation, res.id).status == "arrived"  # type: ignore[union-attr]
    # The bar habit was not strengthened by a wrong one-tap save.
    bar = db.session.scalars(select(Visit).where(Visit.guest_id == guest.id, Visit.table == "Bar 5")).all()
    assert len(bar) == 3
    # After arrival the card still speaks of tonight's place, and a second save links no booking.
    with time_machine.travel(NOW, tick=False):
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert "Arrived ✓" in html and "Their usual at Terrace" in html
    assert re.search(r'name="table"[^>]*value="Table 23"', html)
    assert re.search(r'name="reservation_id"[^>]*value=""', html)


def test_log_visit_links_only_this_guests_booking_and_only_a_live_one(app: Flask) -> None:
    guest = _bar_regular()
    other = make_guest(given_name="Other")
    theirs = _book(other.id, "OTHER")
    with pytest.raises(visits.UnknownReservation):
        visits.log_visit(guest.id, VisitCreate(outlet="terrace", visited_at=NOW, reservation_id=theirs.id), ACTOR)
    with pytest.raises(visits.UnknownReservation):
        visits.log_visit(guest.id, VisitCreate(outlet="terrace", visited_at=NOW, reservation_id=99999), ACTOR)
    assert db.session.get(Reservation, theirs.id).status == "booked"  # type: ignore[union-attr]
    assert db.session.scalars(select(Visit).where(Visit.outlet.has(code="terrace"))).all() == []

    cancelled = _book(guest.id, "GONE", status="cancelled")
    visits.log_visit(guest.id, VisitCreate(outlet="terrace", visited_at=NOW, reservation_id=cancelled.id), ACTOR)
    assert db.session.get(Reservation, cancelled.id).status == "cancelled"  # type: ignore[union-attr]
    live = _book(guest.id, "LIVE")
    visits.log_visit(guest.id, VisitCreate(outlet="terrace", visited_at=NOW, reservation_id=live.id), ACTOR)
    assert db.session.get(Reservation, live.id).status == "arrived"  # type: ignore[union-attr]


def test_api_visit_can_honour_a_booking(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    guest = _bar_regular()
    res = _book(guest.id, "API")
    body = {"outlet": "terrace", "visited_at": NOW.isoformat(), "table": "Table 23", "reservation_id": res.id}
    response = client.post(f"/api/v1/guests/{guest.id}/visits", json=body, headers=api_key("floor"))
    assert response.status_code == 201
    assert db.session.get(Reservation, res.id).status == "arrived"  # type: ignore[union-attr]
    response = client.post(
        f"/api/v1/guests/{guest.id}/visits", json={**body, "reservation_id": 424242}, headers=api_key("floor")
    )
    assert response.status_code == 422 and "reservation_id" in response.get_json()["fields"]


def test_several_bookings_today_shows_all_and_logs_the_next_upcoming(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = _bar_regular()
    lunch = _book(guest.id, "LUNCH", at=time(12, 0), table="Table 4")
    dinner = _book(guest.id, "DINNER", at=time(19, 30), table="Table 23")
    _book(guest.id, "TOMORROW", day=TODAY + timedelta(days=1), table="Table 99")
    local = property_tz()
    assert visits.bookings_today(guest.id, datetime(2026, 6, 10, 11, 0, tzinfo=local)).current == lunch
    assert visits.bookings_today(guest.id, datetime(2026, 6, 10, 13, 30, tzinfo=local)).current == lunch  # late lunch
    assert visits.bookings_today(guest.id, datetime(2026, 6, 10, 16, 0, tzinfo=local)).current == dinner
    assert visits.bookings_today(guest.id, datetime(2026, 6, 10, 23, 0, tzinfo=local)).current == dinner  # logged late
    both = visits.bookings_today(guest.id, datetime(2026, 6, 10, 16, 0, tzinfo=local))
    assert [r.id for r in both.bookings] == [lunch.id, dinner.id]  # tomorrow's is not today's
    assert (
        visits.bookings_today(guest.id, datetime(2026, 6, 10, 16, 0, tzinfo=local), chosen_id=lunch.id).current == lunch
    )

    with time_machine.travel(datetime(2026, 6, 10, 16, 0, tzinfo=local), tick=False):
        auth.login("floor")
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
        booked = html[html.index('class="panel booked-today"') :].split("</section>")[0]
        assert "12:00" in booked and "19:30" in booked and "Table 99" not in booked
        assert re.search(rf'name="reservation_id"[^>]*value="{dinner.id}"', html)
        assert f"booking={lunch.id}" in booked  # the other one can be chosen
        html = client.get(f"/guests/{guest.id}?booking={lunch.id}").get_data(as_text=True)
        assert re.search(rf'name="reservation_id"[^>]*value="{lunch.id}"', html)
        assert re.search(r'name="table"[^>]*value="Table 4"', html)


def test_today_is_the_propertys_day(app: Flask) -> None:
    guest = _bar_regular()
    res = _book(guest.id, "BKK", day=TODAY)
    # 20:00 UTC on 9 June is 03:00 on 10 June in Bangkok: the booking is today's there.
    found = visits.bookings_today(guest.id, datetime(2026, 6, 9, 20, 0, tzinfo=UTC))
    assert found.current == res
    assert visits.bookings_today(guest.id, datetime(2026, 6, 10, 17, 30, tzinfo=UTC)).bookings == []  # 11 June there


def test_a_booked_guest_is_recognised_at_the_bookings_outlet(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    guest = make_guest(given_name="Two", family_name="Places")
    for n in range(3):
        _visit(guest.id, NOW - timedelta(days=3 + n), outlet="terrace", table="Window 2")
    for n in range(4):
        _visit(guest.id, NOW - timedelta(days=20 + n), outlet="bar", table="Bar 5")
    _book(guest.id, "TERRACE", table="")
    with time_machine.travel(NOW, tick=False):
        auth.login("floor")
        client.post("/guests/device", data={"csrf_token": auth.token(), "outlet": "bar", "back": "/guests/"})
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    usual = html[html.index('id="usual-h"') :].split("</section>")[0]
    assert "at Terrace" in usual and "Window 2" in usual, "the booking's outlet wins over the tablet's"
    # No table on the booking: the usual seat at that outlet is offered.
    assert re.search(r'name="table"[^>]*value="Window 2"', html)
    assert recognition.recognise(guest, outlet_id=None).visit_count == 7


def test_visit_notes_show_in_history_and_last_time_escaped(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Said")
    _visit(guest.id, NOW - timedelta(days=9), notes="Loved the <script>alert(1)</script> mango")
    _visit(guest.id, NOW - timedelta(days=2), notes="Birthday next month; wife is Ploy")
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    last = html[html.index('id="last-h"') :].split("</section>")[0]
    assert "They said" in last and "Birthday next month; wife is Ploy" in last
    history = html[html.index('id="hist-h"') :].split("</section>")[0]
    assert "Birthday next month; wife is Ploy" in history
    assert "Loved the &lt;script&gt;alert(1)&lt;/script&gt; mango" in history
    assert "<script>alert(1)" not in html


def test_a_sensitive_visit_note_stays_folded_on_the_card(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    guest = make_guest(given_name="Rude")
    _visit(guest.id, NOW - timedelta(days=2), notes="Was rude to the waiter")
    auth.login("floor")
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    last = html[html.index('id="last-h"') :].split("</section>")[0]
    assert '<details class="folded-note">' in last and "Was rude to the waiter" in last
    assert "not for the guest" in last


def test_briefing_says_what_the_guest_said_last_time_while_recent(  # type: ignore[no-untyped-def]
    app: Flask, client: FlaskClient, auth: AuthActions, api_key
) -> None:
    day = date(2026, 11, 22)
    start = datetime.combine(day, time(0), tzinfo=property_tz())
    recent = make_guest(given_name="Recent", family_name="Guest")
    _visit(recent.id, start - timedelta(days=40), notes="Older note")
    _visit(recent.id, start - timedelta(days=30), notes="The steak was <too> salty")
    old = make_guest(given_name="Long", family_name="Ago")
    _visit(old.id, start - timedelta(days=200), notes="Said it was too cold")
    quiet = make_guest(given_name="Quiet", family_name="Last")
    _visit(quiet.id, start - timedelta(days=40), notes="An older remark")
    _visit(quiet.id, start - timedelta(days=10))  # nothing said last time
    for g in (recent, old, quiet):
        _book(g.id, f"B{g.id}", day=day)

    b = briefing.build_briefing(day)
    said = {a.guest_id: a.last_said for a in b.arrivals}
    assert said == {recent.id: "The steak was <too> salty", old.id: "", quiet.id: ""}
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_briefing(b))).pages)
    assert "Last time they said: The steak was <too> salty" in " ".join(pdf.split())
    assert "too cold" not in pdf and "older remark" not in pdf

    body = client.get(f"/api/v1/briefings/{day.isoformat()}", headers=api_key("manager")).get_json()
    assert {a["guest_id"]: a["last_said"] for a in body["arrivals"]} == {
        recent.id: "The steak was <too> salty",
        old.id: None,
        quiet.id: None,
    }
    auth.login("manager")
    manager = client.get(f"/briefing/?date={day.isoformat()}").get_data(as_text=True)
    assert "Last time they said:</span> The steak was &lt;too&gt; salty" in manager
