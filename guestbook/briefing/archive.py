"""Briefing PDFs: export, the archive (scheduled once per date and outlet, regenerations add versions), mail.

Exactly once: the scheduled row is unique on (date, outlet, scheduled=True) in the database, so two
scheduler processes, a restart during a run or a catch-up after downtime can never archive a second
scheduled briefing; the loser's insert fails and it does nothing else (no second mail either).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from guestbook import audit, mail
from guestbook.actor import Actor
from guestbook.admin.models import Outlet
from guestbook.admin.outlets import property_today, property_tz
from guestbook.briefing.assembly import add_photos, audit_briefing, build_briefing
from guestbook.briefing.models import BriefingArchive, BriefingSubscription
from guestbook.briefing.render import render_briefing
from guestbook.briefing.sheet import Briefing
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.i18n import gettext, ngettext
from guestbook.observability import BRIEFINGS_MADE
from guestbook.reservations.models import Reservation
from guestbook.staff.models import StaffUser

# The archived (and nightly mailed) PDF is the sheet handed out at pre-shift: it is built with what
# floor staff may see (no birth years or ages, no contact details), whoever or whatever triggers it.
PRINT_ROLE = "floor"
# The archived sheet is handed out at the pre-shift meeting: floor-level facts, and no spend (which the
# printed sheet never shows, whoever prints it; see render_arrival.sheet_record_line).
PRINT_SPEND_ROLE = PRINT_ROLE


class ArchiveNotFound(LookupError):
    """No archived briefing has this id."""


def render_pdf(briefing: Briefing, *, landscape: bool = False, page_per_outlet: bool = False) -> bytes:
    """The briefing as PDF bytes on the configured paper size, times in the property's timezone."""
    paper = str(current_app.config.get("PAPER_SIZE", "A4"))
    add_photos(briefing)  # the photos as bytes: the renderer never reads the database
    return render_briefing(briefing, paper, property_tz(), landscape_pages=landscape, page_per_outlet=page_per_outlet)


def export_pdf(
    day: date,
    outlet_code: str | None,
    period: str | None,
    actor: Actor,
    *,
    landscape: bool = False,
    page_per_outlet: bool = False,
) -> tuple[Briefing, bytes]:
    """Build and render a briefing for someone to download (audited per guest, read recorded)."""
    briefing = build_briefing(day, outlet_code, period, actor.role)
    pdf = render_pdf(briefing, landscape=landscape, page_per_outlet=page_per_outlet)
    audit_briefing(briefing, actor, "briefing_export")
    BRIEFINGS_MADE.labels(kind="download").inc()
    return briefing, pdf


def filename_for(day: date, outlet_code: str, version: int | None = None) -> str:
    """``briefing-2026-11-22-terrace-v2.pdf``."""
    name = f"briefing-{day.isoformat()}-{outlet_code or 'all'}"
    return f"{name}-v{version}.pdf" if version else f"{name}.pdf"


def archive_briefing(day: date, outlet_code: str, actor: Actor, trigger: str = "manual") -> BriefingArchive | None:
    """Build, render and archive a briefing; a scheduled one that already exists is not made again (None).

    The PDF shows floor-level facts (``PRINT_ROLE``) even for the scheduler's system actor or an admin's
    "regenerate now": it is printed and handed out. ``actor`` is who is audited as having made it.
    """
    if trigger not in ("scheduled", "manual"):
        raise ValueError(trigger)
    scheduled = trigger == "scheduled"
    if scheduled and _scheduled_exists(day, outlet_code):
        return None
    # Not actor.role: see PRINT_ROLE and PRINT_SPEND_ROLE.
    briefing = build_briefing(day, outlet_code or None, None, PRINT_ROLE, spend_role=PRINT_SPEND_ROLE)
    pdf = render_pdf(briefing)
    try:
        with write_transaction():
            if scheduled and _scheduled_exists(day, outlet_code):
                return None
            row = _add_archive(day, outlet_code, scheduled, trigger, briefing, pdf, actor)
    except IntegrityError:
        # Another scheduler won the race: the unique key, not a check, makes this exactly once.
        return None
    BRIEFINGS_MADE.labels(kind=trigger).inc()
    return row


def _add_archive(
    day: date, outlet_code: str, scheduled: bool, trigger: str, briefing: Briefing, pdf: bytes, actor: Actor
) -> BriefingArchive:
    """The archive row and its audit events, inside the caller's write transaction."""
    latest = db.session.scalar(
        select(func.max(BriefingArchive.version)).where(
            BriefingArchive.briefing_date == day, BriefingArchive.outlet_code == outlet_code
        )
    )
    version = (latest or 0) + 1
    row = BriefingArchive(
        briefing_date=day,
        outlet_code=outlet_code,
        version=version,
        trigger=trigger,
        scheduled=True if scheduled else None,
        filename=filename_for(day, outlet_code, version),
        checksum=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        arrivals_count=briefing.summary.arrivals,
        generated_at=briefing.generated_at,
        generated_by=actor.label,
        pdf=pdf,
    )
    db.session.add(row)
    for guest_id in sorted({a.guest_id for a in briefing.arrivals}):
        audit.record(actor, "briefing_archive", guest_id, f"{day.isoformat()} {outlet_code or 'all'} v{version}")
    return row


def _scheduled_exists(day: date, outlet_code: str) -> bool:
    return (
        db.session.scalar(
            select(BriefingArchive.id).where(
                BriefingArchive.briefing_date == day,
                BriefingArchive.outlet_code == outlet_code,
                BriefingArchive.scheduled.is_(True),
            )
        )
        is not None
    )


def outlets_with_arrivals(day: date) -> list[str]:
    """Codes of the outlets with at least one live reservation on ``day``."""
    stmt = (
        select(Outlet.code)
        .join(Reservation, Reservation.outlet_id == Outlet.id)
        .where(Reservation.arrival_date == day, Reservation.status != "cancelled")
        .distinct()
        .order_by(Outlet.code)
    )
    return list(db.session.scalars(stmt))


def run_scheduled(day: date) -> list[BriefingArchive]:
    """The nightly run for one date: one archived briefing per outlet with arrivals, each mailed once."""
    actor = Actor.system("scheduler")
    made: list[BriefingArchive] = []
    for code in outlets_with_arrivals(day):
        row = archive_briefing(day, code, actor, "scheduled")
        if row is not None:
            made.append(row)
            mail_briefing(row)
    return made


@dataclass(frozen=True)
class Schedule:
    """When the nightly briefing is built: a local time, for the arrivals ``day_offset`` days later."""

    at: time
    day_offset: int


def schedule() -> Schedule:
    """The configured schedule: BRIEFING_TIME (default 05:00) for BRIEFING_DAY_OFFSET days ahead (default 0)."""
    raw = str(current_app.config.get("BRIEFING_TIME", "05:00"))
    hour, _, minute = raw.partition(":")
    return Schedule(time(int(hour), int(minute or 0)), int(current_app.config.get("BRIEFING_DAY_OFFSET", 0)))


def due_days(now: datetime | None = None) -> list[date]:
    """Dates whose scheduled run time has passed and whose arrivals are still today or later (catch-up)."""
    sched = schedule()
    now = now or datetime.now(UTC)
    tz = property_tz()
    today = property_today(now)
    days: list[date] = []
    for target in sorted({today, today + timedelta(days=sched.day_offset)}):
        due_at = datetime.combine(target - timedelta(days=sched.day_offset), sched.at, tz)
        if due_at <= now.astimezone(tz) and target >= today:
            days.append(target)
    return days


def catch_up(now: datetime | None = None) -> list[BriefingArchive]:
    """Run every scheduled briefing that is due and missing (at scheduler start and at each tick)."""
    made: list[BriefingArchive] = []
    for day in due_days(now):
        made.extend(run_scheduled(day))
    return made


def list_archive(day: date | None = None, limit: int = 100) -> list[BriefingArchive]:
    """Archived briefings, newest date and version first."""
    stmt = select(BriefingArchive)
    if day is not None:
        stmt = stmt.where(BriefingArchive.briefing_date == day)
    stmt = stmt.order_by(
        BriefingArchive.briefing_date.desc(), BriefingArchive.outlet_code, BriefingArchive.version.desc()
    ).limit(limit)
    return list(db.session.scalars(stmt))


def archived_pdf(archive_id: int, actor: Actor) -> BriefingArchive:
    """An archived briefing for download (audited)."""
    row = db.session.get(BriefingArchive, archive_id)
    if row is None:
        raise ArchiveNotFound(archive_id)
    audit.record_now(actor, "briefing_download", None, row.filename)
    row = db.session.get(BriefingArchive, archive_id)
    assert row is not None
    return row


# ----- mail -------------------------------------------------------------------------------------


def subscribers() -> list[StaffUser]:
    """Active managers and admins who opted in to the nightly mail."""
    stmt = (
        select(StaffUser)
        .join(BriefingSubscription, BriefingSubscription.staff_user_id == StaffUser.id)
        .where(StaffUser.active.is_(True), StaffUser.role.in_(("manager", "admin")))
        .order_by(StaffUser.id)
    )
    return list(db.session.scalars(stmt))


def is_subscribed(staff_user_id: int) -> bool:
    """Whether this member of staff receives the nightly mail."""
    return db.session.get(BriefingSubscription, staff_user_id) is not None


def set_subscription(staff_user_id: int, on: bool, actor: Actor) -> None:
    """Opt in to (or out of) the nightly briefing mail."""
    with write_transaction():
        row = db.session.get(BriefingSubscription, staff_user_id)
        if on and row is None:
            db.session.add(BriefingSubscription(staff_user_id=staff_user_id))
        elif not on and row is not None:
            db.session.delete(row)
        audit.record(actor, "briefing_mail_optin" if on else "briefing_mail_optout")


def mail_briefing(row: BriefingArchive) -> int:
    """Mail an archived briefing to the subscribers when SMTP is configured; returns how many were sent."""
    recipients = subscribers() if mail.configured() else []
    if not recipients:
        return 0
    subject = gettext(
        "Arrival briefing %(day)s %(outlet)s",
        day=row.briefing_date.isoformat(),
        outlet=row.outlet_code or gettext("all outlets"),
    )
    message = mail.new_message(subject, [u.email for u in recipients])
    message.set_content(
        ngettext(
            "Tonight's arrival briefing (%(num)d arrival) is attached, ready to print.",
            "Tonight's arrival briefing (%(num)d arrivals) is attached, ready to print.",
            row.arrivals_count,
        )
        + "\n"
        + gettext("Open it in Guestbook to see any change made since.")
        + "\n"
    )
    message.add_attachment(row.pdf, maintype="application", subtype="pdf", filename=row.filename)
    if not mail.send([message], "briefing"):
        return 0
    with write_transaction():
        stored = db.session.get(BriefingArchive, row.id)
        if stored is not None:
            stored.mailed_to = len(recipients)
    return len(recipients)


def regenerate(day: date, outlet_code: str, actor: Actor) -> BriefingArchive:
    """ "Regenerate now": always a new version, never overwriting an old one."""
    row = archive_briefing(day, outlet_code, actor, "manual")
    assert row is not None
    return row
