"""New guests' ids on SQLite never reuse one that was merged away (so a merge can always be undone).

SQLite gives a new row the highest id + 1, so the id of a guest merged away while it was the newest would
go to the next guest created, and the merge could no longer be undone with the guest's own id. On SQLite
new guests are numbered here instead, past both the live guests and the retired ids (the data domain's
``merged_guest`` table, looked up by name: guests do not import the data domain). Inside a write
transaction SQLite holds the write lock, so two writers cannot pick the same number. PostgreSQL's sequence
never reuses an id and is left alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection

from guestbook.extensions import Base
from guestbook.guests.models import Guest

RETIRED_IDS_TABLE = "merged_guest"


def next_guest_id(connection: Connection) -> int:
    """The id the next guest gets on SQLite: past every live guest and every retired id."""
    live = connection.scalar(select(func.max(Guest.id))) or 0
    retired_table = Base.metadata.tables.get(RETIRED_IDS_TABLE)
    retired = connection.scalar(select(func.max(retired_table.c.guest_id))) if retired_table is not None else 0
    return max(int(live), int(retired or 0)) + 1


_LAST_GIVEN = "guestbook_last_guest_id"  # connection.info: the id given last (one flush may insert many)


@event.listens_for(Guest, "before_insert")
def _number_new_guest(_mapper: Any, connection: Connection, target: Guest) -> None:
    if target.id is None and connection.dialect.name == "sqlite":
        # Guests of the same flush are not in the table yet: count on from the last id given on this
        # connection too (a rolled-back one only leaves a gap, never a reused id).
        target.id = max(next_guest_id(connection), int(connection.info.get(_LAST_GIVEN, 0)) + 1)
        connection.info[_LAST_GIVEN] = target.id
