"""The dashboard's figures as plain data: the page, the monthly PDF (``segments.render``) and the exports read them.

No database here: ``segments.dashboard`` fills these from the stored summary and the live lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class WeekPoint:
    """Visits and covers of one week (Monday first)."""

    start: date
    visits: int
    covers: int


@dataclass(frozen=True)
class MonthPoint:
    """Guests who came in one month, and how many of them had come before it."""

    month: date  # the first day
    guests: int
    returning: int

    @property
    def rate(self) -> float | None:
        """The returning-guest rate (0–1), or None in a month without guests."""
        return self.returning / self.guests if self.guests else None


@dataclass(frozen=True)
class GuestLine:
    """One guest on a list: who, their standing and the figures that put them there."""

    guest_id: int
    name: str
    tier: str
    vip_level: int
    influence: str | None
    lifecycle: str | None
    rfm_name: str | None
    visits: int
    visits_12m: int
    last_visit: datetime | None
    spend_window: Decimal
    yearly_value: Decimal
    p_active: float | None
    phone: str | None


@dataclass(frozen=True)
class Occasion:
    """A birthday or anniversary this month."""

    guest_id: int
    name: str
    kind: str  # birthday | anniversary
    day: date
    years: int | None  # how many years it marks, when the year is known
    tier: str
    phone: str | None


@dataclass(frozen=True)
class ModelInfo:
    """The latest lapse-model fit, for the explanation screen."""

    as_of: date
    customers: int
    fitted: bool
    note: str
    r: float | None
    alpha: float | None
    a: float | None
    b: float | None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows."""

    as_of: date | None  # the refresh's date; None before the first refresh
    computed_at: datetime | None
    today: date
    currency: str
    window_months: int
    tiers: dict[str, int]
    lifecycle: dict[str, int]
    rfm: dict[tuple[int, int], int]
    weeks: list[WeekPoint]
    months: list[MonthPoint]
    occasions: list[Occasion]
    top: list[GuestLine]
    slipping: list[GuestLine]

    @property
    def guests_scored(self) -> int:
        """Guests counted in the tiers (everyone the refresh saw)."""
        return sum(self.tiers.values())
