"""The JSON API under /api/v1."""

from guestbook.api import letters as _letters  # noqa: F401  (registers the letter-batch endpoints on bp)
from guestbook.api import reservations as _reservations  # noqa: F401  (registers reservation and briefing endpoints on bp)
from guestbook.api.views import bp

__all__ = ["bp"]
