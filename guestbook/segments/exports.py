"""Any dashboard list out to a spreadsheet: CSV (UTF-8 with BOM, so Excel reads Thai and Chinese names) or XLSX.

Exports are for managers and admins and are audited: who took which list, in which format, how many guests.
Cells that a spreadsheet would run as a formula are quoted (``spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.segments import dashboard
from guestbook.text import spreadsheet_safe

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnknownList(ValueError):
    """A list or format that does not exist."""


def list_rows(kind: str, value: str, today: Any) -> list[dict[str, Any]]:
    """Every row of one dashboard list (up to ``EXPORT_LIMIT``), as column name → value."""
    if kind == "occasions":
        found, _ = dashboard.occasions(today, limit=dashboard.EXPORT_LIMIT)
        return dashboard.occasions_as_rows(found)
    page = dashboard.guest_lines(kind, value, limit=dashboard.EXPORT_LIMIT)
    if page is None:
        raise UnknownList(kind)
    return dashboard.lines_as_rows(page[0])


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """The rows as CSV, with a header line and a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[c]) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str) -> bytes:
    """The rows as one XLSX sheet: numbers stay numbers, text is guarded against formulas."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "list")
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_xlsx_value(row[c]) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return spreadsheet_safe(value)


def export(kind: str, value: str, fmt: str, actor: Actor, today: Any) -> tuple[bytes, str, str]:
    """One list in one format: (content, media type, file name); the export is audited."""
    if fmt not in FORMATS:
        raise UnknownList(fmt)
    rows = list_rows(kind, value, today)
    columns = dashboard.OCCASION_COLUMNS if kind == "occasions" else dashboard.LINE_COLUMNS
    name = f"guests-{kind}{'-' + _slug(value) if value else ''}"
    content = to_csv(rows, columns) if fmt == "csv" else to_xlsx(rows, columns, name)
    with write_transaction():
        audit.record(actor, "segments_export", detail=f"{kind} {value} {fmt} {len(rows)} rows".replace("  ", " "))
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    return content, media, f"{name}.{fmt}"


def _slug(value: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in value).strip("-").replace("--", "-")
