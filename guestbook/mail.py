"""Outgoing mail: the staff mails Guestbook sends itself (the nightly briefing, the sundown escalation).

One SMTP connection per batch to ``SMTP_HOST``:``SMTP_PORT`` (default 25), from ``SMTP_SENDER``. Without
``SMTP_HOST`` nothing is sent and callers mark nothing. A failure is logged (never with the message's content:
it names guests) and reported as how many messages went out before it, so a caller can retry the rest.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)
TIMEOUT_S = 30


def configured() -> bool:
    """Whether an SMTP server is set (``SMTP_HOST``)."""
    return bool(current_app.config.get("SMTP_HOST"))


def new_message(subject: str, recipients: Sequence[str]) -> EmailMessage:
    """A message from the configured sender to ``recipients``."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = str(current_app.config.get("SMTP_SENDER", "guestbook@localhost"))
    message["To"] = ", ".join(recipients)
    return message


def send(messages: Sequence[EmailMessage], what: str) -> int:
    """Send ``messages`` in order over one connection; how many were accepted (all of them, or those before a
    failure, which is logged as ``what``). Without ``SMTP_HOST``: 0."""
    if not messages or not configured():
        return 0
    host, port = str(current_app.config["SMTP_HOST"]), int(current_app.config.get("SMTP_PORT", 25))
    sent = 0
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_S) as smtp:
            for message in messages:
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("%s mail failed after %d of %d: %s", what, sent, len(messages), exc)
    return sent
