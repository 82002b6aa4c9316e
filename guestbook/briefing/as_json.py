"""The briefing as JSON (the API's ``GET /briefings/<day>``): counts, the kitchen's lists, sections, arrivals."""

from __future__ import annotations

from typing import Any

from guestbook.admin.outlets import property_tz
from guestbook.briefing.sheet import Briefing, Summary
from guestbook.reservations import possible_matches


def _summary_dict(s: Summary) -> dict[str, int]:
    return {
        "arrivals": s.arrivals,
        "covers": s.covers,
        "returning": s.returning,
        "first_time": s.first_time,
        "vips": s.vips,
        "occasions": s.occasions,
        "allergies": s.allergies,
        "open_complaints": s.open_complaints,
        "cancelled": s.cancelled,
    }


def briefing_to_dict(briefing: Briefing) -> dict[str, Any]:
    """The briefing as JSON: ``summary`` with the counts and one ``arrivals`` object per live reservation."""
    tz = property_tz()
    return {
        "date": briefing.day.isoformat(),
        "outlet": briefing.outlet_code or None,
        "period": briefing.period or None,
        "property": briefing.property_name,
        "generated_at": briefing.generated_at.isoformat(),
        "summary": _summary_dict(briefing.summary),
        "kitchen": [
            {
                "time": k.time or None,
                "outlet": k.outlet_code,
                "table": k.table or None,
                "guest_id": k.guest_id,
                "name": k.name,
                "allergen": k.allergen,
                "severity": k.severity or None,
                "note": k.note or None,
                "kind": k.kind,
            }
            for k in briefing.kitchen
        ],
        "occasions": [
            {
                "time": o.time or None,
                "outlet": o.outlet_code,
                "table": o.table or None,
                "guest_id": o.guest_id,
                "name": o.name,
                "kind": o.kind,
                "date": o.day.isoformat() if o.day else None,
                "label": o.label,
                "note": o.note or None,
            }
            for o in briefing.occasion_items
        ],
        "sections": [
            {"outlet": sec.code, "name": sec.name, "kind": sec.kind, "summary": _summary_dict(sec.summary)}
            for sec in briefing.sections
        ],
        "arrivals": [
            {
                "reservation_id": a.reservation_id,
                "guest_id": a.guest_id,
                "name": a.name,
                "preferred_name": a.preferred_name,
                "salutation": a.salutation,
                "pronunciation": a.pronunciation,
                "language": a.language,
                "company": a.company,
                "outlet": a.outlet_code,
                "arrival_time": a.arrival_time.strftime("%H:%M") if a.arrival_time else None,
                "party_size": a.party_size,
                "table": a.table,
                "nights": a.nights,
                "status": a.status,
                "vip_level": a.vip_level,
                "tier": a.tier or None,
                "influence": a.influence or None,
                "first_visit": a.first_visit,
                "visit_count": a.visit_count,
                "last_visit": a.last_visit_at.astimezone(tz).date().isoformat() if a.last_visit_at else None,
                "last_visit_outlet": a.last_visit_outlet or None,
                "usual_seat": a.usual_seat or None,
                "usual_seat_evidence": a.usual_seat_evidence or None,
                "usual_seat_elsewhere": (
                    {
                        "outlet": a.seat_elsewhere.outlet_name,
                        "value": a.seat_elsewhere.value,
                        "evidence": a.seat_elsewhere.evidence,
                    }
                    if a.seat_elsewhere
                    else None
                ),
                "usual_order": a.usual_order,
                "allergies": [{"allergen": x, "severity": s, "note": n} for x, s, n in a.allergies],
                "diets": a.diets,
                "last_said": a.last_said or None,
                "occasions": a.occasions,
                "complaints": [
                    {
                        "summary": c.summary,
                        "promised": c.promised,
                        "raised_on": c.raised_on.isoformat() if c.raised_on else None,
                    }
                    for c in a.complaints
                ],
                "care": a.care,
                "companions": [
                    {
                        "guest_id": c.guest_id,
                        "name": c.name,
                        "kind": c.kind,
                        "arrival_time": c.arrival_time.strftime("%H:%M") if c.arrival_time else None,
                    }
                    for c in a.companions
                ],
                "notes": a.notes,
                "possible_matches": [possible_matches.candidate_to_dict(c) for c in a.possible_matches],
                "tags": a.tag_names,
                "history": a.record,
                "has_photo": a.has_photo,
            }
            for a in briefing.arrivals
        ],
    }
