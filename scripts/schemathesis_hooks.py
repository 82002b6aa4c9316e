"""Schemathesis hooks for scripts/schemathesis_run.py: what the test database holds, told to the tester.

A few rules depend on data or on today, so no OpenAPI schema can state them: an outlet code or a
guest id must exist, a reservation id must be this guest's, a visit may be at most a day ahead, a
booking at most two years ahead, a birthday not in the future. The document says each of them in
words and the server answers 422 naming the field. For positive cases only (requests the tester
believes valid) this hook puts in an existing outlet and guest and moves such dates into range;
negative cases are left exactly as generated, so every rejection is still checked.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.hooks import HookContext

OUTLETS = [code for code in os.environ.get("GUESTBOOK_ST_OUTLETS", "").split(",") if code]
GUEST_IDS = [int(x) for x in os.environ.get("GUESTBOOK_ST_GUEST_IDS", "").split(",") if x]
MERGE_IDS = [int(x) for x in os.environ.get("GUESTBOOK_ST_MERGE_IDS", "").split(",") if x]


def _pick(options: list[Any], seed: object) -> Any:
    """A stable choice (the same generated value always maps to the same existing one)."""
    return options[sum(map(ord, str(seed))) % len(options)]


def _past_year(value: str, latest: date, year: int) -> str:
    """``value`` (an ISO date or date-time) with its year set to ``year`` when its date is after ``latest``."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{year:04d}{value[4:]}" if day > latest else value


def _fix_guest_fields(fields: dict[str, Any], today: date) -> None:
    for key in ("birthday", "anniversary"):
        value = fields.get(key)
        if isinstance(value, str) and not value.strip().startswith("--"):
            fields[key] = _past_year(value.strip(), today, 2000)


def _fix_body(body: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    today = now.date()
    if isinstance(body.get("outlet"), str) and OUTLETS:
        body["outlet"] = _pick(OUTLETS, body["outlet"])
    if isinstance(body.get("guest_id"), int | float) and not isinstance(body["guest_id"], bool) and GUEST_IDS:
        body["guest_id"] = _pick(GUEST_IDS, body["guest_id"])
    if body.get("reservation_id") is not None:
        body["reservation_id"] = None
    if isinstance(body.get("tags"), list):  # tags must exist; an empty list is always valid
        body["tags"] = []
    if isinstance(body.get("visited_at"), str):
        body["visited_at"] = _past_year(body["visited_at"], today, 2020)
    if isinstance(body.get("arrival_date"), str):
        body["arrival_date"] = _past_year(body["arrival_date"], today + timedelta(days=700), 2024)
    _fix_guest_fields(body, today)
    if isinstance(body.get("guest"), dict):
        _fix_guest_fields(body["guest"], today)


def _fix_merge(case: Case) -> None:
    """Merge only the guests kept apart for it (a merge removes the other guest, whose id other requests use),
    and never a guest into itself (a 422 no schema can state)."""
    body = case.body
    if case.operation.path != "/guests/{guest_id}/merge" or not isinstance(body, dict):
        return
    other = body.get("other_id")
    if other is None or isinstance(other, bool) or not MERGE_IDS:
        return
    keep = str((case.path_parameters or {}).get("guest_id"))
    candidates = [g for g in MERGE_IDS if str(g) != keep]
    if candidates:
        body["other_id"] = _pick(candidates, other)


def _fix_relationship(case: Case) -> None:
    """An existing other guest that no merge removes, never the guest themself (a 422 no schema can state).

    A generated id may be one the merge endpoint has merged away (its 404 names ``merged_into``, tested
    in pytest); the stateful phase would read that as the just-created guest not being found.
    """
    body = case.body
    if case.operation.path != "/guests/{guest_id}/relationships" or not isinstance(body, dict):
        return
    me = str((case.path_parameters or {}).get("guest_id"))
    others = [g for g in GUEST_IDS if str(g) != me]
    other = body.get("other_id")
    if isinstance(other, int | float) and not isinstance(other, bool) and others:  # 19.0 is a valid integer too
        body["other_id"] = _pick(others, other)


def _fix_duplicates(case: Case) -> None:
    """Not the same person: two existing, different guests (unknown ids only ever answer 404)."""
    body = case.body
    if case.operation.path != "/duplicates/reject" or not isinstance(body, dict) or len(GUEST_IDS) < 2:
        return
    ids = body.get("guest_ids")
    if isinstance(ids, list) and len(ids) == 2 and all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        first = _pick(GUEST_IDS, ids[0])
        body["guest_ids"] = [first, _pick([g for g in GUEST_IDS if g != first], ids[1])]


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    """Positive cases: refer to data that exists and keep dates in the server's moving window.

    Done just before the call (not when the case is generated) so that values the stateful phase
    copies from earlier responses, such as another guest's reservation id, are covered too.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if isinstance(case.body, dict):
        _fix_body(case.body)
        _fix_merge(case)
        _fix_relationship(case)
        _fix_duplicates(case)
    query = case.query
    if (
        case.operation.path == "/feedback/report"
        and isinstance(query, dict)
        and isinstance(query.get("from"), str)
        and isinstance(query.get("to"), str)
        and query["from"] > query["to"]
    ):  # a window that ends before it starts is a 422 no schema can state
        query["from"], query["to"] = query["to"], query["from"]
    if isinstance(query, dict) and isinstance(query.get("outlet"), str) and query["outlet"] and OUTLETS:
        query["outlet"] = _pick(OUTLETS, query["outlet"])
