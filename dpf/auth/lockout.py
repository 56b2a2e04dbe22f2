"""The login throttle: which attempts may have their password checked, and what a failure changes.

Three counts, each over a 15-minute window:
- per (name, client address): 5 failures lock that pair for 15 minutes, and each failure makes the client wait a
  little longer before its answer (`delay_seconds`);
- per name: after 5 failures from any clients, only clients that have not failed on the name may still try it, so
  an attacker spends the name's budget but the owner, from a client that has not been failing, still gets in;
- per client address: 20 failures on any names lock the client (one password tried on many names).

The state is a small JSON file beside the accounts file (`users.toml.lockout.json`, owner-only). The functions on
a state dict are pure (`gate`, `after_failure`, `after_success`, `unlock_name`); dpf.auth.login holds `lockout_lock`
across reading the state, checking the password and writing the result, so parallel guesses in any process are
counted before the next one is let through. Names and addresses are stored as SHA-256 digests (lookup keys).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock

from dpf.auth.private_json import read_json, write_json

MAX_FAILURES = 5  # per (name, client): the pair is locked on the fifth
NAME_BUDGET = 5  # per name: failures after which clients that have failed on it are refused
CLIENT_MAX_FAILURES = 20  # per client address, over all names
LOCK_MINUTES = 15
WINDOW = timedelta(minutes=LOCK_MINUTES)
LOCAL = "local"  # the client key when the address is unknown (loopback)
PAIR, NAME, CLIENT = "pair", "name", "client"


@dataclass(frozen=True)
class Lock:
    """A lock set by a failure: on the (name, client) pair, on the name's budget or on the client address."""

    scope: str  # PAIR | NAME | CLIENT
    until: datetime


def lockout_file(users: Path) -> Path:
    return users.with_name(users.name + ".lockout.json")


def lockout_lock(users: Path) -> FileLock:
    """The one cross-process lock over the lockout state (held while a password is checked)."""
    return FileLock(str(lockout_file(users)) + ".lock", timeout=30)


def read_state(users: Path) -> dict:
    """The state (an empty one when there is none, it is damaged or of the earlier per-name format)."""
    state = read_json(lockout_file(users))
    if state.get("version") != 2:
        state = {}
    return {"version": 2, "pairs": {}, "names": {}, "clients": {}} | state


def write_state(users: Path, state: dict) -> None:
    write_json(lockout_file(users), state)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keys(name: str, client: str | None) -> tuple[str, str, str]:
    """(pair, name, client) keys of the state."""
    name = name.strip()
    address = client or LOCAL
    return _digest(f"{name}\0{address}"), _digest(name), _digest(f"\0{address}")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _recent(times: list[str], now: datetime) -> list[str]:
    return [t for t in times if datetime.fromisoformat(t) > now - WINDOW]


def _budget(state: dict, name_key: str, now: datetime) -> list[list[str]]:
    """The name's failures in the window, oldest first, each [time, pair key]."""
    entries = state["names"].get(name_key, [])
    return sorted(entry for entry in entries if datetime.fromisoformat(entry[0]) > now - WINDOW)


def _pair(state: dict, key: str, now: datetime) -> dict:
    """The pair's live entry: an ended lock or a last failure older than the window starts a fresh count."""
    entry = state["pairs"].get(key, {})
    until, last = _time(entry.get("until")), _time(entry.get("last"))
    if (until and until <= now) or (not until and last and last <= now - WINDOW):
        return {}
    return entry


def gate(state: dict, name: str, client: str | None, now: datetime) -> datetime | None:
    """None when this client may have its password for `name` checked at `now`, else when it may try again."""
    pair_key, name_key, client_key = _keys(name, client)
    refused = []
    client_until = _time(state["clients"].get(client_key, {}).get("until"))
    if client_until and client_until > now:
        refused.append(client_until)
    pair = _pair(state, pair_key, now)
    pair_until = _time(pair.get("until"))
    if pair_until:
        refused.append(pair_until)
    budget = _budget(state, name_key, now)
    if pair and len(budget) >= NAME_BUDGET:  # only a client that has failed on the name is held by its budget
        refused.append(datetime.fromisoformat(budget[-NAME_BUDGET][0]) + WINDOW)
    return max(refused) if refused else None


def after_failure(state: dict, name: str, client: str | None, now: datetime) -> list[Lock]:
    """Count one failed check; the locks this failure sets. A failure never shortens or lifts a running lock."""
    pair_key, name_key, client_key = _keys(name, client)
    locks = []
    pair = _pair(state, pair_key, now)
    failures = int(pair.get("failures", 0)) + 1
    until = _time(pair.get("until"))
    if failures >= MAX_FAILURES and not until:
        until = now + WINDOW
        locks.append(Lock(PAIR, until))
    state["pairs"][pair_key] = {
        "name": name_key,  # so unlock_name finds every client's count on the name, and their client locks
        "client": client_key,
        "failures": failures,
        "last": now.isoformat(),
        "until": until and until.isoformat(),
    }
    budget = [*_budget(state, name_key, now), [now.isoformat(), pair_key]]
    state["names"][name_key] = budget
    if len(budget) == NAME_BUDGET:
        locks.append(Lock(NAME, datetime.fromisoformat(budget[0][0]) + WINDOW))
    entry = state["clients"].get(client_key, {})
    client_until = _time(entry.get("until"))
    if client_until and client_until <= now:
        entry, client_until = {}, None
    spread = [*_recent(entry.get("failures", []), now), now.isoformat()]
    if len(spread) >= CLIENT_MAX_FAILURES and not client_until:
        client_until = now + WINDOW
        locks.append(Lock(CLIENT, client_until))
    state["clients"][client_key] = {"failures": spread, "until": client_until and client_until.isoformat()}
    return locks


def after_success(state: dict, name: str, client: str | None) -> None:
    """A correct password forgets this client's failures on the name, in its count and in the name's budget (not
    the other clients' failures: they still hold the clients that made them)."""
    pair_key, name_key, _ = _keys(name, client)
    state["pairs"].pop(pair_key, None)
    if name_key in state["names"]:
        state["names"][name_key] = [entry for entry in state["names"][name_key] if entry[1] != pair_key]


def unlock_name(state: dict, name: str) -> bool:
    """Lift every lock that holds logins to the name: its budget, every client's count on it and the lock of each
    client address that failed on it (an office's shared address, say). Whether there was anything."""
    name_key = _keys(name, None)[1]
    pairs = {key: entry for key, entry in state["pairs"].items() if entry.get("name") == name_key}
    had = bool(state["names"].pop(name_key, None)) | bool(pairs)
    for key, entry in pairs.items():
        del state["pairs"][key]
        state["clients"].pop(entry.get("client"), None)
    return had


def delay_seconds(failures: int) -> float:
    """How long the answer to a client's `failures`-th failure on a name waits: 0.25 s doubling, at most 4 s."""
    return min(0.25 * 2 ** (failures - 1), 4.0) if failures > 0 else 0.0


def pair_failures(state: dict, name: str, client: str | None, now: datetime) -> int:
    return int(_pair(state, _keys(name, client)[0], now).get("failures", 0))


def prune(state: dict, now: datetime) -> None:
    """Forget what no longer counts, so the file holds only the last 15 minutes."""
    state["pairs"] = {key: entry for key, entry in state["pairs"].items() if _pair(state, key, now)}
    state["names"] = {key: budget for key in state["names"] if (budget := _budget(state, key, now))}
    state["clients"] = {
        key: entry
        for key, entry in state["clients"].items()
        if _recent(entry.get("failures", []), now) or ((_time(entry.get("until")) or now) > now)
    }


def locked_until(users: Path, name: str, now: datetime, client: str | None = None) -> datetime | None:
    """When this client may try `name` again, or None when it may now."""
    with lockout_lock(users):
        return gate(read_state(users), name, client, now)


def record_failure(users: Path, name: str, now: datetime, client: str | None = None) -> datetime | None:
    """Count a failure outside a login (under the lock); the end of the pair's lock when this failure sets it."""
    with lockout_lock(users):
        state = read_state(users)
        locks = after_failure(state, name, client, now)
        write_state(users, state)
    return next((lock.until for lock in locks if lock.scope == PAIR), None)


def unlock(users: Path, name: str) -> bool:
    """`users unlock NAME`: lift the name's locks; whether there were any."""
    with lockout_lock(users):
        state = read_state(users)
        had = unlock_name(state, name)
        if had:
            write_state(users, state)
    return had
