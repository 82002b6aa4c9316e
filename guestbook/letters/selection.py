"""The daily letters run: select who is due which letter, record who is left out and why, render the text.

Idempotent by construction: a letter's (guest, kind family, period) and (guest, lapse episode) are unique
in the database, and a batch per run date is unique, so a second run, a run on the next day or a run after
a missed day never adds a second letter for the same occasion; a missed day is caught up by the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from guestbook.actor import Actor
from guestbook.admin.models import Property
from guestbook.admin.outlets import default_property, property_today, zone_of
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest, Visit
from guestbook.letters import rules, templates, wording
from guestbook.letters.defaults import TemplateText
from guestbook.letters.facts import GuestFacts, facts_for
from guestbook.letters.models import KIND_FAMILY, GuestAddressFlag, Letter, LetterBatch
from guestbook.models.base import utcnow
from guestbook.observability import LETTERS_MADE

PRIORITY = {"birthday_we_miss_you": 0, "birthday": 1, "anniversary": 2, "we_miss_you": 3, "thank_you": 4}
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Candidate:
    """A letter that falls due for a guest on the run date."""

    guest_id: int
    kind: str
    period_key: str
    lapse_key: str | None
    occasion: date | None

    @property
    def family(self) -> str:
        """The idempotency family of the kind."""
        return KIND_FAMILY[self.kind]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class _Existing:
    """The letter keys already taken by the candidate guests."""

    def __init__(self, guest_ids: Iterable[int]) -> None:
        self.keys: set[tuple[int, str, str]] = set()
        self.lapses: set[tuple[int, str]] = set()
        ids = sorted(set(guest_ids))
        for chunk in _chunks(ids):
            rows = db.session.execute(
                select(Letter.guest_id, Letter.family, Letter.period_key, Letter.lapse_key).where(
                    Letter.guest_id.in_(chunk)
                )
            )
            for guest_id, family, period, lapse in rows:
                self.keys.add((guest_id, family, period))
                if lapse:
                    self.lapses.add((guest_id, lapse))

    def taken(self, guest_id: int, family: str, period: str) -> bool:
        return (guest_id, family, period) in self.keys

    def lapse_taken(self, guest_id: int, lapse: str) -> bool:
        return (guest_id, lapse) in self.lapses


def _load_guests(where: Any) -> list[Guest]:
    return list(db.session.scalars(select(Guest).where(where)))


def select_candidates(
    run_date: date, settings: rules.RuleSettings, tz: ZoneInfo
) -> tuple[list[Candidate], dict[int, Guest]]:
    """Every letter due on ``run_date`` that has not been written (or skipped) yet, and the guests concerned."""
    lapse = rules.lapse_rule(settings)
    guests: dict[int, Guest] = {}
    birthday_guests = _load_guests(
        rules.annual_filter(
            Guest.birthday_month,
            Guest.birthday_day,
            run_date,
            settings.birthday_days_before,
            settings.birthday_min_lead_days,
        )
    )
    anniversary_guests = _load_guests(
        rules.annual_filter(
            Guest.anniversary_month,
            Guest.anniversary_day,
            run_date,
            settings.anniversary_days_before,
            settings.birthday_min_lead_days,
        )
    )
    lapsed_guests = [
        g for g in _load_guests(lapse.prefilter(run_date, settings, tz)) if lapse.is_lapsed(g, run_date, settings, tz)
    ]
    first_visits = _first_visits_due(run_date, settings, tz)
    thank_guests = _load_guests(Guest.id.in_(list(first_visits))) if first_visits else []
    for guest in (*birthday_guests, *anniversary_guests, *lapsed_guests, *thank_guests):
        guests[guest.id] = guest
    existing = _Existing(guests)
    found: list[Candidate] = []
    combined: set[int] = set()
    lapsed_ids = {g.id for g in lapsed_guests}
    for guest in birthday_guests:
        when = rules.annual_due(
            guest.birthday_month,
            guest.birthday_day,
            run_date,
            settings.birthday_days_before,
            settings.birthday_min_lead_days,
        )
        if when is None or existing.taken(guest.id, "birthday", str(when.year)):
            continue
        episode = rules.lapse_key(guest, tz) if guest.id in lapsed_ids else None
        if episode and not existing.lapse_taken(guest.id, episode):
            found.append(Candidate(guest.id, "birthday_we_miss_you", str(when.year), episode, when))
            combined.add(guest.id)
        else:
            found.append(Candidate(guest.id, "birthday", str(when.year), None, when))
    for guest in anniversary_guests:
        when = rules.annual_due(
            guest.anniversary_month,
            guest.anniversary_day,
            run_date,
            settings.anniversary_days_before,
            settings.birthday_min_lead_days,
        )
        if when is not None and not existing.taken(guest.id, "anniversary", str(when.year)):
            found.append(Candidate(guest.id, "anniversary", str(when.year), None, when))
    for guest in lapsed_guests:
        episode = rules.lapse_key(guest, tz)
        if (
            guest.id in combined
            or existing.lapse_taken(guest.id, episode)
            or existing.taken(guest.id, "we_miss_you", episode)
        ):
            continue
        if _birthday_soon(guest, run_date, settings, existing):
            continue  # held back: it travels with the birthday letter instead of blocking it by the cool-down
        found.append(Candidate(guest.id, "we_miss_you", episode, episode, None))
    for guest in thank_guests:
        if not existing.taken(guest.id, "thank_you", "first-visit"):
            found.append(Candidate(guest.id, "thank_you", "first-visit", None, first_visits[guest.id]))
    return found, guests


def _birthday_soon(guest: Guest, run_date: date, settings: rules.RuleSettings, existing: _Existing) -> bool:
    """True when a birthday letter not yet written falls due within the cool-down period."""
    when = rules.next_annual_occurrence(
        guest.birthday_month, guest.birthday_day, run_date, settings.birthday_min_lead_days
    )
    if when is None or when - timedelta(days=settings.birthday_days_before) > run_date + timedelta(
        days=settings.cool_down_days
    ):
        return False
    return not existing.taken(guest.id, "birthday", str(when.year))


def _first_visits_due(run_date: date, settings: rules.RuleSettings, tz: ZoneInfo) -> dict[int, date]:
    """Guests whose first visit was ``delay`` to ``window`` days before the run date."""
    earliest = rules.start_of(run_date - timedelta(days=settings.thank_you_window_days), tz)
    latest = rules.start_of(run_date - timedelta(days=settings.thank_you_delay_days - 1), tz)
    first = func.min(Visit.visited_at)
    stmt = select(Visit.guest_id, first).group_by(Visit.guest_id).having(first >= earliest, first < latest)
    return {guest_id: rules.local_date(when, tz) for guest_id, when in db.session.execute(stmt)}


def _recently_written(guest_ids: Sequence[int], run_date: date, cool_down_days: int) -> set[int]:
    """Guests with a letter (not a skipped one) in a batch of the last ``cool_down_days`` days."""
    since = run_date - timedelta(days=cool_down_days)
    found: set[int] = set()
    for chunk in _chunks(guest_ids):
        stmt = (
            select(Letter.guest_id)
            .join(LetterBatch, Letter.batch_id == LetterBatch.id)
            .where(
                Letter.guest_id.in_(chunk),
                Letter.status != "skipped",
                LetterBatch.run_date > since,
                LetterBatch.run_date <= run_date,
            )
        )
        found.update(db.session.scalars(stmt))
    return found


def _bad_addresses(guests: Iterable[Guest]) -> set[int]:
    by_id = {g.id: g for g in guests}
    bad: set[int] = set()
    for chunk in _chunks(sorted(by_id)):
        for flag in db.session.scalars(select(GuestAddressFlag).where(GuestAddressFlag.guest_id.in_(chunk))):
            if flag.fingerprint == rules.address_fingerprint(by_id[flag.guest_id]):
                bad.add(flag.guest_id)
    return bad


def skip_reason(
    guest: Guest, kind: str, run_date: date, settings: rules.RuleSettings, tz: ZoneInfo, bad_address: bool
) -> str | None:
    """Why this guest gets no letter of this kind (None when nothing stands in the way; cool-down apart)."""
    if rules.is_erased(guest):
        return "erased"
    if guest.do_not_contact:
        return "do_not_contact"
    if not guest.marketing_consent:
        return "no_consent"
    if kind != "thank_you" and rules.is_inactive(guest, run_date, settings, tz):
        return "inactive"
    if bad_address or not rules.has_postal_address(guest):
        return "no_address"
    return None


def run_daily(run_date: date, actor: Actor) -> LetterBatch:
    """Put every letter due on ``run_date`` into that day's batch (created once; later runs only add)."""
    settings = rules.RuleSettings.load()
    prop = default_property()
    tz = zone_of(prop)
    with write_transaction():
        batch = db.session.scalar(select(LetterBatch).where(LetterBatch.run_date == run_date))
        if batch is None:
            batch = LetterBatch(run_date=run_date, created_by=actor.label)
            db.session.add(batch)
            db.session.flush()
        else:
            batch.run_count += 1
            batch.last_run_at = utcnow()
        candidates, guests = select_candidates(run_date, settings, tz)
        by_guest: dict[int, list[Candidate]] = defaultdict(list)
        for cand in candidates:
            by_guest[cand.guest_id].append(cand)
        ids = sorted(by_guest)
        recent = _recently_written(ids, run_date, settings.cool_down_days)
        bad = _bad_addresses(guests[i] for i in ids)
        known = templates.known_languages()
        chosen_cache: dict[tuple[str, str], templates.ChosenTemplate] = {}
        reasons = {
            (gid, c.kind): skip_reason(guests[gid], c.kind, run_date, settings, tz, gid in bad)
            for gid in ids
            for c in by_guest[gid]
        }
        language_of = {
            gid: templates.resolve_language(guests[gid].language or "", settings.default_language, known) for gid in ids
        }
        facts = facts_for({key[0]: language_of[key[0]] for key, reason in reasons.items() if reason is None})
        failures: list[dict[str, Any]] = []
        drafted = 0
        for guest_id in ids:
            guest = guests[guest_id]
            going = guest_id in recent
            for cand in sorted(by_guest[guest_id], key=lambda c: PRIORITY[c.kind]):
                reason = reasons[(guest_id, cand.kind)]
                if reason is None and going:
                    if cand.kind == "we_miss_you":
                        continue  # not left out, only postponed: it goes once the cool-down is over
                    reason = "cool_down"
                letter = Letter(
                    batch_id=batch.id,
                    guest_id=guest_id,
                    kind=cand.kind,
                    family=cand.family,
                    period_key=cand.period_key,
                    lapse_key=cand.lapse_key,
                    occasion_date=cand.occasion,
                    status="skipped" if reason else "drafted",
                    skip_reason=reason,
                    language=language_of[guest_id],
                )
                if reason is None:
                    key = (cand.kind, letter.language)
                    chosen = chosen_cache.get(key) or chosen_cache.setdefault(key, templates.current_template(*key))
                    fields = merge_fields(
                        guest, facts[guest_id], cand.kind, letter.language, cand.occasion, run_date, prop, settings, tz
                    )
                    try:
                        text = templates.render(chosen.text, fields)
                    except Exception as exc:  # one template failing for one guest must not stop the other letters
                        failures.append(_failure(guest_id, cand.kind, chosen, exc))
                        continue  # not recorded as a letter: the next run, after the template is fixed, makes it
                    going = True
                    letter.subject, letter.greeting, letter.body, letter.sign_off = text
                    letter.template_version = f"{chosen.language}/{chosen.version}"
                db.session.add(letter)
                drafted += letter.status == "drafted"
        batch.skipped = failures  # what this run could not make (an earlier run's list is replaced)
    LETTERS_MADE.inc(drafted)  # after the commit: a run that failed made nothing
    return batch


def _failure(guest_id: int, kind: str, chosen: templates.ChosenTemplate, exc: Exception) -> dict[str, Any]:
    """One letter the run could not make, as stored on the batch and shown to the concierge."""
    version = "the default template" if chosen.version == "builtin" else f"template version {chosen.version}"
    message = str(exc) if isinstance(exc, templates.TemplateError) else f"{type(exc).__name__}: {exc}"
    return {
        "guest_id": guest_id,
        "kind": kind,
        "language": chosen.language,
        "reason": f"{message} ({kind} letter in {chosen.language}, {version})",
    }


def run_today(actor: Actor) -> LetterBatch:
    """The daily job: run for today's date at the property."""
    return run_daily(property_today(), actor)


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (1 if later.day < earlier.day else 0)


def _next_occurrence(month: int | None, day: int | None, after: date) -> date | None:
    if not month or not day:
        return None
    when = rules.occurrence(month, day, after.year)
    return when if when >= after else rules.occurrence(month, day, after.year + 1)


def merge_fields(
    guest: Guest,
    facts: GuestFacts,
    kind: str,
    language: str,
    occasion: date | None,
    letter_date: date,
    prop: Property,
    settings: rules.RuleSettings,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Every merge field for one guest's letter, formatted for their language."""
    last_day = rules.local_date(facts.last_visit, tz) if facts.last_visit else None
    months = _months_between(last_day, letter_date) if last_day else 0
    if kind.startswith("birthday"):
        birthday = occasion
    else:
        birthday = _next_occurrence(guest.birthday_month, guest.birthday_day, letter_date)
    if kind == "anniversary":
        anniversary = occasion
    else:
        anniversary = _next_occurrence(guest.anniversary_month, guest.anniversary_day, letter_date)
    first_day = rules.local_date(facts.first_visit, tz) if facts.first_visit else None
    return {
        "preferred_name": wording.polite_name(
            guest.given_name, guest.family_name, guest.salutation, guest.preferred_name, guest.full_name, language
        ),
        "salutation": guest.salutation,
        "given_name": guest.given_name,
        "family_name": guest.family_name,
        "full_name": guest.full_name,
        "last_visit_date": wording.long_date(last_day, language),
        "years_since_last_visit": months // 12,
        "time_since_last_visit": wording.time_since(months, language) if last_day else "",
        "favourite_seat": facts.seat,
        "usual_order": wording.join_list(facts.order[:3], language),
        "visit_count": facts.visit_count,
        "first_visit_date": wording.long_date(first_day, language),
        "birthday_date": wording.day_month(birthday, language),
        "anniversary_date": wording.day_month(anniversary, language),
        "letter_date": wording.long_date(letter_date, language),
        "property_name": prop.name,
        "concierge_name": settings.concierge_name,
    }


def preview(guest_id: int, kind: str, language: str, text: TemplateText, letter_date: date) -> TemplateText:
    """Render a template (not yet saved) for a real guest, for the editor's preview."""
    templates.check_template(text)
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise LookupError(guest_id)
    prop = default_property()
    tz = zone_of(prop)
    settings = rules.RuleSettings.load()
    occasion = None
    if kind.startswith("birthday"):
        occasion = _next_occurrence(guest.birthday_month, guest.birthday_day, letter_date)
    elif kind == "anniversary":
        occasion = _next_occurrence(guest.anniversary_month, guest.anniversary_day, letter_date)
    fields = merge_fields(
        guest, facts_for({guest.id: language})[guest.id], kind, language, occasion, letter_date, prop, settings, tz
    )
    return templates.render(text, fields)


def batch_for_date(run_date: date) -> LetterBatch | None:
    """The batch of a run date, if that day has run."""
    return db.session.scalar(
        select(LetterBatch).where(LetterBatch.run_date == run_date).options(selectinload(LetterBatch.letters))
    )
