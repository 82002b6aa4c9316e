"""Operating the app: one log line per request (JSON when asked), Prometheus metrics, the readiness check.

Nothing here runs at import but the metric definitions (prometheus_client objects, no I/O in single-process
mode). ``init_observability`` only installs request hooks, the ``/metrics`` route and, in JSON mode, a log
handler: no threads, no database. Under gunicorn, prometheus_client's multiprocess mode (its own
``PROMETHEUS_MULTIPROC_DIR``, set by scripts/serve) has every worker and the scheduler write their samples
to one folder, and ``/metrics`` adds them all up.

A request line names the URL rule (``/guests/<int:guest_id>``), never the path with its ids nor the query
string (a search's ``q`` is a guest's name), and the caller by staff or API key id, never by name or e-mail.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, wraps
from typing import Any, ParamSpec, TextIO, TypeVar

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from guestbook.extensions import db
from guestbook.security import role_required

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)
request_log = logging.getLogger("guestbook.requests")

UNMATCHED = "(unmatched)"  # the route label of a 404 / 405: never the raw path (unbounded, and it may carry data)

# This process's metrics (single-process mode: tests, flask run). Under multiprocess mode the samples go to files
# and /metrics reads them with a fresh registry, as prometheus_client's documentation prescribes.
REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "guestbook_http_requests",
    "Requests answered, by method, URL rule and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "guestbook_http_request_duration_seconds",
    "Time from the first hook to the response, by method and URL rule.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
JOB_RUNS = Counter("guestbook_job_runs", "Scheduled job runs (finished or failed), by job.", ["job"], registry=REGISTRY)
JOB_FAILURES = Counter("guestbook_job_failures", "Scheduled job runs that raised, by job.", ["job"], registry=REGISTRY)
LETTERS_MADE = Counter("guestbook_letters_made", "Letters drafted into a day's batch.", registry=REGISTRY)
BRIEFINGS_MADE = Counter(
    "guestbook_briefings_made",
    "Briefing PDFs made: archived by the nightly run (scheduled), regenerated (manual) or downloaded.",
    ["kind"],
    registry=REGISTRY,
)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, pid, message, then the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (standard output) as JSON, at INFO and above; once per process.

    Installed on the root logger, so the app's, APScheduler's and gunicorn's records (its logconfig points
    here too) come out the same way. Werkzeug's development-server request line is silenced: it carries the
    query string; the app's own request line replaces it.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return handler
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return handler


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _start_timer() -> None:
    g.observability_started = time.perf_counter()


def _record_request(response: Response) -> Response:
    """After every request (the last hook to run): count and time it, and write its log line."""
    started = g.get("observability_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    route, method, status = _route(), request.method, response.status_code
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    HTTP_DURATION.labels(method=method, route=route).observe(seconds)
    if request_log.isEnabledFor(logging.INFO):
        actor = g.get("actor")
        fields = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": getattr(actor, "staff_user_id", None),
            "api_key_id": getattr(actor, "api_key_id", None),
        }
        request_log.info("%s %s %s", method, route, status, extra={"fields": fields})
    return response


def metrics_response() -> Response:
    """Every metric in the Prometheus text format: of all processes in multiprocess mode, else of this one."""
    folder = str(current_app.config.get("METRICS_MULTIPROC_DIR") or "")
    if folder:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@role_required("admin")
def metrics() -> Response:
    """Prometheus metrics (admins only; a scraper uses /api/v1/metrics with an admin API key)."""
    return metrics_response()


def init_observability(app: Flask) -> None:
    """Install the request timer, the request log line and /metrics; JSON logs when LOG_FORMAT is "json".

    Call it before the other ``before_request`` hooks (the access rules may answer early): the timer runs first.
    """
    if app.config.get("LOG_FORMAT") == "json":
        use_json_logs()
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request_funcs.setdefault(None, []).insert(0, _record_request)  # after-hooks run last-in, first-out
    app.add_url_rule("/metrics", "metrics", metrics)


def observed_job(job: Callable[P, R]) -> Callable[P, R]:
    """Count a scheduled job's runs and failures (``guestbook_job_runs_total{job=...}``); the job is unchanged."""
    name = job.__name__

    @wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return job(*args, **kwargs)
        except Exception:
            JOB_FAILURES.labels(job=name).inc()
            raise
        finally:
            JOB_RUNS.labels(job=name).inc()

    return run


@cache
def _migration_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migration scripts (read once per process: a deploy restarts it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def readiness() -> tuple[bool, dict[str, str]]:
    """Whether this process can serve: the database answers and its schema is at the migrations' head.

    The reason given to the (anonymous) caller names no host, path or error text; the log has the detail.
    """
    heads = _migration_heads(str(current_app.extensions["migrate"].directory))
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            # alembic's own table, read directly (a MigrationContext would log two lines at every probe)
            current: frozenset[str] = frozenset()
            if inspect(connection).has_table("alembic_version"):
                current = frozenset(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        log.warning("readiness: the database does not answer", exc_info=True)
        return False, {"status": "not ready", "reason": "the database does not answer"}
    if current != heads:
        at = ", ".join(sorted(current)) or "none"
        return False, {
            "status": "not ready",
            "reason": f"the database is at revision {at}, the code needs {', '.join(sorted(heads))}",
        }
    return True, {"status": "ready", "revision": ", ".join(sorted(heads))}


# Warm-up: work a worker would otherwise do on its first guest (the Japanese readings' dictionaries take
# most of a second; each big template compiles once per process). Domains register what they need;
# gunicorn's post_worker_init (guestbook/gunicorn_conf.py) runs them before the worker takes a request.
WARM_UP_KEY = "guestbook.warm_up"
WARM_TEMPLATES = ("base.html", "guests/index.html", "guests/_results.html", "guests/show.html")


def register_warm_up(app: Flask, step: Callable[[], object]) -> None:
    """Run ``step`` when a server worker starts (not in tests or commands: they would pay for nothing)."""
    app.extensions.setdefault(WARM_UP_KEY, []).append(step)


def warm_up(app: Flask) -> float:
    """Run the registered warm-up steps and compile the floor's templates; returns the seconds it took."""
    started = time.perf_counter()
    with app.app_context():
        for step in app.extensions.get(WARM_UP_KEY, []):
            step()
        for name in WARM_TEMPLATES:
            app.jinja_env.get_template(name)
    return time.perf_counter() - started
