"""Login sessions kept by the server, shared by every dashboard process: who, since when, last seen.

A browser holds a random token in an HttpOnly cookie (dpf.auth.session_routes sets it); this file (`users.toml.sessions.json`
beside the accounts file, owner-only, changed under a `filelock`) holds only the token's SHA-256 digest with the
account, the time it was issued, the time it was last seen and a digest of the account's password hash. So
退出登录 (`end_session`), the idle timeout, a changed password and a removed account end a session in every process
at its next check. A login first gets a one-time ticket (`issue_ticket`, valid a minute) that the cookie route
exchanges for the session's token (`redeem_ticket`), so the token itself never appears in a URL or a page.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from dpf.auth.accounts import Account
from dpf.auth.private_json import read_json, write_json

COOKIE = "dpf_session"
TICKET_SECONDS = 60
MAX_SECONDS = 12 * 3600  # a session ends 12 hours after the login, however active
TOUCH_SECONDS = 15  # last seen is written at most this often (less often than every rerun)
IDLE, CHANGED, ENDED = "idle", "changed", "ended"


@dataclass(frozen=True)
class Check:
    account: Account | None  # the session's account while the session holds
    ended: str | None = None  # why it does not: IDLE, CHANGED (password, account removed, 12 hours) or ENDED
    name: str | None = None  # the account name the session was of (for the audit line of its end)


def sessions_file(users: Path) -> Path:
    return users.with_name(users.name + ".sessions.json")


def _lock(users: Path) -> FileLock:
    return FileLock(str(sessions_file(users)) + ".lock", timeout=30)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(users: Path) -> dict:
    return {"sessions": {}, "tickets": {}} | read_json(sessions_file(users))


def _write(users: Path, state: dict) -> None:
    write_json(sessions_file(users), state)


def _prune(state: dict, now: float) -> None:
    state["tickets"] = {key: t for key, t in state["tickets"].items() if t["issued"] + TICKET_SECONDS > now}
    state["sessions"] = {key: s for key, s in state["sessions"].items() if s["issued"] + MAX_SECONDS > now}


def _new_session(state: dict, account: str, fingerprint: str, now: float) -> str:
    token = secrets.token_urlsafe(32)
    state["sessions"][_digest(token)] = {"account": account, "password": fingerprint, "issued": now, "last_seen": now}
    return token


def fingerprint(account: Account) -> str:
    """A digest of the account's password hash: any new password (a new salt) changes it."""
    return _digest(account.password_hash)[:32]


def open_session(users: Path, account: Account, now: float) -> str:
    """A new session of `account`; its token (kept by the caller, e.g. in the page's session)."""
    with _lock(users):
        state = _read(users)
        _prune(state, now)
        token = _new_session(state, account.name, fingerprint(account), now)
        _write(users, state)
    return token


def issue_ticket(users: Path, account: Account, now: float, client: str | None = None) -> str:
    """A one-time ticket for the cookie route to open a session of `account` for the browser at the address
    `client` (None: loopback) within TICKET_SECONDS."""
    ticket = secrets.token_urlsafe(32)
    entry = {"account": account.name, "password": fingerprint(account), "issued": now, "client": client}
    with _lock(users):
        state = _read(users)
        _prune(state, now)
        state["tickets"][_digest(ticket)] = entry
        _write(users, state)
    return ticket


def redeem_ticket(users: Path, ticket: str, now: float, client: str | None = None) -> str | None:
    """The token of a new session for a valid ticket from the address it was issued for, which uses it up; None
    for an unknown or stale ticket or another address (no page elsewhere can log a browser into its account)."""
    with _lock(users):
        state = _read(users)
        _prune(state, now)
        entry = state["tickets"].pop(_digest(ticket), None)
        valid = entry is not None and entry.get("client") == client
        token = _new_session(state, entry["account"], entry["password"], now) if valid else None
        _write(users, state)
    return token


def check(users: Path, token: str, accounts: Mapping[str, Account], now: float, idle_seconds: float) -> Check:
    """Whether the session holds at `now`; a session that does not is removed, one that does is seen now."""
    key = _digest(token)
    with _lock(users):
        state = _read(users)
        entry = state["sessions"].get(key)
        if entry is None:
            return Check(None, ENDED)
        account = accounts.get(entry["account"])
        ended = None
        if now - entry["last_seen"] > idle_seconds:
            ended = IDLE
        elif account is None or fingerprint(account) != entry["password"] or now - entry["issued"] > MAX_SECONDS:
            ended = CHANGED
        if ended:
            del state["sessions"][key]
            _write(users, state)
            return Check(None, ended, entry["account"])
        if now - entry["last_seen"] >= min(TOUCH_SECONDS, idle_seconds / 4):
            entry["last_seen"] = now
            _write(users, state)
    return Check(account, None, entry["account"])


def end_session(users: Path, token: str) -> str | None:
    """退出登录: the session ends in every process; the account it was of (None when it had already ended)."""
    with _lock(users):
        state = _read(users)
        entry = state["sessions"].pop(_digest(token), None)
        if entry is not None:
            _write(users, state)
    return entry["account"] if entry else None
