"""Staff accounts: password and PIN hashing, sign-in with lockout, account management."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import make_transient_to_detached

from guestbook import audit
from guestbook.actor import Actor
from guestbook.audit import AuditEvent
from guestbook.db import cached, write_transaction
from guestbook.extensions import db
from guestbook.i18n import LANGUAGES, gettext, ngettext
from guestbook.models.base import utcnow
from guestbook.security import ROLES
from guestbook.staff.models import ApiKey, StaffUser

_hasher = PasswordHasher()  # Argon2id, OWASP's first choice
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A staff-account request that cannot be carried out; the message is for the operator."""


# What the worker keeps of a signed-in account between requests: never a password or PIN hash (those load
# when a rule asks for them).
_KEPT_COLUMNS = tuple(
    column.key for column in StaffUser.__table__.columns if column.key not in ("password_hash", "pin_hash")
)


def signed_in_account(user_id: int, epoch: str) -> StaffUser | None:
    """The active account ``user_id`` whose session epoch is ``epoch`` (the session's), else None.

    Every request asks (Flask-Login). The worker keeps the account's columns until any account changes
    (the ``staff`` cache generation), and hands the request an instance of its own, attached to the
    session without a query (``merge(load=False)``): a rule that changes it writes it as usual.
    """
    kept = cached(f"staff.account:{user_id:d}", lambda: _account_columns(user_id), topic="staff")
    if kept is None or not kept["active"] or str(kept["session_epoch"]) != epoch:
        return None
    account = StaffUser(**kept)
    make_transient_to_detached(account)
    return db.session.merge(account, load=False)


def _account_columns(user_id: int) -> dict[str, object] | None:
    row = db.session.execute(
        select(*(StaffUser.__table__.c[key] for key in _KEPT_COLUMNS)).where(StaffUser.id == user_id)
    ).first()
    return None if row is None else dict(zip(_KEPT_COLUMNS, row, strict=True))


def hash_secret(secret: str) -> str:
    """Argon2id hash of a password or PIN."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Check a password or PIN against its stored hash without leaking why it failed."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def list_staff() -> list[StaffUser]:
    """Every staff account by name (the admin list)."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.name)))


def staff_user(user_id: int) -> StaffUser | None:
    """One staff account, or None."""
    return db.session.get(StaffUser, user_id)


def list_api_keys() -> list[ApiKey]:
    """Every API key, newest first (revoked ones too)."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


def create_staff_user(
    email: str, name: str, role: str, password: str, password_hash: str | None = None, language: str = "en"
) -> StaffUser:
    """Create a staff account; the email must be new and the password long enough."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(gettext("role must be one of %(roles)s", roles=", ".join(ROLES)))
    if language not in LANGUAGES:
        raise AccountError(gettext("language must be one of %(languages)s", languages=", ".join(LANGUAGES)))
    if "@" not in email:
        raise AccountError(gettext("email is not valid"))
    if password_hash is None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "password must be at least %(num)d character",
                "password must be at least %(num)d characters",
                MIN_PASSWORD_LENGTH,
            )
        )
    password_hash = password_hash or hash_secret(password)  # before the write lock: hashing is slow
    with write_transaction():
        if db.session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email)):
            raise AccountError(gettext("a staff account for %(email)s already exists", email=email))
        user = StaffUser(email=email, name=name.strip(), role=role, password_hash=password_hash, language=language)
        db.session.add(user)
    return user


def update_staff_user(
    user_id: int,
    *,
    name: str,
    role: str,
    active: bool,
    password: str | None,
    actor: Actor,
    language: str | None = None,
) -> StaffUser:
    """Change a staff account; deactivating it ends all its open sessions."""
    if role not in ROLES:
        raise AccountError(gettext("role must be one of %(roles)s", roles=", ".join(ROLES)))
    if language is not None and language not in LANGUAGES:
        raise AccountError(gettext("language must be one of %(languages)s", languages=", ".join(LANGUAGES)))
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "password must be at least %(num)d character",
                "password must be at least %(num)d characters",
                MIN_PASSWORD_LENGTH,
            )
        )
    new_hash = hash_secret(password) if password else None  # before the write lock: hashing is slow
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            raise AccountError(gettext("no such staff account"))
        if user.id == actor.staff_user_id and (not active or role != "admin"):
            raise AccountError(gettext("you cannot demote or deactivate your own account"))
        if (user.active and not active) or user.role != role or password:
            user.session_epoch += 1
        user.name, user.role, user.active = name.strip(), role, active
        if language is not None:
            user.language = language
        if password:
            user.password_hash = new_hash or user.password_hash
            user.failed_logins, user.locked_until = 0, None
        audit.record(actor, "staff_update", detail=f"staff {user.email}: role={role} active={active}")
    return user


@dataclass(frozen=True)
class SignInResult:
    """Outcome of a sign-in attempt; ``message`` is safe to show."""

    user: StaffUser | None
    message: str = ""


def failure_message(max_failures: int, lock_seconds: int) -> str:
    """The one message for every refused sign-in of an account: wrong password, unknown address, locked.

    A locked account and an unknown address must read the same, or the message tells an outsider which
    addresses have accounts; so the lock is mentioned every time, and never confirmed.
    """
    minutes = max(1, round(lock_seconds / 60))
    return ngettext(
        "Email or password is not correct. After %(attempts)d failed attempts an account is locked for %(num)d minute.",
        "Email or password is not correct. After %(attempts)d failed attempts an account is locked for "
        "%(num)d minutes.",
        minutes,
        attempts=max_failures,
    )


MAX_FAILURES_PER_ADDRESS = 20  # across all accounts: stops guessing many emails from one device


def _failures_from(ip: str, since: datetime) -> int:
    stmt = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "login_failed", AuditEvent.ip == ip, AuditEvent.at >= since
    )
    return int(db.session.scalar(stmt) or 0)


def authenticate(email: str, password: str, *, ip: str, max_failures: int, lock_seconds: int) -> SignInResult:
    """Check credentials; after ``max_failures`` wrong passwords the account locks for ``lock_seconds``.

    One address that fails ``MAX_FAILURES_PER_ADDRESS`` times within ``lock_seconds`` (whatever the
    accounts) is refused until the window passes. Both counts live in the database, so every worker
    process sees the same numbers. The slow Argon2 check runs before the write transaction: SQLite
    has one write lock, and holding it for a hash would make every sign-in and audit write queue.
    """
    email = email.strip().lower()
    now = utcnow()
    refused = SignInResult(None, failure_message(max_failures, lock_seconds))
    anonymous = Actor(label=email[:200], role="", ip=ip)
    if ip and _failures_from(ip, now - timedelta(seconds=lock_seconds)) >= MAX_FAILURES_PER_ADDRESS:
        audit.record_now(anonymous, "login_refused_address")
        return SignInResult(None, gettext("Too many failed sign-ins from this device. Wait 15 minutes and try again."))
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
    if user is None:
        verify_secret(_DUMMY_HASH, password)  # same work as a real check: no user enumeration by timing
        audit.record_now(anonymous, "login_failed", detail="unknown account")
        return refused
    user_id, checked_hash = user.id, user.password_hash
    correct = verify_secret(checked_hash, password)
    new_hash = hash_secret(password) if correct and _hasher.check_needs_rehash(checked_hash) else None
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            return refused
        if user.password_hash != checked_hash:  # changed meanwhile: check against the stored one
            correct, new_hash = verify_secret(user.password_hash, password), None
        actor = Actor(label=user.email, role=user.role, staff_user_id=user.id, ip=ip)
        if user.locked_until and user.locked_until > now:
            audit.record(actor, "login_refused_locked")
            return refused  # the same words as an unknown address: a lock must not confirm the account exists
        if not correct or not user.active:
            user.failed_logins += 1
            audit.record(actor, "login_failed", detail=f"failure {user.failed_logins}")
            if user.failed_logins >= max_failures:
                user.locked_until = now + timedelta(seconds=lock_seconds)
                user.failed_logins = 0
                audit.record(actor, "account_locked", detail=f"locked until {user.locked_until.isoformat()}")
            return refused
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        if new_hash:
            user.password_hash = new_hash
        audit.record(actor, "login")
    return SignInResult(user)


def end_sessions(user_id: int, actor: Actor, reason: str) -> None:
    """End every open session of a staff account, on every device (sign-out, or an account change).

    Each session carries the account's ``session_epoch`` from sign-in and is checked against it on
    every request, so moving the epoch on makes every copy of every old session cookie worthless.
    """
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            return
        user.session_epoch += 1
        audit.record(actor, "sessions_ended", detail=reason)


_DUMMY_HASH = hash_secret(secrets.token_hex(8))

MAX_PIN_FAILURES = 5


def set_language(user_id: int, language: str) -> None:
    """A member of staff chooses the language of their own screens."""
    if language not in LANGUAGES:
        raise AccountError(gettext("language must be one of %(languages)s", languages=", ".join(LANGUAGES)))
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            raise AccountError(gettext("no such staff account"))
        user.language = language


def set_pin(user_id: int, pin: str) -> None:
    """Set the personal PIN a member of staff uses to unlock an idle tablet."""
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise AccountError(gettext("a PIN is 4 to 8 digits"))
    pin_hash = hash_secret(pin)  # before the write lock: hashing is slow on purpose
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None:
            raise AccountError(gettext("no such staff account"))
        user.pin_hash, user.failed_pins = pin_hash, 0


def unlock(user_id: int, secret: str, *, ip: str) -> tuple[bool, str]:
    """Unlock an idle-locked session with the PIN or password; too many wrong PINs force a full sign-in."""
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active:
        return False, "signed out"
    # Hash checks first, outside the write lock (see ``authenticate``).
    correct = verify_secret(user.pin_hash, secret) or verify_secret(user.password_hash, secret)
    with write_transaction():
        user = db.session.get(StaffUser, user_id)
        if user is None or not user.active:
            return False, "signed out"
        actor = Actor(label=user.email, role=user.role, staff_user_id=user.id, ip=ip)
        if correct:
            user.failed_pins = 0
            audit.record(actor, "unlock")
            return True, ""
        user.failed_pins += 1
        audit.record(actor, "unlock_failed", detail=f"failure {user.failed_pins}")
        if user.failed_pins >= MAX_PIN_FAILURES:
            user.failed_pins = 0
            user.session_epoch += 1  # every session of this user must sign in again
            return False, "signed out"
    return False, gettext("That PIN or password is not correct.")


API_KEY_PREFIX = "gb_"


def _key_hash(key: str) -> str:
    # API keys are 256-bit random tokens, so a fast hash is enough (unlike passwords).
    return sha256(key.encode()).hexdigest()


def create_api_key(name: str, role: str) -> tuple[ApiKey, str]:
    """Create an API key; returns the record and the key itself, which is never stored."""
    if role not in ROLES:
        raise AccountError(gettext("role must be one of %(roles)s", roles=", ".join(ROLES)))
    if not name.strip():
        raise AccountError(gettext("an API key needs a name"))
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        record = ApiKey(name=name.strip(), role=role, prefix=key[:10], key_hash=_key_hash(key))
        db.session.add(record)
    return record, key


def api_key_for(key: str) -> ApiKey | None:
    """The live API key matching a presented bearer token, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    record = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _key_hash(key)))
    if record is None or record.revoked_at is not None:
        return None
    return record


def touch_api_key(key_id: int) -> None:
    """Note when a key was last used (at most once a minute, to keep writes rare)."""
    record = db.session.get(ApiKey, key_id)
    now = utcnow()
    if record is not None and (record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1)):
        with write_transaction():
            record = db.session.get(ApiKey, key_id)
            if record is not None:
                record.last_used_at = now


def revoke_api_key(key_id: int, actor: Actor) -> None:
    """Revoke an API key; it stops working at once."""
    with write_transaction():
        record = db.session.get(ApiKey, key_id)
        if record is None:
            raise AccountError(gettext("no such API key"))
        if record.revoked_at is None:
            record.revoked_at = utcnow()
            audit.record(actor, "apikey_revoke", detail=record.name)
