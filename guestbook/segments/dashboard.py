"""The manager dashboard's figures and lists, as plain data (the page, the monthly PDF and the exports share them).

The counts and the weeks and months come from the summary the last refresh stored (``segments.summary``);
the lists (top guests, slipping away, this month's occasions, a segment's members) are read live, each with
one indexed query and a limit. A tier set by hand wins over the computed one everywhere, counts included.

"Value at stake" on the slipping-away list is what the guest spent a year over the pyramid's window (the last
24 months by default): what the property stops receiving if they do not come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from guestbook.admin.outlets import property_currency, property_today
from guestbook.admin.settings import get_setting
from guestbook.extensions import db
from guestbook.guests.models import Guest
from guestbook.segments import scoring, summary
from guestbook.segments.figures import Dashboard, GuestLine, ModelInfo, MonthPoint, Occasion, WeekPoint
from guestbook.segments.models import GuestSegment, SegmentModelRun, SegmentOverride

TOP = 8
SLIPPING = 8
OCCASIONS = 12
PAGE = 50
EXPORT_LIMIT = 100_000  # one export's rows at most (a whole 200,000-guest list is a database dump, not a list)
LISTS = ("tier", "lifecycle", "segment", "cell", "top", "slipping", "occasions")
LINE_COLUMNS = (
    "guest_id",
    "name",
    "tier",
    "vip_level",
    "influence",
    "lifecycle",
    "rfm_segment",
    "visits",
    "visits_12m",
    "last_visit",
    "spend_window",
    "yearly_value",
    "p_active",
    "phone",
)
OCCASION_COLUMNS = ("guest_id", "name", "occasion", "date", "years", "tier", "phone")


def _effective_tier() -> Any:
    return func.coalesce(SegmentOverride.tier, GuestSegment.tier)


def _tier_counts(computed: dict[str, int]) -> dict[str, int]:
    """The computed tier counts with the hand-set tiers moved to their tier."""
    counts = {tier: int(computed.get(tier, 0)) for tier in scoring.TIERS}
    moves = db.session.execute(
        select(GuestSegment.tier, SegmentOverride.tier)
        .select_from(SegmentOverride)
        .join(GuestSegment, GuestSegment.guest_id == SegmentOverride.guest_id)
        .where(SegmentOverride.tier.is_not(None), SegmentOverride.tier != GuestSegment.tier)
    ).all()
    for computed_tier, set_tier in moves:
        counts[computed_tier] -= 1
        counts[str(set_tier)] = counts.get(str(set_tier), 0) + 1
    return counts


def _weeks(days: dict[str, list[int]], as_of: date) -> list[WeekPoint]:
    start = summary.first_day(as_of)
    weeks = []
    for w in range(summary.WEEKS):
        monday = start + timedelta(weeks=w)
        visits = covers = 0
        for d in range(7):
            n, c = days.get((monday + timedelta(days=d)).isoformat(), (0, 0))
            visits, covers = visits + n, covers + c
        weeks.append(WeekPoint(monday, visits, covers))
    return weeks


def _months(months: dict[str, list[int]], as_of: date) -> list[MonthPoint]:
    points = []
    for key in summary.month_keys(as_of):
        guests, returning = months.get(key, (0, 0))
        points.append(MonthPoint(date(int(key[:4]), int(key[5:]), 1), guests, returning))
    return points


def _lines_query() -> Select[Guest, GuestSegment, SegmentOverride]:
    return (
        select(Guest, GuestSegment, SegmentOverride)
        .join(GuestSegment, GuestSegment.guest_id == Guest.id)
        .outerjoin(SegmentOverride, SegmentOverride.guest_id == Guest.id)
        .where(Guest.erased_at.is_(None))
    )


def _line(guest: Guest, seg: GuestSegment, override: SegmentOverride | None, window_months: int) -> GuestLine:
    years = Decimal(window_months) / 12 if window_months else Decimal(1)
    return GuestLine(
        guest_id=guest.id,
        name=guest.full_name,
        tier=(override.tier if override is not None and override.tier else seg.tier),
        vip_level=guest.vip_level,
        influence=override.influence if override is not None else None,
        lifecycle=seg.lifecycle,
        rfm_name=seg.rfm_name,
        visits=seg.visits,
        visits_12m=seg.visits_12m,
        last_visit=seg.last_visit_at,
        spend_window=seg.spend_window,
        yearly_value=(Decimal(seg.spend_window) / years).quantize(Decimal("0.01")),
        p_active=seg.p_active,
        phone=None if guest.do_not_contact else guest.phone,
    )


def _filtered(kind: str, value: str) -> Select[Guest, GuestSegment, SegmentOverride] | None:
    """The list query of one kind of list (without order or limit), or None for an unknown list."""
    query = _lines_query()
    if kind == "tier" and value in scoring.TIERS:
        return query.where(_effective_tier() == value)
    if kind == "lifecycle" and value in scoring.LIFECYCLE_STAGES:
        return query.where(GuestSegment.lifecycle == value)
    if kind == "segment" and value in scoring.SEGMENTS:
        return query.where(GuestSegment.rfm_name == value)
    if kind == "cell":
        try:
            r, f = (int(part) for part in value.split(","))
        except ValueError:
            return None
        if 1 <= r <= 5 and 1 <= f <= 5:
            return query.where(GuestSegment.r == r, GuestSegment.f == f)
        return None
    if kind == "top":
        return query.where(GuestSegment.spend_window > 0)
    if kind == "slipping":
        return query.where(GuestSegment.lifecycle == "at risk")
    return None


def guest_lines(
    kind: str, value: str = "", offset: int = 0, limit: int = PAGE, count: bool = True
) -> tuple[list[GuestLine], int] | None:
    """A page of one list (highest spend over the window first) and the list's length (-1 unless ``count``);
    None for an unknown list."""
    query = _filtered(kind, value)
    if query is None:
        return None
    window = int(get_setting("segments_tier_window_months"))
    total = -1
    if count:
        total = int(
            db.session.scalar(select(func.count()).select_from(query.with_only_columns(Guest.id).subquery())) or 0
        )
    rows = db.session.execute(
        query.order_by(GuestSegment.spend_window.desc(), GuestSegment.last_visit_at.desc(), Guest.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [_line(g, s, o, window) for g, s, o in rows], total


def occasions(month_of: date, limit: int = OCCASIONS) -> tuple[list[Occasion], int]:
    """Birthdays and anniversaries in ``month_of``'s month, by day, with the guest's tier (erased guests left out)."""
    month = month_of.month
    query = (
        select(Guest, GuestSegment.tier, SegmentOverride.tier)
        .outerjoin(GuestSegment, GuestSegment.guest_id == Guest.id)
        .outerjoin(SegmentOverride, SegmentOverride.guest_id == Guest.id)
        .where(
            Guest.erased_at.is_(None),
            or_(
                and_(Guest.birthday_month == month, Guest.birthday_day.is_not(None)),
                and_(Guest.anniversary_month == month, Guest.anniversary_day.is_not(None)),
            ),
        )
    )
    found: list[Occasion] = []
    for guest, computed, override in db.session.execute(query):
        tier = override or computed or "C"
        for kind, m, d, y in (
            ("birthday", guest.birthday_month, guest.birthday_day, guest.birthday_year),
            ("anniversary", guest.anniversary_month, guest.anniversary_day, guest.anniversary_year),
        ):
            if m != month or d is None:
                continue
            day = _day_in(month_of.year, month, d)
            phone = None if guest.do_not_contact else guest.phone
            years = month_of.year - y if y else None
            found.append(Occasion(guest.id, guest.full_name, kind, day, years, tier, phone))
    found.sort(key=lambda o: (o.day, scoring.TIERS.index(o.tier) if o.tier in scoring.TIERS else 3, o.name))
    return found[:limit], len(found)


def _day_in(year: int, month: int, day: int) -> date:
    """The day in that year (29 February falls on the 28th in other years)."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, 28)


def build(today: date | None = None) -> Dashboard:
    """The dashboard as of the last refresh, with the live lists."""
    today = today or property_today()
    row = summary.latest()
    data: dict[str, Any] = dict(row.data) if row is not None else {}
    as_of = row.as_of if row is not None else None
    window = int(get_setting("segments_tier_window_months"))
    top = guest_lines("top", limit=TOP, count=False)
    slipping = guest_lines("slipping", limit=SLIPPING, count=False)
    rfm: dict[tuple[int, int], int] = {}
    for key, count in data.get("rfm", {}).items():
        r, f = key.split(",")
        rfm[(int(r), int(f))] = int(count)
    return Dashboard(
        as_of=as_of,
        computed_at=row.computed_at if row is not None else None,
        today=today,
        currency=property_currency() or "THB",
        window_months=window,
        tiers=_tier_counts(data.get("tiers", {})),
        lifecycle={stage: int(data.get("lifecycle", {}).get(stage, 0)) for stage in scoring.LIFECYCLE_STAGES},
        rfm=rfm,
        weeks=_weeks(data.get("days", {}), as_of) if as_of else [],
        months=_months(data.get("months", {}), as_of) if as_of else [],
        occasions=occasions(today)[0],
        top=top[0] if top else [],
        slipping=slipping[0] if slipping else [],
    )


def model_info() -> ModelInfo | None:
    """The latest fit of the lapse model, or None before the first full refresh."""
    run = db.session.scalars(select(SegmentModelRun).order_by(SegmentModelRun.id.desc()).limit(1)).first()
    if run is None:
        return None
    return ModelInfo(run.as_of, run.customers, run.r is not None, run.note, run.r, run.alpha, run.a, run.b)


def lines_as_rows(lines: Sequence[GuestLine]) -> list[dict[str, Any]]:
    """A list's guests as export rows (column name → value), in the list's order."""
    return [
        {
            "guest_id": g.guest_id,
            "name": g.name,
            "tier": g.tier,
            "vip_level": g.vip_level,
            "influence": g.influence or "",
            "lifecycle": g.lifecycle or "",
            "rfm_segment": g.rfm_name or "",
            "visits": g.visits,
            "visits_12m": g.visits_12m,
            "last_visit": g.last_visit.date().isoformat() if g.last_visit else "",
            "spend_window": g.spend_window,
            "yearly_value": g.yearly_value,
            "p_active": "" if g.p_active is None else round(g.p_active, 4),
            "phone": g.phone or "",
        }
        for g in lines
    ]


def occasions_as_rows(found: Sequence[Occasion]) -> list[dict[str, Any]]:
    """This month's occasions as export rows."""
    return [
        {
            "guest_id": o.guest_id,
            "name": o.name,
            "occasion": o.kind,
            "date": o.day.isoformat(),
            "years": "" if o.years is None else o.years,
            "tier": o.tier,
            "phone": o.phone or "",
        }
        for o in found
    ]
