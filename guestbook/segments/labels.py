"""The segments' codes in the viewer's language: RFM segments, lifecycle stages (each with one sentence) and the
kinds of occasion. Plain lazy messages, shared by the card, the web pages and the monthly PDF."""

from __future__ import annotations

from typing import Any

from guestbook.i18n import lazy_gettext

SEGMENT_LABELS: dict[str, Any] = {
    "champions": lazy_gettext("Champions"),
    "loyal": lazy_gettext("Loyal"),
    "potential loyalists": lazy_gettext("Potential loyalists"),
    "new": lazy_gettext("New"),
    "promising": lazy_gettext("Promising"),
    "need attention": lazy_gettext("Need attention"),
    "about to sleep": lazy_gettext("About to sleep"),
    "at risk": lazy_gettext("At risk"),
    "can't lose them": lazy_gettext("Can't lose them"),
    "hibernating": lazy_gettext("Hibernating"),
    "lost": lazy_gettext("Lost"),
}
# Each lifecycle stage in one sentence (thresholds are settings).
LIFECYCLE_LABELS: dict[str, tuple[Any, Any]] = {
    "new": (lazy_gettext("New"), lazy_gettext("One visit so far: make the second one happen.")),
    "returning": (lazy_gettext("Returning"), lazy_gettext("Came back, not yet often enough to be a regular.")),
    "regular": (lazy_gettext("Regular"), lazy_gettext("Comes often: never treat them as a stranger.")),
    "at risk": (lazy_gettext("At risk"), lazy_gettext("Away longer than their own rhythm suggests.")),
    "lapsed": (lazy_gettext("Lapsed"), lazy_gettext("No visit for more than a year.")),
    "lost": (lazy_gettext("Lost"), lazy_gettext("No visit for more than two years.")),
}
OCCASION_LABELS: dict[str, Any] = {"birthday": lazy_gettext("Birthday"), "anniversary": lazy_gettext("Anniversary")}
