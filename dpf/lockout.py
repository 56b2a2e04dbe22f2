"""Five wrong passwords lock an account name for 15 minutes, across processes.

The state is a small JSON file beside the accounts file (`users.toml.lockout.json`, owner-only), changed under a
`filelock`. It is kept per name tried, whether or not an account has that name, so the login form behaves the same
for both and never tells which names exist; names are stored as their SHA-256 digest (a lookup key, not a secret).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock

MAX_FAILURES = 5
LOCK_MINUTES = 15


def lockout_file(users: Path) -> Path:
    return users.with_name(users.name + ".lockout.json")


def _key(name: str) -> str:
    return hashlib.sha256(name.strip().encode("utf-8")).hexdigest()


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(path: Path, state: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _lock(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=30)


def locked_until(users: Path, name: str, now: datetime) -> datetime | None:
    """When the name's lock ends, or None when it is not locked at `now`."""
    entry = _read(lockout_file(users)).get(_key(name))
    if entry and entry.get("until"):
        until = datetime.fromisoformat(entry["until"])
        if until > now:
            return until
    return None


def record_failure(users: Path, name: str, now: datetime) -> datetime | None:
    """Count a wrong password; returns the end of the lock when this failure locks the name."""
    path = lockout_file(users)
    with _lock(path):
        state = _read(path)
        key = _key(name)
        entry = state.get(key, {})
        if entry.get("until") and datetime.fromisoformat(entry["until"]) <= now:
            entry = {}  # an expired lock starts a fresh count
        failures = int(entry.get("failures", 0)) + 1
        until = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        state[key] = {"failures": 0 if until else failures, "until": until.isoformat() if until else None}
        _write(path, state)
    return until


def clear_failures(users: Path, name: str) -> None:
    """A correct password forgets the name's earlier failures."""
    path = lockout_file(users)
    with _lock(path):
        state = _read(path)
        if state.pop(_key(name), None) is not None:
            _write(path, state)
