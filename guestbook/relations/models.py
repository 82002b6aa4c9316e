"""The guest-relations domain's tables: feedback (complaints and compliments) with its workflow and internal
discussion, and who knows whom."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base
from guestbook.models.base import UTCDateTime, utcnow

FEEDBACK_KINDS = ("complaint", "compliment")
CATEGORIES = ("food", "service", "room", "cleanliness", "noise", "billing", "wait", "other")
SEVERITIES = ("minor", "major", "critical")
CHANNELS = ("in_person", "phone", "email", "review_site", "letter", "other")
# A complaint: open → acknowledged → resolved → followed_up; closed (unresolvable) from open, acknowledged or
# resolved. A compliment is recorded and stays so.
STATUSES = ("open", "acknowledged", "resolved", "followed_up", "closed", "recorded")
AMEND_KINDS = ("apology", "comped_item", "discount", "upgrade", "gift", "refund")
OUTCOMES = ("satisfied", "unsatisfied")

# Relationship kinds and their inverse (a symmetric kind is its own inverse).
INVERSE_KIND = {
    "spouse": "spouse",
    "partner": "partner",
    "family": "family",
    "friend": "friend",
    "colleague": "colleague",
    "assistant_of": "has_assistant",
    "has_assistant": "assistant_of",
    "referred_by": "referred",
    "referred": "referred_by",
}


class Feedback(Base):
    """One complaint or compliment: the guest's words, who took it, and each step of its handling (who, when).

    ``guest_id`` is null for anonymous feedback (a review, an unsigned letter) until someone links it to a guest.
    ``due_by`` is the sundown deadline for acknowledging a complaint (null for a compliment).
    """

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(f"kind IN {FEEDBACK_KINDS}", name="feedback_kind"),
        Index("ix_feedback_status_due", "status", "due_by"),
        Index("ix_feedback_guest_reported", "guest_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guest.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), default="other")
    severity: Mapped[str] = mapped_column(String(20), default="minor")
    channel: Mapped[str] = mapped_column(String(20), default="in_person")
    text: Mapped[str] = mapped_column(Text)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlet.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_involved: Mapped[str] = mapped_column(String(300), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20))
    due_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(String(200), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str] = mapped_column(String(200), default="")
    amends: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    promise: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)  # when the owner should call back (a reminder)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_by: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(200), default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the overdue mail to managers, sent once
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class FeedbackNote(Base):
    """The internal discussion of one feedback: managers' notes and each workflow step's note (never shown to
    floor staff)."""

    __tablename__ = "feedback_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20), default="note")  # note | acknowledge | resolve | follow_up | close
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuestRelationship(Base):
    """One direction of a relationship: ``guest_id`` is ``kind`` of ``other_id`` ("assistant_of": the guest is
    the other's assistant). Every relationship is stored in both directions, the other with the inverse kind."""

    __tablename__ = "guest_relationship"
    __table_args__ = (
        UniqueConstraint("guest_id", "other_id", name="uq_guest_relationship_pair"),
        CheckConstraint("guest_id <> other_id", name="guest_relationship_not_self"),
        Index("ix_guest_relationship_other", "other_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
