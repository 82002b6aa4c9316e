"""A guest whose every typed word is a whole name token is found behind many longer names (SQLite and
``scripts/test_postgres``).

With two or more words the search reads a capped list of the most recent guests matching the driving word
(``max(limit * 2, 40)``) and checks the others per guest. "li na" then read 40 recent "Li Nan" and stopped
before the one "Li Na" who came last year: an exact full name, the best match there is, missing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from guestbook.extensions import db
from guestbook.guests import search
from guestbook.guests.search_index import touch_recency

from .factories import make_guest

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _guest(given: str, family: str, days_ago: int) -> int:
    guest = make_guest(given_name=given, family_name=family)
    guest.last_visit_at = NOW - timedelta(days=days_ago)
    touch_recency(guest)
    return guest.id


def test_exact_full_name_is_found_behind_many_longer_names(app: Flask) -> None:
    crowd = [_guest("Nan", "Li", days_ago=i + 1) for i in range(60)]  # "Li Nan": recent, matches "li" + "na…"
    crowd += [_guest("Na", "Lin", days_ago=i + 1) for i in range(60)]  # "Lin Na": matches "li…" + "na"
    li_na = _guest("Na", "Li", days_ago=400)
    db.session.commit()
    found = [g.id for g in search.search_guests("li na", limit=20)]
    assert found[0] == li_na
    assert len(found) == 20 and set(found[1:]) <= set(crowd)
    # Either word order, any case, and with the family name first as staff type it on a Chinese card.
    assert search.search_guests("Na Li", limit=5)[0].id == li_na
    assert search.search_guests("LI  NA", limit=5)[0].id == li_na
    # Every word whole is not yet the full name: a page of recent "Li Na Wang" does not hide an older "Li Na".
    wangs = [_guest("Na Wang", "Li", days_ago=i + 1) for i in range(25)]
    db.session.commit()
    found = [g.id for g in search.search_guests("li na", limit=20)]
    assert found[0] == li_na and set(found[1:]) <= set(wangs)
    # A prefix of the last word still lists the recent guests first (the exact pass only adds what the cap hid).
    assert li_na not in [g.id for g in search.search_guests("li nan", limit=20)]
