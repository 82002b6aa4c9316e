"""Search rate limit per signed-in account and per API key: fixed one-minute windows counted in the database.

The counters live in ``search_rate_window`` (not in process memory), so the limit holds across
every gunicorn worker. A limit of 0 turns the check off (the load benchmark does).
"""

from __future__ import annotations

import time

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.search_models import SearchRateWindow

WINDOW_SECONDS = 60


class RateLimited(Exception):
    """Too many searches this minute; ``retry_after`` seconds until the next window opens."""

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"too many searches: at most {limit} a minute; try again in {retry_after} s")
        self.retry_after = retry_after
        self.limit = limit


def principal_of(actor: Actor) -> str:
    """The key the limit counts under: the API key or the staff account (never the shared tablet's address)."""
    if actor.api_key_id is not None:
        return f"apikey:{actor.api_key_id}"
    if actor.staff_user_id is not None:
        return f"staff:{actor.staff_user_id}"
    return f"other:{actor.label}"[:80]


def limit_for(role: str, floor_limit: int, other_limit: int) -> int:
    """The per-minute limit of a role: the floor's (contacts masked) or everyone else's."""
    return floor_limit if role == "floor" else other_limit


def count_search(actor: Actor, limit: int, now: float | None = None) -> None:
    """Count one search for ``actor``; raise RateLimited past ``limit`` in this minute (0: no limit)."""
    if limit <= 0:
        return
    moment = time.time() if now is None else now
    minute = int(moment // WINDOW_SECONDS)
    principal = principal_of(actor)
    # The counter row is never loaded as an object: what the request has read stays loaded (no re-reads).
    with write_transaction(keep_loaded=True, append_only=True):  # an atomic upsert: no write lock needed
        insert = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else pg_insert
        stmt = (
            insert(SearchRateWindow)
            .values(principal=principal, minute=minute, count=1)
            .on_conflict_do_update(index_elements=["principal", "minute"], set_={"count": SearchRateWindow.count + 1})
            .returning(SearchRateWindow.count)
        )
        count = int(db.session.execute(stmt).scalar_one())
        if count == 1:  # the first search of a new window clears this principal's old ones
            db.session.execute(
                delete(SearchRateWindow).where(
                    SearchRateWindow.principal == principal, SearchRateWindow.minute < minute
                )
            )
    if count > limit:
        retry_after = max(1, int((minute + 1) * WINDOW_SECONDS - moment + 0.999))
        raise RateLimited(retry_after=retry_after, limit=limit)
