"""Outlet values of an import, mapped like its columns: their outlet names or codes → our outlets, per source.

A value is our outlet when a manager mapped it for this source (saved beside the column mapping),
when it is one of our codes or names, or when it names a kind we have exactly one of ("bar" → the
Bamboo Bar). Anything else stays unmapped, and the dry run reports each of its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import list_outlets
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.i18n import gettext
from guestbook.reservations.models import ImportMapping

OUTLET_VALUES_KEY = "outlet_values"  # in the saved mapping: their outlet value (casefolded) → our code


@dataclass(frozen=True)
class OutletValue:
    """One outlet value found in the file and the outlet of ours it maps to (``code`` None: none yet)."""

    value: str
    rows: int
    code: str | None
    name: str
    how: str  # "saved", "code", "name", "kind" or "" when unmapped


def outlet_values_for(source: str) -> dict[str, str]:
    """The saved outlet value mapping of a source: their value (casefolded) → our outlet code."""
    row = db.session.get(ImportMapping, source)
    saved = (row.mapping or {}).get(OUTLET_VALUES_KEY) if row is not None else None
    return {str(k): str(v) for k, v in (saved or {}).items()} if isinstance(saved, dict) else {}


class MappingError(ValueError):
    """A value mapping names an outlet we do not have."""


def save_outlet_values(source: str, values: dict[str, str], actor: Actor) -> None:
    """Map a source's outlet values to our outlet codes (an empty code forgets that value's mapping)."""
    codes = {o.code for o in list_outlets(include_inactive=True)}
    for theirs, ours in values.items():
        if ours and ours not in codes:
            raise MappingError(
                gettext("no outlet with code %(code)s for %(value)s", code=repr(ours), value=repr(theirs))
            )
    with write_transaction():
        row = db.session.get(ImportMapping, source)
        if row is None:
            row = ImportMapping(source=source, mapping={})  # columns keep their defaults
            db.session.add(row)
        saved = dict((row.mapping or {}).get(OUTLET_VALUES_KEY) or {})
        for theirs, ours in values.items():
            key = theirs.strip().casefold()
            if not key:
                continue
            if ours and ours.casefold() != key:  # their value is our code already: nothing to remember
                saved[key] = ours
            else:
                saved.pop(key, None)
        row.mapping = {**(row.mapping or {}), OUTLET_VALUES_KEY: saved}
        audit.record(actor, "import_mapping", detail=f"{source}: outlet values")


def resolve_outlet_values(source: str, counts: dict[str, int]) -> list[OutletValue]:
    """How each outlet value of a file (with its row count) maps to our outlets."""
    outlets = list_outlets(include_inactive=True)
    by_code = {o.code.casefold(): o for o in outlets}
    by_name = {o.name.casefold(): o for o in outlets}
    by_kind: dict[str, list[Any]] = {}
    for o in outlets:
        if o.active:
            by_kind.setdefault(o.kind.casefold(), []).append(o)
    saved = outlet_values_for(source)
    found: list[OutletValue] = []
    for value, rows in counts.items():
        key = value.casefold()
        if key in saved and saved[key].casefold() in by_code:
            outlet, how = by_code[saved[key].casefold()], "saved"
        elif key in by_code:
            outlet, how = by_code[key], "code"
        elif key in by_name:
            outlet, how = by_name[key], "name"
        elif len(by_kind.get(key, [])) == 1:
            outlet, how = by_kind[key][0], "kind"
        else:
            found.append(OutletValue(value, rows, None, "", ""))
            continue
        found.append(OutletValue(value, rows, outlet.code, outlet.name, how))
    return found
