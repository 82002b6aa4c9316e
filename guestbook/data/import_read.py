"""Reading import files: CSV (encoding detected or chosen) and XLSX, streamed row by row, never whole.

Encoding detection ("auto"), on a sample of the file's first bytes:

1. A byte-order mark decides: UTF-8 (BOM), UTF-16 LE/BE (BOM).
2. NUL bytes or many other control bytes (without a UTF-16 BOM): not a text file (binary junk).
3. The sample decodes as strict UTF-8 (a character cut at the sample's end is allowed): UTF-8.
4. Otherwise a choice among the legacy Windows code pages cp874 (Thai), cp936 (Chinese) and cp1252
   (Western European): each one that decodes the sample without error gets a score, the share of its
   non-ASCII characters that look like plausible letters of the script that code page is for —
   Thai spelt as Thai is (vowel and tone marks on a consonant, a leading vowel before one: cp874);
   Chinese characters (not kana, Greek or box drawing, which GBK's symbol rows hold) not glued
   to a Latin letter before them (cp936: an accented Latin letter read as the lead byte of a Chinese
   character swallows the ASCII letter after it); Latin letters beside an ASCII letter (cp1252: Thai or
   Chinese bytes read as cp1252 become runs of symbols and capitals with no ASCII letter nearby). The
   best score wins if it is at least one half; else the file cannot be read without choosing the
   encoding in the source's settings.

A byte that the chosen encoding cannot decode later in the file is one clear error naming the row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from guestbook.i18n import gettext

SAMPLE_BYTES = 4 * 1024 * 1024  # "a large sample": the encoding of the first 4 MB decides
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "utf-16", "cp1252", "cp874", "cp936")
LEGACY = ("cp874", "cp936", "cp1252")
MAX_CELL = 1024 * 1024  # a notes cell may be long; a megabyte is plenty


class ImportFileError(ValueError):
    """The file as a whole cannot be read (empty, binary, no header, undecodable): nothing is imported."""


@dataclass
class OpenedFile:
    """An open import file: its header (stripped), its data rows (streamed) and the encoding used.

    Use it as a context manager (or call ``close``): the file stays open while the rows are read.
    """

    header: list[str]
    rows: Iterator[Row]
    encoding: str
    close: Callable[[], None]

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it (header = row 1) and its cells as text."""

    number: int
    cells: list[str]


_THAI_CONSONANT = range(0x0E01, 0x0E2F)
_THAI_LEADING_VOWEL = range(0x0E40, 0x0E45)
_THAI_UPPER_LOWER_VOWEL = frozenset((0x0E31, *range(0x0E34, 0x0E3B), 0x0E47))
_THAI_TONE = frozenset(range(0x0E48, 0x0E4E))


def _letter_share_thai(text: str) -> float:
    """Thai spelling: marks sit on a consonant (a tone mark may follow a vowel mark); a leading vowel
    comes before a consonant. Chinese bytes read as cp874 break these rules at every few letters."""
    total = plausible = 0
    for i, ch in enumerate(text):
        code = ord(ch)
        if code < 128:
            continue
        total += 1
        prev = ord(text[i - 1]) if i else 0
        nxt = ord(text[i + 1]) if i + 1 < len(text) else 0
        if code in _THAI_CONSONANT or code in (0x0E30, 0x0E32, 0x0E33, 0x0E45, 0x0E46):
            ok = True
        elif code in _THAI_LEADING_VOWEL:
            ok = nxt in _THAI_CONSONANT
        elif code in _THAI_UPPER_LOWER_VOWEL:
            ok = prev in _THAI_CONSONANT
        elif code in _THAI_TONE:
            ok = prev in _THAI_CONSONANT or prev in _THAI_UPPER_LOWER_VOWEL
        else:
            ok = False
        plausible += ok
    return plausible / total if total else 0.0


def _letter_share_chinese(text: str) -> float:
    total = plausible = 0
    prev = ""
    for ch in text:
        code = ord(ch)
        if code < 128:
            prev = ch
            continue
        total += 1
        cjk = 0x3400 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF
        if cjk and not (prev.isascii() and prev.isalnum()):
            plausible += 1
        prev = ch
    return plausible / total if total else 0.0


def _letter_share_latin(text: str) -> float:
    total = plausible = 0
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        total += 1
        if 0xC0 <= ord(ch) <= 0x24F and ch.isalpha():
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                plausible += 1
    return plausible / total if total else 0.0


_SCORERS = {"cp874": _letter_share_thai, "cp936": _letter_share_chinese, "cp1252": _letter_share_latin}


def _decodes(sample: bytes, encoding: str) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return str(decoder.decode(sample, final=False))
    except UnicodeDecodeError:
        return None


def guess_legacy(sample: bytes) -> str | None:
    """The legacy code page whose reading of ``sample`` looks most like text (see the module's note), or None."""
    best, best_score = None, 0.0
    for encoding in LEGACY:
        text = _decodes(sample, encoding)
        if text is None:
            continue
        score = _SCORERS[encoding](text)
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= 0.5 else None


def _looks_binary(sample: bytes) -> bool:
    """More than 1% control bytes (NUL included): no spreadsheet export looks like that; a stray one is a row error."""
    head = sample[:65536]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > 8 and controls * 100 > len(head)


def detect_encoding(sample: bytes, at_end: bool) -> str:
    """The encoding of a CSV file from its first bytes (``at_end``: the sample is the whole file)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_binary(sample):
        raise ImportFileError(gettext("not a CSV or XLSX file (binary data)"))
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(sample, final=at_end)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = guess_legacy(sample)
    if legacy is None:
        raise ImportFileError(
            gettext("the file's encoding is not recognised: choose it in the source's settings (e.g. cp874)")
        )
    return legacy


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def is_xlsx(path: Path) -> bool:
    """Whether the file is a ZIP container (XLSX), whatever its name says."""
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def open_rows(path: Path, encoding: str = "auto") -> OpenedFile:
    """The file opened: header, data rows (streamed) and the encoding used ("xlsx" for a workbook).

    Raises ImportFileError for an empty file, binary junk, an unreadable encoding or a missing header.
    Iterating the rows may raise ImportFileError too (bytes the encoding cannot decode, a broken workbook).
    """
    if path.stat().st_size == 0:
        raise ImportFileError(gettext("the file is empty"))
    if is_xlsx(path):
        return _open_xlsx(path)
    return _open_csv(path, encoding)


def _open_csv(path: Path, encoding: str) -> OpenedFile:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        at_end = not handle.read(1)
    if encoding in ("", "auto"):
        encoding = detect_encoding(sample, at_end)
    elif encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif _looks_binary(sample) and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(gettext("not a CSV or XLSX file (binary data)"))
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    try:
        first_line = text.readline()
        text.seek(0)
    except UnicodeDecodeError:
        text.close()
        raise ImportFileError(_undecodable(encoding, 1)) from None
    if csv.field_size_limit() < MAX_CELL:
        csv.field_size_limit(MAX_CELL)
    reader = csv.reader(text, delimiter=_delimiter(first_line), strict=False)
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error):
        text.close()
        raise ImportFileError(_undecodable(encoding, 1)) from None
    if header is None or not any(cell.strip() for cell in header):
        text.close()
        raise ImportFileError(gettext("the file has no header row (row 1 must name the columns)"))
    return OpenedFile([cell.strip() for cell in header], _csv_rows(reader, encoding), encoding, text.close)


def _undecodable(encoding: str, row: int) -> str:
    return gettext(
        "row %(row)d: the file is not valid %(encoding)s text: choose its encoding in the source's settings",
        row=row,
        encoding=encoding,
    )


def _csv_rows(reader: Any, encoding: str) -> Iterator[Row]:
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise ImportFileError(_undecodable(encoding, number + 1)) from None
        except csv.Error as exc:
            raise ImportFileError(
                gettext("row %(row)d: not a CSV row (%(reason)s)", row=number + 1, reason=str(exc))
            ) from None
        number += 1
        yield Row(number, cells)


def cell_text(value: Any) -> str:
    """A workbook cell as text: dates as ISO (a time only when it has one), whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.microsecond == 0 else "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_xlsx(path: Path) -> OpenedFile:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError(gettext("not a readable XLSX workbook")) from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        book.close()
        raise ImportFileError(gettext("the workbook has no sheet"))
    rows = sheet.iter_rows(values_only=True)
    try:
        first = next(rows, None)
    except Exception:
        book.close()
        raise ImportFileError(gettext("not a readable XLSX workbook")) from None
    header = [cell_text(v).strip() for v in first] if first else []
    while header and not header[-1]:
        header.pop()  # openpyxl reports the sheet's full width; trailing empty headers are not columns
    if not any(header):
        book.close()
        raise ImportFileError(gettext("the file has no header row (row 1 must name the columns)"))
    return OpenedFile(header, _xlsx_rows(rows, len(header)), "xlsx", book.close)


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], width: int) -> Iterator[Row]:
    number = 1
    try:
        for values in rows:
            number += 1
            cells = [cell_text(v) for v in values]
            extra = cells[width:]
            cells = cells[:width] if not any(c.strip() for c in extra) else cells
            yield Row(number, cells)
    except Exception:
        raise ImportFileError(gettext("row %(row)d: not a readable XLSX workbook", row=number)) from None
