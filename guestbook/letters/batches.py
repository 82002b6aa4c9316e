"""After the run: review, edit and approve letters, mark them printed, mailed or returned (exports: ``exports``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import gettext
from guestbook.letters import rules
from guestbook.letters.labels import status_label
from guestbook.letters.models import GuestAddressFlag, Letter, LetterBatch
from guestbook.models.base import utcnow


class LetterError(ValueError):
    """A letter action that cannot be carried out (wrong status, unknown id)."""


def get_batch(batch_id: int) -> LetterBatch:
    """A batch with its letters, or LetterError."""
    batch = db.session.scalar(
        select(LetterBatch).where(LetterBatch.id == batch_id).options(selectinload(LetterBatch.letters))
    )
    if batch is None:
        raise LetterError(f"no letter batch with id {batch_id}")
    return batch


def batch_row(batch_id: int) -> LetterBatch:
    """The batch alone, without loading its letters."""
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None:
        raise LetterError(f"no letter batch with id {batch_id}")
    return batch


def get_letter(letter_id: int) -> Letter:
    """One letter, or LetterError."""
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise LetterError(f"no letter with id {letter_id}")
    return letter


def recent_batches(limit: int = 30) -> list[LetterBatch]:
    """The newest batches (history)."""
    return list(db.session.scalars(select(LetterBatch).order_by(LetterBatch.run_date.desc()).limit(limit)))


def counts(batch: LetterBatch) -> dict[str, Counter[str]]:
    """Letters of a batch counted by kind and by status."""
    return {
        "kind": Counter(letter.kind for letter in batch.letters if letter.status != "skipped"),
        "status": Counter(letter.status for letter in batch.letters),
        "skip_reason": Counter(letter.skip_reason for letter in batch.letters if letter.skip_reason),
    }


def approve_batch(batch_id: int, actor: Actor) -> int:
    """Approve every drafted letter of a batch; returns how many were approved."""
    batch_row(batch_id)
    with write_transaction():
        result = db.session.execute(
            update(Letter)
            .where(Letter.batch_id == batch_id, Letter.status == "drafted")
            .values(status="approved", approved_at=utcnow(), approved_by=actor.label)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


def approve_letter(letter_id: int, actor: Actor) -> Letter:
    """Approve one drafted letter."""
    with write_transaction():
        letter = get_letter(letter_id)
        if letter.status != "drafted":
            raise LetterError(
                gettext(
                    "only a drafted letter can be approved (this one is %(status)s)", status=status_label(letter.status)
                )
            )
        letter.status, letter.approved_at, letter.approved_by = "approved", utcnow(), actor.label
    return letter


def edit_letter(letter_id: int, subject: str, greeting: str, body: str, sign_off: str, actor: Actor) -> Letter:
    """Change one guest's letter text (the template is untouched); an approved letter goes back to drafted."""
    with write_transaction():
        letter = get_letter(letter_id)
        if letter.status not in ("drafted", "approved"):
            raise LetterError(
                gettext("a %(status)s letter can no longer be edited", status=status_label(letter.status))
            )
        letter.subject, letter.greeting, letter.body, letter.sign_off = subject, greeting, body, sign_off
        letter.edited, letter.status, letter.approved_at = True, "drafted", None
    return letter


def mark_batch(batch_id: int, status: str, actor: Actor) -> int:
    """Mark a batch's approved letters printed, or its printed letters mailed; returns how many changed."""
    source = {"printed": ("approved",), "mailed": ("approved", "printed")}.get(status)
    if source is None:
        raise LetterError(gettext("a batch cannot be marked %(status)s", status=status_label(status)))
    batch_row(batch_id)
    with write_transaction():
        stamp = {"printed_at" if status == "printed" else "mailed_at": utcnow()}
        result = db.session.execute(
            update(Letter)
            .where(Letter.batch_id == batch_id, Letter.status.in_(source))
            .values(status=status, **stamp)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


def mark_letter(letter_id: int, status: str, actor: Actor) -> Letter:
    """Mark one letter printed, mailed or returned to sender (a return flags the guest's address as bad)."""
    allowed = {"printed": ("approved",), "mailed": ("approved", "printed"), "returned": ("printed", "mailed")}
    if status not in allowed:
        raise LetterError(gettext("a letter cannot be marked %(status)s", status=status_label(status)))
    with write_transaction():
        letter = get_letter(letter_id)
        if letter.status not in allowed[status]:
            raise LetterError(
                gettext(
                    "a %(current)s letter cannot be marked %(status)s",
                    current=status_label(letter.status),
                    status=status_label(status),
                )
            )
        letter.status = status
        setattr(letter, f"{status}_at", utcnow())
        if status == "returned":
            guest = db.session.get(Guest, letter.guest_id)
            assert guest is not None
            flag = db.session.get(GuestAddressFlag, guest.id) or GuestAddressFlag(guest_id=guest.id)
            flag.fingerprint, flag.letter_id, flag.flagged_at = rules.address_fingerprint(guest), letter.id, utcnow()
            db.session.add(flag)
            from guestbook import audit

            audit.record(actor, "letter_returned", guest.id, f"letter={letter.id}")
    return letter


def needs_address(limit: int = 200) -> list[tuple[Guest, str]]:
    """Guests a letter could not reach: no usable address, or the last letter came back."""
    found: dict[int, tuple[Guest, str]] = {}
    for flag in db.session.scalars(select(GuestAddressFlag).order_by(GuestAddressFlag.flagged_at.desc())):
        guest = db.session.get(Guest, flag.guest_id)
        if guest is not None and flag.fingerprint == rules.address_fingerprint(guest):
            found[guest.id] = (guest, gettext("returned to sender"))
    stmt = (
        select(Letter)
        .where(Letter.skip_reason == "no_address")
        .options(selectinload(Letter.guest))
        .order_by(Letter.created_at.desc())
        .limit(limit * 2)
    )
    for letter in db.session.scalars(stmt):
        if letter.guest_id not in found and not rules.has_postal_address(letter.guest):
            found[letter.guest_id] = (letter.guest, gettext("no postal address"))
    return list(found.values())[:limit]


def skipped_letters(batch: LetterBatch) -> list[dict[str, Any]]:
    """The letters the batch's last run could not make, each with the guest's name for the batch page.

    The reason is stored text written by the run (English, as the API returns it): shown as it is.
    """
    items = list(batch.skipped or [])
    ids = [int(item["guest_id"]) for item in items]
    names: dict[int, str] = {}
    for guest in db.session.scalars(select(Guest).where(Guest.id.in_(ids))):
        names[guest.id] = guest.full_name
    return [
        {**item, "name": names[gid] if (gid := int(item["guest_id"])) in names else gettext("guest %(id)s", id=gid)}
        for item in items
    ]


def batch_to_dict(batch: LetterBatch) -> dict[str, Any]:
    """A batch as JSON: the contract other systems rely on."""
    return {
        "id": batch.id,
        "run_date": batch.run_date.isoformat(),
        "created_at": batch.created_at.isoformat(),
        "counts": {name: dict(counter) for name, counter in counts(batch).items()},
        "letters": [letter_to_dict(letter) for letter in batch.letters],
        "skipped": [
            {"guest_id": item["guest_id"], "kind": item["kind"], "reason": item["reason"]}
            for item in batch.skipped or []
        ],
    }


def letter_to_dict(letter: Letter) -> dict[str, Any]:
    """One letter as JSON (``skip_reason`` set only for skipped letters)."""
    body: dict[str, Any] = {
        "id": letter.id,
        "guest_id": letter.guest_id,
        "kind": letter.kind,
        "period_key": letter.period_key,
        "status": letter.status,
        "language": letter.language,
        "occasion_date": letter.occasion_date.isoformat() if letter.occasion_date else None,
        "subject": letter.subject,
        "template_version": letter.template_version,
        "edited": letter.edited,
    }
    if letter.status == "skipped":
        body["skip_reason"] = letter.skip_reason
    return body
