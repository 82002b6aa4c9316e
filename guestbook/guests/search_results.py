"""Search results for people: each guest with why it is there and a detail that tells namesakes apart.

Reasons in staff words ("arrives today 19:30", "phone …3121", "one letter off", "table Window 2
tonight") and a distinguishing detail (company, city for roles that see addresses, last outlet), in
the viewer's language (the API runs in English). Rendering takes these plain results; the web list
and the API share them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, select

from guestbook.admin.outlets import outlet_names, property_today
from guestbook.db import rows
from guestbook.db_rows import statement
from guestbook.guests import search, tags, tonight
from guestbook.guests.filters import local_date_formatter
from guestbook.guests.models import Allergy, Guest, Visit, full_name_of
from guestbook.guests.profiles import can_see_contact
from guestbook.guests.search_tokens import SHOWN_PHONE_DIGITS, company_tokens, name_tokens, normalise
from guestbook.i18n import format_time, gettext, ngettext


@dataclass(frozen=True, slots=True)
class ResultAllergy:
    """An allergy as a result list shows it (the ⚠ badge): what, and how severe (a diet is not an allergy)."""

    allergen: str
    severity: str


@dataclass(slots=True)
class ResultGuest:
    """The columns a result list shows of a guest, read as plain rows: a page of 20 loaded as models (and their
    allergies through the ORM) cost about a sixth of each keystroke's search."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str
    language: str
    company: str
    email: str | None
    phone_digits: str | None
    address_city: str
    vip_level: int
    visit_count: int
    last_visit_at: datetime | None
    erased_at: datetime | None
    last_outlet_id: int | None  # the outlet of the latest visit (none: never visited, or no outlet recorded)
    allergies: list[ResultAllergy] = field(default_factory=list)
    full_name: str = field(init=False)  # shown two or three times per result: worked out once

    def __post_init__(self) -> None:
        self.full_name = full_name_of(self.given_name, self.family_name)


class ListPhrases:
    """The words one result list repeats per guest, translated once for the list (and only those it uses)."""

    @functools.cached_property
    def last_day(self) -> Callable[[datetime], str]:
        """``last 26 September 2026`` for a last visit (the property's day, the viewer's language)."""
        template, formatted = gettext("last %(day)s"), local_date_formatter()
        return lambda at: template % {"day": formatted(at)}

    @functools.cached_property
    def reasons(self) -> dict[str, str]:
        """The reasons that take no value, by code (``name``, ``prefix`` …)."""
        return {
            "name": gettext("name"),
            "prefix": gettext("start of name"),
            "company": gettext("company"),
            "email": gettext("e-mail"),
            "fuzzy": gettext("one letter off"),
        }


@dataclass(frozen=True)
class SearchResult:
    """One guest in a result list: ``reason`` says why it matched, ``detail`` tells it from namesakes."""

    guest: ResultGuest
    reason: str
    detail: str
    tags: list[tags.TagChip] = field(default_factory=list)
    phrases: ListPhrases = field(default_factory=ListPhrases, compare=False, repr=False)  # shared by one list

    @functools.cached_property
    def visits(self) -> str:
        """``4 visits · last 26 September 2026`` in the viewer's language, for the list that shows it.

        Put together here, not in the template: its translation calls were a tenth of a search's rendering.
        """
        line = ngettext("%(num)d visit", "%(num)d visits", self.guest.visit_count)
        if self.guest.last_visit_at:
            line += " · " + self.phrases.last_day(self.guest.last_visit_at)
        return line


def is_masked(role: str) -> bool:
    """Roles that see contact details masked search only what they are shown."""
    return not can_see_contact(role)


def find(q: str, role: str, limit: int = 20) -> list[SearchResult]:
    """Search as ``role`` may, with a reason and a detail for each guest."""
    q = search.clip_query(q)
    hits = search.search_hits(q, limit, masked=is_masked(role))
    by_id = _result_guests([h.guest_id for h in hits])
    pairs = [(by_id[h.guest_id], h) for h in hits if h.guest_id in by_id]
    guests = [g for g, _ in pairs]
    arrivals = _arrival_times([g.id for g in guests if _arriving(pairs, g.id)])
    outlets = outlet_names()
    carried = tags.tags_of_guests([g.id for g in guests])
    q, tag_names = tags.split_tag_filters(q)
    words = [w for w in search.words_of(q) if not w.isdigit()]
    out = []
    phrases = ListPhrases()
    for guest, hit in pairs:
        reasons = [
            _reason(code, guest, q, words, tag_names, phrases.reasons) for code in _one_name_code(hit.reasons)
        ] or [phrases.reasons["name"]]
        if hit.guest_id in arrivals:
            reasons.insert(0, arrivals[hit.guest_id])
        reason = " · ".join(dict.fromkeys(r for r in reasons if r))
        out.append(SearchResult(guest, reason, _detail(guest, role, outlets), carried.get(guest.id, []), phrases))
    return out


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    """A result for the API: the guest summary with ``match_reason`` and ``detail``."""
    return {
        **guest_summary(result.guest),
        "tags": [t.name for t in result.tags],
        "match_reason": result.reason,
        "detail": result.detail,
    }


def guest_summary(guest: ResultGuest) -> dict[str, Any]:
    """The short form of a guest in the API's search results."""
    return {
        "id": guest.id,
        "full_name": guest.full_name,
        "preferred_name": guest.preferred_name,
        "company": guest.company,
        "vip_level": guest.vip_level,
        "visit_count": guest.visit_count,
        "last_visit_at": guest.last_visit_at.isoformat() if guest.last_visit_at else None,
        "allergies": [a.allergen for a in guest.allergies],
    }


def recent(role: str, limit: int = 20) -> list[SearchResult]:
    """The guests seen most recently (before anyone types), with their distinguishing detail."""
    by_id = _result_guests(list(rows(_recent_stmt(), {"limit": limit}).scalars()))
    guests = sorted(by_id.values(), key=_recent_order)
    outlets = outlet_names()
    carried = tags.tags_of_guests([g.id for g in guests])
    phrases = ListPhrases()
    return [SearchResult(g, "", _detail(g, role, outlets), carried.get(g.id, []), phrases) for g in guests]


def _recent_order(guest: ResultGuest) -> tuple[bool, float, int]:
    """Most recent visit first, guests never seen last, newest profile first among equals (as ``_recent_stmt``)."""
    at = guest.last_visit_at
    return (at is None, -at.timestamp() if at else 0.0, -guest.id)


@statement
def _recent_stmt() -> Select[int]:
    """The guests seen most recently (the list before anyone types)."""
    return select(Guest.id).order_by(Guest.last_visit_at.desc().nulls_last(), Guest.id.desc()).limit(bindparam("limit"))


def _result_guests(ids: list[int]) -> dict[int, ResultGuest]:
    """Guest id → the columns a result shows, with the guest's allergies (two statements, no models)."""
    if not ids:
        return {}
    allergies: dict[int, list[ResultAllergy]] = {}
    for gid, allergen, severity in rows(_result_allergies_stmt(), {"ids": ids}):
        allergies.setdefault(gid, []).append(ResultAllergy(allergen, severity))
    found = {}
    for row in rows(_result_guests_stmt(), {"ids": ids}):
        guest = found[row[0]] = ResultGuest(*row)
        guest.allergies = allergies.get(guest.id, [])
    return found


@statement
def _result_guests_stmt() -> Select[Any]:
    """Built once, as every statement a search runs (the columns in ``ResultGuest``'s order).

    The latest visit's outlet is one step down the (guest, visited_at) index per guest, in the same statement:
    a statement of its own that grouped all their visits by guest cost a twentieth of a keystroke.
    """
    latest_outlet = (
        select(Visit.outlet_id)
        .where(Visit.guest_id == Guest.id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(1)
        .correlate(Guest)
        .scalar_subquery()
    )
    columns = [
        latest_outlet if f.name == "last_outlet_id" else getattr(Guest, f.name)
        for f in dataclasses.fields(ResultGuest)
        if f.init and f.name != "allergies"
    ]
    return select(*columns).where(Guest.id.in_(bindparam("ids", expanding=True)))


@statement
def _result_allergies_stmt() -> Select[int, str, str]:
    """The allergies of the listed guests, in the order the card and the model list them (by id)."""
    return (
        select(Allergy.guest_id, Allergy.allergen, Allergy.severity)
        .where(Allergy.guest_id.in_(bindparam("ids", expanding=True)))
        .order_by(Allergy.id)
    )


def _arriving(pairs: list[tuple[ResultGuest, search.SearchHit]], guest_id: int) -> bool:
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


def _reason(
    code: str, guest: ResultGuest, q: str, words: list[str], tag_names: list[str], plain: dict[str, str]
) -> str:
    """Why ``guest`` matched, in staff words; ``plain`` holds the reasons without a value (``ListPhrases``)."""
    if code == "tag":
        return ngettext("tag %(names)s", "tags %(names)s", len(tag_names), names=", ".join(tag_names))
    if code == "table":
        return gettext("table %(table)s tonight", table=" ".join(q.split()))
    if code == "phone":
        digits = guest.phone_digits or ""
        return gettext("phone …%(digits)s", digits=digits[-SHOWN_PHONE_DIGITS:]) if digits else gettext("phone")
    if code in ("email", "fuzzy"):
        return plain[code]
    if _company_only(guest, words):
        return plain["company"]
    return plain["prefix" if code == "prefix" else "name"]


def _company_only(guest: ResultGuest, words: list[str]) -> bool:
    """True when the typed words are found in the company and not in the name (``mitsui``)."""
    if not guest.company or not words:
        return False
    forms = tuple(normalise(w) for w in words)
    if not any(t.startswith(forms) for t in _company_tokens(guest)):
        return False  # the usual case, decided without the name's readings (kana, pinyin: the costly part)
    return not any(t.startswith(forms) for t in name_tokens(guest))


def _company_tokens(guest: ResultGuest) -> frozenset[str]:
    """``company_tokens``, remembered: the same companies come up in keystroke after keystroke."""
    return _company_tokens_of(guest.given_name, guest.family_name, guest.preferred_name, guest.company, guest.language)


@functools.lru_cache(maxsize=4096)
def _company_tokens_of(given: str, family: str, preferred: str, company: str, language: str) -> frozenset[str]:
    # The readings of a company's CJK words depend on the guest's names and language (``search_tokens._readings``).
    stand_in = SimpleNamespace(
        given_name=given, family_name=family, preferred_name=preferred, company=company, email=None, language=language
    )
    return frozenset(company_tokens(stand_in))


def _detail(guest: ResultGuest, role: str, outlets: dict[int, str]) -> str:
    """Company, city (roles that see addresses) and the last outlet visited (``outlets``: every outlet's name)."""
    parts = [guest.company or ""]
    if can_see_contact(role):
        parts.append(guest.address_city or "")
    last_outlet = outlets.get(guest.last_outlet_id) if guest.last_outlet_id is not None else None
    if last_outlet:
        parts.append(gettext("last at %(outlet)s", outlet=last_outlet))
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
