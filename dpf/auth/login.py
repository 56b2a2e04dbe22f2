"""One login attempt: the throttle's gate, the password check and the record of its result as one step.

`dpf.auth.lockout.lockout_lock` is held from reading the lockout state to writing the result, so no guess in any
process has its password checked before every earlier check is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import Timeout

from dpf.auth import lockout
from dpf.auth.accounts import Account, load_accounts, verify_password

WRONG = "用户名或密码不正确。"
LOCKED = f"登录失败次数过多，请 {lockout.LOCK_MINUTES} 分钟后再试。"
BUSY = "登录繁忙，请稍后再试。"


@dataclass(frozen=True)
class LoginResult:
    account: Account | None  # the account on success
    event: str  # login_ok | login_failed | login_locked (the audit event)
    message: str  # what the form says (Chinese); the same for an unknown name as for a wrong password
    known: bool  # whether the name is an account (for the audit line only, never shown)
    checked: bool = False  # whether the password was checked (not refused by the throttle)
    delay: float = 0.0  # seconds the caller waits before answering a failure (grows per failure)
    locks: list[lockout.Lock] = field(default_factory=list)  # locks this failure set (for the audit trail)


def attempt_login(users: Path, name: str, password: str, now: datetime, client: str | None = None) -> LoginResult:
    """Try `name` and `password` from the client address `client` (None: unknown, e.g. loopback)."""
    name = name.strip()
    account = load_accounts(users).get(name)
    known = account is not None
    try:
        with lockout.lockout_lock(users):
            state = lockout.read_state(users)
            if lockout.gate(state, name, client, now):
                return LoginResult(None, "login_locked", LOCKED, known)
            if verify_password(account, password):  # an unknown name (None) costs the same and fails
                lockout.after_success(state, name, client)
                lockout.write_state(users, state)
                return LoginResult(account, "login_ok", "", True, checked=True)
            locks = lockout.after_failure(state, name, client, now)
            lockout.prune(state, now)
            lockout.write_state(users, state)
            failures = lockout.pair_failures(state, name, client, now)
            refused = lockout.gate(state, name, client, now) is not None
    except Timeout:
        return LoginResult(None, "login_failed", BUSY, known)
    delay = lockout.delay_seconds(failures)
    if refused:
        return LoginResult(None, "login_locked", LOCKED, known, True, delay, locks)
    return LoginResult(None, "login_failed", WRONG, known, True, delay, locks)
