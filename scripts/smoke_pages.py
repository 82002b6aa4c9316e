"""Smoke test of a production install: every GET page and API route, for each demo role, must not answer 5xx.

Run by ``scripts/smoke`` inside a venv built from requirements.txt alone, against a database that
already holds the demo (``flask --app wsgi demo``) and a letters batch. Uses only runtime packages
(Flask's test client). URL parameters are filled with real demo ids; a route whose parameter has
no known value is reported and counts as a failure, so a new route cannot slip past unvisited.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from guestbook import create_app
from guestbook.admin.models import Outlet
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing.models import BriefingArchive
from guestbook.demo import DEMO_PASSWORD, DEMO_STAFF
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters.models import LETTER_KINDS, Letter, LetterBatch, LetterTemplate
from guestbook.reservations.models import PossibleMatch, Reservation
from guestbook.staff.models import StaffUser

# Pages that change the session (sign-in, lock) are visited last, so they do not hide the others.
LAST = ("/unlock", "/login", "/")


def _first(model: Any, *where: Any) -> int | None:
    column = model.id
    return db.session.scalar(select(func.min(column)).where(*where))


def demo_values(app: Flask) -> dict[str, str]:
    """Real values for every URL parameter name (tomorrow's briefing is archived first, as the scheduler does)."""
    with app.app_context():
        tz = ZoneInfo(app.config["GUESTBOOK_TIMEZONE"])
        today = datetime.now(tz).date()
        if not _first(BriefingArchive):
            briefing_archive.run_scheduled(today + timedelta(days=1))
        reservation = db.session.scalar(select(Reservation).order_by(Reservation.id).limit(1))
        template = db.session.scalar(select(LetterTemplate).order_by(LetterTemplate.id).limit(1))
        outlet = db.session.scalar(select(Outlet).order_by(Outlet.id).limit(1))
        ids = {
            "guest_id": _first(Guest),
            "batch_id": db.session.scalar(select(func.max(LetterBatch.id))),
            "letter_id": _first(Letter),
            "archive_id": _first(BriefingArchive),
            "user_id": _first(StaffUser),
            "match_id": _first(PossibleMatch),
            "reservation_id": reservation.id if reservation else None,
            "outlet_id": outlet.id if outlet else None,
        }
        values = {name: str(value) for name, value in ids.items() if value is not None}
        values.update(
            day=(today + timedelta(days=1)).isoformat(),
            date=today.isoformat(),
            kind=template.kind if template else LETTER_KINDS[0],
            language=template.language if template else "en",
        )
        for mapper in db.Model.registry.mappers:  # any other <thing_id>: the first row of table "thing"/"x_thing"
            table = getattr(mapper.class_, "__tablename__", "")
            key = f"{table.rsplit('_', 1)[-1]}_id"
            if key not in values and "id" in mapper.columns:
                first = db.session.scalar(select(func.min(mapper.columns["id"])))
                if first is not None:
                    values[key] = str(first)
        two = list(db.session.scalars(select(Guest.id).order_by(Guest.id).limit(2)))
        if len(two) == 2:  # the duplicate pair and merge pages compare two guests
            values.update(first_id=str(two[0]), second_id=str(two[1]), keep_id=str(two[0]), other_id=str(two[1]))
        if reservation is not None:
            values.update(source=reservation.source, external_id=reservation.external_id)
        if outlet is not None:
            values.update(code=outlet.code, outlet=outlet.code)
        return values


def urls(app: Flask, values: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every GET route with its parameters filled in, plus a few with query strings; and the unfillable ones."""
    found: list[str] = []
    missing: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        filled = _fill(rule, values)
        if filled is None:
            missing.append(f"{rule.rule} (no demo value for {sorted(rule.arguments - values.keys())})")
        else:
            found.append(filled)
    tomorrow = values["day"]
    found += [
        f"/briefing/?date={tomorrow}",
        f"/briefing/pdf?date={tomorrow}",
        "/guests/search?q=m%C3%BCller",
        "/guests/search?q=%E7%8E%8B",
        "/api/v1/guests?q=wang&limit=5",
        "/segments/lists/slipping",
        "/segments/lists/tier?value=A",
        "/segments/lists/cell?value=5,5",
        "/segments/lists/occasions",
        "/static/css/app.css",
    ]
    found.sort(key=lambda u: (u.split("?")[0] in LAST, u))
    return found, missing


def _fill(rule: Rule, values: dict[str, str]) -> str | None:
    args: dict[str, str] = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)  # the any() converter keeps its choices here
        choices = getattr(converter, "items", None)
        if name in values:
            args[name] = values[name]
        elif choices:
            args[name] = sorted(choices)[0]
        else:
            return None
    try:
        built = rule.build(args, append_unknown=False)
    except Exception:  # a value the converter refuses
        return None
    return built[1] if built else None


def sign_in(app: Flask, email: str) -> Any:
    """A test client signed in through the real form (CSRF token included)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise SystemExit(f"smoke: cannot sign in as {email} (HTTP {response.status_code})")
    return client


def walk(app: Flask, targets: list[str]) -> Iterator[tuple[str, str, int, float]]:
    """(role, url, status, seconds) for every target and every demo role."""
    for _name, email, role in DEMO_STAFF:
        client = sign_in(app, email)
        for url in targets:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            body = response.get_data()
            if response.status_code == 200 and url.split("?")[0].endswith(".pdf") and not body.startswith(b"%PDF-"):
                yield role, url + " (not a PDF)", 599, elapsed
                continue
            yield role, url, response.status_code, elapsed


def main() -> int:
    """Visit everything; print a summary; exit 1 on any 5xx or an unvisitable route."""
    instance = os.environ.get("GUESTBOOK_SMOKE_INSTANCE")
    app = create_app({"TESTING": False}, instance_path=instance)
    values = demo_values(app)
    targets, missing = urls(app, values)
    failures: list[str] = [f"unvisited: {m}" for m in missing]
    statuses: dict[int, int] = {}
    notes: list[str] = []
    slowest = (0.0, "")
    for role, url, status, elapsed in walk(app, targets):
        statuses[status] = statuses.get(status, 0) + 1
        slowest = max(slowest, (elapsed, f"{role} {url}"))
        if status >= 500:
            failures.append(f"{role:<10} {status} {url}")
        elif status not in (200, 302, 403):
            notes.append(f"{role:<10} {status} {url}")
    total = sum(statuses.values())
    summary = ", ".join(f"{count}×{status}" for status, count in sorted(statuses.items()))
    print(f"smoke: {total} requests over {len(targets)} URLs and {len(DEMO_STAFF)} roles: {summary}")
    print(f"smoke: slowest {slowest[0] * 1000:.0f} ms ({slowest[1]}); date {date.today().isoformat()} UTC")
    if notes:
        print("smoke: answered neither 200, 302 nor 403 (not a failure):", *notes, sep="\n  ")
    if failures:
        print("smoke FAILED:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
