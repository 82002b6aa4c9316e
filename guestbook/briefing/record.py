"""The guest's record at a glance for a whole day of arrivals: tags and photos in a batched query each.

The history itself is the guests domain's ``guests.history.histories_for``, already grouped by guest, so
the briefing and the card read the same numbers from the same code.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from guestbook.extensions import db
from guestbook.guests.models import GuestPhoto
from guestbook.guests.photos import photos_enabled
from guestbook.guests.tags import tags_of_guests

TagFact = tuple[int, str, str]  # (tag id, name, colour): plain data for the screen, the JSON and the PDF


def tags_for(guest_ids: Collection[int]) -> dict[int, list[TagFact]]:
    """Each guest's tags by name as ``(id, name, colour)``, in one query."""
    return {gid: [(t.id, t.name, t.color) for t in tags] for gid, tags in tags_of_guests(list(guest_ids)).items()}


def with_photo(guest_ids: Collection[int]) -> set[int]:
    """The guests with a photo on file (none when the property turned photos off), without loading the bytes."""
    if not guest_ids or not photos_enabled():
        return set()
    stmt = select(GuestPhoto.guest_id).where(GuestPhoto.guest_id.in_(list(guest_ids)), GuestPhoto.data.is_not(None))
    return set(db.session.scalars(stmt))


def photo_data(guest_ids: Collection[int]) -> dict[int, bytes]:
    """The photos themselves for the printed sheet, in one query (empty when photos are off)."""
    if not guest_ids or not photos_enabled():
        return {}
    stmt = select(GuestPhoto.guest_id, GuestPhoto.data).where(
        GuestPhoto.guest_id.in_(list(guest_ids)), GuestPhoto.data.is_not(None)
    )
    return {gid: data for gid, data in db.session.execute(stmt) if data}
