"""Backup benchmark: ``backup`` of the search database while searches run against it at a steady rate.

Uses the search benchmark's database (``scripts/bench_search``'s builder, kept under bench-data/), runs
``--rate`` searches a second from a second thread through ``guests.search.search_guests`` (the function
the API and the page use), and meanwhile backs the database up with ``data.backups.backup_to``, the code
behind ``flask --app wsgi backup``. Prints the backup's time and size and the searches' latencies during it.
Goal (issue 13): the 1,000,000-guest database backed up with 20 searches a second and no search over 100 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_search  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.data import backups  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests import search  # noqa: E402


def searches(path: Path, rate: float, stop: threading.Event, during: threading.Event, out: list[float]) -> None:
    """Search at ``rate`` a second until ``stop``; latencies (ms) of searches started while ``during`` is set."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(path.parent)
    )
    mix = bench_search.query_mix()
    with app.app_context():
        for _kind, q in mix[:50]:
            search.search_guests(q, 20)  # warm the page cache, as a running app is
        n = 0
        next_at = time.perf_counter()
        while not stop.is_set():
            _kind, q = mix[n % len(mix)]
            n += 1
            measuring = during.is_set()
            t0 = time.perf_counter()
            search.search_guests(q, 20)
            if measuring:
                out.append((time.perf_counter() - t0) * 1000)
            next_at += 1 / rate
            time.sleep(max(0.0, next_at - time.perf_counter()))
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    """Build (once), measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=20.0, help="searches a second during the backup")
    parser.add_argument("--folder", default=str(ROOT / "bench-data"), help="where the databases are built and kept")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"search-{args.guests}.sqlite3"
    bench_search.build(path, args.guests)
    stop, during = threading.Event(), threading.Event()
    latencies: list[float] = []
    worker = threading.Thread(target=searches, args=(path, args.rate, stop, during, latencies))
    worker.start()
    time.sleep(3)  # searches warmed up and running at the rate
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(path.parent)
    )
    with tempfile.TemporaryDirectory(dir=folder) as tmp, app.app_context():
        during.set()
        t0 = time.perf_counter()
        made = backups.backup_to(Path(tmp) / "backup.sqlite3")
        seconds = time.perf_counter() - t0
        during.clear()
        db.session.remove()
        db.engine.dispose()
    stop.set()
    worker.join()
    print(f"{args.guests:,} guests: backup {seconds:.2f} s, {made.size / 1e6:.0f} MB, revision {made.revision}")
    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
        print(
            f"  {len(ordered)} searches during the backup ({args.rate:g}/s): "
            f"p50 {ordered[len(ordered) // 2]:.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms, "
            f"over 100 ms: {sum(ms > 100 for ms in ordered)}"
        )


if __name__ == "__main__":
    main()
