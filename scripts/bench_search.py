"""Search benchmark: p50/p95/p99 of the API's search function at 10,000 and 1,000,000 guests.

Builds each database once under bench-data/ (bulk-inserted through the same tokeniser the app
uses), then runs a fixed mix of 1,000 queries through ``guests.search.search_guests``.
Also times rendering the recognition card for a guest with 500 visits.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.demo import random_name  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests import search, search_tokens  # noqa: E402

COMPANIES = ["", "", "", "", "Siam Cement", "Acme Travel", "Mitsui & Co.", "Deutsche Bank", "Straits Trading"]
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def generate(
    n: int, vocab: set[str], seed: int = 1
) -> Iterator[tuple[int, tuple[object, ...], list[tuple[str, int, int]], tuple[int, str, str, str]]]:
    """The benchmark's guests, one at a time: (id, guest row, token rows, search-key row); fills ``vocab``.

    Tokens come from the app's tokeniser, contact tokens as the app writes them. The same seed gives the
    same guests for SQLite and PostgreSQL.
    """
    rng = random.Random(seed)
    token_cache: dict[tuple[str, str, str, str], tuple[set[str], str]] = {}
    for gid in range(1, n + 1):
        name = random_name(rng)
        company = rng.choice(COMPANIES)
        email = f"guest{gid}@example.com"
        phone = f"+66 8{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        digits = "".join(ch for ch in phone if ch.isdigit())
        last = NOW - timedelta(days=rng.randint(0, 1500), minutes=rng.randint(0, 1440))
        key = (name.given, name.family, company, name.language)
        if key not in token_cache:
            fake = SimpleNamespace(
                given_name=name.given,
                family_name=name.family,
                preferred_name="",
                company=company,
                email=None,
                language=name.language,
            )
            token_cache[key] = (search_tokens.guest_tokens(fake), "|".join(sorted(search_tokens.name_forms(fake))))
            vocab.update(t for t in token_cache[key][0] if search_tokens.fuzzy_eligible(t))
        base_tokens, forms = token_cache[key]
        # Contact tokens as the app writes them: the e-mail behind "@", the shown last four phone digits behind "#".
        tokens = base_tokens | search_tokens.email_tokens(email) | {search_tokens.phone_token(digits) or ""}
        tokens.discard("")
        rec = -int(last.timestamp())
        guest_row = (
            gid,
            name.given,
            name.family,
            "",
            "",
            name.salutation,
            name.language,
            email,
            phone,
            digits,
            company,
            last.strftime("%Y-%m-%d %H:%M:%S.%f"),
            rng.randint(1, 40),
            NOW.strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
        token_rows = [(t, rec, gid) for t in search_tokens.index_tokens(tokens)]
        yield gid, guest_row, token_rows, (gid, " ".join(sorted(tokens)), forms, digits)


def build(path: Path, n: int, seed: int = 1) -> None:
    """Create a migrated database with ``n`` guests and their search index, bulk-inserted."""
    if path.exists():
        return
    tmp = path.with_suffix(".building")
    for stale in path.parent.glob(tmp.name + "*"):
        stale.unlink()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}", "SECRET_KEY": "bench"}, instance_path=str(path.parent)
    )
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    vocab: set[str] = set()
    started = time.perf_counter()
    batch_g, batch_t, batch_k, batch_p = [], [], [], []
    for gid, guest_row, token_rows, key_row in generate(n, vocab, seed):
        batch_g.append(guest_row)
        batch_t.extend(token_rows)
        batch_k.append(key_row)
        batch_p.append((gid, key_row[3]))
        if len(batch_g) >= 50_000 or gid == n:
            con.executemany(
                "INSERT INTO guest (id, given_name, family_name, preferred_name, pronunciation, salutation, language,"
                " email,"
                " phone, phone_digits, company, last_visit_at, visit_count, created_at, updated_at, version, notes,"
                " address_line1, address_line2, address_city, address_region, address_postal_code, address_country,"
                " vip_level, marketing_consent, do_not_contact)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,'','','','','','','',0,0,0)",
                [(*row, row[-1]) for row in batch_g],
            )
            con.executemany("INSERT INTO guest_token (token, recency, guest_id) VALUES (?,?,?)", batch_t)
            con.executemany(
                "INSERT INTO guest_search_key (guest_id, tokens, name_forms, phone_digits) VALUES (?,?,?,?)", batch_k
            )
            con.executemany("INSERT INTO guest_phone_fts (rowid, digits) VALUES (?,?)", batch_p)
            batch_g, batch_t, batch_k, batch_p = [], [], [], []
    con.executemany(
        "INSERT OR IGNORE INTO search_vocab_variant (variant, token) VALUES (?,?)",
        [(v, t) for t in vocab for v in search_tokens.deletions(t)],
    )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(tmp) + suffix)
        if extra.exists():
            extra.unlink()
    print(f"  built {n:,} guests in {time.perf_counter() - started:.1f} s")


# PostgreSQL: a throwaway cluster started the way scripts/test_postgres starts one, filled with COPY.
PG_SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c wal_level=minimal -c max_wal_senders=0 -c max_connections=200"
)
GUEST_COLUMNS = (
    "id, given_name, family_name, preferred_name, pronunciation, salutation, language, email, phone, phone_digits,"
    " company, last_visit_at, visit_count, created_at, updated_at, version, notes, address_line1, address_line2,"
    " address_city, address_region, address_postal_code, address_country, vip_level, marketing_consent,"
    " do_not_contact"
)
BULK_TABLES = ("guest", "guest_token", "guest_search_key", "search_vocab_variant")
_COPY_UNSAFE = re.compile(r"[\\\t\n\r]")  # COPY text format escapes; never in generated rows


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary directory (as ``postgres`` when run as root)."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda b: int(b.parent.name))
        self.bin = Path(os.environ.get("PG_BIN") or (bins[-1] if bins else "/nonexistent"))
        if not (self.bin / "initdb").exists():
            sys.exit("bench_search: no PostgreSQL server found (apt-get install postgresql, or set PG_BIN)")
        self.dir = Path(tempfile.mkdtemp(prefix="guestbook-pg-bench."))
        self.run_as: list[str] = []
        if os.getuid() == 0:  # the server refuses to run as root
            shutil.chown(self.dir, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        data = str(self.dir / "data")
        init = [*self.run_as, str(self.bin / "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        init += ["--no-sync", "--locale=C.UTF-8"]
        log = self.dir / "initdb.log"
        if subprocess.run(
            [*init, "--locale-provider=icu", "--icu-locale=en-US"], stdout=log.open("w"), stderr=subprocess.STDOUT
        ).returncode:
            subprocess.run([*self.run_as, "rm", "-rf", data], check=True)  # no ICU in this build: libc C.UTF-8
            subprocess.run(init, stdout=log.open("w"), stderr=subprocess.STDOUT, check=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        opts = f"-k {self.dir} -p {self.port} {PG_SERVER_OPTIONS}"
        start = [*self.run_as, str(self.bin / "pg_ctl"), "-D", data, "-l", str(self.dir / "server.log")]
        subprocess.run([*start, "-o", opts, "-w", "-t", "60", "start"], check=True, stdout=subprocess.DEVNULL)
        version = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True, text=True).stdout
        self.version = version.split()[2]

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and delete its files."""
        data = str(self.dir / "data")
        subprocess.run(
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", data, "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def _copy_text(rows: list[tuple[object, ...]]) -> str:
    """Rows in COPY text format. Generated values hold no tab, newline or backslash (the tokeniser splits
    words at whitespace and backslashes), so nothing needs escaping; checked once per chunk."""
    chunk = "".join("\t".join(map(str, row)) + "\n" for row in rows)
    if _COPY_UNSAFE.search(chunk.replace("\t", " ").replace("\n", " ")):
        raise ValueError("a generated value needs COPY escaping")
    return chunk


def build_postgres(server: Postgres, n: int, seed: int = 1) -> str:
    """Create a migrated database with ``n`` guests (the SQLite build's data), bulk-loaded with COPY; its URL.

    One transaction: the tables are truncated, their secondary indexes and the token keys dropped, the rows
    streamed from the generator, the indexes rebuilt; then VACUUM ANALYZE (the visibility map lets the
    token scans run index-only, as autovacuum would in production).
    """
    import psycopg

    name = f"search_{n}"
    with psycopg.connect(server.url().replace("+psycopg", ""), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name}")
    url = server.url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=str(server.dir))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    started = time.perf_counter()
    vocab: set[str] = set()
    with psycopg.connect(url.replace("+psycopg", "")) as con:
        con.execute("SET maintenance_work_mem = '1GB'")
        con.execute(f"TRUNCATE {', '.join(BULK_TABLES)} CASCADE")
        rebuild: list[str] = []
        for table in BULK_TABLES:
            for index, definition in con.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                " WHERE x.indrelid = %s::regclass AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
                (table,),
            ).fetchall():
                con.execute(f'DROP INDEX "{index}"')
                rebuild.append(definition)
        for table in ("guest_token", "search_vocab_variant"):  # keys nothing refers to: rebuilt after the load
            for constraint, definition in con.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'p'",
                (table,),
            ).fetchall():
                con.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
        con.commit()
        # One connection and one COPY per table, fed as the rows are generated (the server parses in parallel).
        plain = url.replace("+psycopg", "")
        conns = [psycopg.connect(plain) for _ in range(3)]
        for c in conns:
            c.execute("SET TimeZone = 'UTC'")
            c.execute("SET session_replication_role = replica")  # no foreign-key triggers per copied row
        with (
            conns[0].cursor().copy(f"COPY guest ({GUEST_COLUMNS}) FROM STDIN") as guests,
            conns[1].cursor().copy("COPY guest_token (token, recency, guest_id) FROM STDIN") as tokens,
            conns[2]
            .cursor()
            .copy("COPY guest_search_key (guest_id, tokens, name_forms, phone_digits) FROM STDIN") as keys,
        ):
            rows_g: list[tuple[object, ...]] = []
            rows_t: list[tuple[object, ...]] = []
            rows_k: list[tuple[object, ...]] = []
            for gid, row, token_rows, key_row in generate(n, vocab, seed):
                rows_g.append((*row, row[-1], 1, "", "", "", "", "", "", "", 0, 0, 0))
                rows_t.extend(token_rows)
                rows_k.append(key_row)
                if len(rows_g) >= 20_000 or gid == n:
                    guests.write(_copy_text(rows_g))
                    tokens.write(_copy_text(rows_t))
                    keys.write(_copy_text(rows_k))
                    rows_g, rows_t, rows_k = [], [], []
        for c in conns:
            c.commit()
            c.close()
        loaded_guests = time.perf_counter()
        cur = con.cursor()
        with cur.copy("COPY search_vocab_variant (variant, token) FROM STDIN") as variants:
            variants.write(_copy_text(sorted({(v, t) for t in vocab for v in search_tokens.deletions(t)})))
        loaded = time.perf_counter()
        for statement in rebuild:
            con.execute(statement)
        con.execute("SELECT setval(pg_get_serial_sequence('guest', 'id'), %s)", (n,))
        con.commit()
        indexed = time.perf_counter()
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as con:
        con.execute("VACUUM (ANALYZE)")
        size = con.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]  # type: ignore[index]
    print(
        f"  built {n:,} guests in {time.perf_counter() - started:.1f} s (generate + COPY "
        f"{loaded_guests - started:.0f} s, vocabulary {loaded - loaded_guests:.0f} s, indexes "
        f"{indexed - loaded:.0f} s, VACUUM ANALYZE {time.perf_counter() - indexed:.0f} s); database {size}"
    )
    return url


def typo(word: str, rng: random.Random) -> str:
    """One edit: swap two neighbours, drop or double a letter."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def query_mix(n: int = 1000, seed: int = 2) -> list[tuple[str, str]]:
    """A fixed mix of the query kinds staff type: (kind, query)."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    kinds = ["full", "family", "prefix", "typo", "accentless", "cjk", "roman", "cyrillic", "phone", "email", "company"]
    from anyascii import anyascii

    from guestbook.demo import CHINESE, CYRILLIC, GREEK, KOREAN, LATIN

    for i in range(n):
        kind = kinds[i % len(kinds)]
        g = rng.choice(LATIN)[0]
        f2 = rng.choice(LATIN)[1]
        if kind == "full":
            q = f"{g} {f2}"
        elif kind == "family":
            q = f2
        elif kind == "prefix":
            q = f"{f2} {g[:3]}"
        elif kind == "typo":
            q = typo(f2.lower(), rng)
        elif kind == "accentless":
            q = anyascii(f"{g} {f2}").lower()
        elif kind == "cjk":
            cg, cf = rng.choice(CHINESE + KOREAN)[:2]
            q = rng.choice([cg, cf + cg])
        elif kind == "roman":
            cg, cf = rng.choice(CHINESE)[:2]
            q = anyascii(cf + " " + cg).lower()
        elif kind == "cyrillic":
            cg, cf = rng.choice(CYRILLIC + GREEK)[:2]
            q = rng.choice([cf, anyascii(cf).lower()])
        elif kind == "phone":
            q = str(rng.randint(1000, 9999))
        elif kind == "email":
            q = f"guest{rng.randint(1, 9000)}@example.com"
        else:
            q = rng.choice(["Mitsui", "siam", "deutsche bank", "acme"])
        out.append((kind, q))
    return out


def pct(values: list[float], p: float) -> float:
    """Percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run_queries(path: Path | str, masked: bool = False) -> dict[str, Any]:
    """Time the fixed query mix against one database (``masked``: as the floor searches); p50/p95/p99 in ms.

    ``path`` is a SQLite file or a database URL.
    """
    uri = path if isinstance(path, str) else f"sqlite:///{path}"
    folder = ROOT / "bench-data" if isinstance(path, str) else path.parent
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"}, instance_path=str(folder))
    mix = query_mix()
    times: list[float] = []
    timed: list[tuple[float, str, str]] = []
    empty = 0
    by_kind: dict[str, list[float]] = {}
    with app.app_context():
        for _kind, q in mix[:50]:
            search.search_guests(q, 20, masked=masked)  # warm the page cache
        for kind, q in mix:
            t0 = time.perf_counter()
            results = search.search_guests(q, 20, masked=masked)
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            timed.append((ms, kind, q))
            by_kind.setdefault(kind, []).append(ms)
            empty += not results
        db.session.remove()
        db.engine.dispose()
    worst = max(by_kind, key=lambda k: pct(by_kind[k], 95))
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "p99": pct(times, 99),
        "empty": empty,
        "worst_kind": worst,
        "worst_kind_p95": pct(by_kind[worst], 95),
        "max": max(times),
        "slowest": sorted(timed, reverse=True)[:5],
    }


def card_p95(folder: Path) -> float:
    """p95 ms of rendering the recognition card (GET /guests/<id>) for a guest with 500 visits."""
    from guestbook.actor import Actor
    from guestbook.admin import outlets
    from guestbook.admin.schemas import OutletCreate
    from guestbook.guests import visits
    from guestbook.guests.profiles import create_guest
    from guestbook.guests.schemas import AllergyIn, GuestCreate, VisitCreate
    from guestbook.staff import auth as auth_service

    path = folder / "card.sqlite3"
    for stale in folder.glob("card.sqlite3*"):
        stale.unlink()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(folder))
    actor = Actor.system()
    with app.app_context():
        upgrade(revision="heads")
        outlets.create_outlet(OutletCreate(code="terrace", name="Terrace"), actor)
        auth_service.create_staff_user("floor@bench.test", "Floor", "floor", "bench password 1")
        guest = create_guest(
            GuestCreate(given_name="Hans", family_name="Müller", allergies=[AllergyIn(allergen="peanuts")]), actor
        )
        rng = random.Random(3)
        for n in range(500):
            visits.log_visit(
                guest.id,
                VisitCreate(
                    outlet="terrace",
                    visited_at=NOW - timedelta(days=n),
                    table=rng.choice(["Window 2", "Window 2", "Booth 3"]),
                    items=rng.sample(["club sandwich", "coffee", "fried egg", "tea", "toast"], 3),
                ),
                actor,
            )
        gid = guest.id
        db.session.remove()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": "floor@bench.test", "password": "bench password 1", "csrf_token": token})
    times = []
    for _ in range(10):
        client.get(f"/guests/{gid}")
    for _ in range(200):
        t0 = time.perf_counter()
        response = client.get(f"/guests/{gid}")
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return pct(times, 95)


def main() -> None:
    """Build, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--sizes", help="comma-separated guest counts (SQLite: 10000,1000000; PostgreSQL: 1000000,10000000)"
    )
    parser.add_argument("--folder", default=str(ROOT / "bench-data"), help="where the databases are built and kept")
    parser.add_argument("--runs", type=int, default=2, help="PostgreSQL: times the mix is run per size")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: leave the server running (for EXPLAIN)")
    args = parser.parse_args()
    if args.db == "postgresql":
        main_postgres([int(s) for s in (args.sizes or "1000000,10000000").split(",")], args.runs, keep=args.keep)
        return
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in (int(s) for s in (args.sizes or "10000,1000000").split(",")):
        path = folder / f"search-{n}.sqlite3"
        print(f"{n:>9,} guests:")
        build(path, n)
        r = run_queries(path)
        results[n] = r
        print(
            f"  p50 {r['p50']:.2f} ms   p95 {r['p95']:.2f} ms   p99 {r['p99']:.2f} ms   "
            f"(no result: {r['empty']} of 1000; slowest kind {r['worst_kind']} p95 {r['worst_kind_p95']:.2f} ms)"
        )
        f = run_queries(path, masked=True)
        print(
            f"  as the floor (contacts masked): p50 {f['p50']:.2f} ms   p95 {f['p95']:.2f} ms   "
            f"p99 {f['p99']:.2f} ms   (no result: {f['empty']} of 1000)"
        )
    sizes = sorted(results)
    if len(sizes) >= 2:
        print(f"p95 ratio {sizes[-1]:,} / {sizes[0]:,}: {results[sizes[-1]]['p95'] / results[sizes[0]]['p95']:.2f}")
    print(f"card render p95 (500 visits): {card_p95(folder):.2f} ms")


def main_postgres(sizes: list[int], runs: int, *, keep: bool = False) -> None:
    """Build each size in a throwaway PostgreSQL cluster, time the mix (manager and floor), print the tail."""
    server = Postgres()
    print(f"PostgreSQL {server.version} (throwaway cluster in {server.dir})")
    p95s: dict[int, float] = {}
    try:
        for n in sizes:
            print(f"{n:>10,} guests:")
            url = build_postgres(server, n)
            for run in range(1, runs + 1):
                for masked in (False, True):
                    r = run_queries(url, masked=masked)
                    who = "as the floor (contacts masked)" if masked else f"run {run}"
                    print(
                        f"  {who}: p50 {r['p50']:.2f} ms   p95 {r['p95']:.2f} ms   p99 {r['p99']:.2f} ms   "
                        f"max {r['max']:.1f} ms   (no result: {r['empty']} of 1000; slowest kind "
                        f"{r['worst_kind']} p95 {r['worst_kind_p95']:.2f} ms)"
                    )
                    if not masked:
                        p95s[n] = min(p95s.get(n, r["p95"]), r["p95"])
                        slow = ", ".join(f"{q!r} {ms:.0f} ms" for ms, _kind, q in r["slowest"])
                        print(f"    slowest: {slow}")
    finally:
        if keep:
            print(
                f"  server left running: psql {server.url().replace('+psycopg', '')}; "
                f"stop: pg_ctl -D {server.dir}/data stop"
            )
        else:
            server.stop()
    if len(p95s) >= 2:
        small, large = min(p95s), max(p95s)
        print(f"p95 ratio {large:,} / {small:,} (best run of each): {p95s[large] / p95s[small]:.2f}")


if __name__ == "__main__":
    main()
