"""The card's standing line: tier (and why, when set by hand), influence, RFM segment and lifecycle for every
role; the lapse model's figures (probability still active, visits expected in 90 days, 12-month value) for
managers and admins, or the reason they are missing. A template global the segments domain gives the card.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Select, bindparam, select

from guestbook.admin.settings import get_setting
from guestbook.extensions import db
from guestbook.guests.labels import influence_label
from guestbook.guests.models import Guest
from guestbook.i18n import lazy_gettext
from guestbook.security import role_at_least
from guestbook.segments.labels import LIFECYCLE_LABELS, SEGMENT_LABELS, lifecycle_sentence
from guestbook.segments.models import GuestSegment, SegmentOverride
from guestbook.segments.overrides import MODEL_ROLE
from guestbook.staff.access import current_actor

MODEL_NOTES: dict[str, Any] = {
    "too_few_guests": lazy_gettext("Lapse risk needs at least 30 guests with visits; the fixed rule decides for now."),
    "not_fitted": lazy_gettext("Lapse risk is worked out by the nightly refresh."),
    "no_visits": lazy_gettext("No visits yet."),
}


@dataclass(frozen=True)
class StandingLine:
    """What the card shows about where the guest stands."""

    tier: str
    tier_by_hand: bool
    tier_reason: str
    influence: str
    influence_code: str
    segment: str
    lifecycle: str
    lifecycle_help: str
    show_model: bool
    p_active: float | None
    expected_visits_90d: float | None
    value_12m: Any
    model_note: str
    few_visits: bool


@functools.cache
def _standing_stmt() -> Select[GuestSegment | None, SegmentOverride | None]:
    """The guest's segment row and hand-set tier, either possibly missing: one statement (built once)."""
    return (
        select(GuestSegment, SegmentOverride)
        .select_from(Guest)
        .outerjoin(GuestSegment, GuestSegment.guest_id == Guest.id)
        .outerjoin(SegmentOverride, SegmentOverride.guest_id == Guest.id)
        .where(Guest.id == bindparam("guest_id"))
    )


def standing_for(guest_id: int) -> StandingLine | None:
    """The card's standing line, or None before the first refresh with nothing set by hand."""
    found = db.session.execute(_standing_stmt(), {"guest_id": guest_id}).first()
    row, override = found if found is not None else (None, None)
    if row is None and override is None:
        return None
    by_hand = override is not None and override.tier is not None
    stage = (row.lifecycle or "") if row else ""
    help_text = ""
    if stage:
        help_text = lifecycle_sentence(
            stage,
            int(get_setting("segments_regular_visits_12m")),
            int(get_setting("segments_lapsed_days")),
            int(get_setting("segments_lost_days")),
        )
    return StandingLine(
        tier=(override.tier if by_hand and override and override.tier else (row.tier if row else "C")),
        tier_by_hand=by_hand,
        tier_reason=override.reason if by_hand and override else "",
        influence=influence_label(override.influence) if override and override.influence else "",
        influence_code=(override.influence or "") if override else "",
        segment=str(SEGMENT_LABELS.get(row.rfm_name or "", "")) if row else "",
        lifecycle=str(LIFECYCLE_LABELS.get(stage, "")),
        lifecycle_help=help_text,
        show_model=role_at_least(current_actor().role, MODEL_ROLE) and row is not None,
        p_active=row.p_active if row else None,
        expected_visits_90d=row.expected_visits_90d if row else None,
        value_12m=row.value_12m if row else None,
        model_note=str(MODEL_NOTES.get(row.model_note, "")) if row and row.model_note else "",
        few_visits=bool(row and 0 < row.visit_days < 3),
    )


def register_segment_card(app: Flask) -> None:
    """Give the card's templates ``standing_for(guest_id)``."""
    app.add_template_global(standing_for, "standing_for")
