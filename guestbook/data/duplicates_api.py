"""Duplicate endpoints of the JSON API (admins): the likely pairs, and "not the same person"."""

from __future__ import annotations

from typing import Annotated

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from guestbook.api.views import ApiError, _body, bp
from guestbook.data import duplicates
from guestbook.data.api import _whole_number
from guestbook.errors import MAX_URL_ID
from guestbook.security import role_required
from guestbook.staff.access import current_actor

GuestId = Annotated[int, Field(ge=1, le=MAX_URL_ID)]


class DuplicateRejectIn(BaseModel):
    """The two guests a person says are not the same: never suggested as a pair again."""

    model_config = ConfigDict(extra="forbid")

    # Two different guests (a pair of one answers 422); uniqueItems tells API clients so.
    guest_ids: Annotated[list[GuestId], Field(min_length=2, max_length=2, json_schema_extra={"uniqueItems": True})]


def pair_to_dict(pair: duplicates.Pair) -> dict[str, object]:
    """A pair as the API shows it: ``guest_ids`` (lower first), ``score`` 0–1, ``reasons`` (codes)."""
    return {"guest_ids": list(pair.guest_ids), "score": pair.score, "reasons": list(pair.reasons)}


@bp.get("/duplicates")
@role_required("admin")
def list_duplicates() -> Response:
    """Likely duplicate pairs from the last scan, highest score first."""
    limit = _whole_number("limit", duplicates.DEFAULT_LIMIT, 1, duplicates.MAX_LIMIT)
    pairs = duplicates.list_pairs(limit=limit or duplicates.DEFAULT_LIMIT)
    return jsonify({"pairs": [pair_to_dict(p) for p in pairs]})


@bp.post("/duplicates/reject")
@role_required("admin")
def reject_duplicate() -> Response:
    """ "Not the same person": the pair is remembered and never suggested again (audited on both guests)."""
    data = _body(DuplicateRejectIn)
    a, b = data.guest_ids
    try:
        duplicates.reject_pair(a, b, current_actor())
    except duplicates.SameGuest:
        raise ApiError(422, {"error": "validation failed", "fields": {"guest_ids": "two different guests"}}) from None
    except duplicates.GuestNotFound as exc:
        raise ApiError(404, {"error": f"no guest with id {exc.args[0]}"}) from None
    return jsonify({"guest_ids": sorted((a, b)), "rejected": True})
