"""Erased contacts: a one-way keyed hash of an erased guest's e-mail and phone digits, so an import or a new
profile can tell "this person asked to be forgotten" without the value ever being kept.

The key is ``ERASURE_KEY`` (default: ``SECRET_KEY``); keep it stable, or earlier erasures stop matching.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select

from guestbook.extensions import db
from guestbook.guests.models import ErasedContact


def _key() -> bytes:
    key = current_app.config.get("ERASURE_KEY") or current_app.config["SECRET_KEY"]
    return str(key).encode()


def contact_digests(email: str | None, phone: str | None) -> list[tuple[str, str]]:
    """``(kind, digest)`` for an e-mail (case and spaces ignored) and for a phone's digits (at least 6 of them)."""
    out: list[tuple[str, str]] = []
    if email and email.strip():
        value = "email:" + email.strip().lower()
        out.append(("email", hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()))
    digits = re.sub(r"\D", "", phone or "")
    if digits and len(digits) >= 6:
        value = "phone:" + digits[-9:]  # the national number: +66 81 234 5678 and 081 234 5678 are one
        out.append(("phone", hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()))
    return out


def remember_erased(email: str | None, phone: str | None) -> None:
    """Keep the hashes of an erased guest's contacts (in the caller's transaction)."""
    for kind, digest in contact_digests(email, phone):
        if db.session.get(ErasedContact, digest) is None:
            db.session.add(ErasedContact(digest=digest, kind=kind))


def is_erased_contact(email: str | None, phone: str | None) -> str | None:
    """``"email"`` or ``"phone"`` when that contact belongs to an erased guest, else None."""
    digests = dict((d, k) for k, d in contact_digests(email, phone))
    if not digests:
        return None
    found = db.session.scalars(select(ErasedContact.digest).where(ErasedContact.digest.in_(list(digests)))).first()
    return digests[found] if found else None
