"""The operator's toolkit in the app: health, readiness, the JSON request line, /metrics, ProxyFix, Secure cookies."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, request
from flask.testing import FlaskClient
from flask_migrate import stamp

from guestbook import PROJECT_ROOT, create_app, jobs
from guestbook.actor import Actor
from guestbook.config import load_config
from guestbook.letters import selection as letters
from guestbook.observability import REGISTRY, JsonFormatter, observed_job, use_json_logs
from guestbook.security import public

from .conftest import AuthActions, _config, close_app
from .factories import make_guest

ADDRESS = {"line1": "12 Marina View", "city": "Singapore", "postal_code": "018961", "country": "SG"}


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def request_log(app: Flask) -> Iterator[None]:
    """The request logger as in a served process: migrations/env.py's ``fileConfig`` (run here by the template
    database's ``upgrade()``, in its own process under scripts/serve) disables every logger that existed before."""
    logger = logging.getLogger("guestbook.requests")
    was = logger.disabled
    logger.disabled = False
    yield
    logger.disabled = was


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "guestbook.requests"]


# ---- health and readiness


def test_health_answers_with_the_database_gone(tmp_path: Path) -> None:
    app = create_app(_config(tmp_path / "no-such-folder" / "guestbook.sqlite3"), instance_path=str(tmp_path))
    client = app.test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "not ready", "reason": "the database does not answer"}
    close_app(app)


def test_ready_on_a_migrated_database(client: FlaskClient) -> None:
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "revision": _scripts().get_current_head()}


def test_not_ready_when_the_database_is_a_migration_behind(app: Flask, client: FlaskClient) -> None:
    head = _scripts().get_revision(_scripts().get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    stamp(revision=head.down_revision)
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert f"revision {head.down_revision}," in body["reason"] and head.revision in body["reason"]


@pytest.mark.sqlite_only(reason="an empty database file")
def test_not_ready_on_an_empty_database(tmp_path: Path) -> None:
    app = create_app(_config(tmp_path / "empty.sqlite3"), instance_path=str(tmp_path))
    response = app.test_client().get("/api/v1/health/ready")
    assert response.status_code == 503
    assert "revision none" in response.get_json()["reason"]
    close_app(app)


# ---- the request line


def test_one_line_per_request_names_the_route_and_the_caller_never_the_guest(
    request_log: None,
    client: FlaskClient,
    auth: AuthActions,
    api_key,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    guest = make_guest(given_name="Zebulon", family_name="Quaxley", email="zq@example.test", phone="+66 81 555 0101")
    auth.login("floor")
    bearer = api_key("manager")
    caplog.set_level(logging.INFO, logger="guestbook.requests")
    caplog.clear()
    assert client.get(f"/guests/{guest.id}").status_code == 200
    assert client.get("/guests/search?q=Quaxley").status_code == 200
    assert client.get(f"/api/v1/guests/{guest.id}", headers=bearer).status_code == 200
    lines = _request_lines(caplog)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/guests/<int:guest_id>", 200),
        ("GET", "/guests/search", 200),
        ("GET", "/api/v1/guests/<int:guest_id>", 200),
    ]
    floor_id = lines[0]["user_id"]
    assert isinstance(floor_id, int) and lines[0]["api_key_id"] is None and lines[1]["user_id"] == floor_id
    assert lines[2]["user_id"] is None and isinstance(lines[2]["api_key_id"], int)
    assert all(isinstance(line["duration_ms"], float) and line["duration_ms"] > 0 for line in lines)
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in ("Zebulon", "Quaxley", "zq@example.test", "555", "q="):
        assert secret not in text


@pytest.fixture
def json_logs() -> Iterator[None]:
    """Undo what JSON mode does to the process's logging (a handler on the root logger) after the test."""
    root, werkzeug = logging.getLogger(), logging.getLogger("werkzeug")
    levels = root.level, werkzeug.level
    yield
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
        root.removeHandler(handler)
    root.setLevel(levels[0])
    werkzeug.setLevel(levels[1])


@pytest.mark.app_config(LOG_FORMAT="json")
def test_json_mode_writes_the_line_to_standard_output(json_logs: None, request_log: None, client: FlaskClient) -> None:
    handler = use_json_logs()  # the one create_app installed on the root logger (writing to standard output)
    assert [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)] == [handler]
    assert isinstance(handler, logging.StreamHandler)
    out = io.StringIO()
    handler.setStream(out)  # read what it writes (pytest swaps standard output between tests)
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/no/such/page/42").status_code == 404
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "guestbook.requests"]
    assert [(line["route"], line["status"]) for line in requests] == [
        ("/api/v1/health", 200),
        ("(unmatched)", 404),  # never the raw path
    ]
    assert {"time", "level", "pid", "message", "method", "duration_ms", "user_id", "api_key_id"} <= set(requests[0])


# ---- metrics


def test_metrics_are_for_admins_and_count_requests_by_route(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    api_key,  # type: ignore[no-untyped-def]
) -> None:
    guest = make_guest(given_name="Metric")
    assert client.get("/metrics").status_code == 302  # to the sign-in page
    auth.login("floor")
    before = _sample("guestbook_http_requests_total", method="GET", route="/guests/<int:guest_id>", status="200")
    assert client.get(f"/guests/{guest.id}").status_code == 200
    assert client.get("/metrics").status_code == 403
    admin = app.test_client()
    AuthActions(admin).login("admin")
    response = admin.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert 'guestbook_http_requests_total{method="GET",route="/guests/<int:guest_id>",status="200"}' in body
    assert 'guestbook_http_request_duration_seconds_count{method="GET",route="/guests/<int:guest_id>"}' in body
    assert 'guestbook_http_requests_total{method="GET",route="/metrics",status="403"}' in body
    after = _sample("guestbook_http_requests_total", method="GET", route="/guests/<int:guest_id>", status="200")
    assert after == before + 1
    assert client.get("/api/v1/metrics", headers=api_key("manager")).status_code == 403
    scraped = client.get("/api/v1/metrics", headers=api_key("admin"))
    assert scraped.status_code == 200 and "guestbook_http_requests_total" in scraped.get_data(as_text=True)


def test_a_job_run_and_a_job_failure_are_counted(app: Flask) -> None:
    runs = _sample("guestbook_job_runs_total", job="clear_stale_uploads")
    assert jobs.clear_stale_uploads(app) == 0
    assert _sample("guestbook_job_runs_total", job="clear_stale_uploads") == runs + 1

    @observed_job
    def broken_job(app: Flask) -> int:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        broken_job(app)
    assert _sample("guestbook_job_runs_total", job="broken_job") >= 1
    failures = _sample("guestbook_job_failures_total", job="broken_job")
    with pytest.raises(RuntimeError):
        broken_job(app)
    assert _sample("guestbook_job_failures_total", job="broken_job") == failures + 1


def test_letters_and_briefings_made_are_counted(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_guest(family_name="Yu", salutation="Mr", marketing_consent=True, address=ADDRESS, birthday="--03-15")
    made = _sample("guestbook_letters_made_total")
    letters.run_daily(date(2027, 3, 5), Actor.system("tests"))
    assert _sample("guestbook_letters_made_total") == made + 1
    letters.run_daily(date(2027, 3, 5), Actor.system("tests"))  # nothing new: nothing counted
    assert _sample("guestbook_letters_made_total") == made + 1
    downloads = _sample("guestbook_briefings_made_total", kind="download")
    auth.login("manager")
    response = client.get("/briefing/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert _sample("guestbook_briefings_made_total", kind="download") == downloads + 1


# ---- behind a TLS proxy, and in production


def _add_probe(app: Flask) -> None:
    app.add_url_rule("/probe", "probe", public(lambda: f"{request.scheme} {request.remote_addr}"))


@pytest.mark.app_config(PROXY_FIX=1)
def test_proxy_fix_trusts_the_proxy_headers_when_enabled(app: Flask) -> None:
    _add_probe(app)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/probe", headers=headers).get_data(as_text=True) == "https 203.0.113.9"


def test_proxy_headers_are_ignored_by_default(app: Flask) -> None:
    _add_probe(app)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/probe", headers=headers).get_data(as_text=True) == "http 127.0.0.1"


def test_production_turns_secure_cookies_and_json_logs_on(
    monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path
) -> None:
    development = load_config(str(tmp_path))
    assert development["SESSION_COOKIE_SECURE"] is False and development["LOG_FORMAT"] == "plain"
    monkeypatch.setenv("GUESTBOOK_ENV", "production")
    monkeypatch.setenv("GUESTBOOK_SECRET_KEY", "a-production-secret-of-enough-length-0123456789")
    monkeypatch.setenv("GUESTBOOK_LOG_FORMAT", "plain")  # this test's app must not install a log handler
    monkeypatch.setenv("GUESTBOOK_DATABASE_URL", db_url)
    production = load_config(str(tmp_path))
    assert production["SESSION_COOKIE_SECURE"] is True and production["REMEMBER_COOKIE_SECURE"] is True
    monkeypatch.delenv("GUESTBOOK_LOG_FORMAT")
    assert load_config(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.setenv("GUESTBOOK_LOG_FORMAT", "plain")
    app = create_app(instance_path=str(tmp_path))
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "; Secure" in cookie and "; HttpOnly" in cookie
    close_app(app)
