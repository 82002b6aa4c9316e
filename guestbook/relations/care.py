"""The "handle with care" block: while a guest's complaint is open or was resolved in the last 90 days, the floor
sees one line about it, what was promised, and the guest's recent compliments (never the complaint record itself).

It is the guest JSON's ``care`` (every role) and, through the briefing's providers, the arrival's ``care`` and the
complaint box of the briefing screen and PDF.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.lists import format_list

from guestbook.admin.outlets import property_tz
from guestbook.briefing.sheet import Complaint
from guestbook.i18n import babel_locale, code_label, format_day_month, gettext, lazy_gettext
from guestbook.models.base import utcnow
from guestbook.relations.feedback import active_for, has_feedback, still_open
from guestbook.relations.models import Feedback

CARE_DAYS = 90  # a resolved complaint stays on the card and the briefing this long
MAX_COMPLIMENTS = 5

CATEGORY_LABELS: dict[str, Any] = {
    "food": lazy_gettext("food"),
    "service": lazy_gettext("service"),
    "room": lazy_gettext("the room"),
    "cleanliness": lazy_gettext("cleanliness"),
    "noise": lazy_gettext("noise"),
    "billing": lazy_gettext("the bill"),
    "wait": lazy_gettext("waiting"),
    "other": lazy_gettext("something else"),
}
AMEND_LABELS: dict[str, Any] = {
    "apology": lazy_gettext("apology"),
    "comped_item": lazy_gettext("comped item"),
    "discount": lazy_gettext("discount"),
    "upgrade": lazy_gettext("upgrade"),
    "gift": lazy_gettext("gift"),
    "refund": lazy_gettext("refund"),
}


def _amends_text(feedback: Feedback) -> str:
    """``apology and comped item (dessert)`` in the viewer's language; empty without amends."""
    items = []
    for amend in feedback.amends or []:
        label = code_label(AMEND_LABELS, str(amend.get("kind") or ""))
        note = str(amend.get("note") or "")
        items.append(gettext("%(amend)s (%(note)s)", amend=label, note=note) if note else label)
    return format_list(items, locale=babel_locale()) if items else ""


def summary_of(feedback: Feedback) -> str:
    """``complaint about food on 3 December, apology and comped item (dessert)``; ``(not resolved yet)`` while
    nobody has resolved it. Never the guest's words: floor staff read this."""
    day = format_day_month(feedback.reported_at.astimezone(property_tz()))
    text = gettext(
        "complaint about %(category)s on %(day)s", category=code_label(CATEGORY_LABELS, feedback.category), day=day
    )
    amends = _amends_text(feedback)
    if amends:
        text = gettext("%(complaint)s, %(amends)s", complaint=text, amends=amends)
    if still_open(feedback):
        text = gettext("%(complaint)s (not resolved yet)", complaint=text)
    return text


def _care(items: list[Feedback]) -> dict[str, Any] | None:
    """The block for one guest's recent feedback (newest first), or None without a complaint to handle."""
    complaints = [f for f in items if f.kind == "complaint"]
    if not complaints:
        return None
    latest = next((f for f in complaints if still_open(f)), complaints[0])
    banner = gettext("Handle with care: %(summary)s", summary=summary_of(latest))
    if latest.promise:
        banner = gettext("%(banner)s; promised: %(promise)s", banner=banner, promise=latest.promise)
    others = len(complaints) - 1
    if others:
        banner = gettext("%(banner)s (+%(num)d more)", banner=banner, num=others)
    return {
        "banner": banner,
        "promises": [f.promise for f in complaints if f.promise],
        "open": any(still_open(f) for f in complaints),
        "compliments": [f.text for f in items if f.kind == "compliment"][:MAX_COMPLIMENTS],
    }


def _since(now: datetime | None) -> datetime:
    return (now or utcnow()).astimezone(UTC) - timedelta(days=CARE_DAYS)


def care_by_guest(guest_ids: list[int], now: datetime | None = None) -> dict[int, dict[str, Any]]:
    """The care block of each of these guests that has one (one query for all)."""
    grouped: dict[int, list[Feedback]] = {}
    for feedback in active_for(guest_ids, _since(now)):
        if feedback.guest_id is not None:
            grouped.setdefault(feedback.guest_id, []).append(feedback)
    found = {gid: _care(items) for gid, items in grouped.items()}
    return {gid: care for gid, care in found.items() if care is not None}


def care_for(guest_id: int, role: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The guest JSON's ``care``: null when there is nothing to handle with care. The same for every role: the
    banner and the promises are for the floor."""
    if not has_feedback(guest_id):
        return None
    return care_by_guest([guest_id], now).get(guest_id)


def briefing_complaints(guest_ids: list[int]) -> dict[int, list[Complaint]]:
    """The briefing's complaint box: each complaint of these guests still open or resolved in the last 90 days,
    with what was promised (``briefing.assembly.register_complaint_provider``)."""
    tz = property_tz()
    out: dict[int, list[Complaint]] = {}
    for feedback in active_for(guest_ids, _since(None)):
        if feedback.kind == "complaint" and feedback.guest_id is not None:
            raised = feedback.reported_at.astimezone(tz).date()
            complaint = Complaint(summary_of(feedback), feedback.promise, raised, still_open(feedback))
            out.setdefault(feedback.guest_id, []).append(complaint)
    return out
