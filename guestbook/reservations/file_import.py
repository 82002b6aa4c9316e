"""Import of an arrivals export (CSV or XLSX): saved column mapping per source, dry run, all-or-nothing commit.

A dry run parses and validates every row and reports every error with its row and column, warnings
(past dates), how each outlet value of the file maps to our outlets, and a preview of the first rows.
A commit re-validates and writes every row in one transaction, or none.

Outlet values map like columns do: a value is our outlet when it is one of our codes or names, when a
manager mapped it for this source (saved with the column mapping), or when it names a kind we have
exactly one of ("bar" → the Bamboo Bar); anything else is an error naming the row and column.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from guestbook import audit
from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.i18n import format_day, gettext
from guestbook.reservations.bookings import EXTERNAL_ID_PATTERN, ReservationError, ReservationIn, upsert_reservation
from guestbook.reservations.import_outlets import OUTLET_VALUES_KEY, OutletValue, resolve_outlet_values
from guestbook.reservations.models import ImportMapping
from guestbook.text import SPACE_CLASS, find_control_char
from guestbook.validation import field_errors

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
# Strip spaces at the ends of a cell, but not control characters: those are reported, not hidden.
_EDGE_SPACES = re.compile(f"^[{SPACE_CLASS}]+|[{SPACE_CLASS}]+$")


def _strip(text: str) -> str:
    return _EDGE_SPACES.sub("", text)


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, no header, a mapped column missing)."""


@dataclass(frozen=True)
class RowError:
    """One problem: the file's row number (the header is row 1), the column header and the message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext(
            "row %(row)d, column %(column)s: %(message)s", row=self.row, column=self.column, message=self.message
        )


@dataclass(frozen=True)
class PreviewRow:
    """One row as it will be imported, in a few columns that fit a tablet or a 1024 px screen."""

    row: int
    booking: str
    day: str
    time: str
    outlet: str
    guest: str
    contact: str
    party: str
    table: str
    status: str
    notes: str


@dataclass
class ImportReport:
    """The result of a dry run or a commit."""

    source: str
    total_rows: int
    preview: list[dict[str, str]]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    outlet_values: list[OutletValue] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    committed: bool = False

    @property
    def landing_date(self) -> date | None:
        """Where a manager goes after the import: the first imported date from today on, else the first."""
        if not self.dates:
            return None
        today = property_today()
        return next((d for d in self.dates if d >= today), self.dates[0])

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
    """Remember how a source names its columns (its outlet values stay as saved)."""
    clean: dict[str, Any] = {key: mapping.get(key, "").strip() for key in FIELDS}
    with write_transaction():
        row = db.session.get(ImportMapping, source)
        if row is None:
            db.session.add(ImportMapping(source=source, mapping=clean))
        else:
            row.mapping = {**clean, OUTLET_VALUES_KEY: dict(row.mapping.get(OUTLET_VALUES_KEY) or {})}  # kept
        audit.record(actor, "import_mapping", detail=source)


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
    return _strip(str(value))


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a CSV (UTF-8, with or without BOM) or XLSX file, as text."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad file
            raise ImportFileError(
                gettext("not a readable XLSX file (%(error)s)", error=exc.__class__.__name__)
            ) from None
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(gettext("the CSV must be UTF-8")) from None
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        rows = [[_strip(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    else:
        raise ImportFileError(gettext("upload a .csv or .xlsx file"))
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ImportFileError(gettext("the file is empty"))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(gettext("at most %(num)d rows per file", num=MAX_ROWS))
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


def _row_payload(values: dict[str, str], outlet_code: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "outlet": outlet_code or values.get("outlet", ""),
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


def _preview_row(n: int, values: dict[str, str], outlet: OutletValue | None) -> PreviewRow:
    get = values.get
    return PreviewRow(
        row=n,
        booking=get("external_id", ""),
        day=_parse_date(get("arrival_date", "")),
        time=_parse_time(get("arrival_time", "")) or "",
        outlet=(outlet.name if outlet and outlet.code else get("outlet", "")),
        guest=" ".join(p for p in (get("given_name", ""), get("family_name", "")) if p),
        contact=get("email", "") or get("phone", ""),
        party=get("party_size", ""),
        table=get("table", ""),
        status=get("status", ""),
        notes=" · ".join(p for p in (get("occasion", ""), get("notes", "")) if p),
    )


@dataclass
class _Checked:
    """Everything a dry run learns: the report and the rows ready to write."""

    report: ImportReport
    valid: list[tuple[int, str, ReservationIn]]
    column_of: dict[str, str]


def _check(source: str, filename: str, content: bytes, mapping: dict[str, str]) -> _Checked:
    """Read and validate every row; every error and warning with its row and column."""
    header, rows = read_rows(filename, content)
    report = ImportReport(source=source, total_rows=len(rows), preview=[])
    index = {h.strip().casefold(): i for i, h in enumerate(header)}
    columns: dict[str, int] = {}
    for key, column in mapping.items():
        if column and column.strip().casefold() in index:
            columns[key] = index[column.strip().casefold()]
        elif key in REQUIRED:
            missing = gettext("required column %(column)s is not in the file", column=repr(column or key))
            report.errors.append(RowError(1, column or key, missing))
    if report.errors:
        return _Checked(report, [], {})
    if "given_name" not in columns and "family_name" not in columns:
        needs_name = gettext("the file needs a first or last name column")
        report.errors.append(RowError(1, mapping.get("family_name", ""), needs_name))
        return _Checked(report, [], {})
    column_of = {key: mapping[key] for key in columns}
    cells = [{key: (row[i] if i < len(row) else "") for key, i in columns.items()} for row in rows]
    counts: dict[str, int] = {}
    for values in cells:
        counts[values["outlet"]] = counts.get(values["outlet"], 0) + 1
    report.outlet_values = resolve_outlet_values(source, {v: c for v, c in counts.items() if v})
    outlets = {o.value: o for o in report.outlet_values}
    today = property_today()
    valid: list[tuple[int, str, ReservationIn]] = []
    dates: set[date] = set()
    seen: dict[str, int] = {}
    for n, values in enumerate(cells, start=2):
        outlet = outlets.get(values["outlet"])
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append({mapping[key]: values[key] for key in columns})
            report.rows.append(_preview_row(n, values, outlet))
        controls = [(key, find_control_char(v)) for key, v in values.items()]
        bad = [(key, char) for key, char in controls if char]
        for key, char in bad:
            found = gettext("control characters are not allowed (found %(char)s)", char=char)
            report.errors.append(RowError(n, column_of[key], found))
        external_id = values.get("external_id", "").strip()
        if bad:
            continue
        if not external_id:
            report.errors.append(RowError(n, column_of["external_id"], gettext("required")))
            continue
        if external_id in seen:
            same = gettext("same booking id as row %(row)d", row=seen[external_id])
            report.errors.append(RowError(n, column_of["external_id"], same))
            continue
        seen[external_id] = n
        if not re.match(EXTERNAL_ID_PATTERN, external_id):
            report.errors.append(RowError(n, column_of["external_id"], gettext("letters, digits, . _ : - only")))
        code = outlet.code if outlet else None
        if code is None:
            report.errors.append(
                RowError(
                    n,
                    column_of["outlet"],
                    gettext("no outlet of ours matches %(value)s: map it below", value=repr(values["outlet"])),
                )
            )
        try:
            # An unmapped outlet is reported above; validate the rest of the row all the same.
            data = ReservationIn.model_validate(_row_payload(values, code or "unmapped"))
        except ValidationError as exc:
            for loc, message in field_errors(exc).items():
                key = loc.split(".")[-1] if loc.startswith("guest.") else loc.split(".")[0]
                report.errors.append(RowError(n, column_of.get(key, column_of.get("family_name", key)), message))
            continue
        if data.arrival_date < today:
            report.warnings.append(
                RowError(
                    n,
                    column_of["arrival_date"],
                    gettext(
                        "%(day)s is before today (%(today)s): a past booking",
                        day=format_day(data.arrival_date),
                        today=format_day(today),
                    ),
                )
            )
        dates.add(data.arrival_date)
        if code is not None:
            valid.append((n, external_id, data))
    report.dates = sorted(dates)
    return _Checked(report, valid, column_of)


def dry_run(source: str, filename: str, content: bytes, mapping: dict[str, str] | None = None) -> ImportReport:
    """Check a file without writing anything: every error and warning (row and column), outlets, the first rows."""
    return _check(source, filename, content, mapping or mapping_for(source)).report


def commit_import(
    source: str, filename: str, content: bytes, actor: Actor, mapping: dict[str, str] | None = None
) -> ImportReport:
    """Write every row in one transaction, or nothing at all when any row has an error."""
    checked = _check(source, filename, content, mapping or mapping_for(source))
    report = checked.report
    if not report.ok:
        return report
    try:
        with write_transaction():
            for n, external_id, data in checked.valid:
                try:
                    _reservation, created = upsert_reservation(source, external_id, data, actor)
                except ReservationError as exc:
                    report.errors.append(RowError(n, checked.column_of.get(exc.field, exc.field), exc.message))
                    continue
                if created:
                    report.created += 1
                else:
                    report.updated += 1
            if report.errors:
                raise _RowErrors  # rolls the whole file back
            audit.record(actor, "reservation_import", detail=f"{source}: {filename}, {len(checked.valid)} rows")
    except _RowErrors:
        report.created = report.updated = 0
        return report
    report.committed = True
    return report


class _RowErrors(Exception):
    """Some rows of an all-or-nothing import failed: nothing is written."""


def error_report_csv(report: ImportReport) -> str:
    """The errors as a CSV to download: row, column, problem."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "problem"])
    for error in report.errors:
        writer.writerow([error.row, error.column, error.message])
    return out.getvalue()
