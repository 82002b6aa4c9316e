"""The recovery report on a hand-made history (Bangkok, business day ending 23:00): every figure exact, the window
read in property-local dates, the 180-day return rule on both sides, and the API's 422s, 400 and 403."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.guests import visits
from guestbook.guests.schemas import VisitCreate
from guestbook.relations import feedback as rules
from guestbook.relations import report as recovery
from guestbook.relations.schemas import FeedbackCreate

from .factories import ACTOR, make_guest

Headers = Callable[[str], dict[str, str]]
WINDOW = "from=2026-01-01&to=2026-03-31"

EXPECTED = {
    "complaints": 6,
    "by_category": {
        "food": 2,
        "service": 1,
        "room": 0,
        "cleanliness": 0,
        "noise": 1,
        "billing": 1,
        "wait": 1,
        "other": 0,
    },
    "by_outlet": {"terrace": 3, "bar": 2, "none": 1},
    "by_month": {"2026-01": 1, "2026-02": 2, "2026-03": 3},
    # Acknowledged after 2, 13, 0.5, 1 and 4 hours: median 2; p90 at rank 3.6 = 4 + 0.6 * (13 - 4).
    "acknowledge_hours": {"median": 2.0, "p90": 9.4},
    # Resolved after 24, 48 and 6 hours: median 24; p90 at rank 1.8 = 24 + 0.8 * (48 - 24).
    "resolve_hours": {"median": 24.0, "p90": 43.2},
    "acknowledged_before_sundown": 0.6667,  # 4 of 6: one acknowledged the next morning, one never
    "followed_up": 0.6667,  # 2 of the 3 resolved
    "recovery_rate": 0.5,  # Anna (day 100) and Chai (day 180) of 4 complainers; Bert came back at day 200
    "baseline_return_rate": 0.4,  # Emma and Jun of 5 guests who never complained
    "compliments_by_staff": {"Mai": 2, "Niran": 2, "Ploy": 1},
}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _complaint(
    guest_id: int | None, category: str, outlet: str | None, reported: str, kind: str = "complaint", staff: str = ""
) -> int:
    data = FeedbackCreate.model_validate(
        {
            "kind": kind,
            "category": category,
            "text": "words",
            "outlet": outlet,
            "reported_at": reported,
            "staff_involved": staff,
        }
    )
    return rules.create_feedback(guest_id, data, ACTOR, now=_at(reported)).id


def _visit(guest_id: int, when: str) -> None:
    visits.log_visit(guest_id, VisitCreate.model_validate({"outlet": "terrace", "visited_at": when}), ACTOR)


def _history() -> None:
    """Six complaints in the window (two outside it), three compliments, and the visits around them."""
    anna, bert, chai, dara = (make_guest(given_name=n) for n in ("Anna", "Bert", "Chai", "Dara"))
    emma, finn, gail, hugo, ines, jun, kim = (
        make_guest(given_name=n) for n in ("Emma", "Finn", "Gail", "Hugo", "Ines", "Jun", "Kim")
    )
    # Anna: food at the terrace, acknowledged in 2 h, resolved in 24 h, followed up; back on day 100.
    c1 = _complaint(anna.id, "food", "terrace", "2026-01-10T12:00:00+07:00")
    rules.acknowledge(c1, ACTOR, now=_at("2026-01-10T14:00:00+07:00"))
    rules.resolve(c1, ACTOR, [], now=_at("2026-01-11T12:00:00+07:00"))
    rules.follow_up(c1, ACTOR, "satisfied", now=_at("2026-01-20T12:00:00+07:00"))
    c7 = _complaint(anna.id, "wait", "terrace", "2026-03-01T12:00:00+07:00")  # her second: her first counts
    rules.acknowledge(c7, ACTOR, now=_at("2026-03-01T16:00:00+07:00"))
    _complaint(anna.id, "room", "terrace", "2025-12-20T12:00:00+07:00")  # before the window
    _visit(anna.id, "2026-01-10T19:00:00+07:00")  # the evening of the complaint: not a return
    _visit(anna.id, "2026-04-20T19:00:00+07:00")  # day 100
    # Bert: service, acknowledged the next morning (after sundown), resolved in 48 h, never followed up.
    c2 = _complaint(bert.id, "service", "terrace", "2026-02-05T20:00:00+07:00")
    rules.acknowledge(c2, ACTOR, now=_at("2026-02-06T09:00:00+07:00"))
    rules.resolve(c2, ACTOR, [], now=_at("2026-02-07T20:00:00+07:00"))
    _visit(bert.id, "2026-08-24T19:00:00+07:00")  # day 200: too late
    # Chai: food at the bar, acknowledged in half an hour, resolved in 6 h, followed up; back on day 180.
    c3 = _complaint(chai.id, "food", "bar", "2026-02-20T10:00:00+07:00")
    rules.acknowledge(c3, ACTOR, now=_at("2026-02-20T10:30:00+07:00"))
    rules.resolve(c3, ACTOR, [], now=_at("2026-02-20T16:00:00+07:00"))
    rules.follow_up(c3, ACTOR, "unsatisfied", now=_at("2026-03-01T10:00:00+07:00"))
    _visit(chai.id, "2026-08-19T12:00:00+07:00")  # day 180: still counts
    # Dara: noise, no outlet, acknowledged in 1 h (before 23:00), never resolved; never back.
    c4 = _complaint(dara.id, "noise", None, "2026-03-15T21:00:00+07:00")
    rules.acknowledge(c4, ACTOR, now=_at("2026-03-15T22:00:00+07:00"))
    # Anonymous: billing at the bar, never acknowledged; and one just after the window's last local day.
    _complaint(None, "billing", "bar", "2026-03-20T18:00:00+07:00")
    _complaint(None, "food", "bar", "2026-04-01T00:30:00+07:00")  # 31 March 17:30 UTC, but 1 April in Bangkok
    # Guests who never complained (compliments do not count against them).
    _visit(emma.id, "2026-01-05T19:00:00+07:00")
    _visit(emma.id, "2026-01-20T19:00:00+07:00")  # back: counts
    _visit(finn.id, "2026-03-30T19:00:00+07:00")  # never back
    _visit(gail.id, "2026-02-01T12:00:00+07:00")
    _visit(gail.id, "2026-02-01T20:00:00+07:00")  # the same day: not a return
    _visit(gail.id, "2026-09-01T12:00:00+07:00")  # day 212: too late
    _complaint(hugo.id, "other", "terrace", "2025-11-01T12:00:00+07:00")  # complained once: not in the baseline
    _visit(hugo.id, "2026-01-15T19:00:00+07:00")
    _visit(hugo.id, "2026-01-25T19:00:00+07:00")
    _visit(ines.id, "2025-12-01T19:00:00+07:00")  # no visit in the window: not in the baseline
    _visit(ines.id, "2026-04-05T19:00:00+07:00")
    _visit(jun.id, "2026-03-31T23:30:00+07:00")  # the window's last local evening
    _visit(jun.id, "2026-09-27T12:00:00+07:00")  # day 180: counts
    _visit(kim.id, "2026-02-10T19:00:00+07:00")  # never back
    _complaint(emma.id, "service", "terrace", "2026-01-21T12:00:00+07:00", kind="compliment", staff="Mai, Niran")
    _complaint(None, "food", "bar", "2026-02-02T12:00:00+07:00", kind="compliment", staff="Mai")
    _complaint(finn.id, "service", "bar", "2026-03-05T12:00:00+07:00", kind="compliment", staff=" Niran ,  Ploy ,,")
    _complaint(emma.id, "food", "bar", "2025-12-25T12:00:00+07:00", kind="compliment", staff="Mai")  # outside


def test_the_figures_of_a_hand_made_history_are_exact(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    _history()
    response = client.get(f"/api/v1/feedback/report?{WINDOW}", headers=api_key("manager"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == EXPECTED


def test_the_default_window_is_the_90_days_ending_today(app: Flask) -> None:
    _history()
    report = recovery.build_report(now=datetime(2026, 3, 31, 16, 59, tzinfo=UTC))  # 23:59 in Bangkok
    assert (report.date_from, report.date_to) == (date(2026, 1, 1), date(2026, 3, 31))
    assert recovery.report_to_dict(report) == EXPECTED
    # Two minutes later it is 1 April in Bangkok: the window moves, January's first days drop out.
    later = recovery.build_report(now=datetime(2026, 3, 31, 17, 1, tzinfo=UTC))
    assert (later.date_from, later.date_to) == (date(2026, 1, 2), date(2026, 4, 1))
    assert later.complaints == 7 and later.by_month == {"2026-01": 1, "2026-02": 2, "2026-03": 3, "2026-04": 1}


def test_an_empty_window_divides_by_nothing(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    response = client.get("/api/v1/feedback/report?from=2026-05-30&to=2026-06-02", headers=api_key("admin"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["complaints"] == 0 and body["by_outlet"] == {} and body["by_month"] == {"2026-05": 0, "2026-06": 0}
    assert body["acknowledge_hours"] == {"median": None, "p90": None}
    assert body["resolve_hours"] == {"median": None, "p90": None}
    for share in ("acknowledged_before_sundown", "followed_up", "recovery_rate", "baseline_return_rate"):
        assert body[share] is None, share
    assert body["compliments_by_staff"] == {}


def test_percentile_interpolates_like_numpy() -> None:
    assert recovery.percentile([], 0.5) is None
    assert recovery.percentile([7.0], 0.9) == 7.0
    assert recovery.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert recovery.percentile([10.0, 0.0, 5.0], 0.9) == pytest.approx(9.0)  # rank 1.8 between 5 and 10
    assert recovery.staff_names(" Mai ,, Niran,") == ["Mai", "Niran"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-1-5", "from"),
        ("from=２０２６-01-01", "from"),
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("from=1999-12-31", "from"),  # the dates one may ask for: 2000 to 2099
        ("to=2100-01-01", "to"),
    ],
)
def test_a_bad_window_is_a_422_naming_the_field(
    app: Flask, client: FlaskClient, api_key: Headers, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/feedback/report?{query}", headers=api_key("manager"))
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == [field]


def test_a_repeated_date_is_a_400(app: Flask, client: FlaskClient, api_key: Headers) -> None:
    response = client.get("/api/v1/feedback/report?from=2026-01-01&from=2026-02-01", headers=api_key("manager"))
    assert response.status_code == 400 and response.get_json()["fields"] == {"from": "repeated"}


@pytest.mark.parametrize("role", ["floor", "concierge"])
def test_floor_and_concierge_cannot_read_the_report(
    app: Flask, client: FlaskClient, api_key: Headers, role: str
) -> None:
    _history()
    response = client.get(f"/api/v1/feedback/report?{WINDOW}", headers=api_key(role))
    assert response.status_code == 403 and "complaints" not in response.get_json()


def test_the_report_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/feedback/report"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "422"}
    assert set(spec["components"]["schemas"]["FeedbackReport"]["required"]) == set(EXPECTED)
