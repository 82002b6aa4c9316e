"""The one scheduler process (``flask --app wsgi scheduler``); web workers and create_app never start it.

APScheduler 3.x with an in-memory job store (never shared between processes), fixed job ids,
``replace_existing=True``, ``coalesce=True`` and a misfire grace of hours. The nightly job also runs
once at start-up, so a briefing missed while the process was down is made at the next start;
its unique archive key keeps that exactly once even with a second scheduler running.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from guestbook import jobs

NIGHTLY_BRIEFING_JOB = "nightly-briefing"
DAILY_LETTERS_JOB = "daily-letters"
STALE_UPLOADS_JOB = "stale-uploads"
NIGHTLY_BACKUP_JOB = "nightly-backup"
DUPLICATE_SCAN_JOB = "duplicate-scan"
RETENTION_JOB = "retention"
SEGMENTS_JOB = "segments-refresh"
FEEDBACK_ESCALATION_JOB = "feedback-escalation"
MISFIRE_GRACE_SECONDS = 6 * 3600


def build_scheduler(app: Flask, blocking: bool = False) -> BaseScheduler:
    """Build (not start) the scheduler for ``app``: its jobs run in that app, due at once for the start-up catch-up."""
    from guestbook.admin.outlets import property_tz
    from guestbook.briefing.archive import schedule
    from guestbook.extensions import db

    # Local time of the letters run (default 06:00: the batch is ready when the concierge arrives).
    letters_hour, _, letters_minute = str(app.config.get("LETTERS_TIME", "06:00")).partition(":")
    with app.app_context():
        when = schedule()
        tz = property_tz()
        db.session.remove()
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=tz,
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    scheduler.add_job(
        jobs.nightly_briefing,
        CronTrigger(hour=when.at.hour, minute=when.at.minute, timezone=tz),
        id=NIGHTLY_BRIEFING_JOB,
        name="nightly arrival briefing",
        replace_existing=True,
        kwargs={"app": app},
        next_run_time=datetime.now(tz),  # catch up at start; idempotent
    )
    scheduler.add_job(
        jobs.daily_letters,
        CronTrigger(hour=int(letters_hour), minute=int(letters_minute or 0), timezone=tz),
        id=DAILY_LETTERS_JOB,
        name="daily letters",
        replace_existing=True,
        kwargs={"app": app},
        next_run_time=datetime.now(tz),  # catch up at start; idempotent (unique batch date and letter keys)
    )
    scheduler.add_job(
        jobs.clear_stale_uploads,
        CronTrigger(minute=17, timezone=tz),  # hourly: an abandoned upload lives at most a day and an hour
        id=STALE_UPLOADS_JOB,
        name="clear import uploads older than a day",
        replace_existing=True,
        kwargs={"app": app},
    )
    scheduler.add_job(
        jobs.nightly_backup,
        CronTrigger(hour=3, minute=30, timezone=tz),  # the quiet hours; named by date, so at most one a day
        id=NIGHTLY_BACKUP_JOB,
        name="nightly database backup",
        replace_existing=True,
        kwargs={"app": app},
        next_run_time=datetime.now(tz),  # catch up at start; idempotent (one file per date)
    )
    scheduler.add_job(
        jobs.duplicate_scan,
        CronTrigger(hour=3, minute=45, timezone=tz),  # after the backup; each run replaces the last one's pairs
        id=DUPLICATE_SCAN_JOB,
        name="find likely duplicate guests",
        replace_existing=True,
        kwargs={"app": app},
    )
    scheduler.add_job(
        jobs.retention,
        CronTrigger(hour=3, minute=15, timezone=tz),  # before the backup, so it copies the compacted file
        id=RETENTION_JOB,
        name="erase guests past the retention setting",
        replace_existing=True,
        kwargs={"app": app},
    )
    scheduler.add_job(
        jobs.segments_refresh,
        CronTrigger(hour=4, minute=0, timezone=tz),  # after the duplicate scan, before the 05:00 briefing
        id=SEGMENTS_JOB,
        name="refresh segments, tiers and lapse risk",
        replace_existing=True,
        kwargs={"app": app},
    )
    scheduler.add_job(
        jobs.feedback_escalation,
        CronTrigger(minute="*/15", timezone=tz),  # an overdue critical complaint reaches the managers within 15 min
        id=FEEDBACK_ESCALATION_JOB,
        name="mail managers about overdue critical complaints",
        replace_existing=True,
        kwargs={"app": app},
    )
    return scheduler
