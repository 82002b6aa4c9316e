"""A guest's network two steps out, laid out for a server-side SVG: the guest in the middle, the people they
know on an inner ring, the people those know on an outer ring; each with their tier, each line with its kind.

Plain data with coordinates (the template draws it): no script, no inline styles (the CSP forbids both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select

from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.relations.models import GuestRelationship
from guestbook.relations.relationships import other_is_label
from guestbook.segments.overrides import standing_of

MAX_PEOPLE = 40  # besides the guest: more and the names no longer fit the rings (the rest are counted)
SIZE = 1000  # the drawing's width and height (viewBox units)
CENTRE = SIZE / 2
INNER, OUTER = 180.0, 340.0  # ring radii
NAME_CHARS = 18  # a longer name is cut in the drawing (the table under it has it whole)
CROWDED = 12  # with more people on the inner ring its lines go unlabelled (the table says what each one is)
STAGGER = 1.45  # ... and, under an outer ring, every other one sits further out, so neighbouring names do not overlap
LABEL_ROOM_X, LABEL_ROOM_Y = 270.0, 70.0  # room around the outermost ring for the names
# On a crowded outermost ring the names run outwards along their rays (40 people on the inner ring are 33 units
# apart where their names start, the names 23 high): the room is then a name's length all round.
RADIAL_ROOM = 290.0
GAP = 30.0  # from a person's centre to their name
DOT_SPACING = 50.0  # along a crowded ring whose names run outwards


@dataclass
class Person:
    """One person in the drawing: where they are, their tier and the ring (0 the guest, 1 or 2 steps)."""

    guest_id: int
    name: str
    step: int
    tier: str = "C"
    x: float = CENTRE
    y: float = CENTRE
    via: str = ""  # the first-step person through whom a second-step one is known
    via_id: int = 0
    connection: str = ""  # what they are to the guest, or to ``via``
    label_x: float = CENTRE
    label_y: float = CENTRE
    anchor: str = "middle"
    rotate: float | None = None  # degrees: the name runs along the ray (crowded rings)

    @property
    def short_name(self) -> str:
        """The name as drawn: cut to fit."""
        return self.name if len(self.name) <= NAME_CHARS else self.name[: NAME_CHARS - 1] + "…"


@dataclass(frozen=True)
class Edge:
    """A line between two people, labelled with what the outer one is to the inner one."""

    from_id: int
    to_id: int
    label: str
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def label_x(self) -> float:
        """Where the kind is written: two thirds of the way out, clear of the name under the guest."""
        return self.x1 + (self.x2 - self.x1) * 0.66

    @property
    def label_y(self) -> float:
        """See ``label_x``."""
        return self.y1 + (self.y2 - self.y1) * 0.66


@dataclass
class Network:
    """The drawing: the guest, the people around them, the lines, and how many more were left out."""

    centre: Person
    people: list[Person] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    more: int = 0
    size: int = SIZE
    radius: float = INNER  # the outermost ring drawn
    label_edges: bool = True
    radial: bool = False  # the outermost ring's names run along their rays

    @property
    def view_box(self) -> str:
        """The SVG viewBox: the rings and the names around them, no more."""
        w, h = self.radius + LABEL_ROOM_X, self.radius + LABEL_ROOM_Y
        if self.radial:
            w = h = max(w, self.radius + RADIAL_ROOM)
        return f"{CENTRE - w:.0f} {CENTRE - h:.0f} {2 * w:.0f} {2 * h:.0f}"


def _links(guest_ids: set[int]) -> list[tuple[int, int, str]]:
    """(guest, other, kind) for every relationship of these guests."""
    stmt = select(GuestRelationship.guest_id, GuestRelationship.other_id, GuestRelationship.kind).where(
        GuestRelationship.guest_id.in_(guest_ids)
    )
    return [(g, o, k) for g, o, k in db.session.execute(stmt)]


def _names(guest_ids: set[int]) -> dict[int, str]:
    guests = db.session.scalars(select(Guest).where(Guest.id.in_(guest_ids)))
    return {g.id: g.full_name for g in guests}


def _place(person: Person, angle: float, radius: float, *, radial: bool = False) -> None:
    """Put a person on a ring at ``angle`` (0 = up, clockwise) with their name outside the circle; ``radial``:
    the name runs outwards along the ray (on the left turned the other way round, so it never reads upside down)."""
    person.x = CENTRE + radius * math.sin(angle)
    person.y = CENTRE - radius * math.cos(angle)
    sin, cos = math.sin(angle), math.cos(angle)
    if radial:
        person.label_x, person.label_y = person.x + GAP * sin, person.y - GAP * cos
        right = sin >= 0
        person.anchor = "start" if right else "end"
        person.rotate = (math.degrees(angle) + (-90.0 if right else 90.0) + 180.0) % 360.0 - 180.0
        return
    person.anchor = "middle" if abs(sin) < 0.2 else ("start" if sin > 0 else "end")
    person.label_x = person.x + (GAP * sin if person.anchor != "middle" else 0.0)
    person.label_y = person.y + (GAP * -cos if person.anchor == "middle" else 0.0) + 5
    if person.anchor == "middle" and cos > 0:  # above the circle: the baseline sits higher
        person.label_y -= 4


def build_network(guest_id: int, limit: int = MAX_PEOPLE) -> Network | None:
    """The guest's network two steps out (None for an unknown guest), at most ``limit`` people besides them."""
    guest = db.session.get(Guest, guest_id)
    if guest is None:
        return None
    first_links = sorted(_links({guest_id}), key=lambda link: link[1])
    first_ids = [o for _g, o, _k in first_links]
    second_links = [link for link in _links(set(first_ids)) if link[1] != guest_id] if first_ids else []
    second_ids: list[int] = []
    via: dict[int, int] = {}
    for g, o, _k in sorted(second_links, key=lambda link: (first_ids.index(link[0]), link[1])):
        if o not in first_ids and o not in via:
            via[o] = g
            second_ids.append(o)
    total = len(first_ids) + len(second_ids)
    shown_first = first_ids[:limit]
    shown_second = [o for o in second_ids if via[o] in shown_first][: max(limit - len(shown_first), 0)]
    shown = {guest_id, *shown_first, *shown_second}
    names = _names(shown)
    tiers = standing_of(list(shown))
    centre = Person(guest_id, guest.full_name, 0, tiers.get(guest_id, ("", ""))[0] or "C")
    centre.label_y = CENTRE + 62
    people: dict[int, Person] = {guest_id: centre}
    angle_of: dict[int, float] = {}
    # Turned half a step, so two people are not drawn in one vertical line with the guest.
    offset = math.pi / len(shown_first) / 2 if shown_first else 0.0
    crowded = len(shown_first) > CROWDED
    inner_radial = crowded and not shown_second  # the inner ring is the outermost: its names can run outwards
    # ... and it widens so that the dots do not cover each other (a dot is 44 across)
    ring = max(INNER, len(shown_first) * DOT_SPACING / (2 * math.pi)) if inner_radial else INNER
    for n, other in enumerate(shown_first):
        angle_of[other] = offset + 2 * math.pi * n / len(shown_first)
        people[other] = Person(other, names.get(other, ""), 1, tiers.get(other, ("", ""))[0] or "C")
        staggered = crowded and not inner_radial and n % 2
        _place(people[other], angle_of[other], INNER * STAGGER if staggered else ring, radial=inner_radial)
    # The outer ring in the order of the inner one, so each person sits near the one they are known through.
    outer = sorted(shown_second, key=lambda o: (angle_of[via[o]], o))
    step = 2 * math.pi / len(outer) if outer else 0.0
    first_group = sum(1 for o in outer if via[o] == via[outer[0]]) if outer else 0
    start = angle_of[via[outer[0]]] - step * (first_group - 1) / 2 if outer else 0.0
    for n, other in enumerate(outer):
        person = Person(other, names.get(other, ""), 2, tiers.get(other, ("", ""))[0] or "C")
        person.via, person.via_id = names.get(via[other], ""), via[other]
        _place(person, start + step * n, OUTER, radial=len(outer) > CROWDED)
        people[other] = person
    edges: list[Edge] = []
    seen: set[frozenset[int]] = set()
    for g, o, kind in [*first_links, *second_links]:
        pair = frozenset((g, o))
        if g not in people or o not in people or pair in seen:
            continue
        seen.add(pair)
        inner, outer_person = people[g], people[o]
        if not outer_person.connection and (g == guest_id or g == outer_person.via_id):
            outer_person.connection = other_is_label(kind)
        edges.append(Edge(g, o, other_is_label(kind), inner.x, inner.y, outer_person.x, outer_person.y))
    ordered = [people[o] for o in shown_first] + [people[o] for o in outer]
    radius = OUTER if outer else ring
    radial = len(outer) > CROWDED if outer else inner_radial
    return Network(centre, ordered, edges, total - len(ordered), radius=radius, label_edges=not crowded, radial=radial)
