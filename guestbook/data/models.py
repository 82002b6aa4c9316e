"""The data domain's tables: import sources and runs, duplicate pairs, merges (undoable) and erasures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

IMPORT_KINDS = ("guests", "visits")
DATE_ORDERS = ("YMD", "DMY", "MDY")


class GuestSourceRef(Base):
    """Which guest a row of an outside system's export is: ``(source, source_id)`` makes imports idempotent."""

    __tablename__ = "guest_source_ref"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), index=True)
    # A digest of the row as last imported: the same row again is "unchanged" without reading the guest.
    row_digest: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportSource(Base):
    """How one source's files read: our field → its column header, the encoding and the order of day and month."""

    __tablename__ = "import_source"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # guests or visits
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    encoding: Mapped[str] = mapped_column(String(20), default="auto")  # auto: detected
    date_order: Mapped[str] = mapped_column(String(3), default="YMD")  # for 03/04/2025: DMY or MDY
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportRun(Base):
    """One import of one file, kept for the import screen's history (counts only, never the rows)."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255), default="")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    run_by: Mapped[str] = mapped_column(String(200), default="")
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DuplicatePair(Base):
    """A likely pair found by the last scan (lower id first), with its score 0–1 and the reasons."""

    __tablename__ = "duplicate_pair"
    __table_args__ = (Index("ix_duplicate_pair_score", "score"),)

    guest_low_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    guest_high_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotDuplicate(Base):
    """ "Not the same person": a pair a person rejected, never suggested again (lower id first)."""

    __tablename__ = "not_duplicate"

    guest_low_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    guest_high_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuestMerge(Base):
    """One merge of ``other_id`` into ``keep_id``: both guests as they were, and what moved, for the undo."""

    __tablename__ = "guest_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    keep_id: Mapped[int] = mapped_column(Integer, index=True)
    other_id: Mapped[int] = mapped_column(Integer, index=True)
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # field -> keep | other
    keep_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    other_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # table -> the other's row ids moved
    merged_by: Mapped[str] = mapped_column(String(200), default="")
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_by: Mapped[str] = mapped_column(String(200), default="")
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MergedGuest(Base):
    """The id of a guest merged away, and where it went: its GET answers 404 with ``merged_into``."""

    __tablename__ = "merged_guest"

    guest_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    merged_into_id: Mapped[int] = mapped_column(Integer, index=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("guest_merge.id", ondelete="CASCADE"), index=True)


class Erasure(Base):
    """That a guest was erased: who, when and why (a request or the retention rule), never what."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="request")  # request | retention
    reason: Mapped[str] = mapped_column(Text, default="")
    erased_by: Mapped[str] = mapped_column(String(200), default="")
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
