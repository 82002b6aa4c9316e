"""The segments' codes in the viewer's language: RFM segments, lifecycle stages (each with one sentence) and the
kinds of occasion. Plain lazy messages, shared by the card, the web pages and the monthly PDF."""

from __future__ import annotations

from typing import Any

from guestbook.i18n import gettext, lazy_gettext

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
LIFECYCLE_LABELS: dict[str, Any] = {
    "new": lazy_gettext("New"),
    "returning": lazy_gettext("Returning"),
    "regular": lazy_gettext("Regular"),
    "at risk": lazy_gettext("At risk"),
    "lapsed": lazy_gettext("Lapsed"),
    "lost": lazy_gettext("Lost"),
}
OCCASION_LABELS: dict[str, Any] = {"birthday": lazy_gettext("Birthday"), "anniversary": lazy_gettext("Anniversary")}


def lifecycle_sentence(stage: str, regular_visits_12m: int, lapsed_days: int, lost_days: int) -> str:
    """A lifecycle stage in one sentence, with the property's thresholds (settings); "" for an unknown stage."""
    sentences = {
        "new": lambda: gettext("One visit so far: make the second one happen."),
        "returning": lambda: gettext(
            "Came back, fewer than %(num)s times in the last 12 months.", num=regular_visits_12m
        ),
        "regular": lambda: gettext(
            "At least %(num)s visits in the last 12 months: never treat them as a stranger.", num=regular_visits_12m
        ),
        "at risk": lambda: gettext("Away longer than their own rhythm suggests."),
        "lapsed": lambda: gettext("No visit for more than %(days)s days.", days=lapsed_days),
        "lost": lambda: gettext("No visit for more than %(days)s days.", days=lost_days),
    }
    make = sentences.get(stage)
    return make() if make else ""
