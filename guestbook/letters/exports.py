"""A batch's approved letters out of the building: letters, labels or envelopes PDF, the mailing-house CSV (audited).

The envelope's recipient block is laid out here, in the postal order of the guest's country; the PDF
modules (``render``) take it as plain data.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from babel import Locale
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from guestbook.actor import Actor
from guestbook.admin.outlets import default_property
from guestbook.admin.settings import get_setting
from guestbook.audit import AuditEvent
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import gettext
from guestbook.letters import render, render_sheets
from guestbook.letters.batches import LetterError, batch_row
from guestbook.letters.models import Letter
from guestbook.letters.render import Letterhead, PrintLetter
from guestbook.letters.wording import long_date
from guestbook.models.base import utcnow
from guestbook.text import spreadsheet_safe

PRINTABLE = ("approved", "printed", "mailed")


class NothingToPrint(LetterError):
    """A PDF was asked for a batch that has no approved letters yet (an empty PDF helps nobody)."""


class PrintChoiceError(LetterError):
    """A label sheet, envelope or start position that does not exist."""


def label_sheet_for(choice: str | None, paper: str | None = None) -> render_sheets.LabelSheet:
    """The label sheet of a run: the one chosen, else the property's default (``letters_label_layout``)."""
    layout = choice or str(get_setting("letters_label_layout") or "auto")
    try:
        return render_sheets.label_sheet(paper or _paper(), layout)
    except render_sheets.SheetError:
        names = ", ".join(render_sheets.sheet_names())
        raise PrintChoiceError(
            gettext(
                "Unknown label sheet %(sheet)s: choose %(names)s, or columns×rows such as 3x8.",
                sheet=layout,
                names=names,
            )
        ) from None


def envelope_for(choice: str | None, paper: str | None = None) -> render_sheets.Envelope:
    """The envelope of a run: the one chosen, else the property's default (``letters_envelope``)."""
    name = choice or str(get_setting("letters_envelope") or "auto")
    try:
        return render_sheets.envelope(paper or _paper(), name)
    except render_sheets.SheetError:
        names = ", ".join(render_sheets.envelope_names())
        raise PrintChoiceError(
            gettext("Unknown envelope %(name)s: choose %(names)s.", name=name, names=names)
        ) from None


def check_start_at(sheet: render_sheets.LabelSheet, start_at: int) -> None:
    """Refuse a first label position that is not on the sheet, saying which positions are."""
    if not 1 <= start_at <= sheet.per_sheet:
        raise PrintChoiceError(
            gettext(
                "Start at position %(start)s is not on a %(sheet)s sheet: "
                "positions run from 1 to %(last)s (left to right, then top to bottom).",
                start=start_at,
                sheet=sheet.name,
                last=sheet.per_sheet,
            )
        )


def nothing_to_print_message(batch_id: int) -> str:
    """Why a batch's letters or labels PDF cannot be made yet, and what to do."""
    return gettext(
        "Nothing to print yet: batch %(batch)s has no approved letters. "
        "Approve the letters first (Approve all, or one by one); the PDFs hold approved letters only.",
        batch=batch_id,
    )


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
    batch_row(batch_id)
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
    batch_id: int,
    actor: Actor,
    out: Path | io.BufferedIOBase,
    labels: bool = False,
    paper: str | None = None,
    label_sheet: str | None = None,
    start_at: int = 1,
) -> int:
    """Write the batch's letters (or address labels, same order) as a PDF; returns the letter count.

    Labels go on ``label_sheet`` (default: the property's setting), from position ``start_at`` of the first
    sheet so a part-used sheet is finished first.
    """

    paper = paper or _paper()
    sheet = label_sheet_for(label_sheet, paper) if labels else None
    if sheet is not None:
        check_start_at(sheet, start_at)
    run_date = batch_row(batch_id).run_date
    letters = printable_letters(batch_id)
    if not letters:
        raise NothingToPrint(nothing_to_print_message(batch_id))
    data = print_data(letters, run_date)
    if sheet is not None:
        layout = label_sheet or str(get_setting("letters_label_layout") or "auto")
        render_sheets.write_labels([item.recipient for item in data], out, paper, layout, start_at)
    else:
        render.write_letters(data, letterhead(), out, paper, bool(get_setting("letters_duplex_blank_backs")))
    record_export(letters, actor, "labels.pdf" if labels else "letters.pdf")
    return len(letters)


def export_envelopes(
    batch_id: int, actor: Actor, out: Path | io.BufferedIOBase, envelope: str | None = None, paper: str | None = None
) -> int:
    """Write one envelope per approved letter (same order): the property top left, the guest in the address zone."""
    paper = paper or _paper()
    chosen = envelope_for(envelope, paper)
    run_date = batch_row(batch_id).run_date
    letters = printable_letters(batch_id)
    if not letters:
        raise NothingToPrint(nothing_to_print_message(batch_id))
    data = print_data(letters, run_date)
    head = letterhead()
    sender = [head.name, *[part.strip() for part in head.address.split(",") if part.strip()]]
    render_sheets.write_envelopes([item.recipient for item in data], sender, out, paper, chosen.name)
    record_export(letters, actor, f"envelopes-{chosen.name}.pdf")
    return len(letters)


def export_csv(batch_id: int, actor: Actor) -> str:
    """The batch as CSV for a mailing house: one row per printable letter, in print order."""
    batch = batch_row(batch_id)
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
                spreadsheet_safe(v)
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


def _paper() -> str:
    from flask import current_app

    return (
        "Letter" if str(current_app.config.get("PAPER_SIZE", "A4")).lower() in ("letter", "us-letter", "us") else "A4"
    )
