"""Test data builders that go through the same services as the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from guestbook.actor import Actor
from guestbook.guests import profiles as guests
from guestbook.guests import visits
from guestbook.guests.models import Guest
from guestbook.guests.schemas import GuestCreate, VisitCreate
from guestbook.staff import auth
from guestbook.staff.models import StaffUser

PASSWORD = "correct horse battery"
ACTOR = Actor(label="tests", role="admin")


@cache
def _password_hash() -> str:
    return auth.hash_secret(PASSWORD)  # hash once: Argon2 is slow on purpose


def make_staff(role: str, email: str | None = None, name: str | None = None) -> StaffUser:
    """A staff account with the shared test password."""
    return auth.create_staff_user(
        email or f"{role}@example.test", name or role.capitalize(), role, PASSWORD, password_hash=_password_hash()
    )


def make_guest(**fields: Any) -> Guest:
    """A guest created through the guest service."""
    fields.setdefault("given_name", "Test")
    return guests.create_guest(GuestCreate.model_validate(fields), ACTOR)


def add_visits(guest_id: int, outlet: str, rows: list[tuple[str, list[str]]], start: datetime | None = None) -> None:
    """Log visits (table, items), one per week going back from ``start``, newest first."""
    start = start or datetime.now(UTC) - timedelta(days=1)
    for n, (table, items) in enumerate(rows):
        visits.log_visit(
            guest_id,
            VisitCreate(
                outlet=outlet, visited_at=start - timedelta(days=7 * n), table=table, items=items, party_size=2
            ),
            ACTOR,
        )
