"""After the run: review, edit, approve, print, mail or return letters; export a batch as PDF or CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale
from sqlalchemy import insert, select, update
from sqlalchemy.orm import selectinload

from guestbook.actor import Actor
from guestbook.admin.outlets import default_property
from guestbook.admin.settings import get_setting
from guestbook.audit import AuditEvent
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters import render, rules
from guestbook.letters.models import GuestAddressFlag, Letter, LetterBatch
from guestbook.letters.render import Letterhead, PrintLetter
from guestbook.letters.wording import long_date
from guestbook.models.base import utcnow

PRINTABLE = ("approved", "printed", "mailed")


class LetterError(ValueError):
    """A letter action that cannot be carried out (wrong status, unknown id)."""


class NothingToPrint(LetterError):
    """A PDF was asked for a batch that has no approved letters yet (an empty PDF helps nobody)."""


def nothing_to_print_message(batch_id: int) -> str:
    """Why a batch's letters or labels PDF cannot be made yet, and what to do."""
    return (
        f"Nothing to print yet: batch {batch_id} has no approved letters. "
        "Approve the letters first (Approve all, or one by one); the PDFs hold approved letters only."
    )


def get_batch(batch_id: int) -> LetterBatch:
    """A batch with its letters, or LetterError."""
    batch = db.session.scalar(
        select(LetterBatch).where(LetterBatch.id == batch_id).options(selectinload(LetterBatch.letters))
    )
    if batch is None:
        raise LetterError(f"no letter batch with id {batch_id}")
    return batch


def _batch_row(batch_id: int) -> LetterBatch:
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
    _batch_row(batch_id)
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
            raise LetterError(f"only a drafted letter can be approved (this one is {letter.status})")
        letter.status, letter.approved_at, letter.approved_by = "approved", utcnow(), actor.label
    return letter


def edit_letter(letter_id: int, subject: str, greeting: str, body: str, sign_off: str, actor: Actor) -> Letter:
    """Change one guest's letter text (the template is untouched); an approved letter goes back to drafted."""
    with write_transaction():
        letter = get_letter(letter_id)
        if letter.status not in ("drafted", "approved"):
            raise LetterError(f"a {letter.status} letter can no longer be edited")
        letter.subject, letter.greeting, letter.body, letter.sign_off = subject, greeting, body, sign_off
        letter.edited, letter.status, letter.approved_at = True, "drafted", None
    return letter


def mark_batch(batch_id: int, status: str, actor: Actor) -> int:
    """Mark a batch's approved letters printed, or its printed letters mailed; returns how many changed."""
    source = {"printed": ("approved",), "mailed": ("approved", "printed")}.get(status)
    if source is None:
        raise LetterError(f"a batch cannot be marked {status}")
    _batch_row(batch_id)
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
        raise LetterError(f"a letter cannot be marked {status}")
    with write_transaction():
        letter = get_letter(letter_id)
        if letter.status not in allowed[status]:
            raise LetterError(f"a {letter.status} letter cannot be marked {status}")
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
            found[guest.id] = (guest, "returned to sender")
    stmt = (
        select(Letter)
        .where(Letter.skip_reason == "no_address")
        .options(selectinload(Letter.guest))
        .order_by(Letter.created_at.desc())
        .limit(limit * 2)
    )
    for letter in db.session.scalars(stmt):
        if letter.guest_id not in found and not rules.has_postal_address(letter.guest):
            found[letter.guest_id] = (letter.guest, "no postal address")
    return list(found.values())[:limit]


def skipped_letters(batch: LetterBatch) -> list[dict[str, Any]]:
    """The letters the batch's last run could not make, each with the guest's name for the batch page."""
    items = list(batch.skipped or [])
    ids = [int(item["guest_id"]) for item in items]
    names: dict[int, str] = {}
    for guest in db.session.scalars(select(Guest).where(Guest.id.in_(ids))):
        names[guest.id] = guest.full_name
    return [{**item, "name": names.get(int(item["guest_id"]), f"guest {item['guest_id']}")} for item in items]


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


def _country_name(code: str) -> str:
    if not code:
        return ""
    try:
        return str(Locale.parse("en").territories.get(code.upper(), code)).upper()
    except ValueError:
        return code.upper()


def _cjk_honorific(guest: Guest) -> str:
    """先生 / 女士 for Chinese, 様 for Japanese, 귀하 for Korean names on an envelope."""
    base = (guest.language or "").split("-")[0]
    if base == "ja":
        return "様"
    if base == "ko":
        return "귀하"
    salutation = guest.salutation.strip().rstrip(".").lower()
    return {"mr": "先生", "ms": "女士", "mrs": "女士", "miss": "女士"}.get(salutation, "")


def recipient_block(guest: Guest, home_country: str | None = None) -> list[str]:
    """The address lines for the envelope window or label, in the postal order of the guest's country."""
    name = guest.full_name
    cjk = name != " ".join(p for p in (guest.given_name, guest.family_name) if p)
    if cjk:
        name = f"{name} {_cjk_honorific(guest)}".strip()
    elif guest.salutation:
        name = f"{guest.salutation} {name}"
    lines = [name]
    if guest.company:
        lines.append(guest.company)
    lines += [line for line in (guest.address_line1, guest.address_line2) if line.strip()]
    country = guest.address_country.upper()
    city, region, postcode = guest.address_city, guest.address_region, guest.address_postal_code
    if country in ("DE", "FR", "AT", "CH", "IT", "ES", "NL", "BE", "DK", "SE", "NO", "PL", "PT", "FI"):
        lines.append(" ".join(p for p in (postcode, city) if p))
    elif country in ("US", "CA", "AU"):
        lines.append(
            " ".join(p for p in (f"{city}," if city and (region or postcode) else city, region, postcode) if p)
        )
    else:
        lines.append(" ".join(p for p in (city, region, postcode) if p))
    home = home_country if home_country is not None else str(get_setting("letters_home_country") or "")
    if country and country != home.upper():
        lines.append(_country_name(country))
    return [line for line in lines if line.strip()]


def printable_letters(batch_id: int) -> list[Letter]:
    """The approved (or already printed or mailed) letters of a batch, in print order."""
    _batch_row(batch_id)
    stmt = (
        select(Letter)
        .where(Letter.batch_id == batch_id, Letter.status.in_(PRINTABLE))
        .options(selectinload(Letter.guest))
        .order_by(Letter.id)
    )
    return list(db.session.scalars(stmt))


def print_data(letters: list[Letter], run_date: date) -> list[PrintLetter]:
    """Plain data for the PDF modules."""
    home = str(get_setting("letters_home_country") or "")
    return [
        PrintLetter(
            letter_id=letter.id,
            language=letter.language,
            recipient=recipient_block(letter.guest, home),
            date_text=long_date(run_date, letter.language),
            subject=letter.subject,
            greeting=letter.greeting,
            body=letter.body,
            sign_off=letter.sign_off,
        )
        for letter in letters
    ]


def letterhead() -> Letterhead:
    """The property's letterhead and signer."""
    prop = default_property()
    return Letterhead(
        name=prop.name,
        address=prop.address,
        signer=str(get_setting("letters_concierge_name")),
        logo_path=str(get_setting("letters_logo_path") or ""),
    )


def record_export(letters: list[Letter], actor: Actor, what: str) -> None:
    """Audit an export of guests' names and addresses (one event per guest)."""
    if not letters:
        return
    keys = [(letter.id, letter.guest_id, letter.batch_id) for letter in letters]  # read before the commit expires them
    with write_transaction():
        now = utcnow()
        rows = [
            {
                "at": now,
                "actor": actor.label,
                "staff_user_id": actor.staff_user_id,
                "api_key_id": actor.api_key_id,
                "action": "letter_export",
                "guest_id": guest_id,
                "ip": actor.ip,
                "detail": f"{what} batch={batch_id} letter={letter_id}",
            }
            for letter_id, guest_id, batch_id in keys
        ]
        db.session.execute(insert(AuditEvent), rows)


def export_pdf(
    batch_id: int, actor: Actor, out: Path | io.BufferedIOBase, labels: bool = False, paper: str | None = None
) -> int:
    """Write the batch's letters (or address labels, same order) as a PDF; returns the letter count."""

    run_date = _batch_row(batch_id).run_date
    letters = printable_letters(batch_id)
    if not letters:
        raise NothingToPrint(nothing_to_print_message(batch_id))
    data = print_data(letters, run_date)
    paper = paper or _paper()
    if labels:
        render.write_labels([item.recipient for item in data], out, paper, str(get_setting("letters_label_layout")))
    else:
        render.write_letters(data, letterhead(), out, paper, bool(get_setting("letters_duplex_blank_backs")))
    record_export(letters, actor, "labels.pdf" if labels else "letters.pdf")
    return len(letters)


def export_csv(batch_id: int, actor: Actor) -> str:
    """The batch as CSV for a mailing house: one row per printable letter, in print order."""
    batch = _batch_row(batch_id)
    letters = printable_letters(batch_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "letter_id",
            "guest_id",
            "kind",
            "language",
            "name",
            "company",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "subject",
            "run_date",
        ]
    )
    for letter in letters:
        g = letter.guest
        writer.writerow(
            [
                _cell(v)
                for v in [
                    letter.id,
                    g.id,
                    letter.kind,
                    letter.language,
                    g.full_name,
                    g.company,
                    g.address_line1,
                    g.address_line2,
                    g.address_city,
                    g.address_region,
                    g.address_postal_code,
                    g.address_country,
                    letter.subject,
                    batch.run_date.isoformat(),
                ]
            ]
        )
    record_export(letters, actor, "batch.csv")
    return buffer.getvalue()


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _paper() -> str:
    from flask import current_app

    return (
        "Letter" if str(current_app.config.get("PAPER_SIZE", "A4")).lower() in ("letter", "us-letter", "us") else "A4"
    )
