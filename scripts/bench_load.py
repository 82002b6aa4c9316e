"""Load benchmark: N tablets searching, opening cards and logging visits at once, over real HTTP.

Builds a fresh database in a temporary folder (migrations + the ~500-guest demo), adds one floor
account per tablet, starts gunicorn on 127.0.0.1 and runs one thread per tablet, each with its own
cookie session. Every unexpected status, exception and timeout counts as an error. Afterwards the
database must hold exactly one visit per successful visit post (no visit lost or doubled).
Exits 1 on any error or mismatch.

Modes:

* Default (no think time; ``--duration 30`` and nothing else does the same mix as ever): sign in
  through the form, then for a fixed time type a demo guest's name letter by letter into the live
  search (from the second letter on), open the card, and about every tenth action log a visit
  through the card's form. ``--think-ms`` adds a uniform pause (0.5-1.5 x the mean) after each action.
  Prints per-action p50/p95/p99/max, the server's CPU per request over this window, then (unless
  ``--no-ratio``) the trivial-route comparison: two more phases of ``--ratio-seconds`` against the same
  server, same tablets, no think time, (a) only opening cards, (b) only GET /api/v1/health (no
  cookies, so no database at all), and one line: card throughput as a share of the trivial route's
  (goal: at least 30 %). The ratio phases are outside the CPU-per-request window.
* ``--think realistic``: a host at a restaurant stand (see ``RealisticHost`` for the model and where
  each figure comes from): opens the search page, types the name as the page's script sends it
  (debounced, from the first letter), looks at the results, opens the card, reads it, sometimes
  logs a visit (then the browser follows the redirect to the card), waits for the next guest.
  Tablets start at random offsets. The production search rate limit stays on (``--rate-limit``).
  Sign-ins fall inside the window as in the default mode (``--capacity`` leaves them out); a window
  shorter than a few minutes holds few guests per tablet. ``--ratio`` adds the comparison here too.
* ``--capacity`` (realistic think time): one server; all tablets sign in first, a few at a time
  (Argon2 costs ~250 ms of CPU per sign-in), and a few open a page, a search and a card so that every
  worker has compiled its templates, all outside the measurement; then steps of increasing
  active tablets (``--steps``, each ``--duration`` seconds), one row per step, stopping after the first
  step that misses p95 < 200 ms for search and card or has an error; then the capacity line (goal:
  at least 200 tablets). Per step the client's own CPU is printed: one Python process drives every
  tablet, and above ~70 % of one core (the GIL) the client, not the server, may be the limit.
* ``--db postgresql``: the same against a throwaway local PostgreSQL cluster (scripts/bench_search.py's
  ``Postgres``), stopped at the end; server CPU then includes the PostgreSQL processes.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load bench password"  # noqa: S105 (a throwaway account in a temporary database)
NOTE_PREFIX = "load-bench"
TABLES = ["Window 2", "Window 4", "Terrace 7", "Booth 3", "Bar 5", "Table 12", "Garden 1"]
ITEMS = ["club sandwich", "coffee", "fried egg", "pad thai", "green curry", "mango sticky rice"]
CSRF_RE = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')  # any attribute order
RESULT_RE = re.compile(r'href="/guests/(\d+)"')
KINDS = ("login", "search", "card", "visit")
EXTRA_KINDS = ("index", "health")  # realistic mode's search page, the ratio phase's trivial route
GOAL_RATIO = 0.30  # card throughput at least 30 % of the trivial route's
GOAL_P95_MS = 200.0  # capacity: p95 of search and card below this
GOAL_TABLETS = 200  # capacity: at least this many tablets
DEFAULT_STEPS = "50,100,200,300,400"
FETCH_HEADERS = {"X-Requested-With": "fetch"}  # what static/js/app.js sends with the live search


class RealisticHost:
    """Think-time model of a host at a restaurant stand with a shared tablet (``--think realistic``).

    Figures and where they come from:

    * ``KEY_INTERVAL_S``: 200-350 ms between keystrokes, a hunt-and-peck typist on a tablet's on-screen
      keyboard (touch typing on glass is ~30-40 words a minute at best; one finger, looking at the keys,
      is slower: 3-5 keys a second).
    * ``SEARCH_DEBOUNCE_S``, ``SEARCH_MIN_LETTERS``: static/js/app.js (``liveSearch``) restarts a 180 ms
      timer on every input event and then fetches ``?q=<trimmed value>`` with ``X-Requested-With: fetch``;
      it has no minimum length, so the first letter already searches. Keystrokes further apart than
      180 ms therefore each send a request; closer ones only the last. The page keeps all answers in
      flight and shows the newest; this client has one connection per tablet, so a request whose timer
      fires while the previous one is still out is sent as soon as that one returns.
    * ``TYPED_LETTERS``: 3-9 letters typed before the guest is on screen (as in the no-think mix).
    * ``LOOK_AT_RESULTS_S``: 1-3 s to find the guest in the list and tap it.
    * ``READ_CARD_*``: reading the card (allergies, preferences, last visits) while greeting the guest:
      lognormal, median 12 s, clipped to 5-30 s.
    * ``VISIT_PROBABILITY``, ``VISIT_FORM_S``: a visit is logged for about a third of the cards opened
      (the rest are look-ups: a guest asking for a table later, a colleague checking a name), after
      8-20 s filling in table, party size, items and spend; with a cycle of ~65 s that is one visit
      every ~3.5 minutes per tablet.
    * ``NEXT_GUEST_MEAN_S``: the wait for the next guest at the stand, exponential (arrivals as a Poisson
      process), mean 45 s (a busy stand at a lunch or dinner peak).
    * ``START_SPREAD_S``: each tablet starts at a uniform random offset within one mean cycle, so the
      tablets are out of step from the start and the request rate is the steady state's at once.
    """

    KEY_INTERVAL_S = (0.20, 0.35)
    SEARCH_DEBOUNCE_S = 0.180
    SEARCH_MIN_LETTERS = 1
    TYPED_LETTERS = (3, 9)
    LOOK_AT_RESULTS_S = (1.0, 3.0)
    READ_CARD_MEDIAN_S = 12.0
    READ_CARD_SIGMA = 0.5
    READ_CARD_CLIP_S = (5.0, 30.0)
    VISIT_PROBABILITY = 0.33
    VISIT_FORM_S = (8.0, 20.0)
    NEXT_GUEST_MEAN_S = 45.0

    @classmethod
    def mean_cycle_s(cls) -> float:
        """Expected seconds of think time per guest (requests not counted): the start-offset spread."""
        typing = (sum(cls.TYPED_LETTERS) / 2) * (sum(cls.KEY_INTERVAL_S) / 2)
        reading = cls.READ_CARD_MEDIAN_S * math.exp(cls.READ_CARD_SIGMA**2 / 2)
        return (
            typing
            + sum(cls.LOOK_AT_RESULTS_S) / 2
            + reading
            + cls.VISIT_PROBABILITY * sum(cls.VISIT_FORM_S) / 2
            + cls.NEXT_GUEST_MEAN_S
        )

    START_SPREAD_S = 0.0  # set below (a class attribute cannot call the classmethod in its own body)


RealisticHost.START_SPREAD_S = RealisticHost.mean_cycle_s()


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


def start_postgres(folder: Path) -> tuple[Any, str]:
    """A throwaway cluster (scripts/bench_search.py's ``Postgres``) with an empty database; (cluster, URL)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import psycopg
    from bench_search import Postgres

    cluster = Postgres()
    try:
        with psycopg.connect(cluster.url().replace("+psycopg", ""), autocommit=True) as con:
            con.execute("CREATE DATABASE guestbook_load")
    except BaseException:
        cluster.stop()
        raise
    return cluster, cluster.url("guestbook_load")


def postgres_pid(cluster: Any) -> int | None:
    """The postmaster's pid (first line of postmaster.pid), to count the database's CPU with the server's."""
    try:
        return int((Path(cluster.dir) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


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


def count_visits(url: str) -> tuple[list[str], int]:
    """The benchmark's visit notes saved in the database, and the number of visit rows (SQL through ``url``)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as con:
            saved = [
                r[0]
                for r in con.execute(text("SELECT notes FROM visit WHERE notes LIKE :p"), {"p": NOTE_PREFIX + " %"})
            ]
            total = int(con.execute(text("SELECT count(*) FROM visit")).scalar_one())
    finally:
        engine.dispose()
    return saved, total


# --------------------------------------------------------------------------------------------
# One tablet: its own connection and cookies


class HttpError(Exception):
    """An unexpected answer from the server."""


class Browser:
    """A minimal browser: one keep-alive connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, port: int, timeout: float) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        """Send one request; returns (status, Location, body). Connection errors propagate."""
        headers = {"Host": "127.0.0.1", "User-Agent": "guestbook-bench-load"}
        if extra_headers:
            headers.update(extra_headers)
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
    """What one tablet measured in one window (the main mix, a ratio phase, a capacity step)."""

    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in (*KINDS, *EXTRA_KINDS)})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*KINDS, *EXTRA_KINDS), 0))
    error_samples: list[str] = field(default_factory=list)
    visit_notes_ok: list[str] = field(default_factory=list)
    visit_notes_unknown: list[str] = field(default_factory=list)  # failed posts that may still have saved
    found_by_search: int = 0

    def total_errors(self) -> int:
        return sum(self.errors.values())


class Window:
    """Which measured window requests count in: the tablets read ``index`` when a request starts."""

    def __init__(self) -> None:
        self.index = 0


class Tablet(threading.Thread):
    """One host's tablet: sign in, then search, open cards and log visits until the deadline (or stop)."""

    def __init__(
        self,
        n: int,
        email: str,
        cfg: argparse.Namespace,
        shared: dict[str, object],
        start: threading.Barrier | None,
        window: Window | None = None,
    ) -> None:
        super().__init__(name=f"tablet{n}", daemon=True)
        self.n, self.email, self.cfg, self.start_barrier = n, email, cfg, start
        self.names: list[tuple[int, str]] = shared["names"]  # type: ignore[assignment]
        self.outlets: list[str] = shared["outlets"]  # type: ignore[assignment]
        self.rng = random.Random(1000 + n)
        self.window = window or Window()
        self.by_window: dict[int, Stats] = {}
        self.browser = Browser(cfg.port, cfg.timeout)
        self.deadline = 0.0
        self.seq = 0
        # Capacity mode: sign in when ``sign_in_gate`` allows, then wait for ``active``; run until ``stop``.
        self.sign_in_gate: threading.Semaphore | None = None
        self.signed_in = threading.Event()
        self.active = threading.Event()
        self.stop = threading.Event()

    @property
    def stats(self) -> Stats:
        """The current window's stats (the main mix: window 0)."""
        return self.by_window.setdefault(self.window.index, Stats())

    def all_stats(self) -> list[Stats]:
        return list(self.by_window.values())

    def _error(self, stats: Stats, kind: str, message: str) -> None:
        stats.errors[kind] += 1
        if len(stats.error_samples) < 5:
            stats.error_samples.append(f"tablet {self.n} {kind}: {message}")

    def _timed(
        self,
        kind: str,
        method: str,
        path: str,
        expect: int,
        form: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        browser: Browser | None = None,
    ) -> tuple[bool, str, str]:
        """One request, timed; a status other than ``expect`` or any exception is an error."""
        stats = self.stats  # the window in which the request starts
        t0 = time.perf_counter()
        try:
            status, location, body = (browser or self.browser).request(method, path, form, headers)
        except Exception as exc:  # timeouts, resets, refused connections
            stats.times[kind].append((time.perf_counter() - t0) * 1000)
            self._error(stats, kind, f"{method} {path}: {type(exc).__name__}: {exc}")
            return False, "", ""
        stats.times[kind].append((time.perf_counter() - t0) * 1000)
        if status != expect:
            self._error(stats, kind, f"{method} {path}: HTTP {status} {location}".strip())
            return False, location, body
        if status == 302 and ("/login" in location or "/unlock" in location):
            self._error(stats, kind, f"{method} {path}: sent to {location}")
            return False, location, body
        return True, location, body

    def sign_in(self) -> bool:
        ok, _, page = self._timed("login", "GET", "/login", 200)
        token = CSRF_RE.search(page) if ok else None
        if token is None:
            if ok:
                self._error(self.stats, "login", "no csrf_token on /login")
            return False
        form = [("email", self.email), ("password", PASSWORD), ("csrf_token", token.group(1))]
        ok, location, _ = self._timed("login", "POST", "/login", 302, form)
        if ok and not location.endswith("/guests/"):
            self._error(self.stats, "login", f"signed in but sent to {location}")
            return False
        return ok

    def think(self) -> None:
        if self.cfg.think_ms:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.cfg.think_ms / 1000)

    def _pause_until(self, moment: float) -> bool:
        """Sleep until ``moment`` (monotonic) unless the run ends first; False when it has ended."""
        end = min(moment, self.deadline)
        remaining = end - time.monotonic()
        if remaining > 0 and self.stop.wait(remaining):
            return False
        return time.monotonic() < self.deadline and not self.stop.is_set()

    def _pause(self, seconds: float) -> bool:
        return self._pause_until(time.monotonic() + seconds)

    def _visit_form(self, token: str, note: str) -> list[tuple[str, str]]:
        return [
            ("csrf_token", token),
            ("outlet", self.rng.choice(self.outlets)),
            ("table", self.rng.choice(TABLES)),
            ("party_size", str(self.rng.randint(1, 6))),
            *[("items", item) for item in self.rng.sample(ITEMS, 2)],
            ("other_items", ""),
            ("spend", f"{self.rng.randint(200, 4000)}.00"),
            ("notes", note),
        ]

    def _log_visit(self, gid: int, card: str) -> bool | None:
        """POST the card's visit form; True when the server answered with the redirect to the card,
        None when the card had no form to post (nothing sent)."""
        token = CSRF_RE.search(card)
        if token is None:
            self._error(self.stats, "visit", f"no csrf_token on the card of guest {gid}")
            return None
        self.seq += 1
        note = f"{NOTE_PREFIX} {self.n}-{self.seq}"
        form = self._visit_form(token.group(1), note)
        ok, location, _ = self._timed("visit", "POST", f"/guests/{gid}/visits", 302, form)
        if ok and f"/guests/{gid}" in location:
            self.stats.visit_notes_ok.append(note)
            return True
        if ok:
            self._error(self.stats, "visit", f"visit saved but sent to {location}")
        self.stats.visit_notes_unknown.append(note)
        return False

    def run(self) -> None:
        if self.sign_in_gate is not None:  # capacity mode
            self.deadline = float("inf")
            with self.sign_in_gate:
                ok = self.sign_in()
            self.signed_in.set()
            if not ok:
                return
            while not self.active.wait(1):
                if self.stop.is_set():
                    return
            if self._pause(self.rng.uniform(0, RealisticHost.START_SPREAD_S)):
                while self.guest_realistic():
                    pass
            return
        assert self.start_barrier is not None
        self.start_barrier.wait()
        self.deadline = time.monotonic() + self.cfg.duration
        if not self.sign_in():
            return
        if self.cfg.think == "realistic":
            if self._pause(self.rng.uniform(0, RealisticHost.START_SPREAD_S)):
                while self.guest_realistic():
                    pass
            return
        self.run_fixed()

    def run_fixed(self) -> None:
        """The original mix (no think time, or ``--think-ms``): unchanged so old and new runs compare."""
        actions = 0
        while time.monotonic() < self.deadline:
            gid, name = self.rng.choice(self.names)
            # Type the name letter by letter, from the second letter on.
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
            if self._log_visit(gid, card) is None:
                continue
            self.think()

    def guest_realistic(self) -> bool:
        """One guest at the stand (see ``RealisticHost``); False once the run is over."""
        h = RealisticHost
        gid, name = self.rng.choice(self.names)
        self._timed("index", "GET", "/guests/", 200)  # back to "Find a guest" (the recent list)
        letters = self.rng.randint(h.TYPED_LETTERS[0], min(len(name), h.TYPED_LETTERS[1]))
        keys = [time.monotonic()]
        for _ in range(letters - 1):
            keys.append(keys[-1] + self.rng.uniform(*h.KEY_INTERVAL_S))
        found = False
        for i, pressed in enumerate(keys):
            typed = i + 1
            if i + 1 < len(keys) and keys[i + 1] - pressed <= h.SEARCH_DEBOUNCE_S:
                continue  # the next keystroke clears this timer
            if typed < h.SEARCH_MIN_LETTERS:
                continue
            if not self._pause_until(pressed + h.SEARCH_DEBOUNCE_S):
                return False
            query = urlencode({"q": name[:typed].strip()})
            ok, _, body = self._timed("search", "GET", "/guests/search?" + query, 200, headers=FETCH_HEADERS)
            found = ok and str(gid) in RESULT_RE.findall(body)
        if not self._pause(self.rng.uniform(*h.LOOK_AT_RESULTS_S)):
            return False
        ok, _, card = self._timed("card", "GET", f"/guests/{gid}", 200)
        self.stats.found_by_search += found
        reading = self.rng.lognormvariate(math.log(h.READ_CARD_MEDIAN_S), h.READ_CARD_SIGMA)
        if not self._pause(min(max(reading, h.READ_CARD_CLIP_S[0]), h.READ_CARD_CLIP_S[1])):
            return False
        if ok and self.rng.random() < h.VISIT_PROBABILITY:
            if not self._pause(self.rng.uniform(*h.VISIT_FORM_S)):
                return False
            if self._log_visit(gid, card):
                self._timed("card", "GET", f"/guests/{gid}", 200)  # the browser follows the redirect
        return self._pause(self.rng.expovariate(1 / h.NEXT_GUEST_MEAN_S))

    def warm_up(self) -> None:
        """One search page, search and card, unmeasured: each gunicorn worker compiles its templates and fills
        its caches on its first such request (~1 s), which would otherwise sit in a capacity step's p95."""
        gid, name = self.names[self.n % len(self.names)]
        self._timed("index", "GET", "/guests/", 200)
        self._timed("search", "GET", "/guests/search?" + urlencode({"q": name[:3]}), 200, headers=FETCH_HEADERS)
        self._timed("card", "GET", f"/guests/{gid}", 200)

    def hammer(self, kind: str, seconds: float, barrier: threading.Barrier, stats: Stats) -> None:
        """A ratio phase: only cards (signed in) or only the health check (no cookies), no think time."""
        browser = self.browser if kind == "card" else Browser(self.cfg.port, self.cfg.timeout)
        rng = random.Random(5000 + self.n)
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            path = f"/guests/{rng.choice(self.names)[0]}" if kind == "card" else "/api/v1/health"
            t0 = time.perf_counter()
            try:
                status, location, _ = browser.request("GET", path)
            except Exception as exc:
                stats.times[kind].append((time.perf_counter() - t0) * 1000)
                self._error(stats, kind, f"GET {path}: {type(exc).__name__}: {exc}")
                continue
            stats.times[kind].append((time.perf_counter() - t0) * 1000)
            if status != 200:
                self._error(stats, kind, f"GET {path}: HTTP {status} {location}".strip())


# --------------------------------------------------------------------------------------------
# The run


def wait_warm(log_path: Path, workers: int, seconds: float = 60) -> None:
    """Wait until every worker has run its warm-up (gunicorn_conf's post_worker_init logs one line each)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        if text.count("warmed up in") >= workers:
            return
        time.sleep(0.2)
    print(f"warning: not every worker reported its warm-up within {seconds:g} s")


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


class CpuMeter:
    """CPU seconds of the server (gunicorn and, with PostgreSQL, the cluster's processes) and of this client."""

    def __init__(self, server_pid: int, db_pid: int | None) -> None:
        self.pids = [server_pid] + ([db_pid] if db_pid else [])

    def read(self) -> tuple[float, float, float]:
        """(gunicorn, database, client) CPU seconds so far."""
        app = process_tree_cpu(self.pids[0])
        database = process_tree_cpu(self.pids[1]) if len(self.pids) > 1 else 0.0
        return app, database, time.process_time()


def run_measured(
    threads: list[threading.Thread], barrier: threading.Barrier, seconds: float, meter: CpuMeter
) -> tuple[float, float, float]:
    """Start ``threads`` (they wait on ``barrier``), release them together, join; (elapsed, server CPU, client CPU)."""
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    app0, db0, client0 = meter.read()
    for thread in threads:
        thread.join(seconds)
    elapsed = time.perf_counter() - started
    app1, db1, client1 = meter.read()
    return elapsed, (app1 - app0) + (db1 - db0), client1 - client0


def run_ratio(tablets: list[Tablet], cfg: argparse.Namespace, meter: CpuMeter) -> tuple[list[str], int, list[str]]:
    """Cards only, then the health check only, ``--ratio-seconds`` each; (lines to print, errors, samples)."""
    lines: list[str] = []
    errors = 0
    samples: list[str] = []
    rates: dict[str, float] = {}
    for kind in ("card", "health"):
        barrier = threading.Barrier(len(tablets) + 1)
        stats = [Stats() for _ in tablets]
        threads = [
            threading.Thread(target=t.hammer, args=(kind, cfg.ratio_seconds, barrier, s), daemon=True)
            for t, s in zip(tablets, stats, strict=True)
        ]
        elapsed, server, client = run_measured(threads, barrier, cfg.ratio_seconds + cfg.timeout * 2 + 30, meter)
        stuck = sum(thread.is_alive() for thread in threads)
        times = [ms for s in stats for ms in s.times[kind]]
        phase_errors = sum(s.total_errors() for s in stats) + stuck
        errors += phase_errors
        samples += [x for s in stats for x in s.error_samples]
        rates[kind] = len(times) / elapsed
        lines.append(
            f"ratio phase {'cards' if kind == 'card' else 'health'}: {len(times):,} requests in {elapsed:.1f} s"
            f" = {rates[kind]:.1f} requests/s, p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms,"
            f" {phase_errors} errors; CPU server {server:.1f} s"
            f" ({server / max(1, len(times)) * 1000:.2f} ms per request), client {client:.1f} s"
        )
    share = rates["card"] / rates["health"] if rates["health"] else float("nan")
    lines.append(
        f"card throughput: {rates['card']:.1f} requests/s = {share * 100:.0f}% of the trivial route"
        f" ({rates['health']:.1f} requests/s); goal at least {GOAL_RATIO * 100:.0f}%:"
        f" {'met' if share >= GOAL_RATIO else 'not met'}"
    )
    return lines, errors, samples


def print_actions(stats: list[Stats], kinds: tuple[str, ...]) -> tuple[int, int]:
    """The per-action table (extra kinds only when present); returns (requests, errors)."""
    total_requests = total_errors = 0
    print(f"\n{'action':<8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for kind in kinds:
        times = [ms for s in stats for ms in s.times[kind]]
        errors = sum(s.errors[kind] for s in stats)
        if kind in EXTRA_KINDS and not times and not errors:
            continue
        total_requests += len(times)
        total_errors += errors
        print(
            f"{kind:<8} {len(times):>7,} {pct(times, 50):>8.1f} {pct(times, 95):>8.1f} {pct(times, 99):>8.1f}"
            f" {max(times, default=float('nan')):>8.1f} {errors:>7}"
        )
    return total_requests, total_errors


def run_capacity(
    tablets: list[Tablet], cfg: argparse.Namespace, window: Window, meter: CpuMeter
) -> tuple[int, list[Stats], float, float, float]:
    """Sign everyone in, then the steps; returns (errors outside the per-step stats, all step stats,
    elapsed seconds, server CPU seconds and client CPU seconds over the steps)."""
    window.index = -1  # sign-in: its own window, not measured
    gate = threading.Semaphore(cfg.workers)  # one sign-in per gunicorn worker at a time: a ramp, no queue
    for tablet in tablets:
        tablet.sign_in_gate = gate
    t0 = time.perf_counter()
    for tablet in tablets:
        tablet.start()
    for tablet in tablets:
        tablet.signed_in.wait(cfg.timeout * 2 + 60)
    signin = [t.by_window.get(-1, Stats()) for t in tablets]
    times = [ms for s in signin for ms in s.times["login"]]
    signin_errors = sum(s.total_errors() for s in signin) + sum(not t.signed_in.is_set() for t in tablets)
    signin_seconds = time.perf_counter() - t0
    warm = [t for t in tablets if t.is_alive()][: cfg.workers * 4]
    warmers = [threading.Thread(target=t.warm_up, daemon=True) for t in warm]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join(cfg.timeout * 3 + 30)
    warm_stats = [t.by_window.get(-1, Stats()) for t in warm]
    warm_errors = sum(s.errors[k] for s in warm_stats for k in ("index", "search", "card"))
    signin_errors += warm_errors
    warm_ms = [ms for s in warm_stats for k in ("search", "card") for ms in s.times[k]]
    print(
        f"sign-in (not measured): {len(tablets)} tablets in {signin_seconds:.1f} s, {cfg.workers} at a"
        f" time; login p50 {pct(times, 50):.0f} ms, p95 {pct(times, 95):.0f} ms, {signin_errors - warm_errors} errors;"
        f" warm-up (not measured): {len(warm)} tablets x page, search, card, max {max(warm_ms, default=0):.0f} ms,"
        f" {warm_errors} errors"
    )
    print(
        f"\n{'step':>4} {'tablets':>7} {'requests':>8} {'req/s':>6} {'search p95':>10} {'card p95':>8}"
        f" {'visit p95':>9} {'errors':>6} {'server ms/req':>13} {'client CPU':>17}"
    )
    best: tuple[int, float, float] | None = None
    judged: tuple[int, float, float, int] | None = None
    active = 0
    started = time.perf_counter()
    app0, db0, client0 = meter.read()
    step_stats: list[Stats] = []
    few_samples = False
    for index, count in enumerate(cfg.steps, 1):
        window.index = index
        step_t0 = time.perf_counter()
        s_app0, s_db0, s_client0 = meter.read()
        for tablet in tablets[active:count]:
            tablet.active.set()
        active = count
        time.sleep(cfg.duration)
        step_elapsed = time.perf_counter() - step_t0
        s_app1, s_db1, s_client1 = meter.read()
        stats = [t.by_window.get(index, Stats()) for t in tablets[:count]]
        step_stats += stats
        requests = sum(len(v) for s in stats for v in s.times.values())
        errors = sum(s.total_errors() for s in stats)
        p95 = {k: pct([ms for s in stats for ms in s.times[k]], 95) for k in ("search", "card", "visit")}
        server = (s_app1 - s_app0) + (s_db1 - s_db0)
        client = s_client1 - s_client0
        cards = sum(len(s.times["card"]) for s in stats)
        few_samples = few_samples or cards < 20
        print(
            f"{index:>4} {count:>7} {requests:>8,} {requests / step_elapsed:>6.1f} {p95['search']:>10.1f}"
            f" {p95['card']:>8.1f} {p95['visit']:>9.1f} {errors:>6} {server / max(1, requests) * 1000:>13.2f}"
            f" {client:>6.1f} s ({client / step_elapsed * 100:>3.0f}%)"
        )
        judged = (count, p95["search"], p95["card"], errors)  # the capacity line's figures when none passed
        passed = p95["search"] < GOAL_P95_MS and p95["card"] < GOAL_P95_MS and errors == 0
        if client / step_elapsed > 0.7:
            print(
                f"     the client used {client / step_elapsed * 100:.0f}% of a core: one Python process (one GIL)"
                " drives the tablets; latencies above may be the client's, not the server's"
            )
        if errors == 0 and (math.isnan(p95["search"]) or math.isnan(p95["card"])):
            print("     no search or no card opened in this step: nothing to judge (a longer --duration); next step")
            continue
        if not passed:
            break
        best = (count, p95["search"], p95["card"])
    for tablet in tablets:
        tablet.stop.set()
    elapsed = time.perf_counter() - started
    app1, db1, client1 = meter.read()
    extra_errors = signin_errors
    for tablet in tablets:
        tablet.join(cfg.timeout * 2 + 30)
        if tablet.is_alive():
            extra_errors += 1
            print(f"  {tablet.name} still running after the stop")
    if few_samples:
        print("  (fewer than 20 card opens in a step: its p95 means little; use more tablets or a longer --duration)")
    if best is not None:
        n, search_p95, card_p95, errors_at = best[0], best[1], best[2], 0
    else:
        assert judged is not None
        n, search_p95, card_p95, errors_at = 0, judged[1], judged[2], judged[3]
    print(
        f"capacity: {n} tablets (p95 search {search_p95:.0f} ms, card {card_p95:.0f} ms, {errors_at} errors);"
        f" goal at least {GOAL_TABLETS}: {'met' if n >= GOAL_TABLETS else 'not met'}"
    )
    return extra_errors, step_stats, elapsed, (app1 - app0) + (db1 - db0), client1 - client0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tablets", type=int, default=50, help="tablets (capacity mode: the largest step)")
    parser.add_argument(
        "--duration", type=float, default=60, help="seconds of load after sign-in starts (capacity: per step)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread worker class)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between a tablet's actions")
    parser.add_argument(
        "--think",
        choices=["fixed", "realistic"],
        default="fixed",
        help="fixed: the --think-ms pause (0: none); realistic: a host at the stand (see RealisticHost)",
    )
    parser.add_argument("--capacity", action="store_true", help="steps of more and more tablets (realistic think)")
    parser.add_argument("--steps", default=DEFAULT_STEPS, help=f"capacity steps, tablets (default {DEFAULT_STEPS})")
    parser.add_argument(
        "--ratio",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the card / trivial-route comparison after the mix (default: on without think time)",
    )
    parser.add_argument("--ratio-seconds", type=float, default=10, help="seconds of each ratio phase")
    parser.add_argument(
        "--rate-limit",
        choices=["auto", "on", "off"],
        default="auto",
        help="the per-account search rate limit (auto: off without think time, as ever; on with realistic think)",
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request, seconds")
    parser.add_argument("--extra-guests", type=int, default=0, help="guests to add to the ~500 of the demo")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    parser.add_argument(
        "--language", default="en", choices=["en", "th", "zh_Hans", "ja"], help="the tablet accounts' language"
    )
    cfg = parser.parse_args()
    cfg.port = free_port()
    if cfg.think == "realistic" and cfg.think_ms:
        parser.error("--think realistic and --think-ms do not mix")
    if cfg.capacity:
        cfg.think = "realistic"
        try:
            cfg.steps = sorted({int(x) for x in cfg.steps.split(",") if x.strip()})
        except ValueError:
            parser.error("--steps: tablets per step, e.g. 50,100,200")
        if not cfg.steps or cfg.steps[0] < 1:
            parser.error("--steps: at least one step of at least one tablet")
        cfg.tablets = cfg.steps[-1]
    no_think = cfg.think == "fixed" and not cfg.think_ms and not cfg.capacity
    if cfg.ratio is None:
        cfg.ratio = no_think
    if cfg.capacity:
        cfg.ratio = False
    rate_limit = cfg.rate_limit == "on" or (cfg.rate_limit == "auto" and cfg.think == "realistic")

    folder = Path(tempfile.mkdtemp(prefix="guestbook-load-"))
    db_path = folder / "guestbook.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUESTBOOK_")}
    env["GUESTBOOK_SECRET_KEY"] = secrets.token_urlsafe(32)  # GUESTBOOK_ENV unset: no Secure cookies over http
    if not rate_limit:
        # Simulated tablets search far faster than people type: the per-account search rate limit is off here.
        env["GUESTBOOK_SEARCH_RATE_LIMIT"] = env["GUESTBOOK_SEARCH_RATE_LIMIT_FLOOR"] = "0"
    if cfg.capacity:
        # Tablets of later steps sit signed in but idle for minutes; the idle lock (15 min) must not catch them.
        env["GUESTBOOK_IDLE_LOCK_SECONDS"] = str(24 * 3600)
    for name in [k for k in os.environ if k.startswith("GUESTBOOK_")]:
        del os.environ[name]  # this process builds the database with the same settings as the server
    log_path = folder / "gunicorn.log"
    server: subprocess.Popen[bytes] | None = None
    cluster: Any = None
    set_up = False
    try:
        if cfg.db == "postgresql":
            cluster, db_url = start_postgres(folder)
            where = f"PostgreSQL {cluster.version}, {db_url}"
        else:
            db_url = f"sqlite:///{db_path}"
            where = str(db_path)
        env["GUESTBOOK_DATABASE_URL"] = db_url
        os.environ.update({k: env[k] for k in ("GUESTBOOK_DATABASE_URL", "GUESTBOOK_SECRET_KEY")})
        t0 = time.perf_counter()
        shared = prepare_database(folder, env, cfg.extra_guests, cfg.tablets, cfg.language)
        counts: dict[str, int] = shared["counts"]  # type: ignore[assignment]
        print(
            f"database: {counts['guests']:,} guests, {counts['visits']:,} visits, {cfg.tablets} floor accounts"
            f" (built in {time.perf_counter() - t0:.1f} s, {where})"
        )
        # The production configuration (scripts/serve's): its access log and its warm-up of each worker.
        command = [sys.executable, "-m", "gunicorn", "-c", "python:guestbook.gunicorn_conf"]
        command += ["-w", str(cfg.workers), "-b", f"127.0.0.1:{cfg.port}"]
        if cfg.threads > 1:
            command += ["-k", "gthread", "--threads", str(cfg.threads)]
        command += ["--timeout", "60", "--error-logfile", str(log_path), "--access-logfile", str(folder / "access.log")]
        server = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env)
        wait_ready(cfg.port, server)
        wait_warm(log_path, cfg.workers)
        meter = CpuMeter(server.pid, postgres_pid(cluster) if cluster is not None else None)
        kind = f"gthread x {cfg.threads} threads" if cfg.threads > 1 else "sync"
        if cfg.think == "realistic":
            think = f"realistic (a guest every ~{RealisticHost.mean_cycle_s():.0f} s per tablet plus requests)"
        else:
            think = f"{cfg.think_ms:g} ms"
        limit = "search rate limit on" if rate_limit else "search rate limit off"
        if cfg.capacity:
            print(
                f"gunicorn: {cfg.workers} {kind} workers on 127.0.0.1:{cfg.port}; capacity steps"
                f" {','.join(map(str, cfg.steps))} tablets, {cfg.duration:g} s each, think time {think},"
                f" {limit}, client timeout {cfg.timeout:g} s"
            )
        else:
            print(
                f"gunicorn: {cfg.workers} {kind} workers on 127.0.0.1:{cfg.port}; {cfg.tablets} tablets for"
                f" {cfg.duration:g} s, think time {think}, client timeout {cfg.timeout:g} s"
                + (f", {limit}" if rate_limit else "")
            )

        ratio_lines: list[str] = []
        ratio_errors = 0
        ratio_samples: list[str] = []
        emails: list[str] = shared["emails"]  # type: ignore[assignment]
        if cfg.capacity:
            window = Window()
            tablets = [Tablet(n, email, cfg, shared, None, window) for n, email in enumerate(emails, 1)]
            extra, measured, elapsed, server_cpu, client_cpu = run_capacity(tablets, cfg, window, meter)
            stuck: list[str] = []
            stuck_errors = extra
        else:
            barrier = threading.Barrier(cfg.tablets + 1)
            tablets = [Tablet(n, email, cfg, shared, barrier) for n, email in enumerate(emails, 1)]
            window_s = cfg.duration + cfg.timeout * 2 + 30
            elapsed, server_cpu, client_cpu = run_measured(list(tablets), barrier, window_s, meter)
            stuck = [t.name for t in tablets if t.is_alive()]
            stuck_errors = len(stuck)
            measured = [t.by_window.get(0, Stats()) for t in tablets]
            if cfg.ratio and not stuck:
                ratio_lines, ratio_errors, ratio_samples = run_ratio(tablets, cfg, meter)
        set_up = True
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not set_up and cluster is not None:
            cluster.stop()  # an error (or Ctrl-C): nothing to report, the cluster goes now

    try:
        # ---- report
        # Capacity mode: sign-in is reported on its own line and not part of the steps.
        kinds = (*KINDS[1:], "index") if cfg.capacity else (*KINDS, "index")
        total_requests, errors = print_actions(measured, kinds)
        total_errors = stuck_errors + errors
        label = "the steps" if cfg.capacity else "the run"
        print(f"overall: {total_requests:,} requests in {elapsed:.1f} s = {total_requests / elapsed:.1f} requests/s")
        print(
            f"CPU during {label}: server {server_cpu:.1f} s ({server_cpu / max(1, total_requests) * 1000:.1f} ms"
            f" per request), tablets (client threads) {client_cpu:.1f} s, of {os.cpu_count()} cores x {elapsed:.1f} s"
            + (" (server: gunicorn + PostgreSQL)" if cluster is not None else "")
        )
        searches = sum(s.found_by_search for s in measured)
        cards = sum(len(s.times["card"]) for s in measured)
        print(f"the typed guest was in the last results list before {searches:,} of {cards:,} card opens")
        for line in ratio_lines:
            print(line)
        total_errors += ratio_errors

        everything = [s for t in tablets for s in t.all_stats()]
        ok_notes = [n for s in everything for n in s.visit_notes_ok]
        unknown = [n for s in everything for n in s.visit_notes_unknown]
        saved, total_visits = count_visits(db_url)
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
    finally:
        if cluster is not None:
            cluster.stop()
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    server_problems = [
        line
        for line in log.splitlines()
        if any(word in line for word in ("Traceback", "Error", "WORKER TIMEOUT", "locked", "Exception"))
    ]
    print(f"server log: {len(server_problems)} error lines ({log_path})")
    for line in server_problems[:10]:
        print("  " + line)
    samples = [x for s in everything for x in s.error_samples] + ratio_samples
    for sample in list(dict.fromkeys(samples))[:15]:
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
