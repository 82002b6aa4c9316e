"""The JSON API under /api/v1."""

from guestbook.api import reservations as _reservations  # noqa: F401  (registers reservation and briefing endpoints on bp)
from guestbook.api.views import bp
from guestbook.letters import api as _letters  # noqa: F401  (registers the letter-batch endpoints on bp)

__all__ = ["bp"]
