"""Uploaded import files: kept in ``instance/imports`` only while an import is checked, then deleted.

A file is deleted when its import is committed or cancelled; whatever is left (a manager who walked
away from a dry run) is cleared once it is more than a day old, on every new upload.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

UPLOAD_FOLDER = "imports"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SUFFIXES = (".csv", ".xlsx")


class BadUploadToken(ValueError):
    """The token is not one this module could have made."""


class UploadGone(LookupError):
    """No upload with this token (already imported, cancelled, or cleared after a day)."""


def folder(instance_path: str) -> Path:
    """The upload folder, created when missing."""
    path = Path(instance_path) / UPLOAD_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(instance_path: str, token: str) -> Path:
    if not _TOKEN.fullmatch(token or ""):
        raise BadUploadToken(token)
    for suffix in SUFFIXES:
        candidate = folder(instance_path) / f"{token}{suffix}"
        if candidate.exists():
            return candidate
    raise UploadGone(token)


def store(instance_path: str, filename: str, content: bytes) -> tuple[str, str]:
    """Keep an upload for the commit that follows its dry run; returns (token, stored name). Clears stale files."""
    clear_stale(instance_path)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    token = secrets.token_urlsafe(24)
    (folder(instance_path) / f"{token}{suffix}").write_bytes(content)
    return token, f"upload{suffix}"


def load(instance_path: str, token: str) -> tuple[str, bytes]:
    """The stored upload: a file name with the right suffix, and its bytes."""
    path = _path(instance_path, token)
    return f"upload{path.suffix}", path.read_bytes()


def discard(instance_path: str, token: str) -> bool:
    """Delete an upload (its import finished or was cancelled); False when it was already gone."""
    try:
        path = _path(instance_path, token)
    except UploadGone:
        return False
    path.unlink(missing_ok=True)
    return True


def clear_stale(instance_path: str, now: float | None = None, max_age: float = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than ``max_age`` seconds (a day); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder(instance_path).iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker cleared it first
            continue
    return removed
