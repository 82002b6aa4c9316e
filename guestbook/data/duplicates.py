"""Likely duplicate guests: the nightly scan, the on-the-spot check for new guests, and "not the same person".

Blocking, never all pairs: each guest falls in a few blocks (``duplicate_keys.blocking_keys``): its
e-mail, the last nine digits of its phone, its address (postal code + first line), and its birthday's
month and day with each of its name words. Only guests sharing a block are compared. Blocks of more
than ``MAX_BLOCK`` guests are skipped and counted (a hotel's own phone number typed on many profiles,
a very common surname with a common birthday): they would make the scan quadratic and say little.

Blocks by whole name (and the Thai/Latin name skeleton) are used only when a shared name alone could
reach the ``duplicates_min_score`` setting: otherwise every pair that can reach it shares another
block too (a name plus a phone shares the phone's block), and the name blocks of common names would
only add comparisons. Rejected pairs (``NotDuplicate``), erased guests and guests merged away are never
suggested.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select, text

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.settings import get_setting
from guestbook.data import duplicate_keys as dk
from guestbook.data.models import DuplicatePair, MergedGuest, NotDuplicate
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.guests.search_index import on_sqlite
from guestbook.guests.search_models import GuestSearchKey, GuestToken
from guestbook.i18n import lazy_gettext

MAX_BLOCK = 50
CHUNK = 5000  # guest ids per IN (...) when loading the guests of the pairs found
LOOKUP_CAP = 200  # candidates per indexed query when checking one new guest
DEFAULT_LIMIT = 100
MAX_LIMIT = 500

REASON_LABELS: dict[str, Any] = {
    dk.SAME_EMAIL: lazy_gettext("same e-mail"),
    dk.SAME_PHONE: lazy_gettext("same phone"),
    dk.SAME_NAME: lazy_gettext("same name"),
    dk.SIMILAR_NAME: lazy_gettext("similar name"),
    dk.SAME_BIRTHDAY: lazy_gettext("same birthday"),
    dk.SAME_ADDRESS: lazy_gettext("same address"),
}
CONTACT_REASONS = frozenset({dk.SAME_EMAIL, dk.SAME_PHONE, dk.SAME_ADDRESS})


class GuestNotFound(LookupError):
    """No such guest (or one erased or merged away)."""


class SameGuest(ValueError):
    """A pair needs two different guests."""


@dataclass(frozen=True)
class Candidate:
    """A guest that may be the same person as the one checked: its id, the score 0–1 and the reasons."""

    guest_id: int
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class Pair:
    """A stored likely pair (lower id first)."""

    guest_ids: tuple[int, int]
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class ScanResult:
    """What a full scan did: guests read, pairs stored, pairs compared, blocks skipped as too big, seconds."""

    guests: int
    pairs: int
    compared: int
    skipped_blocks: int
    seconds: float


def reason_label(code: str) -> str:
    """A reason code in the viewer's language."""
    return str(REASON_LABELS.get(code, code))


def min_score() -> float:
    """The ``duplicates_min_score`` setting: pairs below it are not suggested."""
    return float(get_setting("duplicates_min_score"))


def _kinds(threshold: float) -> frozenset[str]:
    kinds = {dk.KIND_EMAIL, dk.KIND_PHONE, dk.KIND_ADDRESS, dk.KIND_BIRTHDAY}
    if dk.WEIGHTS[dk.SAME_NAME] >= threshold:
        kinds.add(dk.KIND_NAME)
    if dk.WEIGHTS[dk.SIMILAR_NAME] >= threshold:
        kinds.add(dk.KIND_SKELETON)
    return frozenset(kinds)


def _rows() -> Select[Any]:
    """The columns ``duplicate_keys.guest_keys`` reads, for guests that may be suggested."""
    columns = [getattr(Guest, name) for name in dk.ROW_FIELDS if name != "name_forms"]
    return (
        select(*columns, GuestSearchKey.name_forms)
        .outerjoin(GuestSearchKey, GuestSearchKey.guest_id == Guest.id)
        .where(Guest.erased_at.is_(None), Guest.id.not_in(select(MergedGuest.guest_id)))
    )


def _keys_of(ids: Iterable[int]) -> dict[int, dk.GuestKeys]:
    wanted = sorted(set(ids))
    found: dict[int, dk.GuestKeys] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for row in db.session.execute(_rows().where(Guest.id.in_(chunk))):
            found[int(row[0])] = dk.guest_keys(row)
    return found


def _rejected_of(guest_ids: Sequence[int]) -> set[tuple[int, int]]:
    """The rejected pairs that involve these guests."""
    ids = sorted(set(guest_ids))
    if len(ids) > CHUNK:
        return _rejected()
    pair = (NotDuplicate.guest_low_id, NotDuplicate.guest_high_id)
    rows = db.session.execute(select(*pair).where(or_(pair[0].in_(ids), pair[1].in_(ids))))
    return {(int(a), int(b)) for a, b in rows}


def _rejected() -> set[tuple[int, int]]:
    rows = db.session.execute(select(NotDuplicate.guest_low_id, NotDuplicate.guest_high_id))
    return {(int(a), int(b)) for a, b in rows}


def _read_guests(kinds: frozenset[str]) -> tuple[dict[int, dk.GuestKeys], dict[str, list[int]]]:
    """Every guest's keys, and the guests of each block, in one pass over the guests."""
    blocks: dict[str, list[int]] = defaultdict(list)
    everyone: dict[int, dk.GuestKeys] = {}
    for row in db.session.execute(_rows().execution_options(yield_per=10_000)):
        keys = dk.guest_keys(row)
        everyone[keys.guest_id] = keys
        for key in dk.blocking_keys(keys, kinds):
            blocks[key].append(keys.guest_id)
    return everyone, blocks


def _candidate_pairs(blocks: dict[str, list[int]]) -> tuple[set[tuple[int, int]], int]:
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK:
            skipped += 1
            continue
        pairs.update(combinations(sorted(set(members)), 2))
    return pairs, skipped


def find_pairs() -> tuple[list[Pair], ScanResult]:
    """Read every guest and return the likely pairs (highest score first), without storing them."""
    started = time.perf_counter()
    threshold = min_score()
    keys, blocks = _read_guests(_kinds(threshold))
    candidates, skipped = _candidate_pairs(blocks)
    del blocks
    candidates -= _rejected()
    found: list[Pair] = []
    compare = dk.compare
    for low, high in candidates:
        score, reasons = compare(keys[low], keys[high])
        if score >= threshold:
            found.append(Pair((low, high), score, reasons))
    found.sort(key=lambda p: (-p.score, p.guest_ids))
    result = ScanResult(len(keys), len(found), len(candidates), skipped, time.perf_counter() - started)
    return found, result


def scan(actor: Actor) -> ScanResult:
    """Full scan: replace the stored pairs with what is found now, in one short write transaction (audited once).

    The guests are read before the write lock is taken (a scan of 200,000 guests takes seconds); the
    write re-checks what may have changed meanwhile: pairs rejected, guests erased or merged away.
    """
    pairs, result = find_pairs()
    writing = time.perf_counter()
    with write_transaction():
        rejected = _rejected()
        live = set(
            db.session.scalars(
                select(Guest.id).where(Guest.erased_at.is_(None), Guest.id.not_in(select(MergedGuest.guest_id)))
            )
        )
        rows = [
            {"guest_low_id": p.guest_ids[0], "guest_high_id": p.guest_ids[1], "score": p.score, "reasons": p.reasons}
            for p in pairs
            if p.guest_ids not in rejected and p.guest_ids[0] in live and p.guest_ids[1] in live
        ]
        db.session.execute(delete(DuplicatePair))
        if rows:
            db.session.execute(insert(DuplicatePair), rows)
        detail = f"guests={result.guests} pairs={len(rows)} compared={result.compared} skipped={result.skipped_blocks}"
        audit.record(actor, "duplicates_scan", None, detail)
    seconds = result.seconds + time.perf_counter() - writing
    return replace(result, pairs=len(rows), seconds=round(seconds, 2))


def run_scan(actor: Actor) -> int:
    """Full scan (see ``scan``); returns how many pairs were stored."""
    return scan(actor).pairs


# --- one guest at a time ------------------------------------------------------------------------------


def _ids(stmt: Any, params: dict[str, Any] | None = None) -> set[int]:
    return {int(r[0]) for r in db.session.execute(stmt, params or {})}


def _lookalike_ids(keys: dk.GuestKeys, contacts: bool, threshold: float) -> set[int]:
    """Guests sharing a key with this one, each key through an index (token, e-mail, phone trigrams)."""
    found: set[int] = set()
    if contacts and keys.email:
        found |= _ids(select(Guest.id).where(Guest.email == keys.email).limit(LOOKUP_CAP))
    if contacts and keys.phone:
        if on_sqlite():
            sql = text("SELECT rowid FROM guest_phone_fts WHERE digits MATCH :q LIMIT :cap")
            found |= _ids(sql, {"q": f'"{keys.phone}"', "cap": LOOKUP_CAP})
        else:
            stmt = select(GuestSearchKey.guest_id).where(GuestSearchKey.phone_digits.contains(keys.phone))
            found |= _ids(stmt.limit(LOOKUP_CAP))
    found |= _name_lookalike_ids(keys, contacts, threshold)
    found.discard(keys.guest_id)
    return found


def _name_lookalike_ids(keys: dk.GuestKeys, contacts: bool, threshold: float) -> set[int]:
    """Guests with this name (any spelling) or family name, on the same birthday or at the same postal code.

    A name alone is followed only when it alone can reach the bar (``duplicates_min_score``): the
    token index finds the name, the birthday or postal code keeps a common name's thousands out.
    """
    name = keys.name
    same_day = keys.birthday is not None
    postal = keys.address.split("|", 1)[0] if contacts and keys.address else ""
    alone = dk.WEIGHTS[dk.SAME_NAME] >= threshold
    if not (same_day or postal or alone):
        return set()
    near = []
    if keys.birthday is not None:
        near.append(and_(Guest.birthday_month == keys.birthday[0], Guest.birthday_day == keys.birthday[1]))
    if postal:
        near.append(func.upper(func.replace(Guest.address_postal_code, " ", "")) == postal)
    where = [] if alone else [or_(*near)]
    found: set[int] = set()
    words = sorted(name.names | name.family)[:50]
    if words:
        stmt = select(GuestToken.guest_id).join(Guest, Guest.id == GuestToken.guest_id)
        found |= _ids(stmt.where(GuestToken.token.in_(words), *where).limit(LOOKUP_CAP))
    for form in sorted({tuple(sorted(set(f))) for f in name.forms if len(set(f)) > 1})[:3]:
        parts = [select(GuestToken.guest_id).where(GuestToken.token == w) for w in form[:4]]
        both = parts[0].intersect(*parts[1:]).subquery()
        found |= _ids(select(Guest.id).where(Guest.id.in_(select(both)), *where).limit(LOOKUP_CAP))
    return found


def _without_contacts(keys: dk.GuestKeys) -> dk.GuestKeys:
    return replace(keys, email="", phone="", address="")


def candidates_for(guest_ids: Sequence[int], limit: int = 3, contacts: bool = True) -> dict[int, list[Candidate]]:
    """For each guest (just created or imported), the likeliest other guests, best first, at most ``limit``.

    The same keys and score as the scan, found through indexed queries (fast for one guest). Pairs
    rejected before are left out. ``contacts=False`` (for roles that see contacts masked) uses names and
    birthdays only, so the hint never says whose phone or e-mail was just typed. A Thai name and its Latin
    spelling have no index to meet in: the nightly scan finds those. For a whole import file, one call
    with every new id (a few indexed queries per guest) or the scan afterwards.
    """
    threshold = min_score()
    rejected = _rejected_of(guest_ids)
    out: dict[int, list[Candidate]] = {}
    own = _keys_of(guest_ids)
    for gid in guest_ids:
        keys = own.get(gid)
        if keys is None:
            out[gid] = []
            continue
        if not contacts:
            keys = _without_contacts(keys)
        others = _keys_of(_lookalike_ids(keys, contacts, threshold))
        found: list[Candidate] = []
        for other_id, other in others.items():
            if (min(gid, other_id), max(gid, other_id)) in rejected:
                continue
            score, reasons = dk.compare(keys, other if contacts else _without_contacts(other))
            if score >= threshold:
                found.append(Candidate(other_id, score, reasons))
        found.sort(key=lambda c: (-c.score, c.guest_id))
        out[gid] = found[:limit]
    return out


def lookalikes(guest_id: int, masked: bool = False) -> list[dict[str, Any]]:
    """``candidates_for`` one guest as plain dicts (``guest_id``, ``score``, ``reasons``): the guests domain's hook."""
    found = candidates_for([guest_id], contacts=not masked).get(guest_id, [])
    return [{"guest_id": c.guest_id, "score": c.score, "reasons": list(c.reasons)} for c in found]


# --- reading and deciding -----------------------------------------------------------------------------


def _ordered(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise SameGuest(a)
    return (a, b) if a < b else (b, a)


def _live_guest(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    merged = db.session.get(MergedGuest, guest_id)
    if guest is None or guest.erased_at is not None or merged is not None:
        raise GuestNotFound(guest_id)
    return guest


def reject_pair(a: int, b: int, actor: Actor) -> None:
    """ "Not the same person": remembered (never suggested again), the stored pair removed, audited on both."""
    low, high = _ordered(a, b)
    with write_transaction():
        _live_guest(low)
        _live_guest(high)
        if db.session.get(NotDuplicate, (low, high)) is None:
            db.session.add(NotDuplicate(guest_low_id=low, guest_high_id=high, decided_by=actor.label))
        db.session.execute(
            delete(DuplicatePair).where(DuplicatePair.guest_low_id == low, DuplicatePair.guest_high_id == high)
        )
        audit.record(actor, "duplicate_reject", low, f"not the same as guest {high}")
        audit.record(actor, "duplicate_reject", high, f"not the same as guest {low}")


def _live_pairs() -> Select[Any]:
    low, high = Guest.__table__.alias("low_guest"), Guest.__table__.alias("high_guest")
    merged = select(MergedGuest.guest_id)
    return (
        select(DuplicatePair)
        .join(low, low.c.id == DuplicatePair.guest_low_id)
        .join(high, high.c.id == DuplicatePair.guest_high_id)
        .where(low.c.erased_at.is_(None), high.c.erased_at.is_(None))
        .where(DuplicatePair.guest_low_id.not_in(merged), DuplicatePair.guest_high_id.not_in(merged))
    )


def list_pairs(limit: int = DEFAULT_LIMIT, offset: int = 0, min_score: float | None = None) -> list[Pair]:
    """Stored pairs, highest score first (then by ids); erased or merged guests left out."""
    stmt = _live_pairs()
    if min_score is not None:
        stmt = stmt.where(DuplicatePair.score >= min_score)
    stmt = stmt.order_by(DuplicatePair.score.desc(), DuplicatePair.guest_low_id, DuplicatePair.guest_high_id)
    rows = db.session.scalars(stmt.limit(limit).offset(offset))
    return [Pair((r.guest_low_id, r.guest_high_id), float(r.score), list(r.reasons or [])) for r in rows]


def count_pairs() -> int:
    """How many stored pairs ``list_pairs`` can show."""
    return int(db.session.scalar(select(func.count()).select_from(_live_pairs().subquery())) or 0)


def pair_evidence(a: int, b: int) -> tuple[float, list[str]]:
    """The score and reasons of two guests as they are now (the pair page may be opened from a hint)."""
    low, high = _ordered(a, b)
    keys = _keys_of([low, high])
    if low not in keys or high not in keys:
        raise GuestNotFound(low if low not in keys else high)
    return dk.compare(keys[low], keys[high])


def view_pair(a: int, b: int, actor: Actor) -> tuple[Guest, Guest, float, list[str]]:
    """Both guests for the side-by-side page, with the pair's score and reasons; a view of each is audited."""
    _ordered(a, b)
    first, second = _live_guest(a), _live_guest(b)
    score, reasons = pair_evidence(a, b)
    with write_transaction():
        audit.record(actor, "guest_view", a, f"duplicate review with guest {b}")
        audit.record(actor, "guest_view", b, f"duplicate review with guest {a}")
    return first, second, score, reasons


def pair_names(pairs: Iterable[Pair]) -> dict[int, str]:
    """Guest id → full name for a page of pairs (one query)."""
    ids = {i for p in pairs for i in p.guest_ids}
    if not ids:
        return {}
    rows = db.session.scalars(select(Guest).where(Guest.id.in_(sorted(ids))))
    return {g.id: g.full_name for g in rows}


def iter_reason_labels(reasons: Iterable[str]) -> Iterator[str]:
    """Each reason code in the viewer's language."""
    return (reason_label(r) for r in reasons)
