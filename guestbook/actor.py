"""Who is acting: a member of staff or an API key, with their role and address."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The principal behind a service call, passed explicitly so services stay request-free."""

    label: str
    role: str
    staff_user_id: int | None = None
    api_key_id: int | None = None
    ip: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The actor for CLI commands and scheduled jobs."""
        return cls(label=label, role="admin")
