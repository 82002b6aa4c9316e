"""Configuration: every environment variable Guestbook reads is read here, and only here."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ENV_PREFIX = "GUESTBOOK_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def secret_key_for(instance_path: str, env: str) -> str:
    """Return the secret key: from the environment, or (development only) a key kept in the instance folder.

    Production never falls back to a generated key: a missing key is a configuration error.
    """
    key = _env("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise RuntimeError("GUESTBOOK_SECRET_KEY must be set in production")
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: str) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = (_env("ENV", "development") or "development").lower()
    database_url = _env("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'guestbook.sqlite3'}"
    production = env == "production"
    return {
        "GUESTBOOK_ENV": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "GUESTBOOK_TIMEZONE": _env("TIMEZONE", "Asia/Bangkok"),
        "GUESTBOOK_CURRENCY": _env("CURRENCY", "THB"),
        "IDLE_LOCK_SECONDS": _env_int("IDLE_LOCK_SECONDS", 15 * 60),
        "LOGIN_MAX_FAILURES": _env_int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_SECONDS": _env_int("LOGIN_LOCK_SECONDS", 15 * 60),
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 10_000),
        "PAPER_SIZE": _env("PAPER_SIZE", "A4"),
        # Largest request body (import uploads above all); larger ones get 413 before they are read.
        "MAX_UPLOAD_MB": _env_int("MAX_UPLOAD_MB", 20),
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        # Searches a minute per signed-in account or API key (0: no limit): the floor's is lower, so a
        # masked contact cannot be rebuilt by trying digits.
        "SEARCH_RATE_LIMIT_FLOOR": _env_int("SEARCH_RATE_LIMIT_FLOOR", 120),
        "SEARCH_RATE_LIMIT": _env_int("SEARCH_RATE_LIMIT", 600),
        # The key of the one-way hashes that keep an erased guest's e-mail and phone from being imported
        # again (guests/erased.py); unset: SECRET_KEY. Keep it stable: a new key forgets earlier erasures.
        "ERASURE_KEY": _env("ERASURE_KEY"),
        # The nightly briefing: built at BRIEFING_TIME (property time) for the day BRIEFING_DAY_OFFSET
        # days ahead; e.g. 22:00 and 1 for the evening before.
        "BRIEFING_TIME": _env("BRIEFING_TIME", "05:00"),
        "BRIEFING_DAY_OFFSET": _env_int("BRIEFING_DAY_OFFSET", 0),
        "LETTERS_TIME": _env("LETTERS_TIME", "06:00"),  # the daily letters run, property time
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": _env_int("SMTP_PORT", 25),
        "SMTP_SENDER": _env("SMTP_SENDER", "guestbook@localhost"),
        # The CSRF token lives as long as the session: a tablet left open on a form must still save.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in access.enforce_rules, after the role rule
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_HOURS", 12)),
        # The cookie is rewritten when the session changes (the idle lock's activity mark: see staff/access.py), not
        # on every request: signing and sending it on each keystroke's search was ~3 % of the search's CPU.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # A file that receives every audit event as one JSON line after its commit (for a log shipper).
        "GUESTBOOK_AUDIT_JSONL": _env("AUDIT_JSONL", "") or "",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # One line per request and per log record: "json" (scripts/serve, and production by default) or "plain".
        "LOG_FORMAT": (_env("LOG_FORMAT") or ("json" if production else "plain")).lower(),
        # Proxies in front (a TLS terminator): how many X-Forwarded-For/-Proto hops to trust (0: none, the default).
        "PROXY_FIX": _env_int("PROXY_FIX", 0),
        # prometheus_client's own variable (multiprocess mode under gunicorn; set by scripts/serve): where every
        # process writes its samples, and where /metrics reads them all. Unset: this process's figures only.
        "METRICS_MULTIPROC_DIR": os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""),
    }


@dataclass(frozen=True)
class ServeSettings:
    """How gunicorn serves the app (guestbook/gunicorn_conf.py, started by scripts/serve)."""

    bind: str
    workers: int
    timeout: int
    graceful_timeout: int
    log_format: str
    metrics_dir: str


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def serve_settings() -> ServeSettings:
    """gunicorn's settings from the environment: bind address, workers from the cores, timeouts, log format.

    Two workers per core, at least 2 and at most 8 (4 on 2 cores): the work is mostly CPU, and with SQLite more
    workers only queue for the one writer. ``PORT`` (default 8000) is the plain variable most hosts set.
    """
    production = (_env("ENV", "development") or "development").lower() == "production"
    return ServeSettings(
        bind=_env("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}",
        workers=_env_int("WORKERS", min(max(2 * _cores(), 2), 8)),
        timeout=_env_int("WORKER_TIMEOUT", 60),  # a worker silent this long is restarted (a large PDF takes seconds)
        graceful_timeout=_env_int("GRACEFUL_TIMEOUT", 30),  # on stop: requests in flight get this long to finish
        log_format=(_env("LOG_FORMAT") or ("json" if production else "plain")).lower(),
        metrics_dir=os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""),
    )
