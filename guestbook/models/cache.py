"""One generation number per group of rarely changed rows, raised by database triggers on every change.

Each web worker keeps a few values read on nearly every request (the settings, the property's timezone,
today's bookings, the tag colours, the signed-in account) between requests, with the generation they
were read at. A request reads every generation in one small query and reloads only what changed. The
triggers (migration 0020) raise a group's number in the same transaction as any insert, update or
delete of its tables, whoever writes (a rule, an import, a merge, psql), so no writer has to know what
is cached, and a change is seen by every worker from the next request after its commit.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base

# topic -> the tables whose changes raise it (migration 0020 creates one trigger per table and change)
TOPIC_TABLES: dict[str, tuple[str, ...]] = {
    "property": ("property", "outlet"),
    "reservation": ("reservation",),
    "setting": ("setting",),
    "staff": ("staff_user",),
    "tag": ("tag",),
}


class CacheGeneration(Base):
    """A topic's generation: any number; it only ever changes, in the transaction that changes the topic's rows."""

    __tablename__ = "cache_generation"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
