"""The JSON API under /api/v1."""

from . import letters as _letters  # noqa: F401  (registers the letter-batch endpoints on bp)
from . import reservations as _reservations  # noqa: F401  (registers reservation and briefing endpoints on bp)
from .views import bp

__all__ = ["bp"]
