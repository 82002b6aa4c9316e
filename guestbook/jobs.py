"""Scheduled jobs: each runs in the app it is given, calls one rule and is idempotent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask

from guestbook.observability import observed_job

log = logging.getLogger(__name__)


@observed_job
def nightly_briefing(app: Flask) -> int:
    """Archive (and mail) every scheduled briefing that is due and missing; returns how many were made.

    Safe to run any number of times, from any number of processes: the archive's unique key makes
    each date and outlet happen exactly once. Also the catch-up run when the scheduler starts.
    Runs as the system actor (audited as such), but the PDF it archives and mails is built with
    floor-level visibility (``briefing_archive.PRINT_ROLE``): no ages, no contact details. Its labels
    and dates are in the nightly briefing's language (``admin.locale.nightly_language``).
    """
    from guestbook.admin.locale import nightly_language
    from guestbook.briefing import archive as briefing_archive
    from guestbook.extensions import db
    from guestbook.i18n import in_language

    with app.app_context():
        try:
            with in_language(nightly_language()):
                made = briefing_archive.catch_up(datetime.now(UTC))
            for row in made:
                log.info("archived %s (%d arrivals)", row.filename, row.arrivals_count)
            return len(made)
        finally:
            db.session.remove()


@observed_job
def daily_letters(app: Flask) -> int:
    """Select today's letters into today's batch; returns the batch id.

    Idempotent: the batch per date and each letter's (guest, kind family, period) key are unique, so
    a second run (or a second scheduler) adds nothing twice; a missed day is caught up by the next run.
    """
    from guestbook.actor import Actor
    from guestbook.extensions import db
    from guestbook.letters import selection as letters

    with app.app_context():
        try:
            batch = letters.run_today(Actor.system("scheduler:daily-letters"))
            log.info("letters batch %d for %s", batch.id, batch.run_date.isoformat())
            return batch.id
        finally:
            db.session.remove()


@observed_job
def clear_stale_uploads(app: Flask) -> int:
    """Delete import uploads left for more than a day (a dry run nobody committed or cancelled); returns how many.

    Idempotent: a file is either there and old, or not; two runs at once skip what the other removed.
    """
    from guestbook.reservations import uploads as import_uploads

    removed = import_uploads.clear_stale(app.instance_path)
    if removed:
        log.info("cleared %d stale import upload(s)", removed)
    return removed


@observed_job
def nightly_backup(app: Flask) -> int:
    """Back the SQLite database up into the backup folder, keep the newest ``backup_keep``; 1 if one was made, else 0.

    Idempotent: the file is named by the property's date, so a second run that day makes nothing.
    PostgreSQL is backed up with pg_dump (README "Backups"): the job then logs that and does nothing.
    """
    from guestbook.admin.outlets import property_today
    from guestbook.data import backups
    from guestbook.extensions import db

    with app.app_context():
        try:
            if db.engine.url.get_backend_name() != "sqlite":
                log.info("nightly backup skipped: %s", backups.POSTGRES_MESSAGE)
                return 0
            made, removed = backups.nightly_backup(property_today())
            if made is not None:
                log.info("backup %s (%d bytes, revision %s)", made.path, made.size, made.revision)
            for old in removed:
                log.info("removed old backup %s", old)
            return 1 if made is not None else 0
        finally:
            db.session.remove()


@observed_job
def duplicate_scan(app: Flask) -> int:
    """Find likely duplicate guests and replace the stored pairs; returns how many were stored.

    Idempotent: each run replaces the last run's pairs with what it finds; rejected pairs stay rejected.
    """
    from guestbook.actor import Actor
    from guestbook.data import duplicates
    from guestbook.extensions import db

    with app.app_context():
        try:
            result = duplicates.scan(Actor.system("scheduler:duplicate-scan"))
            log.info("duplicate scan: %d guests, %d pairs, %.1f s", result.guests, result.pairs, result.seconds)
            return result.pairs
        finally:
            db.session.remove()


@observed_job
def retention(app: Flask) -> int:
    """Erase the guests past the retention setting (off when 0); returns how many were erased.

    Idempotent: an erased guest is never due again, so a second run erases nothing. When anything was
    erased in the last day (by this rule, the API or a screen), the database file is compacted too, so the
    erased values leave the file's free pages and the WAL before the nightly backup (03:30) copies it.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from guestbook.actor import Actor
    from guestbook.data import erasure
    from guestbook.data import retention as retention_rule
    from guestbook.data.models import Erasure
    from guestbook.extensions import db

    with app.app_context():
        try:
            done = retention_rule.apply_retention(Actor.system("scheduler:retention"))
            if done:
                log.info("retention: erased %d guest(s)", len(done))
            since = datetime.now(UTC) - timedelta(hours=26)
            recent = db.session.scalar(select(Erasure.id).where(Erasure.erased_at >= since).limit(1))
            if done or recent is not None:
                erasure.compact_database()
            return len(done)
        finally:
            db.session.remove()


@observed_job
def segments_refresh(app: Flask) -> int:
    """Recompute every guest's figures, RFM, tier, lifecycle and lapse risk as of today; returns the guests.

    Idempotent: a second run the same day rewrites the same rows (a full refresh on the first run of a day,
    only changed guests after that); a missed night is simply caught up by the next run.
    """
    from guestbook.actor import Actor
    from guestbook.admin.outlets import property_today
    from guestbook.extensions import db
    from guestbook.segments import refresh as segment_refresh

    with app.app_context():
        try:
            result = segment_refresh.refresh(Actor.system("scheduler:segments"), property_today(), full=False)
            log.info("segments: %d guests (%d recomputed) in %.1f s", result.guests, result.recomputed, result.seconds)
            return result.guests
        finally:
            db.session.remove()


@observed_job
def feedback_escalation(app: Flask) -> int:
    """Mail every manager about each overdue critical complaint (the sundown rule); returns how many were escalated.

    Idempotent: each complaint is marked escalated in the transaction that picks it, before its mail is sent, so a
    second run (or a second scheduler) sends nothing twice. Nothing is sent or marked without SMTP_HOST.
    """
    from guestbook.admin.locale import nightly_language
    from guestbook.extensions import db
    from guestbook.i18n import in_language
    from guestbook.relations import escalation

    with app.app_context():
        try:
            with in_language(nightly_language()):
                sent = escalation.escalate_overdue(datetime.now(UTC))
            if sent:
                log.info("escalated %d overdue critical complaint(s) to the managers", sent)
            return sent
        finally:
            db.session.remove()
