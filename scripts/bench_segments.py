"""Segments benchmark: ``flask --app wsgi segments refresh`` on a fresh migrated SQLite with years of visits.

Builds ``--guests`` guests and ``--visits`` visits over the three years before ``--date`` in a temporary
folder, with the rhythms a restaurant sees: weekly regulars, monthly guests, guests who come a few times a
year, one-timers, and a few profiles never seen (some of each class still coming, the others stopped).
Visits are inserted in time order, as they arrive in a real database; spend is a Decimal around each guest's
own mean (a few visits without a bill); the guests' ``visit_count`` and ``last_visit_at`` are then set by one
set-based UPDATE. Then, each in a subprocess (wall time, and peak memory from ``os.wait4`` and
``resource.getrusage(RUSAGE_CHILDREN)``):

1. a full refresh as of ``--date`` (``segments refresh --date``: a new day, so both fits run);
2. 1,000 new visits for 1,000 different guests on that same day (their counters updated), then the
   incremental refresh (``segments refresh --date`` again: only the changed guests re-read).

Prints the build time, both refreshes' figures with their goals, and the lapse model fit (the latest
``segment_model_run``). Goals (issue 14, "Speed and memory"): 200,000 guests with 2,000,000 visits, full
refresh including both fits under 30 s and 1 GB peak; incremental refresh after 1,000 new visits under 2 s;
dashboard page under 300 ms (3. below: the page served by the app in this process, signed in as a manager).
The goals are judged on the refresh's own time (the JSON ``seconds``); the command's wall time, with the
interpreter and app start-up, is printed beside it.

For repeated runs, ``--save-database PATH`` keeps a copy of the built database (before any refresh) and
``--reuse-database PATH`` refreshes a copy of it instead of building (pass the sizes it was built with).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import Table, func, insert, select, update  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.actor import Actor  # noqa: E402
from guestbook.admin import outlets  # noqa: E402
from guestbook.admin.models import Outlet  # noqa: E402
from guestbook.admin.schemas import OutletCreate  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests.models import Guest, Visit  # noqa: E402
from guestbook.segments.models import GuestSegment, SegmentModelRun  # noqa: E402

AS_OF = date(2026, 11, 30)
YEARS_DAYS = 3 * 365  # the history: the ~3 years before AS_OF (the day itself gets the 1,000 new visits)
NEW_VISITS = 1_000
BATCH = 50_000
# Core tables, not the ORM entities: the ORM's bulk INSERT leaves out None values and so splits the rows into
# many small executemany groups whenever consecutive rows differ in which columns are None.
GUEST_TABLE = cast(Table, Guest.__table__)
VISIT_TABLE = cast(Table, Visit.__table__)
GIVEN = "Anna Ben Chai David Emma Fah George Hana Ian Julia Ken Lena Mali Nick Olivia Pim Rosa Tom".split()  # noqa: SIM905
FAMILY = "Smith Jones Brown Taylor Wilson Clark Lewis Walker Hall Young King Wright Scott Green".split()  # noqa: SIM905

# Rhythm classes: (name, share of guests, mean gap in days, visit-count range, gap spread, share still coming).
CLASSES = [
    ("weekly", 0.04, 7, (20, 156), 0.25, 0.6),
    ("monthly", 0.14, 30, (4, 36), 0.35, 0.5),
    ("few a year", 0.37, 100, (2, 11), 0.5, 0.4),
    ("one-timer", 0.42, 0, (1, 1), 0.0, 0.0),
    ("never seen", 0.03, 0, (0, 0), 0.0, 0.0),
]


def make_app(path: Path) -> Flask:
    """The app on the benchmark's database."""
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(path.parent)
    )


def fresh_database(folder: Path) -> Path:
    """A migrated SQLite database with two outlets."""
    path = folder / "bench.sqlite3"
    app = make_app(path)
    with app.app_context():
        upgrade()
        actor = Actor.system("bench")
        outlets.create_outlet(OutletCreate(code="terrace", name="Terrace", kind="restaurant"), actor)
        outlets.create_outlet(OutletCreate(code="bar", name="Bamboo Bar", kind="bar"), actor)
        db.session.remove()
        db.engine.dispose()
    return path


def plan_counts(guests: int, visits: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """Each guest's rhythm class and visit count, the counts scaled so that they add up to exactly ``visits``."""
    classes = rng.choices(range(len(CLASSES)), weights=[c[1] for c in CLASSES], k=guests)
    counts = [rng.randint(*CLASSES[c][3]) for c in classes]
    fixed = sum(n for c, n in zip(classes, counts, strict=True) if CLASSES[c][2] == 0)
    repeat = [i for i, c in enumerate(classes) if CLASSES[c][2] > 0]
    target = visits - fixed
    if target < 2 * len(repeat):
        raise SystemExit(
            f"--visits {visits:,} is too few for {guests:,} guests (need at least {fixed + 2 * len(repeat):,})"
        )
    factor = target / sum(counts[i] for i in repeat)
    for i in repeat:
        counts[i] = max(2, round(counts[i] * factor))
    diff = target - sum(counts[i] for i in repeat)
    while diff:
        i = rng.choice(repeat)
        if diff > 0:
            counts[i] += 1
            diff -= 1
        elif counts[i] > 2:
            counts[i] -= 1
            diff += 1
    return classes, counts


def visit_days(kind: int, count: int, rng: random.Random) -> list[int]:
    """A guest's visit days (0 = the history's first day, YEARS_DAYS - 1 = the day before AS_OF)."""
    if count == 0:
        return []
    last = YEARS_DAYS - 1
    if count == 1:
        return [rng.randint(0, last)]
    _name, _share, gap, _range, spread, still_coming = CLASSES[kind]
    offsets = [0.0]
    for _ in range(count - 1):
        offsets.append(offsets[-1] + max(1.0, gap * rng.lognormvariate(0, spread)))
    span = offsets[-1]
    if span > last:  # more visits than the years hold at this rhythm: come a little more often
        offsets = [o * last / span for o in offsets]
        span = last
    if rng.random() < still_coming:
        end = max(int(span), last - int(rng.expovariate(1 / gap)))
        start = end - int(span)
    else:
        start = rng.randint(0, last - int(span))
    return [start + int(o) for o in offsets]


def visit_minute(rng: random.Random) -> int:
    """Minute of the (local) day: lunch or dinner."""
    if rng.random() < 0.3:
        return rng.randint(11 * 60 + 30, 14 * 60)
    return rng.randint(18 * 60, 22 * 60 + 30)


def build(path: Path, guests: int, visits: int, seed: int = 14) -> dict[str, Any]:
    """Guests, their visits in time order, then their counters; returns timings and the class mix."""
    rng = random.Random(seed)
    app = make_app(path)
    started = time.perf_counter()
    with app.app_context():
        tz = outlets.property_tz()
        first_day = AS_OF - timedelta(days=YEARS_DAYS)
        midnight = [
            datetime.combine(first_day + timedelta(days=d), datetime.min.time(), tz).astimezone(UTC)
            for d in range(YEARS_DAYS + 1)
        ]
        outlet_ids = dict(db.session.execute(select(Outlet.code, Outlet.id)).all())
        terrace, bar = outlet_ids["terrace"], outlet_ids["bar"]
        classes, counts = plan_counts(guests, visits, rng)
        # Each visit as one int, so that two million sort cheaply: local minute of the history, guest, spend cents.
        keys: list[int] = []
        for gid0, (kind, count) in enumerate(zip(classes, counts, strict=True)):
            mean_spend = min(40_000.0, max(150.0, rng.lognormvariate(7.3, 0.6)))  # THB; median ~1,500
            for day in visit_days(kind, count, rng):
                cents = 0 if rng.random() < 0.02 else max(1, round(mean_spend * rng.lognormvariate(0, 0.35) * 100))
                keys.append(((day * 1440 + visit_minute(rng)) << 48) | ((gid0 + 1) << 24) | min(cents, 2**24 - 1))
        keys.sort()
        generated = time.perf_counter()
        created = {}
        for key in keys:  # each guest's profile is created at their first visit (never-seen ones a year ago)
            gid = (key >> 24) & 0xFFFFFF
            if gid not in created:
                created[gid] = key >> 48
        rows = []
        for gid in range(1, guests + 1):
            minute = created.get(gid, (YEARS_DAYS - 365) * 1440 + 600)
            at = midnight[minute // 1440] + timedelta(minutes=minute % 1440)
            rows.append({
                "id": gid, "given_name": GIVEN[gid % len(GIVEN)], "family_name": FAMILY[(gid // 7) % len(FAMILY)],
                "language": "en", "visit_count": 0, "version": 1, "created_at": at, "updated_at": at,
            })  # fmt: skip
            if len(rows) == BATCH:
                db.session.execute(insert(GUEST_TABLE), rows)
                rows = []
        if rows:
            db.session.execute(insert(GUEST_TABLE), rows)
        batch: list[dict[str, Any]] = []
        for n, key in enumerate(keys):
            minute, gid, cents = key >> 48, (key >> 24) & 0xFFFFFF, key & 0xFFFFFF
            at = midnight[minute // 1440] + timedelta(minutes=minute % 1440)
            batch.append({
                "guest_id": gid, "outlet_id": bar if n % 5 == 0 else terrace, "visited_at": at,
                "party_size": 1 + gid % 4, "table": f"T{gid % 40}", "items": [],
                "spend": Decimal(cents).scaleb(-2) if cents else None, "currency": "THB",
                "served_by_name": "", "notes": "", "created_at": at,
            })  # fmt: skip
            if len(batch) == BATCH:
                db.session.execute(insert(VISIT_TABLE), batch)
                batch = []
        if batch:
            db.session.execute(insert(VISIT_TABLE), batch)
        del keys, batch, created
        inserted = time.perf_counter()
        set_counters()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    done = time.perf_counter()
    mix = Counter(CLASSES[c][0] for c in classes)
    visits_by: Counter[str] = Counter()
    for c, n in zip(classes, counts, strict=True):
        visits_by[CLASSES[c][0]] += n
    return {
        "generate": generated - started, "insert": inserted - generated, "counters": done - inserted,
        "total": done - started, "mix": mix, "visits_by": visits_by,
    }  # fmt: skip


def set_counters(guest_ids: list[int] | None = None) -> None:
    """Each guest's visit_count and last_visit_at from their visits, in one set-based UPDATE."""
    stmt = update(Guest).values(
        visit_count=select(func.count()).where(Visit.guest_id == Guest.id).scalar_subquery(),
        last_visit_at=select(func.max(Visit.visited_at)).where(Visit.guest_id == Guest.id).scalar_subquery(),
    )
    if guest_ids is not None:
        stmt = stmt.where(Guest.id.in_(guest_ids))
    db.session.execute(stmt)


def add_new_visits(path: Path, guests: int, seed: int = 15) -> None:
    """NEW_VISITS visits on AS_OF itself (property time), one each for NEW_VISITS different guests."""
    rng = random.Random(seed)
    app = make_app(path)
    with app.app_context():
        tz = outlets.property_tz()
        terrace = outlets.outlet_by_code("terrace")
        assert terrace is not None
        midnight = datetime.combine(AS_OF, datetime.min.time(), tz).astimezone(UTC)
        chosen = rng.sample(range(1, guests + 1), min(NEW_VISITS, guests))
        rows = []
        for gid in chosen:
            at = midnight + timedelta(minutes=visit_minute(rng))
            rows.append({
                "guest_id": gid, "outlet_id": terrace.id, "visited_at": at, "party_size": 2, "table": "T1",
                "items": [], "spend": Decimal(rng.randint(30_000, 400_000)).scaleb(-2), "currency": "THB",
                "served_by_name": "", "notes": "", "created_at": at,
            })  # fmt: skip
        db.session.execute(insert(VISIT_TABLE), rows)
        set_counters(chosen)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def run_refresh(database: Path, day: date) -> tuple[float, dict[str, Any], float]:
    """Run ``flask --app wsgi segments refresh --date DAY``: wall time, its JSON line, its own peak RSS (MB)."""
    env = {**os.environ, "GUESTBOOK_DATABASE_URL": f"sqlite:///{database}", "GUESTBOOK_SECRET_KEY": "bench"}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "segments", "refresh", "--date", day.isoformat()]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        assert child.stdout is not None
        out = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        child.stdout.close()
        err.seek(0)
        errors = err.read().decode(errors="replace")
    lines = out.strip().splitlines()
    if child.returncode != 0 or not lines:
        print(out[-2000:], errors[-4000:], file=sys.stderr)
        raise SystemExit(f"segments refresh failed with status {child.returncode}")
    return seconds, json.loads(lines[-1]), usage.ru_maxrss * 1024 / 1e6


def peak_mb() -> float:
    """The largest resident set of any finished child so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6


def fmt(x: float | None) -> str:
    return "None" if x is None else f"{x:.4g}"


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_model(path: Path) -> None:
    """The latest lapse model fit, and how the guests came out."""
    app = make_app(path)
    with app.app_context():
        run = db.session.scalars(select(SegmentModelRun).order_by(SegmentModelRun.id.desc())).first()
        if run is None:
            print("lapse model: no segment_model_run row")
        else:
            print(
                f"lapse model as of {run.as_of}: {run.customers:,} customers, fitted in {run.seconds:.2f} s"
                f"{' (' + run.note + ')' if run.note else ''}\n"
                f"  BG/NBD r={fmt(run.r)} alpha={fmt(run.alpha)} a={fmt(run.a)} b={fmt(run.b)} "
                f"log-likelihood={fmt(run.log_likelihood)}\n"
                f"  Gamma-Gamma p={fmt(run.p)} q={fmt(run.q)} v={fmt(run.v)}"
            )
        for column in (GuestSegment.lifecycle, GuestSegment.tier):
            counts = db.session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
            print(f"  {column.key}: " + ", ".join(f"{k}={n:,}" for k, n in counts))
        db.session.remove()
        db.engine.dispose()


def report_dashboard(path: Path, requests: int = 30) -> None:
    """The manager dashboard and a list page over the refreshed data: server time per request (Flask test
    client, signed in as a manager; the first request warms the caches and is left out)."""
    from guestbook.staff import auth as staff_auth

    app = make_app(path)
    with app.app_context():
        staff_auth.create_staff_user("bench-manager@example.test", "Bench Manager", "manager", "bench-password-1")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": "bench-manager@example.test", "password": "bench-password-1", "csrf_token": token}
    )
    for url, label in (("/segments/", "dashboard page"), ("/segments/lists/slipping", "slipping-away list page")):
        assert client.get(url).status_code == 200
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        median, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        goal = f" (goal: under 300 ms, {met(p95 < 300)})" if url == "/segments/" else ""
        print(f"{label}: median {median:.0f} ms, p95 {p95:.0f} ms over {requests} requests{goal}")


def main() -> None:
    """Build, refresh (full, then incremental), print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=200_000)
    parser.add_argument("--visits", type=int, default=2_000_000)
    parser.add_argument(
        "--save-database", type=Path, default=None, help="Copy the freshly built database here (before any refresh)."
    )
    parser.add_argument(
        "--reuse-database",
        type=Path,
        default=None,
        help="Refresh a copy of this database (saved by --save-database) instead of building one.",
    )
    args = parser.parse_args()
    if args.guests >= 2**24:
        raise SystemExit("--guests must be under 16,777,216")
    with tempfile.TemporaryDirectory(prefix="bench-segments-") as tmp:
        folder = Path(tmp)
        if args.reuse_database is not None:
            database = folder / "bench.sqlite3"
            shutil.copyfile(args.reuse_database, database)
            print(f"reusing {args.reuse_database} (--guests and --visits must match how it was built)")
        else:
            database = fresh_database(folder)
            built = build(database, args.guests, args.visits)
            mix = ", ".join(
                f"{name} {built['mix'][name]:,} ({built['visits_by'][name]:,} visits)" for name, *_ in CLASSES
            )
            print(
                f"built {args.guests:,} guests and {args.visits:,} visits in {built['total']:.1f} s "
                f"(generate {built['generate']:.1f} s, insert {built['insert']:.1f} s, "
                f"counters {built['counters']:.1f} s); "
                f"database {database.stat().st_size / 1e6:.0f} MB"
            )
            print(f"  guests: {mix}")
            if args.save_database is not None:
                shutil.copyfile(database, args.save_database)
        wall, result, rss = run_refresh(database, AS_OF)
        seconds = float(result["seconds"])
        print(
            f"full refresh as of {AS_OF}: {seconds:.2f} s (goal: under 30 s, {met(seconds < 30)}); "
            f"command {wall:.2f} s wall; peak RSS {rss:.0f} MB (goal: under 1,000 MB, {met(rss < 1000)})"
        )
        print(f"  {json.dumps(result)}")
        add_new_visits(database, args.guests)
        wall, result, rss = run_refresh(database, AS_OF)
        seconds = float(result["seconds"])
        print(
            f"incremental refresh after {NEW_VISITS:,} new visits for {NEW_VISITS:,} guests: {seconds:.2f} s "
            f"(goal: under 2 s, {met(seconds < 2 and result['full'] is False)}); command {wall:.2f} s wall; "
            f"peak RSS {rss:.0f} MB; recomputed {result['recomputed']:,}"
        )
        print(f"  {json.dumps(result)}")
        print(f"peak memory of any refresh: {peak_mb():.0f} MB (RUSAGE_CHILDREN)")
        report_model(database)
        report_dashboard(database)


if __name__ == "__main__":
    main()
