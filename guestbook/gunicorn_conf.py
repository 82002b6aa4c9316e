"""gunicorn's settings for scripts/serve: ``gunicorn -c python:guestbook.gunicorn_conf wsgi:app``.

A module in the package, not a ``gunicorn.conf.py`` at the root: gunicorn loads that file by itself whenever it
starts in the project folder, so it would silently change scripts/bench_load's server; here it is type-checked
and used only when named. The values come from ``guestbook.config.serve_settings`` (GUESTBOOK_BIND or
127.0.0.1:$PORT, GUESTBOOK_WORKERS, GUESTBOOK_WORKER_TIMEOUT, GUESTBOOK_GRACEFUL_TIMEOUT, GUESTBOOK_LOG_FORMAT).
gunicorn reads this module's lower-case names as its settings and its functions as its hooks.
"""

from __future__ import annotations

from typing import Any

from guestbook.config import serve_settings

_settings = serve_settings()

bind = [_settings.bind]
workers = _settings.workers
worker_class = "sync"
timeout = _settings.timeout
graceful_timeout = _settings.graceful_timeout  # SIGTERM: stop accepting, let requests in flight finish
keepalive = 5  # behind a proxy that reuses connections
errorlog = "-"
# No control socket (gunicorn's default is one per user in ~/.gunicorn: two servers of one user would share it).
control_socket_disable = True
# The access log. In JSON mode it is the app's own line per request (route template, status, duration, staff or
# API key id), so gunicorn's is off: one line per request. In plain mode gunicorn writes it, without the query
# string (%(U)s is the path only: a search's q is a guest's name).
accesslog = None if _settings.log_format == "json" else "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

if _settings.log_format == "json":
    # gunicorn's own records (boot, workers, errors) as the same JSON lines on standard output.
    logconfig_dict: dict[str, Any] = {
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True, "qualname": "gunicorn.error"},
            # A logging config turns gunicorn's access log on: off again here (the app writes the request line).
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False, "qualname": "gunicorn.access"},
        },
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "formatters": {"json": {"()": "guestbook.observability.JsonFormatter"}},
    }


def post_worker_init(worker: Any) -> None:
    """A worker loaded the app: warm it before its first request (readings dictionaries, templates)."""
    from guestbook.observability import warm_up

    seconds = warm_up(worker.wsgi)
    worker.log.info("worker %s warmed up in %.2f s", worker.pid, seconds)


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: tell prometheus_client's multiprocess mode (its live gauges, if any, drop that pid)."""
    if _settings.metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
