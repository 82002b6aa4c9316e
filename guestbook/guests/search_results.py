"""Search results for people: each guest with why it is there and a detail that tells namesakes apart.

Reasons in staff words ("arrives today 19:30", "phone …3121", "one letter off", "table Window 2
tonight") and a distinguishing detail (company, city for roles that see addresses, last outlet), in
the viewer's language (the API runs in English). Rendering takes these plain results; the web list
and the API share them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from guestbook.admin.models import Outlet
from guestbook.admin.outlets import property_today
from guestbook.db import rows
from guestbook.guests import search, tags, tonight
from guestbook.guests.models import Guest, Tag, Visit
from guestbook.guests.profiles import can_see_contact, guest_summary, recent_guests
from guestbook.guests.search_tokens import SHOWN_PHONE_DIGITS, company_tokens, name_tokens, normalise
from guestbook.i18n import format_time, gettext, ngettext


@dataclass(frozen=True)
class SearchResult:
    """One guest in a result list: ``reason`` says why it matched, ``detail`` tells it from namesakes."""

    guest: Guest
    reason: str
    detail: str
    tags: list[Tag] = field(default_factory=list)


def is_masked(role: str) -> bool:
    """Roles that see contact details masked search only what they are shown."""
    return not can_see_contact(role)


def find(q: str, role: str, limit: int = 20) -> list[SearchResult]:
    """Search as ``role`` may, with a reason and a detail for each guest."""
    q = search.clip_query(q)
    pairs = search.search_guest_hits(q, limit, masked=is_masked(role))
    guests = [g for g, _ in pairs]
    arrivals = _arrival_times([g.id for g in guests if _arriving(pairs, g.id)])
    outlets = _last_outlets([g.id for g in guests])
    carried = tags.tags_of_guests([g.id for g in guests])
    q, tag_names = tags.split_tag_filters(q)
    words = [w for w in search.words_of(q) if not w.isdigit()]
    out = []
    for guest, hit in pairs:
        reasons = [_reason(code, guest, hit, q, words, tag_names) for code in _one_name_code(hit.reasons)] or [
            gettext("name")
        ]
        if hit.guest_id in arrivals:
            reasons.insert(0, arrivals[hit.guest_id])
        reason = " · ".join(dict.fromkeys(r for r in reasons if r))
        out.append(SearchResult(guest, reason, _detail(guest, role, outlets), carried.get(guest.id, [])))
    return out


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    """A result for the API: the guest summary with ``match_reason`` and ``detail``."""
    return {
        **guest_summary(result.guest),
        "tags": [t.name for t in result.tags],
        "match_reason": result.reason,
        "detail": result.detail,
    }


def recent(role: str, limit: int = 20) -> list[SearchResult]:
    """The guests seen most recently (before anyone types), with their distinguishing detail."""
    guests = recent_guests(limit)
    outlets = _last_outlets([g.id for g in guests])
    carried = tags.tags_of_guests([g.id for g in guests])
    return [SearchResult(g, "", _detail(g, role, outlets), carried.get(g.id, [])) for g in guests]


def _arriving(pairs: list[tuple[Guest, search.SearchHit]], guest_id: int) -> bool:
    return any(hit.arriving_today for g, hit in pairs if g.id == guest_id)


_NAME_CODES = ("name", "prefix", "fuzzy")  # best to worst: a hit is as good as its loosest word


def _one_name_code(codes: list[str]) -> list[str]:
    """Name matches say the loosest way a word matched ("Jonh Smith": one letter off), once."""
    loosest = max((c for c in codes if c in _NAME_CODES), key=_NAME_CODES.index, default=None)
    out: list[str] = []
    for code in codes:
        code = loosest if code in _NAME_CODES and loosest else code
        if code not in out:
            out.append(code)
    return out


def _reason(code: str, guest: Guest, hit: search.SearchHit, q: str, words: list[str], tag_names: list[str]) -> str:
    if code == "tag":
        return ngettext("tag %(names)s", "tags %(names)s", len(tag_names), names=", ".join(tag_names))
    if code == "table":
        return gettext("table %(table)s tonight", table=" ".join(q.split()))
    if code == "phone":
        digits = guest.phone_digits or ""
        return gettext("phone …%(digits)s", digits=digits[-SHOWN_PHONE_DIGITS:]) if digits else gettext("phone")
    if code == "email":
        return gettext("e-mail")
    if code == "fuzzy":
        return gettext("one letter off")
    if _company_only(guest, words):
        return gettext("company")
    return gettext("start of name") if code == "prefix" else gettext("name")


def _company_only(guest: Guest, words: list[str]) -> bool:
    """True when the typed words are found in the company and not in the name (``mitsui``)."""
    if not guest.company or not words:
        return False
    forms = [normalise(w) for w in words]
    if not any(t.startswith(f) for f in forms for t in company_tokens(guest)):
        return False  # the usual case, decided without the name's readings (kana, pinyin: the costly part)
    return not any(t.startswith(f) for f in forms for t in name_tokens(guest))


def _detail(guest: Guest, role: str, outlets: dict[int, str]) -> str:
    """Company, city (roles that see addresses) and the last outlet visited."""
    parts = [guest.company or ""]
    if can_see_contact(role):
        parts.append(guest.address_city or "")
    if guest.id in outlets:
        parts.append(gettext("last at %(outlet)s", outlet=outlets[guest.id]))
    return " · ".join(p for p in parts if p)


def _arrival_times(guest_ids: list[int]) -> dict[int, str]:
    """``arrives today 19:30`` for each guest with a live booking today (the earliest one)."""
    if not guest_ids:
        return {}
    rows = tonight.live_arrival_times(guest_ids, property_today())
    out: dict[int, str] = {}
    for gid, at in rows:
        if gid not in out:
            out[gid] = gettext("arrives today %(time)s", time=format_time(at)) if at else gettext("arrives today")
    return out


def _last_outlets(guest_ids: list[int]) -> dict[int, str]:
    """The name of the outlet of each guest's latest visit."""
    if not guest_ids:
        return {}
    return {gid: name for gid, name in rows(_last_outlets_stmt(), {"ids": guest_ids})}


@functools.cache
def _last_outlets_stmt() -> Select[int, str]:
    """Built once: every search runs it (building a statement costs more than running it)."""
    latest = (
        select(Visit.guest_id, func.max(Visit.visited_at).label("at"))
        .where(Visit.guest_id.in_(bindparam("ids", expanding=True)))
        .group_by(Visit.guest_id)
        .subquery()
    )
    return (
        select(Visit.guest_id, Outlet.name)
        .join(latest, (Visit.guest_id == latest.c.guest_id) & (Visit.visited_at == latest.c.at))
        .join(Outlet, Outlet.id == Visit.outlet_id)
    )
