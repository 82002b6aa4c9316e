#!/usr/bin/env python3
"""Benchmark: 50 and 500 arrivals with full profiles → briefing PDF; seconds, pages/s, peak memory, 500/50 ratio.

Each size is timed ``--repeat`` times (default 5) on the same database and the median is reported, so a
busy machine does not decide the figure; the spread (min-max) is printed too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from pypdf import PdfReader

from guestbook import create_app
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import default_property
from guestbook.briefing import archive as briefing_archive
from guestbook.briefing import assembly as briefing
from guestbook.demo import DISHES, TABLES, random_name
from guestbook.extensions import db
from guestbook.guests import search
from guestbook.guests.models import Allergy, Guest, Preference, Visit
from guestbook.reservations.models import Reservation

DAY = date(2026, 11, 22)


def build(count: int, rng: random.Random) -> None:
    """``count`` arrivals at one outlet, each guest with 3-20 visits, allergies, a preference, a birthday."""
    prop = default_property()
    outlet = db.session.query(Outlet).filter_by(code="terrace").one_or_none()
    if outlet is None:
        outlet = Outlet(property_id=prop.id, code="terrace", name="Terrace Restaurant", kind="restaurant")
        db.session.add(outlet)
        db.session.flush()
    for n in range(count):
        name = random_name(rng)
        guest = Guest(
            given_name=name.given, family_name=name.family, salutation=name.salutation, language=name.language,
            pronunciation="say it softly" if n % 5 == 0 else "", vip_level=rng.choice([0, 0, 0, 1, 2, 3]),
            company=rng.choice(["", "Siam Cement", "Mitsui & Co."]), notes="prefers quiet tables",
            birthday_month=11, birthday_day=22 if n % 10 == 0 else 1, birthday_year=1970 + n % 30,
        )  # fmt: skip
        if n % 3 == 0:
            guest.allergies = [
                Allergy(allergen=rng.choice(["peanuts", "shellfish", "gluten"]), severity="severe", note="")
            ]
        db.session.add(guest)
        table, order = rng.choice(TABLES), rng.sample(DISHES, 3)
        for v in range(rng.randint(3, 20)):
            db.session.add(Visit(
                guest=guest, outlet=outlet, visited_at=datetime(2026, 11, 1, 19, tzinfo=UTC) - timedelta(days=9 * v),
                party_size=2, table=table, items=order[: rng.randint(1, 3)], spend=Decimal("1200.00"),
            ))  # fmt: skip
        if n % 4 == 0:
            db.session.add(Preference(guest=guest, category="drink", value="still water, no ice", source="stated"))
        db.session.add(Reservation(
            source="bench", external_id=f"B{count}-{n}", guest=guest, outlet=outlet, arrival_date=DAY,
            arrival_time=clock_time(18 + n % 4, (n * 7) % 60), party_size=rng.choice([2, 2, 3, 4]),
            table=f"Table {n % 30}", notes="window please" if n % 6 == 0 else "", occasion="",
        ))  # fmt: skip
    db.session.flush()
    for guest in db.session.query(Guest).all():
        search.index_guest(guest)
    db.session.commit()


def run(count: int, repeat: int = 5) -> dict[str, float]:
    """Build a fresh database with ``count`` arrivals and time the briefing → PDF ``repeat`` times (median)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench", "TESTING": True},
            instance_path=folder,
        )
        with app.app_context():
            upgrade(revision="heads")
            build(count, random.Random(count))
            db.session.remove()
            briefing_archive.render_pdf(briefing.build_briefing(DAY, "terrace"))  # warm-up: fonts, imports
            db.session.remove()
            totals: list[float] = []
            data: list[float] = []
            pdf = b""
            for _ in range(repeat):
                started = time.perf_counter()
                result = briefing.build_briefing(DAY, "terrace")
                built = time.perf_counter()
                pdf = briefing_archive.render_pdf(result)
                totals.append(time.perf_counter() - started)
                data.append(built - started)
                db.session.remove()
            tracemalloc.start()  # a second, traced run for peak memory (tracing slows it down several times)
            briefing_archive.render_pdf(briefing.build_briefing(DAY, "terrace"))
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
            db.session.remove()
            db.engine.dispose()
    seconds = statistics.median(totals)
    return {
        "arrivals": count, "seconds": seconds, "min": min(totals), "max": max(totals),
        "query_seconds": statistics.median(data), "pages": pages,
        "pages_per_second": pages / seconds, "peak_mib": peak / 2**20, "bytes": len(pdf),
    }  # fmt: skip


def main() -> None:
    """Run both sizes and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size; the median is reported")
    args = parser.parse_args()
    results = [run(50, args.repeat), run(500, args.repeat)]
    print(f"median of {args.repeat} runs per size")
    print(
        f"{'arrivals':>8} {'seconds':>8} {'min-max':>11} {'data s':>7} {'pages':>6} {'pages/s':>8} "
        f"{'peak MiB':>9} {'PDF KiB':>8}"
    )
    for r in results:
        print(
            f"{r['arrivals']:>8} {r['seconds']:>8.2f} {r['min']:>5.2f}-{r['max']:<5.2f} {r['query_seconds']:>7.2f} "
            f"{r['pages']:>6} {r['pages_per_second']:>8.1f} {r['peak_mib']:>9.1f} {r['bytes'] / 1024:>8.0f}"
        )
    ratio = results[1]["seconds"] / results[0]["seconds"]
    print(
        f"ratio 500/50: {ratio:.1f} (10 = linear); "
        f"goal 500 arrivals under 2 s: {'met' if results[1]['seconds'] < 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
