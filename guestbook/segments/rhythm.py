"""The ``rhythm`` lapse rule: a guest is missed when, on their own rhythm, they are probably no longer coming.

"Probability still active (BG/NBD, fitted by the nightly refresh) below ``segments_rhythm_p_active`` and no
visit for at least ``segments_rhythm_min_days`` days." A weekly regular away for six weeks is caught; a
once-a-year guest away for ten months is not. Guests with fewer than ``segments_rhythm_min_visit_days``
visit days, and every guest while the model is not fitted (too few guests with visits), fall back to the
fixed rule (``letters_lapse_months``), and the card says so. The letters' selection and the lifecycle's
"at risk" use this same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from flask import Flask
from sqlalchemy import ColumnElement, and_, select

from guestbook.admin.settings import get_setting
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.letters import rules as letter_rules
from guestbook.segments import lapse_model
from guestbook.segments.models import GuestSegment, SegmentModelRun
from guestbook.segments.refresh import bgnbd_of

RULE_NAME = "rhythm"


@dataclass(frozen=True)
class RhythmVerdict:
    """Whether a guest is missed on their rhythm, the probability behind it, and which rule decided."""

    lapsed: bool
    p_active: float | None
    rule: str  # "rhythm" or "fixed"


def latest_fit() -> lapse_model.BgNbdFit | None:
    """The most recent BG/NBD fit, or None while the model has never been fitted."""
    run = db.session.scalars(
        select(SegmentModelRun).where(SegmentModelRun.r.is_not(None)).order_by(SegmentModelRun.id.desc())
    ).first()
    return bgnbd_of(run)


def verdict(guest: Guest, run_date: date, tz: ZoneInfo, fit: lapse_model.BgNbdFit | None = None) -> RhythmVerdict:
    """Is this guest missed on ``run_date``? (see the module docstring)."""
    settings = letter_rules.RuleSettings.load()
    fixed = letter_rules.FIXED_MONTHS.is_lapsed(guest, run_date, settings, tz)
    if guest.last_visit_at is None:
        return RhythmVerdict(False, None, "fixed")
    row = db.session.get(GuestSegment, guest.id)
    fit = fit or latest_fit()
    min_visit_days = int(get_setting("segments_rhythm_min_visit_days"))
    if fit is None or row is None or row.first_visit_at is None or row.visit_days < min_visit_days:
        return RhythmVerdict(fixed, None, "fixed")
    first = row.first_visit_at.astimezone(tz).date()
    last = guest.last_visit_at.astimezone(tz).date()
    if run_date < last or run_date < first:
        return RhythmVerdict(False, None, "rhythm")
    p = float(
        lapse_model.p_alive(
            fit,
            np.array([row.visit_days - 1], dtype=float),
            np.array([(last - first).days], dtype=float),
            np.array([(run_date - first).days], dtype=float),
        )[0]
    )
    away = (run_date - last).days
    lapsed = p < float(get_setting("segments_rhythm_p_active")) and away >= int(get_setting("segments_rhythm_min_days"))
    return RhythmVerdict(lapsed, p, "rhythm")


class RhythmLapse(letter_rules.LapseRule):
    """The letters' lapse predicate on each guest's own rhythm."""

    def prefilter(self, run_date: date, settings: letter_rules.RuleSettings, tz: ZoneInfo) -> ColumnElement[bool]:
        """Guests with a visit, the last one at least the rule's minimum days ago (the fixed rule's are older)."""
        min_days = int(get_setting("segments_rhythm_min_days"))
        cutoff = letter_rules.start_of(run_date - timedelta(days=min_days - 1), tz)
        return and_(Guest.last_visit_at.is_not(None), Guest.last_visit_at < cutoff)

    def is_lapsed(self, guest: Guest, run_date: date, settings: letter_rules.RuleSettings, tz: ZoneInfo) -> bool:
        """The verdict's answer."""
        return verdict(guest, run_date, tz).lapsed


RHYTHM = RhythmLapse()


def register_rhythm_rule(app: Flask) -> None:
    """Make ``rhythm`` selectable as the letters' lapse rule (setting ``letters_lapse_rule``)."""
    letter_rules.register_lapse_rule(app, RULE_NAME, RHYTHM)
