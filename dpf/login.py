"""One login attempt against the accounts file, with the lock after repeated wrong passwords (dpf.lockout)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dpf.accounts import Account, load_accounts, verify_password
from dpf.lockout import LOCK_MINUTES, clear_failures, locked_until, record_failure

WRONG = "用户名或密码不正确。"
LOCKED = f"登录失败次数过多，请 {LOCK_MINUTES} 分钟后再试。"


@dataclass(frozen=True)
class LoginResult:
    account: Account | None  # the account on success
    event: str  # login_ok | login_failed | login_locked (the audit event)
    message: str  # what the form says (Chinese); the same for an unknown name as for a wrong password
    known: bool  # whether the name is an account (for the audit line only, never shown)


def attempt_login(users: Path, name: str, password: str, now: datetime) -> LoginResult:
    name = name.strip()
    account = load_accounts(users).get(name)
    if locked_until(users, name, now):
        return LoginResult(None, "login_locked", LOCKED, account is not None)
    if verify_password(account, password):  # an unknown name (None) costs the same and fails
        clear_failures(users, name)
        return LoginResult(account, "login_ok", "", True)
    if record_failure(users, name, now):
        return LoginResult(None, "login_locked", LOCKED, account is not None)
    return LoginResult(None, "login_failed", WRONG, account is not None)
