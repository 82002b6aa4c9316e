"""Editable settings with defaults: read anywhere, written by admins."""

from __future__ import annotations

from typing import Any

from ..db import begin_write
from ..extensions import db
from ..models import Setting
from . import audit
from .actor import Actor

DEFAULTS: dict[str, Any] = {
    # Words that could hurt if a guest read the screen: a note containing one asks for confirmation.
    "sensitive_words": ["rude", "drunk", "cheap", "fat", "ugly", "stupid", "annoying", "difficult", "stingy", "smelly", "old"],
}


def get_setting(key: str) -> Any:
    """A setting's value, or its default."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


def set_setting(key: str, value: Any, actor: Actor) -> None:
    """Change a setting (audited)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    begin_write()
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(actor, "settings_update", detail=key)
    db.session.commit()
