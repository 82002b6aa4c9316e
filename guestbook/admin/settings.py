"""Editable settings with defaults: read anywhere, written by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.models import Setting
from guestbook.db import cached, forget, write_transaction
from guestbook.extensions import db

CACHE_KEY = "settings"

DEFAULTS: dict[str, Any] = {
    # Words that could hurt if a guest read the screen: a note containing one asks for confirmation.
    "sensitive_words": [
        "rude",
        "drunk",
        "cheap",
        "fat",
        "ugly",
        "stupid",
        "annoying",
        "difficult",
        "stingy",
        "smelly",
        "old",
    ],
    # Letters (issue 5): when each kind falls due and who is left out.
    "letters_birthday_days_before": 10,  # the birthday letter goes into the batch this many days before
    "letters_birthday_min_lead_days": 4,  # a missed day is caught up while at least this many days remain
    "letters_anniversary_days_before": 10,
    "letters_lapse_rule": "fixed_months",  # name of the lapse predicate (segments add a per-guest rhythm rule)
    "letters_lapse_months": 12,
    "letters_lapse_min_visits": 2,
    "letters_cool_down_days": 60,  # no letter when one was sent in the last N days
    "letters_inactive_years": 5,  # stop spending stamps on guests away longer than this
    "letters_thank_you_delay_days": 3,  # the thank-you for a first visit: a few days after it
    "letters_thank_you_window_days": 14,  # ... and never later than this after the visit
    "letters_default_language": "en",
    "letters_concierge_name": "Guest Relations",
    # Label sheet: L7160, L7163, L7159, 3475 or 5160 (letters/render_sheets.py), "auto" (3475 on A4, 5160 on
    # US Letter: what it always printed) or an even "COLUMNSxROWS" grid.
    "letters_label_layout": "auto",
    "letters_envelope": "auto",  # DL, C5 or US10; "auto": DL with A4 paper, US #10 with US Letter
    "letters_duplex_blank_backs": False,
    "letters_logo_path": "",
    "letters_home_country": "",  # ISO code of the property's country: its name is left off domestic addresses
    # Staff languages (issue 11).
    "ui_default_language": "en",  # the sign-in page's language when the browser asks for none we ship
    "thai_buddhist_year": True,  # Thai dates as 3 ธ.ค. 2569 (Buddhist era) rather than 2026
    "briefing_print_language": "",  # the nightly printed briefing; empty: the property's default language
    # The guest's record at a glance (issue 12).
    "card_spend_roles": ["concierge", "manager", "admin"],  # roles that see spend on the card and in the API
    "photos_enabled": True,  # False: no guest photos anywhere (upload, card, API)
    # Backups (issue 13): the nightly job keeps this many in the folder (relative: inside the instance folder).
    "backup_keep": 14,
    "backup_folder": "backups",
    # Retention (issue 13): anonymise guests with no visit for more than this many years; 0 = off.
    "retention_years": 0,
    # Duplicates (issue 13): pairs scoring below this are not suggested.
    "duplicates_min_score": 0.5,
    # Segments (issue 14): the pyramid's spend window, the lifecycle's thresholds and the rhythm lapse rule.
    "segments_tier_window_months": 24,
    "segments_regular_visits_12m": 4,  # visits in the last 12 months that make a regular
    "segments_lapsed_days": 365,
    "segments_lost_days": 730,
    "segments_min_guests_for_model": 30,  # the lapse model is fitted once this many guests have visits
    "segments_rhythm_p_active": 0.5,  # rhythm rule: probability still active below this ...
    "segments_rhythm_min_days": 21,  # ... and no visit for at least this many days
    "segments_rhythm_min_visit_days": 3,  # fewer visit days than this: the fixed rule decides instead
    # Guest relations (issue 15): the sundown rule's business-day end (property time, HH:MM; a complaint reported
    # after it is due at the next one) and when the owner calls back after a complaint is resolved.
    "relations_business_day_end": "23:00",
    "relations_follow_up_days": 3,
}


def _stored() -> dict[str, Any]:
    return {row.key: row.value for row in db.session.scalars(select(Setting))}


def get_setting(key: str) -> Any:
    """A setting's value, or its default (all stored settings are read in one query per transaction)."""
    stored = cached(CACHE_KEY, _stored, topic="setting")  # kept by the worker until a setting changes
    return stored[key] if key in stored else DEFAULTS[key]


def set_setting(key: str, value: Any, actor: Actor) -> None:
    """Change a setting (audited)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    with write_transaction():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        forget(CACHE_KEY)
        audit.record(actor, "settings_update", detail=key)
