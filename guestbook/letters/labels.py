"""Screen labels of the letters' status codes, in the reader's language (the codes never change).

Below the views and the batch rules alike: a message such as "a printed letter cannot be marked
returned" names the statuses in the reader's language (in English for the API and the CLI).
"""

from __future__ import annotations

from typing import Any

from guestbook.i18n import code_label, lazy_gettext

STATUS_LABELS: dict[str, Any] = {
    "drafted": lazy_gettext("drafted"),
    "approved": lazy_gettext("approved"),
    "printed": lazy_gettext("printed"),
    "mailed": lazy_gettext("mailed"),
    "returned": lazy_gettext("returned"),
    "skipped": lazy_gettext("skipped"),
}


def status_label(status: str) -> str:
    """The label of a letter status in the current language; an unknown code as it is."""
    return code_label(STATUS_LABELS, status)
