"""Command-line interface: the shared commands (accounts, demo, scheduler) and each domain's, attached in one place."""

from __future__ import annotations

import contextlib
import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from guestbook import demo
from guestbook.i18n import LANGUAGES
from guestbook.staff import auth

users_cli = AppGroup("users", help="Staff accounts.")
apikey_cli = AppGroup("apikey", help="API keys for other systems.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["floor", "concierge", "manager", "admin"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--language",
    default="en",
    show_default=True,
    type=click.Choice(list(LANGUAGES)),
    help="Language of the staff interface for this account.",
)
def users_create(email: str, name: str, role: str, password: str, language: str) -> None:
    """Create a staff account (asks for the password unless --password is given)."""
    try:
        user = auth.create_staff_user(email, name, role, password, language=language)
    except auth.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@apikey_cli.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["floor", "concierge", "manager", "admin"]))
def apikey_create(name: str, role: str) -> None:
    """Create an API key; the key is printed once, on the last line."""
    try:
        record, key = auth.create_api_key(name, role)
    except auth.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"API key {record.name!r} ({record.role}) created; store it now, it is not shown again:")
    click.echo(key)


@click.command("demo")
@click.option("--seed", default=7, show_default=True)
@click.option("--guests", default=500, show_default=True)
def demo_command(seed: int, guests: int) -> None:
    """Load the demo property, staff and guests (does nothing when already loaded)."""
    if demo.load_demo(seed=seed, guests=guests):
        click.echo(f"demo loaded: {guests} guests")
    else:
        click.echo("demo already loaded; nothing changed")
    click.echo(demo_logins())


def demo_logins() -> str:
    """The demo sign-ins, for scripts/run to print."""
    lines = [f"  {role:<10} {email:<28} password: {demo.DEMO_PASSWORD}" for _n, email, role in demo.DEMO_STAFF]
    return "Demo sign-ins:\n" + "\n".join(lines)


@click.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo sign-ins."""
    click.echo(demo_logins())


@click.command("has-data")
def has_data_command() -> None:
    """Exit 0 when the database has guests, 1 when it is empty (used by scripts/run)."""
    from sqlalchemy import func, select

    from guestbook.extensions import db
    from guestbook.guests.models import Guest

    raise SystemExit(0 if db.session.scalar(select(func.count(Guest.id))) else 1)


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the one scheduler process in the foreground (nightly briefing; catches up missed runs at start)."""
    from guestbook.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)  # type: ignore[attr-defined]
    click.echo("scheduler running (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def register_cli(app: Flask) -> None:
    """Attach the commands to ``flask --app wsgi``."""
    app.cli.add_command(users_cli)
    app.cli.add_command(apikey_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(has_data_command)
    app.cli.add_command(scheduler_command)
    from guestbook.letters.cli import letters_cli

    app.cli.add_command(letters_cli)
    from guestbook.briefing.cli import register_briefing_cli

    register_briefing_cli(app)
    from guestbook.data.cli import register_data_cli

    register_data_cli(app)
    from guestbook.segments.cli import register_segments_cli

    register_segments_cli(app)
