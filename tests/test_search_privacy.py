"""Issue 9.3: masked contacts cannot be rebuilt by searching; search is rate-limited per account and API key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from guestbook import create_app
from guestbook.actor import Actor
from guestbook.extensions import db
from guestbook.guests import search, search_rate

from .conftest import AuthActions, FreshContextClient, _config
from .factories import make_guest

PHONE = "+66 84 049 4312"  # digits 66840494312; a floor card shows "••• 4312"
EMAIL = "hy1987@example.jp"
FROZEN = "2026-12-02 10:00:05+00:00"  # five seconds into a minute: every request below falls in one window


@pytest.fixture
def guest_id(app: Flask) -> int:
    return make_guest(given_name="Hanako", family_name="Yamada", phone=PHONE, email=EMAIL).id


def _web(client: FlaskClient, q: str) -> str:
    return client.get("/guests/search", query_string={"q": q}).get_data(as_text=True)


def _api(client: FlaskClient, headers: dict[str, str], q: str) -> list[int]:
    response = client.get("/api/v1/guests", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [r["id"] for r in response.get_json()["results"]]


def test_floor_cannot_find_a_guest_by_the_hidden_digits(
    guest_id: int, client: FlaskClient, auth: AuthActions, api_key
) -> None:  # type: ignore[no-untyped-def]
    middle = "8404943"  # seven digits from the middle of the number, all but one of them masked
    floor, manager = api_key("floor"), api_key("manager")
    assert _api(client, floor, middle) == []
    assert _api(client, manager, middle) == [guest_id]
    for hidden in ("0840494", "66840494312", "049 4312", "84049"):
        assert _api(client, floor, hidden) == [], hidden
    assert _api(client, floor, "4312") == [guest_id]  # the digits the card shows
    auth.login("floor")
    assert "Yamada" not in _web(client, middle)
    assert "Yamada" in _web(client, "4312")


def test_digit_by_digit_probing_reveals_nothing_beyond_the_shown_digits(guest_id: int) -> None:
    """The 67-search attack: extend a run of digits and watch whether the guest stays listed."""
    digits = "66840494312"
    for start in range(len(digits)):
        for end in range(start + 4, len(digits) + 1):
            run = digits[start:end]
            found = guest_id in [g.id for g in search.search_guests(run, masked=True)]
            assert found == (run == "4312"), run


def test_floor_cannot_learn_who_owns_an_email(guest_id: int, client: FlaskClient, auth: AuthActions, api_key) -> None:  # type: ignore[no-untyped-def]
    floor, manager = api_key("floor"), api_key("manager")
    for q in (EMAIL, "hy1987@", "hy1987", "HY1987@EXAMPLE.JP"):
        assert _api(client, floor, q) == [], q
        assert _api(client, manager, q) == [guest_id], q
    auth.login("floor")
    assert "Yamada" not in _web(client, EMAIL)
    assert "Yamada" in _web(client, "yamada")  # names stay searchable for everyone


def test_floor_rate_limit_on_live_search_answers_429_with_retry_after(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with time_machine.travel(FROZEN, tick=False):
        auth.login("floor")
        for n in range(120):
            assert client.get("/guests/search", query_string={"q": f"a{n}"}).status_code == 200, n
        blocked = client.get("/guests/search", query_string={"q": "yamada"})
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == "55"
        assert "Too many searches" in blocked.get_data(as_text=True)
        assert client.get("/guests/", query_string={"q": "yamada"}).status_code == 429  # the full page too
        assert client.get("/guests/").status_code == 200  # the recent list before typing is not a search
    with time_machine.travel("2026-12-02 10:01:00+00:00", tick=False):
        assert client.get("/guests/search", query_string={"q": "yamada"}).status_code == 200  # a new minute


def test_api_key_rate_limit_answers_429_with_retry_after(app: Flask, client: FlaskClient, api_key) -> None:  # type: ignore[no-untyped-def]
    floor, other_floor = api_key("floor"), api_key("floor")
    with time_machine.travel(FROZEN, tick=False):
        for _ in range(120):
            assert client.get("/api/v1/guests", query_string={"q": "x"}, headers=floor).status_code == 200
        blocked = client.get("/api/v1/guests", query_string={"q": "x"}, headers=floor)
        assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "55"
        assert "120" in blocked.get_json()["error"]
        # Per key: another key of the same role is still served.
        assert client.get("/api/v1/guests", query_string={"q": "x"}, headers=other_floor).status_code == 200


def test_other_roles_get_600_a_minute(app: Flask) -> None:
    manager = Actor(label="api:m", role="manager", api_key_id=999)
    limit = search_rate.limit_for("manager", app.config["SEARCH_RATE_LIMIT_FLOOR"], app.config["SEARCH_RATE_LIMIT"])
    assert limit == 600 and app.config["SEARCH_RATE_LIMIT_FLOOR"] == 120
    now = 1_800_000_000.0  # on a minute boundary
    for _ in range(600):
        search_rate.count_search(manager, limit, now=now + 10)
    with pytest.raises(search_rate.RateLimited) as caught:
        search_rate.count_search(manager, limit, now=now + 10)
    assert caught.value.retry_after == 50


def test_the_count_is_shared_by_every_worker(app: Flask, db_url: str, tmp_path: Path) -> None:
    """Two app instances (two gunicorn workers) on one database count against one limit."""
    second = create_app(_config(db_url), instance_path=str(tmp_path / "worker2"))
    actor = Actor(label="floor@example.test", role="floor", staff_user_id=4242)
    now = 1_800_000_000.0
    for n in range(120):
        with (app if n % 2 else second).app_context():
            search_rate.count_search(actor, 120, now=now)
    with second.app_context(), pytest.raises(search_rate.RateLimited):
        search_rate.count_search(actor, 120, now=now)
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def unlimited(db_url: str, tmp_path: Path, app: Flask) -> Iterator[Flask]:
    """The same database served with GUESTBOOK_SEARCH_RATE_LIMIT[_FLOOR]=0 (as the load benchmark runs)."""
    other = create_app(
        {**_config(db_url), "SEARCH_RATE_LIMIT_FLOOR": 0, "SEARCH_RATE_LIMIT": 0}, instance_path=str(tmp_path / "u")
    )
    other.test_client_class = FreshContextClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_zero_turns_the_limit_off(unlimited: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    client = unlimited.test_client()
    floor = api_key("floor")
    with time_machine.travel(FROZEN, tick=False):
        for _ in range(130):
            assert client.get("/api/v1/guests", query_string={"q": "x"}, headers=floor).status_code == 200
        auth = AuthActions(client)
        auth.login("floor")
        for n in range(130):
            assert client.get("/guests/search", query_string={"q": f"a{n}"}).status_code == 200


def test_the_load_benchmark_turns_the_limit_off() -> None:
    source = (Path(__file__).resolve().parent.parent / "scripts" / "bench_load.py").read_text()
    assert 'env["GUESTBOOK_SEARCH_RATE_LIMIT"] = env["GUESTBOOK_SEARCH_RATE_LIMIT_FLOOR"] = "0"' in source


def test_openapi_documents_the_429(app: Flask) -> None:
    from guestbook.blueprints import api_document

    responses = api_document()["paths"]["/guests"]["get"]["responses"]
    assert "429" in responses and "Retry-After" in responses["429"]["headers"]


def test_hostile_queries_on_the_tablet_search_never_crash(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    """Issue 9.6: a thousand words, 100 kB, NUL and RTL marks in the live search are clipped, never a 500."""
    make_guest(given_name="Wang", family_name="Xiaoming")
    auth.login("manager")
    for q in (" ".join(["wang"] * 1000), "x" * 100_000, "wang\x1bxiaoming", "\u200fwang\u202e", "²³"):
        for path in ("/guests/", "/guests/search"):
            assert client.get(path, query_string={"q": q}).status_code == 200, (path, q[:20])
    for path in ("/guests/", "/guests/search", "/briefing/"):  # NUL fits no database column: refused at the door
        refused = client.get(path, query_string={"q": "wang\x00xiaoming", "outlet": "\x00"})
        assert refused.status_code == 400 and "U+0000" in refused.get_data(as_text=True), path
    page = client.get("/guests/search", query_string={"q": "wang xiaoming " + "zzz " * 500}).get_data(as_text=True)
    assert "Xiaoming" not in page  # clipped to twelve words, all of which must match
    page = client.get("/guests/search", query_string={"q": "wang xiaoming"}).get_data(as_text=True)
    assert "Xiaoming" in page
