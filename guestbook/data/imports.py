"""Guest and visit imports: every row checked first, then all of them written in one transaction, or none.

Pass 1 streams the file, checks every row and counts what would be created, updated, unchanged or
skipped, writing nothing, and keeps the checked rows in a temporary file (compact, marshalled). Any
error stops there. Pass 2 reads those rows back inside one write transaction, classifies them again
against the database and writes in batches (Core executemany inserts). Imports are idempotent by
``(source, source_id)``: guests through ``GuestSourceRef`` (a digest of the row as last imported), visits
through ``Visit.source``/``source_id``. Memory stays flat: per row only an 8-byte digest of its source id
is kept (to find duplicates), and for visits a map of the source's guest ids.
"""

from __future__ import annotations

import csv
import io
import json
import marshal
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import default_property, property_today, zone_of
from guestbook.data import import_bulk, import_write
from guestbook.data.import_parse import text
from guestbook.data.import_read import ENCODINGS, ImportFileError, Row, open_rows
from guestbook.data.import_rows import (
    COLUMNS,
    REQUIRED,
    Column,
    VisitLookups,
    check_guest,
    empty_guest,
    error_line,
    now_utc,
    visit_checker,
)
from guestbook.data.models import DATE_ORDERS, IMPORT_KINDS, GuestSourceRef, ImportRun, ImportSource
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.i18n import gettext
from guestbook.reservations.bookings import SOURCE_PATTERN

BATCH = 2000
Emit = Callable[[str], None]
# Row number, source id, guest source id, values (a dict for guests, compact VisitValues for visits).
ValidRow = tuple[int, str, str, Any]


@dataclass
class ImportReport:
    """What an import did, or would do: the counts, and whether it was written."""

    kind: str
    source: str
    filename: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    encoding: str = ""
    committed: bool = False
    run_id: int | None = None
    lines: list[str] = field(default_factory=list)  # kept only when no ``emit`` was given (capped)

    def counts(self) -> dict[str, int]:
        """The five counts, as the command's last line prints them."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def guests_imported_since(source: str, since: datetime, limit: int) -> list[int]:
    """Guests this source's import created at or after ``since`` (newest first, at most ``limit``)."""
    stmt = (
        select(GuestSourceRef.guest_id)
        .join(Guest, Guest.id == GuestSourceRef.guest_id)
        .where(GuestSourceRef.source == source, Guest.created_at >= since)
        .order_by(GuestSourceRef.guest_id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


class ImportSettingsError(ValueError):
    """A source's settings that cannot be saved (unknown field, encoding or date order)."""


class _Changed(Exception):
    """Pass 2 met an error pass 1 did not (the data changed in between): everything is rolled back."""


def check_kind_and_source(kind: str, source: str) -> None:
    """ImportSettingsError unless ``kind`` is guests or visits and ``source`` a valid source name."""
    if kind not in IMPORT_KINDS:
        raise ImportSettingsError(gettext("one of %(values)s", values=", ".join(IMPORT_KINDS)))
    if not re.match(SOURCE_PATTERN, source or ""):
        raise ImportSettingsError(gettext("a source name: lower-case letters, digits, . _ - (up to 40)"))


def settings_for(kind: str, source: str) -> ImportSource:
    """A source's saved settings, or the defaults (not saved) when it has none."""
    found = db.session.get(ImportSource, (kind, source))
    if found is not None:
        return found
    return ImportSource(kind=kind, source=source, mapping={}, encoding="auto", date_order="YMD")


def save_settings(
    kind: str, source: str, mapping: dict[str, str], encoding: str, date_order: str, actor: Actor
) -> ImportSource:
    """Save how a source's files read: our field -> its header (empty: the default), encoding, date order."""
    check_kind_and_source(kind, source)
    unknown = sorted(set(mapping) - set(COLUMNS[kind]))
    if unknown:
        raise ImportSettingsError(gettext("unknown fields: %(fields)s", fields=", ".join(unknown)))
    if encoding not in ENCODINGS:
        raise ImportSettingsError(gettext("one of %(values)s", values=", ".join(ENCODINGS)))
    if date_order not in DATE_ORDERS:
        raise ImportSettingsError(gettext("one of %(values)s", values=", ".join(DATE_ORDERS)))
    cleaned: dict[str, str] = {}
    for key, header in mapping.items():
        try:
            value = text(header or "", 120)
        except ValueError as exc:
            raise ImportSettingsError(f"{key}: {exc}") from None
        if value and value != key:
            cleaned[key] = value
    with write_transaction():
        found = db.session.get(ImportSource, (kind, source))
        if found is None:
            found = ImportSource(kind=kind, source=source)
            db.session.add(found)
        found.mapping, found.encoding, found.date_order = cleaned, encoding, date_order
        audit.record(actor, "import_settings", None, f"kind={kind} source={source}")
    return found


def recent_runs(limit: int = 20) -> list[ImportRun]:
    """The latest imports, newest first (for the import screen)."""
    return list(
        db.session.scalars(select(ImportRun).order_by(ImportRun.run_at.desc(), ImportRun.id.desc()).limit(limit))
    )


def _columns(kind: str, header: list[str], mapping: dict[str, Any]) -> tuple[list[Column], list[str]]:
    """The file's columns by our field names, and the errors of the header row."""
    header_of = {name: str(mapping.get(name) or name) for name in COLUMNS[kind]}
    field_of = {h.casefold(): name for name, h in header_of.items()}
    columns: list[Column] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        if not name:
            continue
        found = field_of.get(name.casefold())
        if found is None:
            errors.append(error_line(1, name, name, gettext("unknown column (not in the mapping for this source)")))
        elif found in seen:
            errors.append(error_line(1, name, name, gettext("the column appears twice")))
        else:
            seen.add(found)
            columns.append(Column(index, name, found))
    for name in REQUIRED[kind]:
        if name not in seen:
            errors.append(error_line(1, header_of[name], "", gettext("missing column")))
    return columns, errors


def _digest8(value: str) -> int:
    """An 8-byte digest of a source id, to find duplicates in one file: Python's own (SipHash) string hash,
    keyed per process and cached on the string: in a file of a million ids, a false "duplicate" has a chance
    of about one in thirty million."""
    return hash(value)


def _visit_lookups() -> VisitLookups:
    outlets: dict[str, int] = {}
    rows = list(db.session.execute(select(Outlet.id, Outlet.code, Outlet.name)))
    for outlet_id, _code, name in rows:
        outlets.setdefault(name.strip().lower(), outlet_id)
    for outlet_id, code, _name in rows:
        outlets[code] = outlet_id  # a code wins over another outlet's name
    prop = default_property()
    return VisitLookups(outlets=outlets, zone=zone_of(prop), currency=prop.currency or "THB", now=now_utc())


def _valid_batches(
    kind: str, path: Path, settings: ImportSource, report: ImportReport, emit: Emit
) -> Iterator[list[ValidRow]]:
    """Stream the file; emit every error line; yield the rows without errors in batches."""
    with open_rows(path, settings.encoding or "auto") as opened:
        report.encoding = opened.encoding
        yield from _checked(kind, opened.header, opened.rows, settings, report, emit)


def _checked(
    kind: str, header: list[str], rows: Iterator[Row], settings: ImportSource, report: ImportReport, emit: Emit
) -> Iterator[list[ValidRow]]:
    """The body of ``_valid_batches``, on an open file."""
    columns, header_errors = _columns(kind, header, settings.mapping or {})
    if header_errors:
        report.errors += len(header_errors)
        for line in header_errors:
            emit(line)
        return
    header_of = {c.field: c.header for c in columns}
    width = len(header)
    order = settings.date_order or "YMD"
    check_visit = visit_checker(columns, order, _visit_lookups()) if kind == "visits" else None
    today = property_today()
    seen: set[int] = set()
    batch: list[ValidRow] = []
    for row in rows:
        cells = row.cells
        joined = "".join(cells)
        if not joined or joined.isspace():
            continue  # a blank line
        extra = [i for i in range(width, len(cells)) if cells[i].strip()] if len(cells) > width else []
        if extra:
            emit(error_line(row.number, f"#{extra[0] + 1}", cells[extra[0]], gettext("a cell outside the columns")))
            report.errors += 1
        guest_source_id = ""
        values: Any
        if check_visit is None:
            source_id, values, problems = check_guest(cells, columns, order, today)
        else:
            source_id, guest_source_id, values, problems = check_visit(cells)
        for name, value, reason in problems:
            emit(error_line(row.number, header_of[name], value, reason))
        report.errors += len(problems)
        if source_id:
            digest = _digest8(source_id)
            if digest in seen:
                emit(
                    error_line(
                        row.number,
                        header_of["source_id"],
                        source_id,
                        gettext("the same source id is on an earlier row"),
                    )
                )
                report.errors += 1
                continue
            seen.add(digest)
        if problems or extra:
            continue
        batch.append((row.number, source_id, guest_source_id, values))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_GUEST_KEYS = (*sorted(empty_guest()), "_digest")


def _pack(kind: str, batch: list[ValidRow]) -> bytes:
    """A batch of checked rows as plain values (marshal: far quicker than pickling dicts of objects)."""
    if kind == "guests":
        return marshal.dumps([(n, sid, g, tuple(v[k] for k in _GUEST_KEYS)) for n, sid, g, v in batch])
    return marshal.dumps(batch)  # visits are compact tuples already


def _unpack(kind: str, data: bytes) -> list[ValidRow]:
    rows = marshal.loads(data)  # noqa: S302  (our own temporary file, written moments ago)
    if kind == "guests":
        return [(n, sid, g, dict(zip(_GUEST_KEYS, v, strict=True))) for n, sid, g, v in rows]
    return list(rows)


def _spooled(kind: str, spool: IO[bytes]) -> Iterator[list[ValidRow]]:
    """The batches pass 1 kept on disk, in order."""
    spool.seek(0)
    while size := spool.read(8):
        yield _unpack(kind, spool.read(int.from_bytes(size, "little")))


def _run_pass(
    kind: str,
    actor: Actor,
    settings: ImportSource,
    batches: Iterator[list[ValidRow]],
    report: ImportReport,
    emit: Emit,
    write: bool,
    allow_erased: bool,
    spool: IO[bytes] | None = None,
) -> None:
    """One pass over the checked rows: classify each (and write it, on pass 2); pass 1 may keep them in ``spool``."""
    report.created = report.updated = report.unchanged = report.skipped = 0
    # Guests: the search tokeniser's dictionaries already take much of the memory; visits: a larger page
    # cache keeps the million-row inserts off the disk.
    with import_bulk.lean_connection(8 if kind == "guests" else 32):
        _pass_body(kind, actor, settings, batches, report, emit, write, allow_erased, spool)


def _pass_body(
    kind: str,
    actor: Actor,
    settings: ImportSource,
    batches: Iterator[list[ValidRow]],
    report: ImportReport,
    emit: Emit,
    write: bool,
    allow_erased: bool,
    spool: IO[bytes] | None,
) -> None:
    """The body of ``_run_pass``, on a lean connection."""
    state = import_write.VisitState.load(settings.source) if kind == "visits" else None
    if state is not None:
        state.guest_header = str((settings.mapping or {}).get("guest_source_id") or "guest_source_id")
    for batch in batches:
        if state is None:
            outcome = import_write.guest_batch(settings.source, batch, allow_erased, write, actor)
        else:
            outcome = import_write.visit_batch(settings.source, batch, state, write)
        for line in outcome.errors:
            emit(line)
        report.errors += len(outcome.errors)
        if outcome.errors and write:
            raise _Changed
        if spool is not None and not report.errors:
            data = _pack(kind, batch)
            spool.write(len(data).to_bytes(8, "little") + data)
        for line in outcome.skipped_lines:
            if not write:
                emit(line)
        report.created += outcome.created
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        report.skipped += outcome.skipped
    if state is not None and write:
        import_bulk.refresh_guests(state.affected)


def run_import(
    kind: str,
    source: str,
    path: Path,
    actor: Actor,
    *,
    dry_run: bool = False,
    allow_erased: bool = False,
    filename: str = "",
    emit: Emit | None = None,
) -> ImportReport:
    """Import a guests or visits file for ``source``: check everything, then (not ``dry_run``) write all or nothing.

    Every error and skipped row goes to ``emit`` as one line (or, without it, to ``report.lines``, the
    first thousand); the report holds the counts. A file that cannot be read at all is one error line.
    Pass 1 keeps the checked rows in a temporary file, so pass 2 writes exactly what was checked.
    """
    check_kind_and_source(kind, source)
    report = ImportReport(kind=kind, source=source, filename=filename or path.name, dry_run=dry_run)
    if emit is None:

        def emit(line: str) -> None:
            if len(report.lines) < 1000:
                report.lines.append(line)

    settings = settings_for(kind, source)
    with tempfile.TemporaryFile(prefix="guestbook-import-") as spool:
        try:
            batches = _valid_batches(kind, path, settings, report, emit)
            _run_pass(kind, actor, settings, batches, report, emit, False, allow_erased, None if dry_run else spool)
        except ImportFileError as exc:
            emit(f"file: {exc}")
            report.errors += 1
        db.session.rollback()  # end pass 1's read transaction before the write begins
        if report.errors or dry_run:
            _record_run(report, actor)
            return report
        try:
            with write_transaction():
                _run_pass(kind, actor, settings, _spooled(kind, spool), report, emit, True, allow_erased)
                audit.record(
                    actor,
                    f"{'guest' if kind == 'guests' else 'visit'}_import",
                    None,
                    f"source={source} " + " ".join(f"{k}={v}" for k, v in report.counts().items()),
                )
                report.run_id = _add_run(report, actor).id
                report.committed = True
        except (_Changed, IntegrityError):  # someone imported or changed the same rows in between
            report.errors = max(report.errors, 1)
            emit(f"file: {gettext('the data changed while importing; nothing was written: run the import again')}")
            _record_run(report, actor)
    return report


def _add_run(report: ImportReport, actor: Actor) -> ImportRun:
    run = ImportRun(
        kind=report.kind,
        source=report.source,
        filename=report.filename[:255],
        dry_run=report.dry_run,
        run_by=actor.label[:200],
        **report.counts(),
    )
    db.session.add(run)
    db.session.flush()
    return run


def _record_run(report: ImportReport, actor: Actor) -> None:
    with write_transaction():
        report.run_id = _add_run(report, actor).id


def error_report_csv(lines: list[str]) -> str:
    """Error lines as a CSV (row, column, value, problem) for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "problem"])
    pattern = re.compile(r"^row (\d+), column (.*?): value '(.*)': (.*)$", re.DOTALL)
    for line in lines:
        match = pattern.match(line)
        writer.writerow(list(match.groups()) if match else ["", "", "", line])
    return out.getvalue()


def report_json(report: ImportReport) -> str:
    """The command's last line: the counts as one JSON object."""
    return json.dumps(report.counts())
