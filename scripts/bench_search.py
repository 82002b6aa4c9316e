"""Search benchmark: p50/p95/p99 of the API's search function at 10,000 and 1,000,000 guests.

Builds each database once under bench-data/ (bulk-inserted through the same tokeniser the app
uses), then runs a fixed mix of 1,000 queries through ``guests.search.search_guests``.
Also times rendering the recognition card for a guest with 500 visits.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from guestbook import create_app  # noqa: E402
from guestbook.demo import random_name  # noqa: E402
from guestbook.extensions import db  # noqa: E402
from guestbook.guests import search, search_tokens  # noqa: E402

COMPANIES = ["", "", "", "", "Siam Cement", "Acme Travel", "Mitsui & Co.", "Deutsche Bank", "Straits Trading"]
NOW = datetime(2026, 11, 22, tzinfo=UTC)


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
    rng = random.Random(seed)
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    token_cache: dict[tuple[str, str, str, str], tuple[set[str], str]] = {}
    vocab: set[str] = set()
    started = time.perf_counter()
    batch_g, batch_t, batch_k, batch_p = [], [], [], []
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
        base_tokens, forms = token_cache[key]
        # Contact tokens as the app writes them: the e-mail behind "@", the shown last four phone digits behind "#".
        tokens = base_tokens | search_tokens.email_tokens(email) | {search_tokens.phone_token(digits) or ""}
        tokens.discard("")
        vocab |= {t for t in base_tokens if search_tokens.fuzzy_eligible(t)}
        rec = -int(last.timestamp())
        stamp = last.strftime("%Y-%m-%d %H:%M:%S.%f")
        batch_g.append(
            (
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
                stamp,
                rng.randint(1, 40),
                NOW.strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
        )
        batch_t.extend((t, rec, gid) for t in search_tokens.index_tokens(tokens))
        batch_k.append((gid, " ".join(sorted(tokens)), forms, digits))
        batch_p.append((gid, digits))
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


def run_queries(path: Path, masked: bool = False) -> dict[str, float]:
    """Time the fixed query mix against one database (``masked``: as the floor searches); p50/p95/p99 in ms."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance_path=str(path.parent)
    )
    mix = query_mix()
    times: list[float] = []
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
    }  # type: ignore[dict-item]


def card_p95(folder: Path) -> float:
    """p95 ms of rendering the recognition card (GET /guests/<id>) for a guest with 500 visits."""
    from guestbook.actor import Actor
    from guestbook.admin import outlets
    from guestbook.admin.schemas import OutletCreate
    from guestbook.guests import visits
    from guestbook.guests.profiles import create_guest
    from guestbook.guests.schemas import GuestCreate, VisitCreate
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
            GuestCreate(given_name="Hans", family_name="Müller", allergies=[{"allergen": "peanuts"}]), actor
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
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--folder", default=str(ROOT / "bench-data"), help="where the databases are built and kept")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
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


if __name__ == "__main__":
    main()
