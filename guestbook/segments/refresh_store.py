"""The refresh's writing half: guest_segment rows in and out as columns, without a Python object per value and row.

Writing: the rows come column by column; each column's values go through its type's bind processing for the
database in use (the same conversion an ORM or Core insert applies: dates and UTC datetimes to SQLite's text,
Decimal to its REAL) in one pass per column, and the rows then go to the driver's ``executemany`` in chunks.
Reading back (for an incremental refresh): only the figures and scores the scoring needs, as numpy columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, String, Table, Text, func, insert, literal_column, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by

from guestbook.extensions import db
from guestbook.segments.models import GuestSegment

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

SEGMENT_TABLE = cast(Table, GuestSegment.__table__)
CHUNK = 20_000  # rows built and written at a time: their Python values stay a few tens of MB


def insert_rows(columns: Mapping[str, Sequence[Any]], constants: Mapping[str, Any] | None = None) -> None:
    """Insert guest_segment rows given as equal-length columns of Python values, plus ``constants`` (one value for
    every row); together they name every column of the table."""
    constants = constants or {}
    connection = db.session.connection()
    dialect = connection.dialect
    names = [c.name for c in SEGMENT_TABLE.columns]
    if sorted(names) != sorted([*columns, *constants]):
        raise ValueError(f"columns differ from the table's: {sorted(set(names) ^ set(columns) ^ set(constants))}")
    count = len(next(iter(columns.values())))
    if count == 0:
        return
    processed: dict[str, Iterable[Any]] = {}
    for column in SEGMENT_TABLE.columns:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if column.name in constants:
            value = constants[column.name]
            processed[column.name] = itertools.repeat(value if process is None else process(value), count)
            continue
        values = columns[column.name]
        if len(values) != count:
            raise ValueError(f"column {column.name} has {len(values)} values, not {count}")
        processed[column.name] = values if process is None else [process(v) for v in values]
    compiled = insert(SEGMENT_TABLE).compile(dialect=dialect, column_keys=names)
    rows: list[Any]
    if compiled.positional:
        rows = list(zip(*(processed[key] for key in compiled.positiontup or ()), strict=True))
    else:
        ordered = zip(*(processed[key] for key in names), strict=True)
        rows = [dict(zip(names, values, strict=True)) for values in ordered]
    connection.exec_driver_sql(str(compiled), rows)


@dataclass(frozen=True)
class StoredScores:
    """The stored rows' figures the scoring reads, and their current scores (to write only those that move)."""

    guest_id: IntArray
    visits: IntArray
    visit_days: IntArray
    visits_12m: IntArray
    days_since_last: IntArray  # -1: never came
    spend_total: IntArray  # cents
    spend_window: IntArray  # cents
    p_active: FloatArray  # NaN: no model answer
    r: IntArray  # 0: no score
    f: IntArray
    m: IntArray
    rfm_name: ObjectArray
    tier: ObjectArray
    lifecycle: ObjectArray

    def __len__(self) -> int:
        return int(self.guest_id.size)


def _cents(column: Any) -> Any:
    return sql_cast(func.round(func.coalesce(column, literal_column("0")) * 100), BigInteger)


def _folded(columns: Sequence[Any]) -> list[str] | None:
    """Each column of every stored row as one comma-separated text (aligned), or None for plain rows.

    SQLite computes the ``group_concat`` side by side in one scan, so their items come in the same order;
    PostgreSQL is told the order. Other databases return None (the caller reads rows).
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        folds = [func.group_concat(c, type_=String) for c in columns]
    elif dialect == "postgresql":
        order: Any = aggregate_order_by(literal_column("','"), GuestSegment.guest_id)
        folds = [func.string_agg(sql_cast(c, Text), order, type_=String) for c in columns]
    else:
        return None
    texts = list(db.session.execute(select(*folds)).one())
    return ["" if text is None else text for text in texts]


def read_stored(excluded: Sequence[int]) -> StoredScores:
    """Every stored row except the ``excluded`` guests', as columns (ascending id)."""
    row = GuestSegment
    numbers = [
        row.guest_id,
        row.visits,
        row.visit_days,
        row.visits_12m,
        func.coalesce(row.days_since_last, -1),
        _cents(row.spend_total),
        _cents(row.spend_window),
        func.coalesce(row.r, 0),
        func.coalesce(row.f, 0),
        func.coalesce(row.m, 0),
    ]
    names = [func.coalesce(row.rfm_name, ""), row.tier, func.coalesce(row.lifecycle, "")]
    p_active = func.coalesce(row.p_active, -1.0)  # a probability: -1 stands for none
    texts = _folded([*numbers, p_active, *names])
    if texts is None:
        rows = db.session.execute(select(*numbers, p_active, *names)).all()
        columns: list[Any] = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(14)]
        ints = [np.array(c, dtype=np.int64) for c in columns[:10]]
        probability = np.array(columns[10], dtype=np.float64)
    else:
        # numpy parses the numbers in C; the names are split in Python (a few hundred thousand short strings)
        ints = [np.fromstring(text, dtype=np.int64, sep=",") for text in texts[:10]]
        probability = np.fromstring(texts[10], dtype=np.float64, sep=",")
        columns = [[] for _ in range(11)] + [text.split(",") if text else [] for text in texts[11:]]
    text_columns = [np.array([v or None for v in c], dtype=object) for c in columns[11:]]
    if not all(a.size == ints[0].size for a in [*ints, probability, *text_columns]):
        raise ValueError("stored rows read back in columns of different lengths")
    kept = np.flatnonzero(~np.isin(ints[0], np.asarray(excluded, dtype=np.int64)))
    keep = kept[np.argsort(ints[0][kept], kind="stable")]
    guest_id, visits, visit_days, visits_12m, days_since_last, spend_total, spend_window, r, f, m = (
        a[keep] for a in ints
    )
    rfm_name, tier, lifecycle = (a[keep] for a in text_columns)
    p = probability[keep]
    return StoredScores(
        guest_id, visits, visit_days, visits_12m, days_since_last, spend_total, spend_window,
        np.where(p < 0, np.nan, p), r, f, m, rfm_name, tier, lifecycle,
    )  # fmt: skip
