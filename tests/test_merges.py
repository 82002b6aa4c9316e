"""Merging two guests and undoing the merge (the rules, without HTTP)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from guestbook.audit import AuditEvent
from guestbook.data import merges
from guestbook.data.models import DuplicatePair, GuestMerge, GuestSourceRef, MergedGuest, NotDuplicate
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.guests import notes, photos, search_results, tags
from guestbook.guests.models import Allergy, Guest, GuestNote, GuestPhoto, Preference, Visit, guest_tag
from guestbook.guests.profiles import guest_to_dict
from guestbook.guests.schemas import AllergyIn, PreferenceCreate
from guestbook.letters.models import Letter, LetterBatch
from guestbook.reservations import bookings as reservations
from guestbook.reservations.models import PossibleMatch, Reservation

from .factories import ACTOR, add_visits, make_guest

CHILD_MODELS: list[Any] = [Visit, Preference, Allergy, GuestNote, Letter, Reservation, GuestSourceRef]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _book(ext: str, guest_id: int, day: date) -> None:
    body = {"outlet": "terrace", "arrival_date": day.isoformat(), "guest_id": guest_id, "party_size": 2}
    reservations.upsert_reservation("pms", ext, reservations.ReservationIn.model_validate(body), ACTOR)


def _letter(guest_id: int, period: str, lapse: str | None = None, kind: str = "birthday") -> int:
    with write_transaction():
        batch = db.session.scalar(select(LetterBatch).where(LetterBatch.run_date == date(2026, 1, 5)))
        if batch is None:
            batch = LetterBatch(run_date=date(2026, 1, 5))
            db.session.add(batch)
            db.session.flush()
        family = "birthday" if kind == "birthday" else kind
        letter = Letter(
            batch_id=batch.id, guest_id=guest_id, kind=kind, family=family, period_key=period, lapse_key=lapse
        )
        db.session.add(letter)
        db.session.flush()
        return letter.id


def _source_ref(guest_id: int, source_id: str) -> None:
    with write_transaction():
        db.session.add(GuestSourceRef(source="pms", source_id=source_id, guest_id=guest_id, row_digest="x"))


def _rich_pair() -> tuple[int, int]:
    """Two profiles of one person, each with a bit of everything (Thai and Japanese names included)."""
    keep = make_guest(
        given_name="สมชาย",
        family_name="ใจดี",
        email="somchai@example.test",
        notes="Likes the corner table.",
        allergies=[{"allergen": "Peanut", "severity": "anaphylaxis"}],
        birthday="1980-04-02",
    ).id
    other = make_guest(
        given_name="Somchai",
        family_name="Jaidee",
        phone="+66 81 555 0101",
        company="高橋商事",
        notes="Prefers still water.",
        allergies=[{"allergen": "Shellfish", "severity": "severe"}, {"allergen": "peanut", "severity": "anaphylaxis"}],
        address={"line1": "1 Sukhumvit", "city": "Bangkok", "country": "TH"},
    ).id
    start = datetime.now(UTC) - timedelta(days=3)
    add_visits(keep, "terrace", [("T1", ["Tom yum"]), ("T2", ["Pad thai"])], start=start)
    add_visits(
        other, "bar", [("B1", ["Negroni"]), ("B2", ["Martini"]), ("B3", ["Gimlet"])], start=start - timedelta(days=1)
    )
    notes.add_note(keep, "Celebrated a promotion.", ACTOR)
    notes.add_note(other, "Asked about the cooking class.", ACTOR)
    notes.add_preference(keep, PreferenceCreate(category="seating", value="Window"), ACTOR)
    notes.add_preference(other, PreferenceCreate(category="drink", value="Still water"), ACTOR)
    tags.create_tag("Wine lover", "#aa0000", ACTOR)
    tags.create_tag("Press", "#0000aa", ACTOR)
    tags.set_guest_tags(keep, ["Wine lover"], ACTOR)
    tags.set_guest_tags(other, ["Wine lover", "Press"], ACTOR)
    photos.record_consent(other, ACTOR)
    photos.save_photo(other, _png(), ACTOR)
    tomorrow = date.today() + timedelta(days=1)
    _book("K-1", keep, tomorrow)
    _book("O-1", other, tomorrow + timedelta(days=7))
    _letter(keep, "2026", kind="birthday")
    _letter(other, "2026", lapse="lapse-2025-11", kind="birthday")
    _source_ref(other, "PMS-77")
    with write_transaction():
        low, high = sorted((keep, other))
        db.session.add(DuplicatePair(guest_low_id=low, guest_high_id=high, score=0.9, reasons=["same phone"]))
    return keep, other


def _admin_json(guest_id: int) -> dict[str, Any]:
    db.session.expire_all()
    body = guest_to_dict(db.session.get(Guest, guest_id), "admin")  # type: ignore[arg-type]
    body.pop("version")
    body.pop("updated_at")
    return body


def _child_rows(guest_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every child row of a guest, every column, as plain tuples (to compare before and after)."""
    db.session.expire_all()
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model in CHILD_MODELS:
        table = model.__table__
        rows = db.session.execute(
            select(table).where(table.c.guest_id == guest_id).order_by(*table.primary_key.columns)
        )
        found[table.name] = [tuple(r) for r in rows]
    for table in (guest_tag, GuestPhoto.__table__):
        rows = db.session.execute(select(table).where(table.c.guest_id == guest_id))
        found[table.name] = sorted(tuple(r) for r in rows)
    return found


def _audit_rows() -> list[tuple[Any, ...]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id))]


def _count(model: Any, guest_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.guest_id == guest_id)) or 0


def test_merge_moves_everything_and_leaves_a_tombstone(app: Flask) -> None:
    keep, other = _rich_pair()
    version = db.session.get(Guest, keep).version  # type: ignore[union-attr]
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    db.session.expire_all()
    assert db.session.get(Guest, other) is None
    assert _count(Visit, keep) == 5 and _count(Visit, other) == 0
    assert _count(Preference, keep) == 2 and _count(GuestNote, keep) == 2
    assert _count(Reservation, keep) == 2 and _count(Letter, keep) == 2
    assert db.session.scalar(select(GuestSourceRef.guest_id).where(GuestSourceRef.source_id == "PMS-77")) == keep
    survivor = db.session.get(Guest, keep)
    assert survivor is not None
    # The union of allergies; the identical "peanut" of the other is not doubled.
    assert sorted(a.allergen for a in survivor.allergies) == ["Peanut", "Shellfish"]
    assert sorted(t.name for t in survivor.tags) == ["Press", "Wine lover"]
    assert photos.photo_state(keep).has_photo
    assert survivor.visit_count == 5
    # Empty fields take the other's values; the survivor's own values stay; both notes are kept.
    assert survivor.given_name == "สมชาย" and survivor.phone == "+66 81 555 0101" and survivor.company == "高橋商事"
    assert survivor.address_city == "Bangkok" and survivor.email == "somchai@example.test"
    assert "corner table" in survivor.notes and "still water" in survivor.notes
    assert survivor.version == version + 1
    assert merges.merged_into(other) == keep
    tomb = db.session.get(MergedGuest, other)
    assert tomb is not None and tomb.merge_id == merge.id
    assert db.session.scalar(select(func.count()).select_from(DuplicatePair)) == 0
    # Search finds the survivor by the other's name, and never the other id.
    assert [r.guest.id for r in search_results.find("Jaidee", "admin", 10)] == []
    assert [r.guest.id for r in search_results.find("ใจดี", "admin", 10)] == [keep]


def test_field_choices_pick_the_other_value(app: Flask) -> None:
    keep = make_guest(given_name="Ann", family_name="Lee", email="a@example.test", vip_level=1, notes="keep notes").id
    other = make_guest(given_name="Anne", family_name="Leigh", email="b@example.test", vip_level=3, notes="other").id
    merges.merge_guests(keep, other, {"given_name": "other", "email": "other", "notes": "keep"}, ACTOR)
    db.session.expire_all()
    survivor = db.session.get(Guest, keep)
    assert survivor is not None
    assert (survivor.given_name, survivor.family_name, survivor.email) == ("Anne", "Lee", "b@example.test")
    assert survivor.vip_level == 1 and survivor.notes == "keep notes"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"shoe_size": "keep"}, "fields.shoe_size"), ({"email": "both"}, "fields.email"), ({"notes": 1}, "fields.notes")],
)
def test_unknown_field_or_value_is_refused_naming_it(app: Flask, fields: dict[str, Any], field: str) -> None:
    keep, other = make_guest().id, make_guest(given_name="Other").id
    with pytest.raises(merges.FieldChoiceError) as caught:
        merges.merge_guests(keep, other, fields, ACTOR)
    assert caught.value.field == field
    assert db.session.get(Guest, other) is not None


def test_same_guest_and_unknown_guest_are_refused(app: Flask) -> None:
    gid = make_guest().id
    with pytest.raises(merges.SameGuest):
        merges.merge_guests(gid, gid, {}, ACTOR)
    with pytest.raises(merges.GuestNotFound):
        merges.merge_guests(gid, 999_999, {}, ACTOR)


def test_merge_then_undo_gives_both_guests_back_exactly(app: Flask) -> None:
    keep, other = _rich_pair()
    before = {gid: _admin_json(gid) for gid in (keep, other)}
    rows_before = {gid: _child_rows(gid) for gid in (keep, other)}
    pairs_before = db.session.scalar(select(func.count()).select_from(DuplicatePair))
    merge = merges.merge_guests(keep, other, {"given_name": "other", "email": "other"}, ACTOR)
    result = merges.undo_merge(merge.id, ACTOR)
    assert result.added_since == []
    assert [result.keep.id, result.other.id] == [keep, other]
    for gid in (keep, other):
        assert _admin_json(gid) == before[gid]
        assert _child_rows(gid) == rows_before[gid]
    assert db.session.get(MergedGuest, other) is None
    assert merges.merged_into(other) is None
    assert db.session.scalar(select(func.count()).select_from(DuplicatePair)) == pairs_before
    # Each is found by search again by its own name only.
    assert [r.guest.id for r in search_results.find("Jaidee", "admin", 10)] == [other]
    db.session.expire_all()
    assert db.session.get(GuestMerge, merge.id).undone_at is not None  # type: ignore[union-attr]


def test_rows_added_after_the_merge_stay_and_are_listed(app: Flask) -> None:
    keep, other = _rich_pair()
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    note = notes.add_note(keep, "Said the anniversary is in May.", ACTOR)
    add_visits(keep, "terrace", [("T9", ["Soup"])], start=datetime.now(UTC) - timedelta(hours=3))
    notes.add_allergy(keep, AllergyIn(allergen="Sesame", severity="severe"), ACTOR)
    result = merges.undo_merge(merge.id, ACTOR)
    added = {(row.table, row.summary) for row in result.added_since}
    assert ("guest_note", "Said the anniversary is in May.") in added
    assert ("allergy", "Sesame (severe)") in added
    assert any(table == "visit" for table, _summary in added)
    assert len(result.added_since) == 3
    db.session.expire_all()
    assert db.session.get(GuestNote, note.id).guest_id == keep  # type: ignore[union-attr]
    assert _count(Visit, keep) == 3 and _count(Visit, other) == 3
    assert db.session.get(Guest, keep).visit_count == 3  # type: ignore[union-attr]
    assert db.session.get(Guest, other).visit_count == 3  # type: ignore[union-attr]


def test_undo_twice_and_merging_a_merged_guest_are_refused(app: Flask) -> None:
    third, keep, other = make_guest(given_name="C").id, make_guest(given_name="A").id, make_guest(given_name="B").id
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    with pytest.raises(merges.GuestNotFound) as caught:
        merges.merge_guests(third, other, {}, ACTOR)
    assert caught.value.merged_into == keep
    merges.undo_merge(merge.id, ACTOR)
    with pytest.raises(merges.MergeError) as again:
        merges.undo_merge(merge.id, ACTOR)
    assert again.value.status == 409 and "already undone" in again.value.message
    with pytest.raises(merges.MergeNotFound):
        merges.undo_merge(999_999, ACTOR)


def test_undo_is_refused_when_the_survivor_was_merged_again(app: Flask) -> None:
    a, b, c = make_guest(given_name="A").id, make_guest(given_name="B").id, make_guest(given_name="C").id
    first = merges.merge_guests(b, a, {}, ACTOR)
    merges.merge_guests(c, b, {}, ACTOR)
    assert merges.merged_into(a) == c  # a chain of merges is followed
    with pytest.raises(merges.MergeError) as caught:
        merges.undo_merge(first.id, ACTOR)
    assert "undo that merge first" in caught.value.message


def test_a_merged_away_id_is_never_given_to_a_new_guest(app: Flask) -> None:
    """SQLite would give the newest guest's id again once it is merged away; guests.ids numbers past it, so
    the merge can still be undone with both guests' own ids (PostgreSQL's sequence never reuses one)."""
    keep, other = make_guest(given_name="Keep").id, make_guest(given_name="Other").id
    assert other > keep  # the merged-away guest is the newest: the id SQLite would hand out next
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    newcomer = make_guest(given_name="New")
    assert newcomer.id > other
    result = merges.undo_merge(merge.id, ACTOR)
    assert result.other.id == other and result.other.given_name == "Other"


def test_letters_of_one_period_on_both_guests_are_both_kept(app: Flask) -> None:
    keep, other = make_guest(given_name="K").id, make_guest(given_name="O").id
    mine = _letter(keep, "2026", lapse="lapse-1")
    theirs = _letter(other, "2026", lapse="lapse-1")
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    db.session.expire_all()
    moved = db.session.get(Letter, theirs)
    assert moved is not None and moved.guest_id == keep
    assert moved.period_key != "2026" and moved.period_key.startswith("2026")
    assert moved.lapse_key != "lapse-1"
    assert db.session.get(Letter, mine).period_key == "2026"  # type: ignore[union-attr]
    merges.undo_merge(merge.id, ACTOR)
    db.session.expire_all()
    back = db.session.get(Letter, theirs)
    assert back is not None and (back.guest_id, back.period_key, back.lapse_key) == (other, "2026", "lapse-1")


def test_audit_rows_are_never_changed(app: Flask) -> None:
    keep, other = _rich_pair()
    before = _audit_rows()
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    after_merge = _audit_rows()
    assert after_merge[: len(before)] == before
    added = after_merge[len(before) :]
    assert sorted((r[5], r[6]) for r in added) == sorted([("guest_merge", keep), ("guest_merge", other)])
    assert all("Somchai" not in r[8] and "@" not in r[8] for r in added)  # no personal data in the detail
    merges.undo_merge(merge.id, ACTOR)
    after_undo = _audit_rows()
    assert after_undo[: len(after_merge)] == after_merge
    assert sorted((r[5], r[6]) for r in after_undo[len(after_merge) :]) == sorted(
        [("guest_merge_undo", keep), ("guest_merge_undo", other)]
    )


def test_not_duplicate_and_possible_pairs_are_dropped_and_restored(app: Flask) -> None:
    keep, other, third = make_guest(given_name="K").id, make_guest(given_name="O").id, make_guest(given_name="T").id
    with write_transaction():
        db.session.add(NotDuplicate(guest_low_id=min(other, third), guest_high_id=max(other, third), decided_by="x"))
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    assert db.session.scalar(select(func.count()).select_from(NotDuplicate)) == 0
    merges.undo_merge(merge.id, ACTOR)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NotDuplicate)) == 1


def test_list_merges_newest_first(app: Flask) -> None:
    a, b, c = make_guest().id, make_guest().id, make_guest().id
    first = merges.merge_guests(a, b, {}, ACTOR)
    second = merges.merge_guests(a, c, {}, ACTOR)
    assert [m.id for m in merges.list_merges()] == [second.id, first.id]
    assert [m.id for m in merges.list_merges(guest_id=b)] == [first.id]
    assert merges.merge_to_dict(first)["undone_at"] is None
    assert [m.id for m in merges.active_merges_into(a)] == [second.id, first.id]


def test_possible_matches_follow_both_columns(app: Flask) -> None:
    keep, other, third = make_guest(given_name="K").id, make_guest(given_name="O").id, make_guest(given_name="T").id
    day = date.today() + timedelta(days=2)
    _book("R-1", other, day)
    _book("R-2", third, day)
    with write_transaction():
        r1 = db.session.scalar(select(Reservation.id).where(Reservation.external_id == "R-1"))
        r2 = db.session.scalar(select(Reservation.id).where(Reservation.external_id == "R-2"))
        # "The other may be the survivor" is settled by the merge itself; "the third may be the other" moves.
        settled = PossibleMatch(reservation_id=r1, new_guest_id=other, candidate_guest_id=keep)
        moving = PossibleMatch(reservation_id=r2, new_guest_id=third, candidate_guest_id=other)
        db.session.add_all([settled, moving])
        db.session.flush()
        settled_id, moving_id = settled.id, moving.id
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    db.session.expire_all()
    assert db.session.get(PossibleMatch, settled_id) is None
    assert db.session.get(PossibleMatch, moving_id).candidate_guest_id == keep  # type: ignore[union-attr]
    merges.undo_merge(merge.id, ACTOR)
    db.session.expire_all()
    back = db.session.get(PossibleMatch, settled_id)
    assert back is not None and (back.new_guest_id, back.candidate_guest_id) == (other, keep)
    assert db.session.get(PossibleMatch, moving_id).candidate_guest_id == other  # type: ignore[union-attr]


def test_both_photos_keep_the_survivors_and_undo_gives_each_its_own(app: Flask) -> None:
    keep, other = make_guest(given_name="K").id, make_guest(given_name="O").id
    for gid, colour in ((keep, (0, 0, 255)), (other, (0, 255, 0))):
        out = io.BytesIO()
        Image.new("RGB", (50, 50), colour).save(out, "PNG")
        photos.record_consent(gid, ACTOR)
        photos.save_photo(gid, out.getvalue(), ACTOR)
    original = {gid: photos.photo_bytes(gid) for gid in (keep, other)}
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    assert photos.photo_bytes(keep) == original[keep]
    merges.undo_merge(merge.id, ACTOR)
    db.session.expire_all()
    assert {gid: photos.photo_bytes(gid) for gid in (keep, other)} == original


def test_merges_into_one_survivor_are_undone_newest_first(app: Flask) -> None:
    keep, b, c = make_guest(given_name="K").id, make_guest(given_name="B").id, make_guest(given_name="C").id
    first = merges.merge_guests(keep, b, {}, ACTOR)
    second = merges.merge_guests(keep, c, {"given_name": "other"}, ACTOR)
    with pytest.raises(merges.MergeError) as caught:
        merges.undo_merge(first.id, ACTOR)
    assert "undo that merge first" in caught.value.message and str(second.id) in caught.value.message
    merges.undo_merge(second.id, ACTOR)
    merges.undo_merge(first.id, ACTOR)
    db.session.expire_all()
    assert [db.session.get(Guest, gid).given_name for gid in (keep, b, c)] == ["K", "B", "C"]  # type: ignore[union-attr]


def test_a_merge_whose_snapshots_were_erased_cannot_be_undone(app: Flask) -> None:
    keep, other = make_guest(given_name="K").id, make_guest(given_name="O").id
    merge = merges.merge_guests(keep, other, {}, ACTOR)
    with write_transaction():
        stored = db.session.get(GuestMerge, merge.id)
        assert stored is not None
        stored.keep_before, stored.other_before = {"erased": True}, {"erased": True}  # what an erasure leaves
    with pytest.raises(merges.MergeError) as caught:
        merges.undo_merge(merge.id, ACTOR)
    assert caught.value.status == 409 and "erased" in caught.value.message
