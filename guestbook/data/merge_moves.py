"""How a merge moves one guest's rows onto another and an undo moves them back (see ``guestbook.data.merges``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from guestbook.data import merge_rows as rows
from guestbook.data.models import GuestMerge
from guestbook.extensions import db


def snapshot(guest_id: int) -> dict[str, Any]:
    """The guest row, its profile rows (allergies, tags, photo, …) whole, and the keys of every linked row."""
    table = rows.guest_table()
    row = db.session.execute(select(table).where(table.c.id == guest_id)).mappings().one()
    owned: dict[str, list[Any]] = {}
    for link in rows.guest_links():
        if link.table.name not in rows.SEARCH_TABLES:
            owned[link.key] = [rows.pk_of(link.table, r) for r in rows.rows_of(link, guest_id)]
    profile = {
        link.table.name: [rows.encode_row(link.table, r) for r in rows.rows_of(link, guest_id)]
        for link in rows.snapshot_tables()
    }
    return {"guest": rows.encode_row(table, row), "rows": profile, "owned": owned}


def same_allergy(row: Any, theirs: list[Any]) -> bool:
    """Whether ``theirs`` already has this allergy (same allergen whatever the case, severity and note)."""
    key = (row["allergen"].strip().casefold(), row["severity"], row["note"].strip())
    return any((r["allergen"].strip().casefold(), r["severity"], r["note"].strip()) == key for r in theirs)


def move_link(link: rows.Link, keep_id: int, other_id: int, merge_id: int, moved: dict[str, Any]) -> None:
    """Move the other's rows of one link onto the survivor; drop or rename the ones that cannot move."""
    table = link.table
    if rows.is_plain(link):
        pks = rows.move_all(link, other_id, keep_id)
        if pks:
            moved.setdefault(link.key, []).extend(pks)
        return
    mine = rows.rows_of(link, keep_id)
    uniques = rows.unique_keys(link)
    taken = {name: {tuple(r[c.name] for c in cols) for r in mine} for name, cols in uniques}
    others = [c for c in rows.guest_columns(table) if c is not link.column]
    for row in rows.rows_of(link, other_id):
        new = dict(row)
        new[link.column.name] = keep_id
        drop = table.name in rows.DROP_TABLES or any(new[c.name] == keep_id for c in others)
        drop = drop or (table.name == "allergy" and same_allergy(row, mine))
        renamed: dict[str, Any] = {}
        for name, cols in uniques:
            if drop:
                break
            key = tuple(new[c.name] for c in cols)
            if None in key or key not in taken[name]:
                continue
            column_name = rows.RENAME_ON_CONFLICT.get(name)
            if column_name is None:
                drop = True
                break
            length = getattr(table.c[column_name].type, "length", None)
            renamed[column_name] = new[column_name]
            new[column_name] = rows.with_suffix(str(new[column_name]), f"~m{merge_id}", length)
        pk = rows.pk_of(table, row)
        if drop:
            moved.setdefault("_dropped", []).append({"table": table.name, "row": rows.encode_row(table, row)})
            rows.delete_row(table, pk)
            continue
        changes = {link.column.name: keep_id, **{c: new[c] for c in renamed}}
        rows.update_row(table, pk, changes)
        for column_name, original in renamed.items():
            moved.setdefault("_renamed", []).append(
                {"table": table.name, "pk": rows.pk_of(table, new), "column": column_name, "value": original}
            )
        moved.setdefault(link.key, []).append(rows.pk_of(table, new))
        for name, cols in uniques:
            taken[name].add(tuple(new[c.name] for c in cols))


def summary(table: str, row: Any) -> str:
    """A short line for the review list (what the row is, not everything in it)."""
    describe = {
        "visit": lambda r: f"{r['visited_at']:%Y-%m-%d} {r['table']}".strip(),
        "preference": lambda r: f"{r['category']}: {r['value']}",
        "allergy": lambda r: f"{r['allergen']} ({r['severity']})",
        "guest_note": lambda r: str(r["body"])[:80],
        "letter": lambda r: f"{r['kind']} {r['period_key']}",
        "reservation": lambda r: f"{r['arrival_date']:%Y-%m-%d} x{r['party_size']}",
        "contact_suggestion": lambda r: str(r["kind"]),
        "guest_tag": lambda r: f"tag {r['tag_id']}",
    }.get(table)
    if describe is None:
        return table
    try:
        return str(describe(row))
    except (KeyError, TypeError, ValueError):
        return table


def restore_profile_rows(merge: GuestMerge) -> None:
    """Put the snapshot tables' rows of both guests back as they were (moved back, re-inserted, or reset)."""
    for name in rows.SNAPSHOT_TABLES:
        table = rows.table_named(name)
        if table is None:
            continue
        for before in (merge.keep_before, merge.other_before):
            for encoded in before.get("rows", {}).get(name, []):
                values = rows.decode_row(encoded)
                pk = rows.pk_of(table, values)
                if rows.row_by_pk(table, pk) is None:
                    rows.insert_row(table, values)
                else:
                    rows.update_row(table, pk, values)


def move_back(merge: GuestMerge) -> None:
    """Move the rows that were the other's back to it, restore renamed keys, re-insert dropped rows."""
    links = {link.key: link for link in rows.guest_links()}
    for key, pks in merge.moved.items():
        link = links.get(key)
        if key.startswith("_") or link is None:
            continue
        rows.move_back(link, pks, merge.keep_id, merge.other_id)
    for item in merge.moved.get("_renamed", []):
        table = rows.table_named(item["table"])
        if table is None:
            continue
        pk = item["pk"]
        # The pk was recorded on the survivor; a moved-back row's pk is the same unless it holds the guest id.
        for candidate in (pk, swap_guest(table, pk, merge.keep_id, merge.other_id)):
            if rows.row_by_pk(table, candidate) is not None:
                rows.update_row(table, candidate, {item["column"]: item["value"]})
                break
    for item in merge.other_before.get("dropped", []):
        table = rows.table_named(item["table"])
        if table is None:
            continue
        values = rows.decode_row(item["row"])
        if rows.row_by_pk(table, rows.pk_of(table, values)) is None:
            rows.insert_row(table, values)


def swap_guest(table: Any, pk: Any, keep_id: int, other_id: int) -> Any:
    """``pk`` with the survivor's id in a guest column replaced by the other's (a key that holds the guest)."""
    names = [c.name for c in table.primary_key.columns]
    guest_names = {c.name for c in rows.guest_columns(table)}
    values = [
        other_id if n in guest_names and v == keep_id else v for n, v in zip(names, rows.pk_tuple(pk), strict=True)
    ]
    return values[0] if len(values) == 1 else values
