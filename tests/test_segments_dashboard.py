"""The manager dashboard on real SQLite: the stored summary's exact figures (weeks and months in the property's
timezone, the returning rate, counts with hand-set tiers), the incremental update, the lists and their audited
CSV and XLSX exports, and the explanation screen."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import insert, select

from guestbook.admin.outlets import outlet_by_code
from guestbook.audit import AuditEvent
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Visit
from guestbook.guests.visits import refresh_visit_stats
from guestbook.segments import dashboard, overrides, summary
from guestbook.segments import refresh as segment_refresh

from .conftest import AuthActions
from .factories import ACTOR, make_guest

BANGKOK = ZoneInfo("Asia/Bangkok")
AS_OF = date(2026, 11, 18)  # a Wednesday; its week starts on Monday 16 November


def _at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BANGKOK).astimezone(UTC)


def _visit(guest_id: int, when: datetime, party: int = 2, spend: str = "1000.00") -> None:
    outlet = outlet_by_code("terrace")
    assert outlet is not None
    with write_transaction():
        db.session.execute(
            insert(Visit),
            [{"guest_id": guest_id, "outlet_id": outlet.id, "visited_at": when, "party_size": party, "spend": spend}],
        )
        refresh_visit_stats(guest_id)


def _history() -> dict[str, int]:
    """Three guests: a regular since last year, a first-timer in November, one who stopped in the spring."""
    regular = make_guest(given_name="Anong", family_name="Srisuk", phone="+66 81 234 5678")
    newcomer = make_guest(given_name="小明", family_name="王")
    stopped = make_guest(given_name="=HYPERLINK(1)", family_name="Zoë")  # a name a spreadsheet would run
    _visit(regular.id, _at(date(2025, 10, 5)), party=2, spend="4000.00")
    _visit(regular.id, _at(date(2026, 10, 12)), party=4, spend="3000.00")
    # 00:30 on Monday 16 November in Bangkok is still Sunday 15 November in UTC: it belongs to the new week.
    _visit(regular.id, _at(date(2026, 11, 16), 0, 30), party=3, spend="2000.00")
    _visit(newcomer.id, _at(date(2026, 11, 17)), party=2, spend="500.00")
    _visit(stopped.id, _at(date(2026, 3, 2)), party=6, spend="100.00")
    return {"regular": regular.id, "newcomer": newcomer.id, "stopped": stopped.id}


def test_summary_figures_are_exact(app: Flask) -> None:
    ids = _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    data = summary.latest_data()
    assert data is not None and data["as_of"] == "2026-11-18"
    # Days are the property's: the 00:30 visit counts on Monday 16 November, not on Sunday the 15th.
    assert data["days"]["2026-11-16"] == [1, 3]
    assert "2026-11-15" not in data["days"]
    assert data["days"]["2026-11-17"] == [1, 2]
    assert "2025-10-05" not in data["days"]  # older than the 53 weeks on the dashboard
    # November: the regular came back (returning), the newcomer came first; October: the regular, returning.
    assert data["months"]["2026-11"] == [2, 1]
    assert data["months"]["2026-10"] == [1, 1]
    assert data["months"]["2026-03"] == [1, 0]  # the stopped guest's first and only visit
    # Spend over 24 months: 9,000 + 500 + 100 = 9,600; the regular alone reaches 80%, the newcomer then 95%.
    assert data["tiers"] == {"A": 1, "B": 1, "C": 1}
    dash = dashboard.build(today=AS_OF)
    week = next(w for w in dash.weeks if w.start == date(2026, 11, 16))
    assert (week.visits, week.covers) == (2, 5)
    assert dash.weeks[-1].start == date(2026, 11, 16) and len(dash.weeks) == summary.WEEKS
    november = dash.months[-1]
    assert november.month == date(2026, 11, 1) and november.rate == 0.5
    assert [g.guest_id for g in dash.top] == [ids["regular"], ids["newcomer"], ids["stopped"]]
    assert dash.top[0].yearly_value == Decimal("4500.00")  # 9,000 over the 24-month window


LONDON = ZoneInfo("Europe/London")


def test_local_days_follow_summer_time(app: Flask) -> None:
    """A property with summer time: refreshed in winter (GMT), a summer visit just after midnight (BST) still
    counts on its own local day and month (SQLite shifts each visit by the offset at its instant)."""
    guest = make_guest(given_name="Siobhán", family_name="Ó Briain")
    london = lambda day, hour, minute: datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)  # noqa: E731
    _visit(guest.id, london(date(2026, 6, 10), 0, 30), party=2)  # 23:30 UTC on 9 June
    _visit(guest.id, london(date(2026, 7, 1), 0, 15), party=3)  # 23:15 UTC on 30 June
    _visit(guest.id, london(date(2026, 11, 2), 0, 30), party=4)  # GMT again: 00:30 UTC
    _visit(guest.id, london(date(2026, 3, 29), 0, 30), party=5)  # the night the clocks go forward, still GMT
    data = summary.compute(AS_OF, LONDON, {})
    assert data["days"]["2026-06-10"] == [1, 2] and "2026-06-09" not in data["days"]
    assert data["days"]["2026-07-01"] == [1, 3] and "2026-06-30" not in data["days"]
    assert data["days"]["2026-11-02"] == [1, 4]
    assert data["days"]["2026-03-29"] == [1, 5]
    assert data["months"]["2026-07"] == [1, 1] and data["months"]["2026-06"] == [1, 1]
    # The changes themselves, to the second: 01:00 UTC on the last Sundays of March and October.
    periods = summary.offset_periods(LONDON, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    assert [(start, offset.total_seconds()) for start, offset in periods] == [
        (datetime(2026, 1, 1, tzinfo=UTC), 0),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 3600),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 0),
    ]
    assert len(summary.offset_periods(BANGKOK, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))) == 1


def test_hand_set_tier_moves_the_counts(app: Flask) -> None:
    ids = _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    overrides.set_override(ids["stopped"], "A", "food critic", ACTOR, "critic")
    dash = dashboard.build(today=AS_OF)
    assert dash.tiers == {"A": 2, "B": 1, "C": 0}
    page = dashboard.guest_lines("tier", "A")
    assert page is not None and {g.guest_id for g in page[0]} == {ids["regular"], ids["stopped"]}
    assert page[1] == 2


def test_incremental_refresh_updates_this_week(app: Flask) -> None:
    ids = _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    _visit(ids["newcomer"], _at(AS_OF, 12), party=5)
    result = segment_refresh.refresh(ACTOR, AS_OF, full=False)
    assert not result.full
    data = summary.latest_data()
    assert data is not None
    assert data["days"]["2026-11-18"] == [1, 5]
    assert data["days"]["2026-11-16"] == [1, 3]  # kept from the full refresh
    assert data["months"]["2026-11"] == [2, 1]  # the newcomer's second visit is in their first month
    assert data["months"]["2026-10"] == [1, 1]


def test_dashboard_page_draws_the_charts(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    auth.login("manager")
    page = client.get("/segments/").get_data(as_text=True)
    assert page.count('class="chart-svg') == 5
    assert page.count("<polyline") == 1
    assert "王小明" in page and "Anong Srisuk" in page
    assert "/segments/lists/cell?value=" in page and "/segments/lists/tier?value=A" in page
    assert "Show as a table" in page
    assert "=HYPERLINK(1) Zoë" in page  # a name is shown as text
    assert "<script" not in page.split("<main", 1)[1]  # the charts need no script


def test_dashboard_before_the_first_refresh(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    page = client.get("/segments/").get_data(as_text=True)
    assert "No figures yet" in page and "segments refresh" in page


def test_lists_page_and_unknown_list(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    ids = _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    auth.login("manager")
    page = client.get("/segments/lists/tier?value=A").get_data(as_text=True)
    assert "Anong Srisuk" in page and "1 guest" in page and "王小明" not in page
    assert client.get("/segments/lists/nonsense").status_code == 404
    assert client.get("/segments/lists/cell?value=9,9").status_code == 404
    assert client.get("/segments/lists/tier.pdf").status_code == 404
    assert ids


def test_csv_export_is_guarded_and_audited(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    auth.login("manager")
    response = client.get("/segments/lists/top.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="guests-top.csv"' in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Anong Srisuk", "王小明", "'=HYPERLINK(1) Zoë"]
    # A leading + would make a spreadsheet evaluate the phone number as a formula: it is quoted too.
    assert rows[0]["spend_window"] == "9000.00" and rows[0]["phone"] == "'+66 81 234 5678"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "segments_export")).one()
    assert event.actor and "top csv 3 rows" in event.detail


def test_xlsx_export_keeps_numbers(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _history()
    segment_refresh.refresh(ACTOR, AS_OF)
    auth.login("admin")
    response = client.get("/segments/lists/lifecycle.xlsx?value=new")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("guest_id", "name", "tier")
    # Both one-visit guests are new (the one from March has not been away a year); most spend first.
    assert [r[1] for r in rows[1:]] == ["王小明", "'=HYPERLINK(1) Zoë"]
    assert rows[1][10] == 500.0 and rows[1][7] == 1 and rows[1][0] > 0


def test_occasions_this_month(app: Flask) -> None:
    make_guest(given_name="Birthday", birthday="1980-11-20")
    make_guest(given_name="Anniversary", anniversary="--11-03")
    make_guest(given_name="December", birthday="--12-01")
    found, total = dashboard.occasions(AS_OF)
    assert total == 2
    assert [(o.name, o.kind, o.day, o.years) for o in found] == [
        ("Anniversary", "anniversary", date(2026, 11, 3), None),
        ("Birthday", "birthday", date(2026, 11, 20), 46),
    ]


def test_about_page_shows_the_settings(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    page = client.get("/segments/about").get_data(as_text=True)
    assert "80%" in page and "95%" in page and "24 months" in page
    assert "Champions" in page and "Can&#39;t lose them" in page
    assert "No visit for more than 365 days." in page and "50%" in page
