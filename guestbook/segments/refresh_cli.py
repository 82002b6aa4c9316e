"""``flask segments refresh [--date YYYY-MM-DD] [--full]``: recompute the segments (added to the ``segments`` group)."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import with_appcontext

from guestbook.actor import Actor
from guestbook.admin.outlets import property_today
from guestbook.segments import refresh as segment_refresh


@click.command("refresh")
@click.option("--date", "day", default=None, help="Figures as of this day (YYYY-MM-DD; default: today, property time).")
@click.option("--full", is_flag=True, help="Re-read every guest's visits and refit the model (a new day always does).")
@with_appcontext
def refresh_command(day: str | None, full: bool) -> None:
    """Recompute every guest's figures, RFM, tier, lifecycle and lapse risk; only changed guests when possible."""
    try:
        as_of = datetime.strptime(day, "%Y-%m-%d").date() if day else property_today()
    except ValueError:
        raise click.BadParameter(f"value {day!r}: not a date (YYYY-MM-DD)", param_hint="--date") from None
    result = segment_refresh.refresh(Actor.system("cli:segments-refresh"), as_of, full=full)
    click.echo(
        json.dumps(
            {
                "as_of": result.as_of.isoformat(),
                "full": result.full,
                "guests": result.guests,
                "recomputed": result.recomputed,
                "model_fitted": result.model_fitted,
                "seconds": round(result.seconds, 3),
            }
        )
    )
