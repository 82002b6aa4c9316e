"""Tiers set by hand (a reason is required; who and when are kept) and the guest's influence, and the
``segment`` object of the guest JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.models.base import utcnow
from guestbook.security import role_at_least
from guestbook.segments.models import GuestSegment, SegmentOverride

MODEL_ROLE = "manager"  # the lapse model's figures (and the 12-month value) are for managers and admins


class GuestNotFound(LookupError):
    """No guest has this id."""


def _guest(guest_id: int) -> Guest:
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        raise GuestNotFound(guest_id)
    return guest


def set_override(guest_id: int, tier: str, reason: str, actor: Actor, influence: str | None = None) -> SegmentOverride:
    """Set the guest's tier by hand (the reason is required; the caller validated both)."""
    with write_transaction():
        _guest(guest_id)
        row = db.session.get(SegmentOverride, guest_id) or SegmentOverride(guest_id=guest_id)
        db.session.add(row)
        row.tier, row.reason, row.set_by, row.set_at = tier, reason, actor.label, utcnow()
        if influence is not None:
            row.influence = influence or None
        audit.record(actor, "tier_override", guest_id, f"tier {tier}")
    return row


def clear_override(guest_id: int, actor: Actor) -> bool:
    """Remove a hand-set tier (the influence stays); False when there was none."""
    with write_transaction():
        _guest(guest_id)
        row = db.session.get(SegmentOverride, guest_id)
        if row is None or row.tier is None:
            return False
        row.tier, row.reason, row.set_by, row.set_at = None, "", actor.label, utcnow()
        if row.influence is None:
            db.session.delete(row)
        audit.record(actor, "tier_override_removed", guest_id)
    return True


def standing_of(guest_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each guest's tier (a hand-set one wins) and influence code, for the briefing (two queries)."""
    if not guest_ids:
        return {}
    ids = list(set(guest_ids))
    rows = db.session.execute(select(GuestSegment.guest_id, GuestSegment.tier).where(GuestSegment.guest_id.in_(ids)))
    out = {gid: (tier, "") for gid, tier in rows}
    for row in db.session.scalars(select(SegmentOverride).where(SegmentOverride.guest_id.in_(ids))):
        current = out.get(row.guest_id, ("", ""))
        out[row.guest_id] = (row.tier or current[0], row.influence or "")
    return out


def segment_json(guest_id: int, role: str) -> dict[str, Any] | None:
    """The guest JSON's ``segment``: null before the first refresh unless a tier or influence was set by hand."""
    row = db.session.get(GuestSegment, guest_id)
    override = db.session.get(SegmentOverride, guest_id)
    if row is None and override is None:
        return None
    manual = override is not None and override.tier is not None
    model = role_at_least(role, MODEL_ROLE) and row is not None
    return {
        "tier": override.tier if manual and override else (row.tier if row else "C"),
        "tier_source": "override" if manual else "computed",
        "tier_reason": override.reason if manual and override else None,
        "influence": override.influence if override else None,
        "rfm": (
            {"r": row.r, "f": row.f, "m": row.m, "name": row.rfm_name}
            if row is not None and row.r is not None and row.f is not None and row.m is not None
            else None
        ),
        "lifecycle": row.lifecycle if row else None,
        "p_active": row.p_active if model and row else None,
        "expected_visits_90d": row.expected_visits_90d if model and row else None,
        "value_12m": str(row.value_12m) if model and row and row.value_12m is not None else None,
        "refreshed_at": row.refreshed_at.isoformat() if row else None,
    }
