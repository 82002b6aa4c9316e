"""One we-miss-you letter on demand (the manager dashboard's "slipping away" list), by the nightly run's rules.

The letter goes into the batch of the day with the nightly run's keys (family ``we_miss_you``, period and
lapse key = the lapse episode), so the nightly run never writes a second one for the same absence, and its
text is made the same way: ``selection.merge_fields`` and ``templates.render`` in the guest's language.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import default_property, property_today, zone_of
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import format_day, gettext
from guestbook.letters import rules, selection, templates
from guestbook.letters.batches import LetterError
from guestbook.letters.facts import facts_for
from guestbook.letters.labels import status_label
from guestbook.letters.models import GuestAddressFlag, Letter, LetterBatch

KIND = "we_miss_you"


class QueueRefused(LetterError):
    """A we-miss-you letter that cannot be queued for this guest; ``reason`` is a stable code."""

    reason = "refused"


class GuestNotFound(QueueRefused):
    """No guest with this id."""

    reason = "not_found"


class GuestNotWritable(QueueRefused):
    """Erased, asked not to be contacted, no consent to letters, or inactive for years (``skip_reason``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NoPostalAddress(QueueRefused):
    """No usable postal address (none, incomplete, or the last letter to it came back)."""

    reason = "no_address"


class NoLapseEpisode(QueueRefused):
    """The guest has never visited, so there is no absence to key the letter on."""

    reason = "no_visit"


class AlreadyQueued(QueueRefused):
    """The guest already has a we-miss-you letter (or the record of one left out) for this absence."""

    reason = "already_queued"

    def __init__(self, message: str, letter_id: int, batch_id: int, run_date: date) -> None:
        super().__init__(message)
        self.letter_id, self.batch_id, self.run_date = letter_id, batch_id, run_date


class LetterNotWritten(QueueRefused):
    """The template failed for this guest (the run records such a letter on the batch instead)."""

    reason = "template_failed"


def queue_we_miss_you(guest_id: int, actor: Actor, run_date: date | None = None) -> Letter:
    """Add a drafted we-miss-you letter for one guest to the batch of ``run_date`` (default: today at the property).

    Raises a ``QueueRefused`` (a ``LetterError``) saying why when the letter may not be written.
    The cool-down is not applied: the letter is asked for by hand.
    """
    settings = rules.RuleSettings.load()
    prop = default_property()
    tz = zone_of(prop)
    day = run_date or property_today()
    with write_transaction():
        guest = db.session.get(Guest, guest_id)
        if guest is None:
            raise GuestNotFound(gettext("No guest with id %(id)s.", id=guest_id))
        _check_writable(guest, day, settings, tz)
        if guest.last_visit_at is None:
            raise NoLapseEpisode(
                gettext("%(name)s has never visited: there is no absence to write about.", name=guest.full_name)
            )
        episode = rules.lapse_key(guest, tz)
        _check_not_taken(guest, episode)
        cand = selection.Candidate(guest.id, KIND, episode, episode, None)  # the nightly run's keys
        language = templates.resolve_language(guest.language or "", settings.default_language)
        chosen = templates.current_template(cand.kind, language)
        facts = facts_for({guest.id: language})[guest.id]
        fields = selection.merge_fields(guest, facts, cand.kind, language, cand.occasion, day, prop, settings, tz)
        try:
            text = templates.render(chosen.text, fields)
        except templates.TemplateError as exc:
            raise LetterNotWritten(
                gettext("The we-miss-you letter could not be written: %(reason)s", reason=str(exc))
            ) from exc
        batch = _batch_of(day, actor)
        letter = Letter(
            batch_id=batch.id,
            guest_id=guest.id,
            kind=cand.kind,
            family=cand.family,
            period_key=cand.period_key,
            lapse_key=cand.lapse_key,
            occasion_date=cand.occasion,
            status="drafted",
            language=language,
            template_version=f"{chosen.language}/{chosen.version}",
        )
        letter.subject, letter.greeting, letter.body, letter.sign_off = text
        db.session.add(letter)
        db.session.flush()
        audit.record(actor, "letter_queued", guest.id, f"letter={letter.id} batch={batch.id} {KIND} {episode}")
    return letter


def _check_writable(guest: Guest, day: date, settings: rules.RuleSettings, tz: ZoneInfo) -> None:
    """Refuse for the reasons the nightly run leaves a guest out (``selection.skip_reason``), cool-down apart."""
    flag = db.session.get(GuestAddressFlag, guest.id)
    returned = flag is not None and flag.fingerprint == rules.address_fingerprint(guest)
    reason = selection.skip_reason(guest, KIND, day, settings, tz, returned)
    if reason is None:
        return
    if reason == "no_address":
        if returned:
            message = gettext(
                "The last letter to %(name)s came back: correct the postal address first.", name=guest.full_name
            )
        else:
            message = gettext("%(name)s has no usable postal address: add one first.", name=guest.full_name)
        raise NoPostalAddress(message)
    messages = {
        "erased": gettext("This guest's record is erased or anonymised: no letter can be written."),
        "do_not_contact": gettext("%(name)s asked not to be contacted.", name=guest.full_name),
        "no_consent": gettext("%(name)s has not agreed to receive letters.", name=guest.full_name),
        "inactive": gettext("%(name)s has not visited for years (inactive).", name=guest.full_name),
    }
    raise GuestNotWritable(messages.get(reason, reason), reason)


def _check_not_taken(guest: Guest, episode: str) -> None:
    """Refuse when this absence already has its letter, alone or inside a birthday letter, written or left out."""
    found = db.session.execute(
        select(Letter.id, Letter.status, LetterBatch.id, LetterBatch.run_date)
        .join(LetterBatch, Letter.batch_id == LetterBatch.id)
        .where(
            Letter.guest_id == guest.id,
            or_(Letter.lapse_key == episode, and_(Letter.family == KIND, Letter.period_key == episode)),
        )
        .limit(1)
    ).first()
    if found is None:
        return
    letter_id, status, batch_id, run_date = found
    raise AlreadyQueued(
        gettext(
            "%(name)s already has a we-miss-you letter for this absence, in the batch of %(date)s (%(status)s).",
            name=guest.full_name,
            date=format_day(run_date),
            status=status_label(status),
        ),
        letter_id,
        batch_id,
        run_date,
    )


def _batch_of(day: date, actor: Actor) -> LetterBatch:
    """The batch of ``day``, created as the nightly run creates it when that day has none yet."""
    batch = db.session.scalar(select(LetterBatch).where(LetterBatch.run_date == day))
    if batch is None:
        # run_count 0: no selection has run for this day yet (the nightly run counts itself in).
        batch = LetterBatch(run_date=day, created_by=actor.label, run_count=0)
        db.session.add(batch)
        db.session.flush()
    return batch


def batch_id_of(day: date) -> int | None:
    """The id of the batch of ``day`` (without its letters), or None when that day has none."""
    return db.session.scalar(select(LetterBatch.id).where(LetterBatch.run_date == day))
