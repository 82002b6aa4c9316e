"""Import benchmark: ``flask --app wsgi import guests|visits`` on generated files, on a fresh migrated SQLite.

Generates a guests CSV (mixed scripts: Thai, Chinese, Japanese, Korean, accented Latin) and a visits CSV
in a temporary folder, runs the real command in a subprocess for each (wall time, and peak memory from
``resource.getrusage(RUSAGE_CHILDREN)``), then imports a second, larger guest file with planted
duplicates and times ``guestbook.data.duplicates.run_scan`` when that module exists.
Goals (issue 13): 100,000 guests and 1,000,000 visits under 60 s in all, peak memory under 300 MB;
the duplicate scan of 200,000 guests under 30 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.actor import Actor  # noqa: E402
from guestbook.admin import outlets  # noqa: E402
from guestbook.admin.schemas import OutletCreate  # noqa: E402
from guestbook.extensions import db  # noqa: E402

GIVEN = {
    "th": ["สมชาย", "นิรันดร์", "สุดา", "ปราณี", "วิชัย", "อรุณี"],
    "zh": ["伟", "芳", "娜", "敏", "静", "丽"],
    "ja": ["さくら", "健太", "陽子", "翔", "美咲", "大輔"],
    "ko": ["민준", "서연", "지호", "하은", "도윤", "지우"],
    "latin": ["Zoë", "José", "Anaïs", "Jürgen", "Søren", "Émile", "Niran", "Maria"],
}
FAMILY = {
    "th": ["ศรีสุข", "วงศ์ใหญ่", "ทองดี", "แสงทอง"],
    "zh": ["王", "李", "张", "刘", "陈"],
    "ja": ["佐藤", "鈴木", "高橋", "田中"],
    "ko": ["김", "이", "박", "최"],
    "latin": ["Müller", "García", "Lefèvre", "Øster", "Smith", "Dubois"],
}
SCRIPTS = list(GIVEN)
GUEST_HEADER = [
    "source_id",
    "given_name",
    "family_name",
    "email",
    "phone",
    "birthday",
    "language",
    "country",
    "vip_level",
]
VISIT_HEADER = ["source_id", "guest_source_id", "outlet", "visited_at", "table", "party_size", "items", "spend"]


def write_guests(path: Path, n: int, duplicates: int = 0, seed: int = 13) -> None:
    """``n`` guests; the last ``duplicates`` of them repeat an earlier guest's name and phone."""
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(GUEST_HEADER)
        for i in range(n):
            if duplicates and i >= n - duplicates:
                j = rnd.randrange(n - duplicates)
                r2 = random.Random(j)
                script = SCRIPTS[j % len(SCRIPTS)]
                given, family = r2.choice(GIVEN[script]), r2.choice(FAMILY[script])
                phone = f"+66 8{j % 10} {j:07d}"
                email = ""
            else:
                r2 = random.Random(i)
                script = SCRIPTS[i % len(SCRIPTS)]
                given, family = r2.choice(GIVEN[script]), r2.choice(FAMILY[script])
                phone = f"+66 8{i % 10} {i:07d}" if i % 3 else ""
                email = f"guest{i}@example.com" if i % 2 else ""
            birthday = f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 4 else ""
            language = {"th": "th", "zh": "zh-Hans", "ja": "ja", "ko": "ko", "latin": "en"}[script]
            out.writerow([f"G{i}", given, family, email, phone, birthday, language, "TH", i % 6])


def write_visits(path: Path, n: int, guests: int) -> None:
    """``n`` visits spread over the guests and two outlets, in the last five years."""
    rnd = random.Random(7)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(VISIT_HEADER)
        for i in range(n):
            at = start + timedelta(minutes=rnd.randrange(5 * 365 * 24 * 60))
            out.writerow(
                [
                    f"V{i}",
                    f"G{rnd.randrange(guests)}",
                    "terrace" if i % 2 else "Bamboo Bar",
                    at.strftime("%Y-%m-%d %H:%M"),
                    f"T{i % 40}",
                    1 + i % 6,
                    "Tom yum;Pad thai" if i % 3 else "",
                    f"{rnd.randrange(100, 20000)}.00",
                ]
            )


def fresh_database(folder: Path) -> Path:
    """A migrated SQLite database with the outlets the visits name."""
    path = folder / "bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(folder))
    with app.app_context():
        upgrade()
        actor = Actor.system("bench")
        outlets.create_outlet(OutletCreate(code="terrace", name="Terrace", kind="restaurant"), actor)
        outlets.create_outlet(OutletCreate(code="bar", name="Bamboo Bar", kind="bar"), actor)
        db.session.remove()
        db.engine.dispose()
    return path


def run_cli(database: Path, kind: str, file: Path) -> tuple[float, dict[str, int], float]:
    """Run ``flask --app wsgi import KIND FILE --source bench``: wall time, the JSON counts, its own peak RSS (MB)."""
    env = {
        **os.environ,
        "GUESTBOOK_DATABASE_URL": f"sqlite:///{database}",
        "GUESTBOOK_SECRET_KEY": "bench",
    }
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "import", kind, str(file), "--source", "bench"]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        assert child.stdout is not None
        out = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own peak, besides RUSAGE_CHILDREN's maximum
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        child.stdout.close()
        err.seek(0)
        errors = err.read().decode(errors="replace")
    lines = out.strip().splitlines()
    if child.returncode != 0 or not lines:
        print(out[-2000:], errors[-4000:], file=sys.stderr)
        raise SystemExit(f"import {kind} failed with status {child.returncode}")
    return seconds, json.loads(lines[-1]), usage.ru_maxrss / 1024


def peak_mb() -> float:
    """The largest resident set of any finished child so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def duplicate_phase(folder: Path, guests: int) -> None:
    """Import ``guests`` guests (2% planted duplicates) and time the duplicate scan, if there is one."""
    try:
        from guestbook.data import duplicates
    except ImportError:
        print("duplicate scan: not available")
        return
    sub = folder / "dups"
    sub.mkdir()
    database = fresh_database(sub)
    file = sub / "guests.csv"
    write_guests(file, guests, duplicates=guests // 50)
    seconds, counts, _rss = run_cli(database, "guests", file)
    print(f"{guests:,} guests for the scan imported in {seconds:.1f} s ({counts['created']:,} created)")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench"}, instance_path=str(sub)
    )
    with app.app_context():
        t0 = time.perf_counter()
        pairs = duplicates.run_scan(Actor.system("bench"))
        seconds = time.perf_counter() - t0
        db.session.remove()
        db.engine.dispose()
    print(f"duplicate scan of {guests:,} guests: {seconds:.1f} s, {pairs:,} pairs (goal: under 30 s)")


def main() -> None:
    """Generate, import, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--scan-guests", type=int, default=200_000, help="guests for the duplicate scan (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        guests_file, visits_file = folder / "guests.csv", folder / "visits.csv"
        t0 = time.perf_counter()
        write_guests(guests_file, args.guests)
        write_visits(visits_file, args.visits, args.guests)
        print(
            f"generated {args.guests:,} guests ({guests_file.stat().st_size / 1e6:.0f} MB) and "
            f"{args.visits:,} visits ({visits_file.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )
        database = fresh_database(folder)
        g_seconds, g_counts, g_rss = run_cli(database, "guests", guests_file)
        print(f"import guests: {g_seconds:.1f} s, peak RSS {g_rss:.0f} MB, {g_counts}")
        v_seconds, v_counts, v_rss = run_cli(database, "visits", visits_file)
        print(f"import visits: {v_seconds:.1f} s, peak RSS {v_rss:.0f} MB, {v_counts}")
        total = g_seconds + v_seconds
        print(f"total {total:.1f} s (goal: under 60 s); peak memory {peak_mb():.0f} MB (goal: under 300 MB)")
        again, counts, rss = run_cli(database, "visits", visits_file)
        print(f"the same visits again: {again:.1f} s, peak RSS {rss:.0f} MB, {counts}")
        if args.scan_guests:
            duplicate_phase(folder, args.scan_guests)


if __name__ == "__main__":
    main()
