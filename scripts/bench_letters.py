"""Letters benchmark: select, render and print a batch of N letters with labels; seconds, pages/s, peak memory.

Each size runs in its own process (``--size N``) so ``ru_maxrss`` is that size's own peak. The database is a
fresh temporary SQLite file with N guests (names in many scripts, a postal address, consent, three visits each)
whose birthdays all fall due on the run date.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.actor import Actor  # noqa: E402
from guestbook.admin.models import Outlet  # noqa: E402
from guestbook.admin.outlets import default_property  # noqa: E402
from guestbook.demo import CITIES, DISHES, TABLES, random_name  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests.models import Guest, Visit  # noqa: E402
from guestbook.letters import batches as letter_batches  # noqa: E402
from guestbook.letters import exports as letter_exports  # noqa: E402
from guestbook.letters import selection as letters  # noqa: E402

RUN_DATE = date(2026, 11, 22)
BIRTHDAY = RUN_DATE + timedelta(days=10)


def _populate(n: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    prop = default_property()
    outlet = Outlet(property_id=prop.id, code="terrace", name="Terrace Restaurant", kind="restaurant")
    db.session.add(outlet)
    db.session.flush()
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rows = []
    for i in range(n):
        name = random_name(rng)
        city, country, postcode = rng.choice(CITIES)
        rows.append(
            {
                "given_name": name.given,
                "family_name": name.family,
                "salutation": name.salutation,
                "language": name.language,
                "address_line1": f"{rng.randint(1, 300)} Sukhumvit Road",
                "address_city": city,
                "address_postal_code": postcode,
                "address_country": country,
                "birthday_month": BIRTHDAY.month,
                "birthday_day": BIRTHDAY.day,
                "marketing_consent": True,
                "visit_count": 3,
                "last_visit_at": now,
                "version": 1,
                "email": f"g{i}@example.com",
            }
        )
    db.session.execute(insert(Guest), rows)
    ids = list(db.session.scalars(select(Guest.id).order_by(Guest.id)))
    visits = []
    for guest_id in ids:
        table, order = rng.choice(TABLES), rng.sample(DISHES, 3)
        for k in range(3):
            visits.append(
                {
                    "guest_id": guest_id,
                    "outlet_id": outlet.id,
                    "visited_at": now - timedelta(days=9 * k),
                    "table": table,
                    "items": order,
                    "spend": Decimal(900),
                    "currency": "THB",
                    "party_size": 2,
                }
            )
    db.session.execute(insert(Visit), visits)
    db.session.commit()


def measure(n: int) -> None:
    """One size, in this process: print a tab-separated result line."""
    folder = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench"},
        instance_path=str(folder),
    )
    actor = Actor.system("bench")
    with app.app_context():
        upgrade(revision="heads")
        _populate(n)
        t0 = time.perf_counter()
        batch = letters.run_daily(RUN_DATE, actor)
        letter_batches.approve_batch(batch.id, actor)
        t1 = time.perf_counter()
        out, labels = folder / "letters.pdf", folder / "labels.pdf"
        letter_exports.export_pdf(batch.id, actor, out)
        t2 = time.perf_counter()
        letter_exports.export_pdf(batch.id, actor, labels, labels=True)
        t3 = time.perf_counter()
    pages = len(PdfReader(out).pages)
    label_pages = len(PdfReader(labels).pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n}\t{t1 - t0:.2f}\t{t2 - t1:.2f}\t{t3 - t2:.2f}\t{pages}\t{label_pages}\t{peak_mb:.0f}\t"
        f"{out.stat().st_size / 1e6:.1f}"
    )


def main() -> None:
    """Run each size in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, help="(internal) measure one size in this process")
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    if args.size:
        measure(args.size)
        return
    results = {}
    print(
        f"{'letters':>8} {'select+render s':>15} {'letters PDF s':>13} {'labels PDF s':>12} {'total s':>8} "
        f"{'pages':>6} {'pages/s':>8} {'peak MB':>8} {'PDF MB':>7}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        line = subprocess.run(
            [sys.executable, __file__, "--size", str(size)], capture_output=True, text=True, check=True
        )
        n, select_s, pdf_s, label_s, pages, label_pages, peak, mb = line.stdout.strip().splitlines()[-1].split("\t")
        total = float(select_s) + float(pdf_s) + float(label_s)
        all_pages = int(pages) + int(label_pages)
        rate = all_pages / (float(pdf_s) + float(label_s))
        results[size] = total
        print(
            f"{n:>8} {select_s:>15} {pdf_s:>13} {label_s:>12} {total:>8.2f} {all_pages:>6} {rate:>8.0f} "
            f"{peak:>8} {mb:>7}"
        )
    if 1000 in results and 10000 in results:
        print(f"ratio 10,000 / 1,000: {results[10000] / results[1000]:.1f}")


if __name__ == "__main__":
    main()
