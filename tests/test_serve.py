"""scripts/serve starts gunicorn and the scheduler, logs JSON lines to standard output, and Ctrl-C stops both."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from guestbook import PROJECT_ROOT, create_app
from guestbook.admin import settings
from guestbook.staff import auth

from .conftest import _config, close_app
from .factories import ACTOR

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only(reason="serves a SQLite file of its own")]

READY_SECONDS = 90  # the venv exists (scripts/test made it); a first run installs requirements.txt's stamp
STOP_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())  # a zombie has exited


def _prepared_database(folder: Path) -> str:
    """A migrated database whose nightly backups go to ``folder`` (not the project's instance folder); an admin key."""
    app = create_app(_config(folder / "guestbook.sqlite3"), instance_path=str(folder))
    with app.app_context():
        upgrade()
        settings.set_setting("backup_folder", str(folder / "backups"), ACTOR)
        _record, key = auth.create_api_key("prometheus", "admin")
    close_app(app)
    return key


def test_serve_answers_logs_json_and_stops_both_processes_on_ctrl_c(tmp_path: Path) -> None:
    key = _prepared_database(tmp_path)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUESTBOOK_", "PROMETHEUS_"))}
    env.update(
        GUESTBOOK_DATABASE_URL=f"sqlite:///{tmp_path / 'guestbook.sqlite3'}",
        GUESTBOOK_SECRET_KEY="serve-test-secret-key-0123456789",
        GUESTBOOK_WORKERS="2",
        PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    proc = subprocess.Popen(
        [str(PROJECT_ROOT / "scripts" / "serve")],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # our SIGINT reaches the script alone, as a terminal's Ctrl-C does with job control
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    pids: list[int] = []
    try:
        deadline = time.monotonic() + READY_SECONDS
        status = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _body = _get(port, "/api/v1/health/ready")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, "not ready in time:\n" + "".join(lines[-40:])
        started = next(line for line in lines if line.startswith("==> gunicorn (pid"))
        web, scheduler = (int(n) for n in re.findall(r"pid (\d+)", started))
        pids = [web, scheduler]

        assert _get(port, "/guests/search?q=Quaxley")[0] == 302  # to the sign-in page
        assert _get(port, "/api/v1/health")[0] == 200
        deadline = time.monotonic() + 30
        scraped = ""
        while time.monotonic() < deadline:  # the scheduler's start-up catch-up runs the nightly briefing job
            code, scraped = _get(port, "/api/v1/metrics", {"Authorization": f"Bearer {key}"})
            assert code == 200
            if 'guestbook_job_runs_total{job="nightly_briefing"}' in scraped:
                break
            time.sleep(0.5)
        # Every worker's and the scheduler's samples, added up (multiprocess mode).
        assert 'guestbook_job_runs_total{job="nightly_briefing"}' in scraped
        assert 'guestbook_http_requests_total{method="GET",route="/api/v1/health",status="200"}' in scraped

        time.sleep(0.5)
        records = [json.loads(line) for line in list(lines) if line.startswith("{")]
        requests = [r for r in records if r.get("logger") == "guestbook.requests"]
        assert {"method": "GET", "route": "/guests/search", "status": 302} | {"user_id": None} in [
            {k: r[k] for k in ("method", "route", "status", "user_id")} for r in requests
        ]
        assert any(r["route"] == "/api/v1/health" and r["status"] == 200 for r in requests)
        assert any(r["logger"].startswith("apscheduler") for r in records)  # the scheduler logs here too
        assert any(r["logger"] == "gunicorn.error" for r in records)  # and gunicorn itself
        pids += [int(n) for r in records for n in re.findall(r"Booting worker with pid: (\d+)", str(r["message"]))]
        assert len(pids) >= 4  # gunicorn, the scheduler, two workers
        assert "Quaxley" not in "".join(lines)

        proc.send_signal(signal.SIGINT)
        code = proc.wait(STOP_SECONDS)
        assert code in (0, 130), "".join(lines[-30:])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        assert [pid for pid in pids if _alive(pid)] == []
        reader.join(5)
        assert lines[-1].strip() == "==> stopped"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(5)
        reader.join(5)
        proc.stdout.close()  # type: ignore[union-attr]
