"""Load benchmark: N tablets searching, opening cards and logging visits at once, over real HTTP.

Builds a fresh SQLite database in a temporary folder (migrations + the ~500-guest demo), adds one
floor account per tablet, starts gunicorn on 127.0.0.1 and runs one thread per tablet, each with
its own cookie session: sign in through the form, then for a fixed time type a demo guest's name
letter by letter into the live search, open the card, and about every tenth action log a visit
through the card's form. Every unexpected status, exception and timeout counts as an error.
Afterwards the database must hold exactly one visit per successful visit post.
Exits 1 on any error or mismatch.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load bench password"  # noqa: S105 (a throwaway account in a temporary database)
NOTE_PREFIX = "load-bench"
TABLES = ["Window 2", "Window 4", "Terrace 7", "Booth 3", "Bar 5", "Table 12", "Garden 1"]
ITEMS = ["club sandwich", "coffee", "fried egg", "pad thai", "green curry", "mango sticky rice"]
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RESULT_RE = re.compile(r'href="/guests/(\d+)"')
KINDS = ("login", "search", "card", "visit")


def pct(values: list[float], p: float) -> float:
    """Percentile by nearest rank (as in bench_search)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------
# Set-up: database, demo, staff accounts


def prepare_database(
    folder: Path, env: dict[str, str], extra_guests: int, tablets: int, language: str = "en"
) -> dict[str, object]:
    """Migrate, load the demo, add guests and one floor account per tablet; returns what tablets need."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    from sqlalchemy import func, select

    from guestbook import create_app
    from guestbook.actor import Actor
    from guestbook.admin.models import Outlet
    from guestbook.demo import random_name
    from guestbook.extensions import db
    from guestbook.guests import profiles as guests
    from guestbook.guests.models import Guest, Visit
    from guestbook.guests.schemas import GuestCreate
    from guestbook.staff import auth

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["GUESTBOOK_DATABASE_URL"], "SECRET_KEY": env["GUESTBOOK_SECRET_KEY"]},
        instance_path=str(folder),
    )
    with app.app_context():
        rng = random.Random(11)
        for _ in range(extra_guests):
            name = random_name(rng)
            guests.create_guest(
                GuestCreate(given_name=name.given, family_name=name.family, language=name.language),
                Actor.system(),
            )
        password_hash = auth.hash_secret(PASSWORD)  # once: Argon2 is slow on purpose
        emails = []
        for n in range(1, tablets + 1):
            email = f"tablet{n:02d}@load.test"
            auth.create_staff_user(
                email, f"Tablet {n}", "floor", PASSWORD, password_hash=password_hash, language=language
            )
            emails.append(email)
        # What a host would type: Latin names (typed on the on-screen keyboard), with their ids.
        rows = db.session.execute(select(Guest.id, Guest.given_name, Guest.family_name)).all()
        names = [(gid, f"{g} {f}".strip()) for gid, g, f in rows if f"{g}{f}".isascii() and len(f"{g}{f}") >= 3]
        outlets = list(db.session.scalars(select(Outlet.code)))
        counts = {
            "guests": db.session.scalar(select(func.count(Guest.id))),
            "visits": db.session.scalar(select(func.count(Visit.id))),
        }
        db.session.remove()
        db.engine.dispose()
    return {"emails": emails, "names": names, "outlets": outlets, "counts": counts}


# --------------------------------------------------------------------------------------------
# One tablet: its own connection and cookies


class HttpError(Exception):
    """An unexpected answer from the server."""


class Browser:
    """A minimal browser: one keep-alive connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, port: int, timeout: float) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """Send one request; returns (status, Location, body). Connection errors propagate."""
        headers = {"Host": "127.0.0.1", "User-Agent": "guestbook-bench-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except Exception:
            self.conn.close()  # never reuse a connection in an unknown state
            raise
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, response.headers.get("Location", ""), text


@dataclass
class Stats:
    """What one tablet measured."""

    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    error_samples: list[str] = field(default_factory=list)
    visit_notes_ok: list[str] = field(default_factory=list)
    visit_notes_unknown: list[str] = field(default_factory=list)  # failed posts that may still have saved
    found_by_search: int = 0


class Tablet(threading.Thread):
    """One host's tablet: sign in, then search, open cards and log visits until the deadline."""

    def __init__(
        self, n: int, email: str, cfg: argparse.Namespace, shared: dict[str, object], start: threading.Barrier
    ) -> None:
        super().__init__(name=f"tablet{n}", daemon=True)
        self.n, self.email, self.cfg, self.start_barrier = n, email, cfg, start
        self.names: list[tuple[int, str]] = shared["names"]  # type: ignore[assignment]
        self.outlets: list[str] = shared["outlets"]  # type: ignore[assignment]
        self.rng = random.Random(1000 + n)
        self.stats = Stats()
        self.browser = Browser(cfg.port, cfg.timeout)
        self.deadline = 0.0

    def _error(self, kind: str, message: str) -> None:
        self.stats.errors[kind] += 1
        if len(self.stats.error_samples) < 5:
            self.stats.error_samples.append(f"tablet {self.n} {kind}: {message}")

    def _timed(
        self, kind: str, method: str, path: str, expect: int, form: list[tuple[str, str]] | None = None
    ) -> tuple[bool, str, str]:
        """One request, timed; a status other than ``expect`` or any exception is an error."""
        t0 = time.perf_counter()
        try:
            status, location, body = self.browser.request(method, path, form)
        except Exception as exc:  # timeouts, resets, refused connections
            self.stats.times[kind].append((time.perf_counter() - t0) * 1000)
            self._error(kind, f"{method} {path}: {type(exc).__name__}: {exc}")
            return False, "", ""
        self.stats.times[kind].append((time.perf_counter() - t0) * 1000)
        if status != expect:
            self._error(kind, f"{method} {path}: HTTP {status} {location}".strip())
            return False, location, body
        if status == 302 and ("/login" in location or "/unlock" in location):
            self._error(kind, f"{method} {path}: sent to {location}")
            return False, location, body
        return True, location, body

    def sign_in(self) -> bool:
        ok, _, page = self._timed("login", "GET", "/login", 200)
        token = CSRF_RE.search(page) if ok else None
        if token is None:
            if ok:
                self._error("login", "no csrf_token on /login")
            return False
        form = [("email", self.email), ("password", PASSWORD), ("csrf_token", token.group(1))]
        ok, location, _ = self._timed("login", "POST", "/login", 302, form)
        if ok and not location.endswith("/guests/"):
            self._error("login", f"signed in but sent to {location}")
            return False
        return ok

    def think(self) -> None:
        if self.cfg.think_ms:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.cfg.think_ms / 1000)

    def run(self) -> None:
        self.start_barrier.wait()
        self.deadline = time.monotonic() + self.cfg.duration
        if not self.sign_in():
            return
        actions = 0
        seq = 0
        while time.monotonic() < self.deadline:
            gid, name = self.rng.choice(self.names)
            # Type the name letter by letter, as the live search sends it (from the second letter on).
            stop = self.rng.randint(3, min(len(name), 9))
            found = False
            for i in range(2, stop + 1):
                if time.monotonic() >= self.deadline:
                    return
                ok, _, body = self._timed("search", "GET", "/guests/search?" + urlencode({"q": name[:i]}), 200)
                found = ok and str(gid) in RESULT_RE.findall(body)
                actions += 1
                self.think()
            self.stats.found_by_search += found
            ok, _, card = self._timed("card", "GET", f"/guests/{gid}", 200)
            actions += 1
            self.think()
            if not ok or actions < 9:
                continue
            actions = 0
            token = CSRF_RE.search(card)
            if token is None:
                self._error("visit", f"no csrf_token on the card of guest {gid}")
                continue
            seq += 1
            note = f"{NOTE_PREFIX} {self.n}-{seq}"
            form = [
                ("csrf_token", token.group(1)),
                ("outlet", self.rng.choice(self.outlets)),
                ("table", self.rng.choice(TABLES)),
                ("party_size", str(self.rng.randint(1, 6))),
                *[("items", item) for item in self.rng.sample(ITEMS, 2)],
                ("other_items", ""),
                ("spend", f"{self.rng.randint(200, 4000)}.00"),
                ("notes", note),
            ]
            ok, location, _ = self._timed("visit", "POST", f"/guests/{gid}/visits", 302, form)
            if ok and f"/guests/{gid}" in location:
                self.stats.visit_notes_ok.append(note)
            else:
                if ok:
                    self._error("visit", f"visit saved but sent to {location}")
                self.stats.visit_notes_unknown.append(note)
            self.think()


# --------------------------------------------------------------------------------------------
# The run


def wait_ready(port: int, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Wait for gunicorn to answer the health check."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load after sign-in starts")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread worker class)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between a tablet's actions")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request, seconds")
    parser.add_argument("--extra-guests", type=int, default=0, help="guests to add to the ~500 of the demo")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    parser.add_argument(
        "--language", default="en", choices=["en", "th", "zh_Hans", "ja"], help="the tablet accounts' language"
    )
    cfg = parser.parse_args()
    cfg.port = free_port()

    folder = Path(tempfile.mkdtemp(prefix="guestbook-load-"))
    db_path = folder / "guestbook.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUESTBOOK_")}
    env["GUESTBOOK_DATABASE_URL"] = f"sqlite:///{db_path}"
    env["GUESTBOOK_SECRET_KEY"] = secrets.token_urlsafe(32)  # GUESTBOOK_ENV unset: no Secure cookies over http
    # Simulated tablets search far faster than people type: the per-account search rate limit is off here.
    env["GUESTBOOK_SEARCH_RATE_LIMIT"] = env["GUESTBOOK_SEARCH_RATE_LIMIT_FLOOR"] = "0"
    for name in [k for k in os.environ if k.startswith("GUESTBOOK_")]:
        del os.environ[name]  # this process builds the database with the same settings as the server
    os.environ.update({k: env[k] for k in ("GUESTBOOK_DATABASE_URL", "GUESTBOOK_SECRET_KEY")})
    log_path = folder / "gunicorn.log"
    server: subprocess.Popen[bytes] | None = None
    try:
        t0 = time.perf_counter()
        shared = prepare_database(folder, env, cfg.extra_guests, cfg.tablets, cfg.language)
        counts: dict[str, int] = shared["counts"]  # type: ignore[assignment]
        print(
            f"database: {counts['guests']:,} guests, {counts['visits']:,} visits, {cfg.tablets} floor accounts"
            f" (built in {time.perf_counter() - t0:.1f} s, {db_path})"
        )
        command = [sys.executable, "-m", "gunicorn", "-w", str(cfg.workers), "-b", f"127.0.0.1:{cfg.port}"]
        if cfg.threads > 1:
            command += ["-k", "gthread", "--threads", str(cfg.threads)]
        command += ["--timeout", "60", "--error-logfile", str(log_path), "wsgi:app"]
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        wait_ready(cfg.port, server)
        kind = f"gthread x {cfg.threads} threads" if cfg.threads > 1 else "sync"
        print(
            f"gunicorn: {cfg.workers} {kind} workers on 127.0.0.1:{cfg.port}; {cfg.tablets} tablets for"
            f" {cfg.duration:g} s, think time {cfg.think_ms:g} ms, client timeout {cfg.timeout:g} s"
        )

        barrier = threading.Barrier(cfg.tablets + 1)
        tablets = [Tablet(n, email, cfg, shared, barrier) for n, email in enumerate(shared["emails"], 1)]  # type: ignore[arg-type]
        for tablet in tablets:
            tablet.start()
        barrier.wait()
        started = time.perf_counter()
        server_cpu0, client_cpu0 = process_tree_cpu(server.pid), time.process_time()
        for tablet in tablets:
            tablet.join(cfg.duration + cfg.timeout * 2 + 30)
        elapsed = time.perf_counter() - started
        server_cpu = process_tree_cpu(server.pid) - server_cpu0
        client_cpu = time.process_time() - client_cpu0
        stuck = [t.name for t in tablets if t.is_alive()]
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()

    # ---- report
    total_requests = 0
    total_errors = len(stuck)
    print(f"\n{'action':<8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for kind in KINDS:
        times = [ms for t in tablets for ms in t.stats.times[kind]]
        errors = sum(t.stats.errors[kind] for t in tablets)
        total_requests += len(times)
        total_errors += errors
        print(
            f"{kind:<8} {len(times):>7,} {pct(times, 50):>8.1f} {pct(times, 95):>8.1f} {pct(times, 99):>8.1f}"
            f" {max(times, default=float('nan')):>8.1f} {errors:>7}"
        )
    print(f"overall: {total_requests:,} requests in {elapsed:.1f} s = {total_requests / elapsed:.1f} requests/s")
    print(
        f"CPU during the run: server {server_cpu:.1f} s ({server_cpu / total_requests * 1000:.1f} ms per request),"
        f" tablets (client threads) {client_cpu:.1f} s, of {os.cpu_count()} cores x {elapsed:.1f} s"
    )
    searches = sum(t.stats.found_by_search for t in tablets)
    cards = sum(len(t.stats.times["card"]) for t in tablets)
    print(f"the typed guest was in the last results list before {searches:,} of {cards:,} card opens")

    ok_notes = [n for t in tablets for n in t.stats.visit_notes_ok]
    unknown = [n for t in tablets for n in t.stats.visit_notes_unknown]
    con = sqlite3.connect(db_path)
    saved = [r[0] for r in con.execute("SELECT notes FROM visit WHERE notes LIKE ?", (NOTE_PREFIX + " %",))]
    total_visits = con.execute("SELECT count(*) FROM visit").fetchone()[0]
    con.close()
    missing = set(ok_notes) - set(saved)
    doubled = len(saved) - len(set(saved))
    unexpected = set(saved) - set(ok_notes) - set(unknown)
    added = total_visits - counts["visits"]
    consistent = added == len(ok_notes) and not missing and not doubled and not unexpected
    print(
        f"visits: {len(ok_notes):,} posts answered 302, {added:,} rows added to the database"
        f" (missing {len(missing)}, doubled {doubled}, unexpected {len(unexpected)},"
        f" failed posts that saved anyway {len(set(saved) & set(unknown))})"
        f" -> {'consistent' if consistent else 'MISMATCH'}"
    )
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    server_problems = [
        line
        for line in log.splitlines()
        if any(word in line for word in ("Traceback", "Error", "WORKER TIMEOUT", "locked", "Exception"))
    ]
    print(f"server log: {len(server_problems)} error lines ({log_path})")
    for line in server_problems[:10]:
        print("  " + line)
    samples = [s for t in tablets for s in t.stats.error_samples]
    for sample in samples[:15]:
        print("  " + sample)
    if stuck:
        print(f"  tablets still running after the deadline: {', '.join(stuck)}")
    failed = total_errors > 0 or not consistent or bool(server_problems)
    print(f"total errors: {total_errors} -> {'FAIL' if failed else 'PASS'}")
    if cfg.keep or failed:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
