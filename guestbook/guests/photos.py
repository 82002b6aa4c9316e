"""Guest photos: kept only with recorded consent, resized to 400 px and re-encoded (no EXIF), stored in the database.

The photo lives in ``guest_photo`` beside the consent (who recorded it, when), with ``ON DELETE CASCADE``
from the guest: erasing a guest's row erases the photo; ``remove_consent`` erases it on request. A
property setting (``photos_enabled``) turns photos off everywhere. The bytes are only ever served
by a route with a role rule, never from the static folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Select, bindparam, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.settings import get_setting
from guestbook.db import rows, write_transaction
from guestbook.db_rows import statement
from guestbook.extensions import db
from guestbook.guests.models import Guest, GuestPhoto
from guestbook.models.base import utcnow

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 400
MAX_PIXELS = 40_000_000  # a 5 MB file that decodes to more is a decompression bomb, not a portrait
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoError(ValueError):
    """A photo that cannot be taken: ``reason`` is one of ``disabled``, ``no_consent``, ``too_large``, ``type``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PhotoState:
    """What the card shows: whether photos are on, consent recorded (by whom, when) and a photo present."""

    enabled: bool
    consent: bool
    consent_by: str
    consent_at: str
    has_photo: bool


def photos_enabled() -> bool:
    """The property's switch for guest photos."""
    return bool(get_setting("photos_enabled"))


def photo_state(guest_id: int) -> PhotoState:
    """The photo facts of a guest (no photo bytes loaded)."""
    found = rows(_state_stmt(), {"guest_id": guest_id}) if photos_enabled() else None
    if not found:
        return PhotoState(photos_enabled(), False, "", "", False)
    consent_by, consent_at, has_photo = found[0]
    return PhotoState(True, True, consent_by, consent_at.isoformat(), bool(has_photo))


@statement
def _state_stmt() -> Select[str, datetime, bool]:
    """Every card asks: the consent and whether there is a photo, never the photo's bytes."""
    photo = GuestPhoto
    return select(photo.consent_by, photo.consent_at, photo.data.is_not(None)).where(
        photo.guest_id == bindparam("guest_id")
    )


def record_consent(guest_id: int, actor: Actor) -> None:
    """Record that the guest agreed to a photo (who asked, when); a second call keeps the first record."""
    _check_enabled()
    with write_transaction():
        if db.session.get(Guest, guest_id) is None:
            raise LookupError(guest_id)
        if db.session.get(GuestPhoto, guest_id) is None:
            db.session.add(GuestPhoto(guest_id=guest_id, consent_by=actor.label, consent_at=utcnow()))
            audit.record(actor, "photo_consent", guest_id)


def remove_consent(guest_id: int, actor: Actor) -> None:
    """Withdraw consent: the consent record and any photo are deleted."""
    with write_transaction():
        row = db.session.get(GuestPhoto, guest_id)
        if row is not None:
            db.session.delete(row)
            audit.record(actor, "photo_consent_withdrawn", guest_id)


def delete_photo(guest_id: int, actor: Actor) -> bool:
    """Delete the photo and keep the consent; False when there was no photo."""
    with write_transaction():
        row = db.session.get(GuestPhoto, guest_id)
        if row is None or row.data is None:
            return False
        row.data, row.mime, row.width, row.height, row.uploaded_at = None, "", 0, 0, None
        audit.record(actor, "photo_delete", guest_id)
    return True


def normalise_image(raw: bytes) -> tuple[bytes, str, int, int]:
    """Check and re-encode an upload: (bytes, mime, width, height), at most 400 px a side, no metadata.

    Each format keeps its own (PNG and WebP keep transparency). Re-encoding from pixels drops EXIF
    (GPS position, camera) and anything appended to the file.
    """
    if len(raw) > MAX_BYTES:
        raise PhotoError("too_large", f"at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format or ""
            if kind not in ACCEPTED:
                raise PhotoError("type", "JPEG, PNG or WebP only")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError("too_large", "the image has too many pixels")
            probe.load()
            image = ImageOps.exif_transpose(probe)  # keep the photo upright once the EXIF is gone
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        if isinstance(exc, PhotoError):
            raise
        raise PhotoError("type", "JPEG, PNG or WebP only") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue(), ACCEPTED[kind], image.width, image.height


def save_photo(guest_id: int, raw: bytes, actor: Actor) -> GuestPhoto:
    """Store a new photo for a guest who consented (PhotoError: disabled, no consent, too large, wrong type)."""
    _check_enabled()
    data, mime, width, height = normalise_image(raw)
    with write_transaction():
        row = db.session.get(GuestPhoto, guest_id)
        if row is None:
            raise PhotoError("no_consent", "record the guest's consent first")
        row.data, row.mime, row.width, row.height = data, mime, width, height
        row.uploaded_by, row.uploaded_at = actor.label, utcnow()
        audit.record(actor, "photo_upload", guest_id, f"{width}x{height} {mime}")
    return row


def photo_bytes(guest_id: int) -> tuple[bytes, str] | None:
    """The stored photo and its type, or None (also when photos are off)."""
    if not photos_enabled():
        return None
    row = db.session.get(GuestPhoto, guest_id)
    if row is None or row.data is None:
        return None
    return row.data, row.mime


def _check_enabled() -> None:
    if not photos_enabled():
        raise PhotoError("disabled", "guest photos are turned off for this property")
