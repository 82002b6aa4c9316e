"""The briefing grouped the way a property works: a section per outlet, and the first page's lists.

Plain data in, plain data out: ``assembly`` passes the arrivals and the outlets in the admin's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from guestbook.briefing.sheet import Arrival, KitchenItem, OccasionItem, OutletSection, Summary

# The order the kitchen reads allergies in: the most dangerous first, then the rest, then diets.
SEVERITY_ORDER = {"anaphylaxis": 0, "severe": 1, "moderate": 2, "mild": 3, "intolerance": 4}


def count(arrivals: Iterable[Arrival], summary: Summary | None = None) -> Summary:
    """The counts of a set of arrivals (added to ``summary`` when given)."""
    s = summary or Summary()
    for a in arrivals:
        s.arrivals += 1
        s.covers += a.party_size
        s.returning += 0 if a.first_visit else 1
        s.first_time += 1 if a.first_visit else 0
        s.vips += 1 if a.vip_level else 0
        s.occasions += 1 if a.occasions else 0
        # A possible match's allergy is an alert too: it may be this guest's.
        s.allergies += 1 if a.allergies or any(c.allergies for c in a.possible_matches) else 0
        s.open_complaints += sum(1 for c in a.complaints if c.still_open)
    return s


def by_outlet(arrivals: Sequence[Arrival], outlets: Sequence[tuple[str, str, str]]) -> list[OutletSection]:
    """One section per outlet with arrivals, in ``outlets`` order (code, name, kind); unknown outlets last."""
    order = {code: n for n, (code, _name, _kind) in enumerate(outlets)}
    kinds = {code: kind for code, _name, kind in outlets}
    grouped: dict[str, list[Arrival]] = {}
    for a in arrivals:
        grouped.setdefault(a.outlet_code, []).append(a)
    codes = sorted(grouped, key=lambda code: (order.get(code, len(order)), code))
    return [
        OutletSection(code, grouped[code][0].outlet_name, kinds.get(code, ""), count(grouped[code]), grouped[code])
        for code in codes
    ]


def _table(a: Arrival) -> str:
    return a.table


def kitchen_list(arrivals: Sequence[Arrival]) -> list[KitchenItem]:
    """Every allergy and dietary need of the day: anaphylaxis first, then by severity, diets last, by time."""
    items: list[tuple[tuple[int, str, int], KitchenItem]] = []
    for n, a in enumerate(arrivals):
        base = {
            "time": a.arrival_time.strftime("%H:%M") if a.arrival_time else "",
            "outlet_code": a.outlet_code,
            "outlet_name": a.outlet_name,
            "table": _table(a),
        }
        for allergen, severity, note in a.allergies:
            item = KitchenItem(
                **base, guest_id=a.guest_id, name=a.name, allergen=allergen, severity=severity, note=note
            )
            items.append(((SEVERITY_ORDER.get(severity, 5), item.time or "99", n), item))
        for candidate in a.possible_matches:  # it may be this guest's: the kitchen prepares for it
            for allergen, severity, note in candidate.allergies:
                item = KitchenItem(
                    **base,
                    guest_id=candidate.guest_id,
                    name=candidate.name,
                    allergen=allergen,
                    severity=severity,
                    note=note,
                    kind="possible",
                )
                items.append(((SEVERITY_ORDER.get(severity, 5), item.time or "99", n), item))
        for diet in a.diets:
            item = KitchenItem(
                **base, guest_id=a.guest_id, name=a.name, allergen=diet, severity="", note="", kind="diet"
            )
            items.append(((9, item.time or "99", n), item))
    return [item for _key, item in sorted(items, key=lambda pair: pair[0])]


def occasion_list(arrivals: Sequence[Arrival]) -> list[OccasionItem]:
    """Every birthday, anniversary and booked occasion of the day, with the booking's notes (what is planned)."""
    items: list[OccasionItem] = []
    for a in arrivals:
        for label, (kind, when) in zip(a.occasions, a.occasion_facts, strict=False):
            items.append(
                OccasionItem(
                    time=a.arrival_time.strftime("%H:%M") if a.arrival_time else "",
                    outlet_code=a.outlet_code,
                    outlet_name=a.outlet_name,
                    table=_table(a),
                    guest_id=a.guest_id,
                    name=a.name,
                    kind=kind,
                    day=when,
                    label=label,
                    note=a.notes,
                )
            )
    return items
