"""Run Schemathesis against a live Guestbook: a migrated temporary SQLite with seed data and an admin API key.

The server listens on 127.0.0.1 on a free port (a werkzeug thread in this process); Schemathesis runs
as a child process with a fixed seed, every check and every phase, and its exit code is ours. Extra
arguments are passed on to ``schemathesis run`` (e.g. ``--max-examples 5`` for a quick look).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guestbook import create_app, demo  # noqa: E402
from guestbook.actor import Actor  # noqa: E402
from guestbook.admin.models import Outlet  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests.models import Guest  # noqa: E402
from guestbook.letters import selection as letters  # noqa: E402
from guestbook.staff import auth  # noqa: E402

SEED = 20261202
MERGEABLE = 10  # guests kept apart for the merge endpoint
MAX_EXAMPLES = int(os.environ.get("GUESTBOOK_SCHEMATHESIS_MAX_EXAMPLES", "40"))
# Fuzzing and stateful testing repeat until this budget is spent, so the run stays under 3 minutes on
# 2 cores; the seed fixes the sequence of cases, and a slower machine runs a shorter prefix of it.
MAX_TIME = os.environ.get("GUESTBOOK_SCHEMATHESIS_MAX_TIME", "150")


class ServerErrors(logging.Handler):
    """Counts what the app logs as errors (an unhandled exception is logged before its 500)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        print(f"SERVER ERROR: {record.getMessage()}", file=sys.stderr)


def seeded_app(folder: Path) -> tuple[Flask, str]:
    """A migrated app with demo guests, visits, reservations, a letter batch and an admin API key."""
    app = create_app(
        {
            "SECRET_KEY": "schemathesis-only",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'guestbook.sqlite3'}",
            "GUESTBOOK_TIMEZONE": "Asia/Bangkok",
            # The tester sends thousands of searches a minute; the limit itself is tested in pytest.
            "SEARCH_RATE_LIMIT": 0,
            "SEARCH_RATE_LIMIT_FLOOR": 0,
        },
        instance_path=str(folder),
    )
    with app.app_context():
        upgrade()
        demo.load_demo(seed=7, guests=30, today=date.today())
        letters.run_daily(date.today(), Actor.system())
        _record, key = auth.create_api_key("schemathesis", "admin")
        os.environ["GUESTBOOK_ST_OUTLETS"] = ",".join(db.session.scalars(select(Outlet.code).order_by(Outlet.id)))
        ids = [str(i) for i in db.session.scalars(select(Guest.id).order_by(Guest.id))]
        # A merge removes its other guest: the tester merges only these, so every id it uses elsewhere stays.
        os.environ["GUESTBOOK_ST_GUEST_IDS"] = ",".join(ids[:-MERGEABLE])
        os.environ["GUESTBOOK_ST_MERGE_IDS"] = ",".join(ids[-MERGEABLE:])
        db.session.remove()
    return app, key


def main(argv: list[str]) -> int:
    """Seed, serve, run Schemathesis, stop; returns Schemathesis' exit code."""
    folder = Path(tempfile.mkdtemp(prefix="guestbook-schemathesis-"))
    os.environ["GUESTBOOK_SEARCH_RATE_LIMIT"] = "0"
    os.environ["GUESTBOOK_SEARCH_RATE_LIMIT_FLOOR"] = "0"
    try:
        app, key = seeded_app(folder)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        errors = ServerErrors()
        app.logger.addHandler(errors)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}/api/v1"
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            MAX_TIME,
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--header",
            f"Authorization: Bearer {key}",
            "--no-color",
            *argv,
        ]
        started = time.monotonic()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "SCHEMATHESIS_HOOKS": "schemathesis_hooks"}
        result = subprocess.run(command, check=False, cwd=folder, env=env)
        print(f"==> schemathesis finished in {time.monotonic() - started:.0f} s (exit {result.returncode})")
        server.shutdown()
        if errors.count:
            print(f"==> the server logged {errors.count} error(s)", file=sys.stderr)
            return result.returncode or 1
        return result.returncode
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
