"""Import of an arrivals export (CSV or XLSX): saved column mapping per source, dry run, all-or-nothing commit.

A dry run parses and validates every row and reports every error with its row and column, plus a
preview of the first rows. A commit re-validates and writes every row in one transaction, or none.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from ..db import begin_write
from ..extensions import db
from ..models import ImportMapping
from . import audit
from .actor import Actor
from .reservations import ReservationError, ReservationIn, _upsert
from .schemas import field_errors

# Reservation fields an export can fill, and the header each defaults to.
FIELDS: dict[str, str] = {
    "external_id": "Booking ID",
    "arrival_date": "Date",
    "arrival_time": "Time",
    "outlet": "Outlet",
    "given_name": "First name",
    "family_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "birthday": "Birthday",
    "party_size": "Covers",
    "table": "Table",
    "nights": "Nights",
    "status": "Status",
    "occasion": "Occasion",
    "notes": "Notes",
}
REQUIRED = ("external_id", "arrival_date", "outlet")
GUEST_FIELDS = ("given_name", "family_name", "email", "phone", "birthday")
PREVIEW_ROWS = 10
MAX_ROWS = 20_000


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, no header, a mapped column missing)."""


@dataclass(frozen=True)
class RowError:
    """One problem: the file's row number (the header is row 1), the column header and the message."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """The result of a dry run or a commit."""

    source: str
    total_rows: int
    preview: list[dict[str, str]]
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when no row has an error."""
        return not self.errors


def default_mapping() -> dict[str, str]:
    """Field → header, as a fresh source starts."""
    return dict(FIELDS)


def mapping_for(source: str) -> dict[str, str]:
    """The saved mapping of a source, or the default one."""
    row = db.session.get(ImportMapping, source)
    saved = dict(row.mapping) if row is not None else {}
    return {key: str(saved.get(key, default)) for key, default in FIELDS.items()}


def save_mapping(source: str, mapping: dict[str, str], actor: Actor) -> None:
    """Remember how a source names its columns."""
    clean = {key: mapping.get(key, "").strip() for key in FIELDS}
    begin_write()
    row = db.session.get(ImportMapping, source)
    if row is None:
        db.session.add(ImportMapping(source=source, mapping=clean))
    else:
        row.mapping = clean
    audit.record(actor, "import_mapping", detail=source)
    db.session.commit()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a CSV (UTF-8, with or without BOM) or XLSX file, as text."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise ImportFileError(f"not a readable XLSX file ({exc.__class__.__name__})") from None
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("the CSV must be UTF-8") from None
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    else:
        raise ImportFileError("upload a .csv or .xlsx file")
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise ImportFileError("the file is empty")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(f"at most {MAX_ROWS} rows per file")
    return rows[0], rows[1:]


def _parse_time(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if " " in raw:  # "2026-11-22 19:30" from a spreadsheet date-time cell
        raw = raw.split()[-1]
    return raw


def _parse_date(raw: str) -> str:
    raw = raw.strip()
    if " " in raw:
        raw = raw.split()[0]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return raw


def _row_payload(values: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "outlet": values.get("outlet", ""),
        "arrival_date": _parse_date(values.get("arrival_date", "")),
    }
    arrival_time = _parse_time(values.get("arrival_time", ""))
    if arrival_time:
        payload["arrival_time"] = arrival_time
    for key in ("party_size", "nights"):
        if values.get(key):
            payload[key] = values[key]
    for key in ("table", "occasion", "notes"):
        if values.get(key):
            payload[key] = values[key]
    if values.get("status"):
        payload["status"] = values["status"].strip().lower().replace(" ", "-").replace("noshow", "no-show")
    payload["guest"] = {k: values[k] for k in GUEST_FIELDS if values.get(k)}
    return payload


def _prepare(
    source: str, header: list[str], rows: list[list[str]], mapping: dict[str, str]
) -> tuple[list[tuple[int, str, ReservationIn]], list[RowError], list[dict[str, str]]]:
    """Validate every row; return the valid ones, every error and a preview."""
    index = {h.strip().casefold(): i for i, h in enumerate(header)}
    errors: list[RowError] = []
    columns: dict[str, int] = {}
    for key, column in mapping.items():
        if column and column.strip().casefold() in index:
            columns[key] = index[column.strip().casefold()]
        elif key in REQUIRED:
            errors.append(RowError(1, column or key, f"required column {column or key!r} is not in the file"))
    if errors:
        return [], errors, []
    if "given_name" not in columns and "family_name" not in columns:
        return [], [RowError(1, mapping.get("family_name", ""), "the file needs a first or last name column")], []
    column_of = {key: mapping[key] for key in columns}
    valid: list[tuple[int, str, ReservationIn]] = []
    preview: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        values = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
        if len(preview) < PREVIEW_ROWS:
            preview.append({mapping[key]: values[key] for key in columns})
        external_id = values.get("external_id", "").strip()
        if not external_id:
            errors.append(RowError(n, column_of["external_id"], "required"))
            continue
        if external_id in seen:
            errors.append(RowError(n, column_of["external_id"], f"same booking id as row {seen[external_id]}"))
            continue
        seen[external_id] = n
        try:
            data = ReservationIn.model_validate(_row_payload(values))
        except ValidationError as exc:
            for loc, message in field_errors(exc).items():
                key = loc.split(".")[-1] if loc.startswith("guest.") else loc.split(".")[0]
                errors.append(RowError(n, column_of.get(key, column_of.get("family_name", key)), message))
            continue
        valid.append((n, external_id, data))
    return valid, errors, preview


def dry_run(source: str, filename: str, content: bytes, mapping: dict[str, str] | None = None) -> ImportReport:
    """Check a file without writing anything: every error (row and column) and the first rows."""
    mapping = mapping or mapping_for(source)
    header, rows = read_rows(filename, content)
    valid, errors, preview = _prepare(source, header, rows, mapping)
    if not errors:
        errors.extend(_check_outlets_and_ids(source, valid, mapping))
    return ImportReport(source=source, total_rows=len(rows), preview=preview, errors=errors)


def _check_outlets_and_ids(
    source: str, valid: list[tuple[int, str, ReservationIn]], mapping: dict[str, str]
) -> list[RowError]:
    import re

    from .outlets import outlet_by_code
    from .reservations import EXTERNAL_ID_PATTERN

    errors: list[RowError] = []
    known: dict[str, bool] = {}
    for n, external_id, data in valid:
        if not re.match(EXTERNAL_ID_PATTERN, external_id):
            errors.append(RowError(n, mapping["external_id"], "letters, digits, . _ : - only"))
        if data.outlet not in known:
            known[data.outlet] = outlet_by_code(data.outlet) is not None
        if not known[data.outlet]:
            errors.append(RowError(n, mapping["outlet"], f"no outlet with code {data.outlet!r}"))
    return errors


def commit_import(
    source: str, filename: str, content: bytes, actor: Actor, mapping: dict[str, str] | None = None
) -> ImportReport:
    """Write every row in one transaction, or nothing at all when any row has an error."""
    report = dry_run(source, filename, content, mapping)
    if not report.ok:
        return report
    header, rows = read_rows(filename, content)
    valid, _errors, _preview = _prepare(source, header, rows, mapping or mapping_for(source))
    begin_write()
    try:
        for n, external_id, data in valid:
            try:
                _reservation, created = _upsert(source, external_id, data, actor)
            except ReservationError as exc:
                column = (mapping or mapping_for(source)).get(exc.field, exc.field)
                report.errors.append(RowError(n, column, exc.message))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
        if report.errors:
            db.session.rollback()
            report.created = report.updated = 0
            return report
        audit.record(actor, "reservation_import", detail=f"{source}: {filename}, {len(valid)} rows")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    report.committed = True
    return report


def error_report_csv(report: ImportReport) -> str:
    """The errors as a CSV to download: row, column, problem."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "problem"])
    for error in report.errors:
        writer.writerow([error.row, error.column, error.message])
    return out.getvalue()
