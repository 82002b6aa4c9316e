"""The briefing as plain data (what the screen, the JSON and the PDF are made from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from guestbook.i18n import code_label, format_time, gettext, lazy_gettext

if TYPE_CHECKING:
    from guestbook.guests.recognition import SeatElsewhere
    from guestbook.reservations.possible_matches import Candidate


# The service periods a briefing can be limited to (codes in ``assembly.PERIODS``), as staff read them.
PERIOD_LABELS: dict[str, Any] = {
    "breakfast": lazy_gettext("Breakfast"),
    "lunch": lazy_gettext("Lunch"),
    "dinner": lazy_gettext("Dinner"),
}


def period_label(period: str) -> str:
    """A service period in the current language (an unknown code as it is)."""
    return code_label(PERIOD_LABELS, period)


@dataclass(frozen=True)
class Complaint:
    """An open complaint or recent bad experience, with what was promised (from the complaints feature)."""

    summary: str
    promised: str = ""
    raised_on: date | None = None
    still_open: bool = True  # False: resolved lately (still shown, with the promise; not counted as open)


@dataclass(frozen=True)
class Companion:
    """A guest related to an arrival who is also on the sheet (from the relations domain): "with Tomás Vance,
    spouse — also booked 19:30". ``kind`` is what the arrival is to them; ``label`` what they are to the arrival."""

    guest_id: int
    name: str
    kind: str
    label: str
    arrival_time: time | None = None

    @property
    def line(self) -> str:
        """``with Tomás Vance, spouse — also booked 19:30`` in the current language."""
        if self.arrival_time is None:
            return gettext("with %(name)s, %(kind)s — also booked today", name=self.name, kind=self.label)
        when = format_time(self.arrival_time)
        return gettext("with %(name)s, %(kind)s — also booked %(time)s", name=self.name, kind=self.label, time=when)


@dataclass
class Arrival:
    """One arrival block: the reservation and the recognition facts about its guest."""

    reservation_id: int
    guest_id: int
    name: str
    family_name: str
    salutation: str
    preferred_name: str
    pronunciation: str
    language: str
    company: str
    outlet_code: str
    outlet_name: str
    arrival_time: time | None
    party_size: int
    table: str
    nights: int
    status: str
    booked_occasion: str
    notes: str
    vip_level: int
    visit_count: int
    last_visit_at: datetime | None
    last_visit_outlet: str
    usual_seat: str
    usual_seat_evidence: str
    usual_order: list[str]
    allergies: list[tuple[str, str, str]]
    occasions: list[str]
    guest_notes: str
    complaints: list[Complaint] = field(default_factory=list)
    # Open name-only matches: who this booking may really be, with their allergies (until a manager decides).
    possible_matches: list[Candidate] = field(default_factory=list)
    # The seat habit at another outlet, shown apart and labelled ("at Bamboo Bar: Bar 5").
    seat_elsewhere: SeatElsewhere | None = None
    # Dietary choices (vegetarian, halal…): a neutral "Diet" line, never an allergy.
    diets: list[str] = field(default_factory=list)
    # The note on the guest's last visit (within 180 days): "Last time they said: …".
    last_said: str = ""
    # Each occasion's kind (birthday, anniversary, occasion) and date, beside ``occasions`` (the labels).
    occasion_facts: list[tuple[str, date | None]] = field(default_factory=list)
    # The guest's record at a glance: tags as (id, name, colour), the history as the guest JSON has it
    # (spend None for roles that do not see it) and the same as one line in the current language.
    tags: list[tuple[int, str, str]] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    record_line: str = ""
    has_photo: bool = False  # a photo is on file and photos are on (the screen links the guest photo route)
    photo: bytes | None = None  # the photo itself, loaded only for the printed sheet
    # How staff greet them ("Khun Niran", "Ms 이") and what to say when the greeting is in a script staff may
    # not read: the pronunciation on file, else a romanisation ("Ms Lee"); see ``guests.address``.
    greeting: str = ""
    say: str = ""
    # Where the guest stands (the segments domain, through ``assembly.register_standing_provider``): the
    # pyramid's tier ("A", "B", "C"; "" before the first refresh) and their influence (press, critic…).
    tier: str = ""
    influence: str = ""
    # Related guests also on this sheet (the relations domain, through ``assembly.register_companion_provider``).
    companions: list[Companion] = field(default_factory=list)
    # "Handle with care" (the relations domain, through ``assembly.register_care_provider``): the banner, what was
    # promised, whether a complaint is still open, recent compliments; None when there is nothing.
    care: dict[str, Any] | None = None

    @property
    def tag_names(self) -> list[str]:
        """The tags' names, by name."""
        return [name for _id, name, _color in self.tags]

    @property
    def first_visit(self) -> bool:
        """No visit on record: welcome them."""
        return self.visit_count == 0

    @property
    def time_label(self) -> str:
        """``19:30``, or ``any time`` for hotel arrivals without a time (in the current language)."""
        # Translators: the arrival time of a hotel guest who gave none.
        return format_time(self.arrival_time) if self.arrival_time else gettext("any time")


@dataclass
class Summary:
    """The counts at the top of the briefing."""

    arrivals: int = 0
    covers: int = 0
    returning: int = 0
    first_time: int = 0
    vips: int = 0
    occasions: int = 0
    allergies: int = 0
    open_complaints: int = 0
    cancelled: int = 0


@dataclass
class OutletSection:
    """One outlet's arrivals with their own counts (the rooms' outlet is the hotel arrivals' section)."""

    code: str
    name: str
    kind: str
    summary: Summary
    arrivals: list[Arrival]
    # The arrivals by outlet in the admin's outlet order, and the first page's lists.
    sections: list[OutletSection] = field(default_factory=list)
    kitchen: list[KitchenItem] = field(default_factory=list)
    occasion_items: list[OccasionItem] = field(default_factory=list)


@dataclass(frozen=True)
class KitchenItem:
    """An allergy or dietary need the kitchen must know: ``kind`` is ``allergy``, ``diet`` or ``possible``
    (the allergy of the guest a name-only booking may really be)."""

    time: str
    outlet_code: str
    outlet_name: str
    table: str
    guest_id: int
    name: str
    allergen: str
    severity: str
    note: str
    kind: str = "allergy"


@dataclass(frozen=True)
class OccasionItem:
    """A birthday, an anniversary or a booked occasion, with what is planned (the booking's notes)."""

    time: str
    outlet_code: str
    outlet_name: str
    table: str
    guest_id: int
    name: str
    kind: str  # birthday, anniversary or occasion (as booked)
    day: date | None
    label: str
    note: str


@dataclass
class Briefing:
    """The whole briefing for a date, an outlet (or every outlet) and optionally one service period."""

    day: date
    outlet_code: str
    outlet_name: str
    period: str
    property_name: str
    generated_at: datetime
    summary: Summary
    arrivals: list[Arrival]
    # The arrivals by outlet in the admin's outlet order, and the first page's lists.
    sections: list[OutletSection] = field(default_factory=list)
    kitchen: list[KitchenItem] = field(default_factory=list)
    occasion_items: list[OccasionItem] = field(default_factory=list)
