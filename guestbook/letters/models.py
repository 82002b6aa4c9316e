"""Letters to guests: daily batches, each letter with its kind, period, status and text, and editable templates."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from guestbook.guests.models import Guest

LETTER_KINDS = ("birthday", "we_miss_you", "birthday_we_miss_you", "thank_you", "anniversary")
# The idempotency family of each kind: a birthday and a birthday + we-miss-you letter share one key per year.
KIND_FAMILY = {
    "birthday": "birthday",
    "birthday_we_miss_you": "birthday",
    "we_miss_you": "we_miss_you",
    "thank_you": "thank_you",
    "anniversary": "anniversary",
}
LETTER_STATUSES = ("drafted", "approved", "printed", "mailed", "returned", "skipped")
SKIP_REASONS = ("do_not_contact", "no_consent", "no_address", "erased", "cool_down", "inactive")


class LetterBatch(Base):
    """The letters selected by one daily run (one batch per run date)."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_count: Mapped[int] = mapped_column(Integer, default=1)
    # Letters the last run could not make (a template that fails for this guest): guest, kind and why.
    # They are not recorded as letters, so the next run, after the template is fixed, makes them.
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    letters: Mapped[list[Letter]] = relationship(back_populates="batch", order_by="Letter.id")


class Letter(Base):
    """One letter to one guest, or the record of why a guest was left out (status ``skipped``)."""

    __tablename__ = "letter"
    __table_args__ = (
        # Idempotent by construction: never two letters of one family for one guest and period.
        UniqueConstraint("guest_id", "family", "period_key", name="uq_letter_guest_family_period"),
        # One we-miss-you per lapse episode, whether alone or inside a birthday letter.
        UniqueConstraint("guest_id", "lapse_key", name="uq_letter_guest_lapse"),
        Index("ix_letter_batch_status", "batch_id", "status"),
        Index("ix_letter_guest_created", "guest_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batch.id", ondelete="CASCADE"))
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    family: Mapped[str] = mapped_column(String(30))
    period_key: Mapped[str] = mapped_column(String(40))
    lapse_key: Mapped[str | None] = mapped_column(String(40))
    occasion_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="drafted")
    skip_reason: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(35), default="en")
    subject: Mapped[str] = mapped_column(String(300), default="")
    greeting: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    sign_off: Mapped[str] = mapped_column(String(300), default="")
    template_version: Mapped[str] = mapped_column(String(40), default="")
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[LetterBatch] = relationship(back_populates="letters")
    guest: Mapped[Guest] = relationship()


class LetterTemplate(Base):
    """One saved version of a letter template for a kind and language (the newest version is used)."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("kind", "language", "version", name="uq_letter_template_kind_language_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(35))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300))
    greeting: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sign_off: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class GuestAddressFlag(Base):
    """A postal address that came back returned-to-sender; it stays bad until the address changes."""

    __tablename__ = "guest_address_flag"

    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="SET NULL"))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
