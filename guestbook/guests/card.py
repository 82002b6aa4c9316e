"""The recognition card as one rule: everything the card page shows about a guest, from one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import outlet_names, property_today
from guestbook.guests import diets, history, photos, recognition, tags, visits
from guestbook.guests import notes as notes_service
from guestbook.guests import profiles as guest_service
from guestbook.guests.models import Allergy, Guest, GuestNote, Preference, Tag, Visit
from guestbook.guests.tags import TagChip


@dataclass
class Card:
    """The card's facts; ``tonight`` is the booking to log against, or one already arrived today."""

    guest: Guest
    data: dict[str, Any]
    bookings: list[Any]
    booking: Any | None
    tonight: Any | None
    rec: recognition.Recognition
    usual_at: str
    allergies: list[Allergy]
    diet_line: list[str]
    folded_notes: set[int]
    notes: list[GuestNote]
    prefs: list[tuple[Preference, bool]]
    history: list[Visit]
    has_more: bool
    show_contact: bool
    today: date
    record: dict[str, Any]  # history: visits, spend (None for roles that do not see it), no-shows
    record_line: str  # the same as one line (the briefing shows it)
    tags: list[Tag]
    all_tags: list[TagChip]  # what the card's tag form offers
    photo: photos.PhotoState
    outlet_names: dict[int, str]  # every outlet's name by id, kept by the worker: the visits' outlets without a query


def card_for(
    guest_id: int, actor: Actor, *, device: Outlet | None, chosen_booking: int | None, page: int, page_size: int
) -> Card:
    """Load the card of a guest for ``actor`` (recorded as a view); GuestNotFound when there is none.

    A booked guest is recognised at the booking's outlet (its usual seat, not the bar's); otherwise at
    the tablet's outlet (``device``). Notes with words the guest should not read stay folded.
    """
    guest = guest_service.view_guest(guest_id, actor, "card")
    today_bookings = visits.bookings_today(guest.id, chosen_id=chosen_booking)
    booking = today_bookings.current
    # Tonight's context: the booking to log, or one already arrived today (a second visit is at the same place).
    tonight = booking or next((b for b in reversed(today_bookings.bookings) if b.status == "arrived"), None)
    today = property_today()
    outlet_id = tonight.outlet_id if tonight else (device.id if device else None)
    prefs = sorted(guest.preferences, key=lambda p: (p.category, p.recorded_at))  # loaded first: recognise uses them
    rec = recognition.recognise(guest, outlet_id=outlet_id, today=today)
    if page == 1 and page_size <= recognition.RECENT_WINDOW:
        # The first page is the recognition's latest visits (in the same order), and the count says if there are more.
        history, has_more = rec.latest[:page_size], rec.visit_count > page_size
    else:
        history, has_more = recognition.visit_history(guest.id, page, page_size)
    shown = [*history, *([rec.last_visit] if rec.last_visit else [])]
    now = datetime.now(UTC)
    data = guest_service.guest_to_dict(guest, actor.role, panels=False)  # the page's panels load the rest
    return Card(
        guest=guest,
        data=data,
        bookings=today_bookings.bookings,
        booking=booking,
        tonight=tonight,
        rec=rec,
        usual_at=tonight.outlet.name if tonight else (device.name if device else ""),
        allergies=diets.split_allergies(guest.allergies)[0],
        diet_line=diets.diets_of(guest),
        folded_notes={v.id for v in shown if v.notes and notes_service.sensitive_words_in(v.notes)},
        notes=notes_service.notes_for(guest.id),
        prefs=[(p, recognition.is_stale(p, now)) for p in prefs],
        history=history,
        has_more=has_more,
        show_contact=guest_service.can_see_contact(actor.role),
        today=today,
        outlet_names=outlet_names(),
        **record_facts(guest, actor.role, data),
    )


def record_facts(guest: Guest, role: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The guest's record at a glance as ``role`` may see it: history and its one line, tags, photo state.

    The briefing can call this per arrival (or ``history.history_for`` / ``tags.tags_of_guests`` for a list).
    """
    record = data["history"] if data is not None else history.history_for(guest.id, role)
    return {
        "record": record,
        "record_line": history.history_line(record),
        "tags": sorted(guest.tags, key=lambda t: t.name_key),
        "all_tags": tags.tag_chips(),
        "photo": photos.photo_state(guest.id),
    }
