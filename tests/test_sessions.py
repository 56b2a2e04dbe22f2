"""dpf.auth.sessions: the server's login sessions, in one file every process shares; dpf.auth.session_routes' redirect
target; `python -m dpf users unlock`."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dpf.auth import sessions
from dpf.auth.accounts import add_account, load_accounts, remove_account, set_password
from dpf.auth.session_routes import safe_next

REPO = Path(__file__).resolve().parent.parent
T = 1_700_000_000.0
IDLE = 30 * 60


@pytest.fixture
def users(tmp_path) -> Path:
    path = tmp_path / "users.toml"
    add_account(path, "boss", "county", (), "password-boss")
    add_account(path, "clerk", "admin", (), "password-clerk")
    return path


def check(users: Path, token: str, now: float) -> sessions.Check:
    return sessions.check(users, token, load_accounts(users), now, IDLE)


def test_a_session_holds_while_used_and_ends_when_idle(users):
    token = sessions.open_session(users, load_accounts(users)["boss"], T)
    assert check(users, token, T + IDLE - 1).account.name == "boss"
    assert check(users, token, T + 2 * IDLE - 2).account.name == "boss"  # seen at T + IDLE - 1
    ended = check(users, token, T + 3 * IDLE)
    assert ended.account is None and ended.ended == sessions.IDLE and ended.name == "boss"
    assert check(users, token, T + 3 * IDLE + 1).ended == sessions.ENDED  # removed at its end


def test_only_the_tokens_digest_is_kept_owner_only(users):
    token = sessions.open_session(users, load_accounts(users)["boss"], T)
    text = sessions.sessions_file(users).read_text(encoding="utf-8")
    assert token not in text and "password-boss" not in text and "$argon2" not in text
    assert stat.S_IMODE(sessions.sessions_file(users).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("change", "ended"),
    [
        (lambda users: set_password(users, "boss", "a-new-password"), sessions.CHANGED),
        (lambda users: remove_account(users, "boss"), sessions.CHANGED),
        (lambda users: set_password(users, "clerk", "another-password"), None),  # someone else's password
        (lambda users: None, None),
    ],
    ids=["new password", "removed account", "other account", "nothing"],
)
def test_a_new_password_or_a_removed_account_ends_the_session(users, change, ended):
    token = sessions.open_session(users, load_accounts(users)["boss"], T)
    change(users)
    assert check(users, token, T + 1).ended == ended


def test_a_session_ends_twelve_hours_after_the_login_however_active(users):
    token = sessions.open_session(users, load_accounts(users)["boss"], T)
    for step in range(1, 36):  # a click every 20 minutes for 11 hours 40 minutes
        assert check(users, token, T + step * 1200).account is not None
    assert check(users, token, T + 12 * 3600 + 1).ended == sessions.CHANGED


def test_a_ticket_opens_one_session_once_within_a_minute_for_its_address(users):
    boss = load_accounts(users)["boss"]
    ticket = sessions.issue_ticket(users, boss, T)
    token = sessions.redeem_ticket(users, ticket, T + 5)
    assert token and token != ticket and check(users, token, T + 6).account.name == "boss"
    assert sessions.redeem_ticket(users, ticket, T + 7) is None  # used up
    late = sessions.issue_ticket(users, boss, T)
    assert sessions.redeem_ticket(users, late, T + sessions.TICKET_SECONDS + 1) is None
    assert sessions.redeem_ticket(users, "made-up", T) is None
    elsewhere = sessions.issue_ticket(users, boss, T, "10.0.0.1")  # a ticket sent to another browser's address
    assert sessions.redeem_ticket(users, elsewhere, T + 1, "10.0.0.2") is None
    assert sessions.redeem_ticket(users, elsewhere, T + 1, "10.0.0.1") is None  # and it is used up
    assert sessions.redeem_ticket(users, sessions.issue_ticket(users, boss, T, "10.0.0.1"), T + 1, "10.0.0.1")


ENDER = """
import sys
from pathlib import Path
from dpf.auth.sessions import end_session
print(end_session(Path(sys.argv[1]), sys.argv[2]))
"""


def test_logout_in_another_process_ends_the_session_here(users):
    token = sessions.open_session(users, load_accounts(users)["boss"], T)
    other = sessions.open_session(users, load_accounts(users)["boss"], T)  # another browser of the same account
    done = subprocess.run(
        [sys.executable, "-c", ENDER, str(users), token], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "boss"
    assert check(users, token, T + 1).ended == sessions.ENDED
    assert check(users, other, T + 1).account.name == "boss"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/funds?township=%E5%9F%8E", "/funds?township=%E5%9F%8E"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("funds", "/"),
    ],
)
def test_the_redirect_stays_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_users_unlock_lifts_the_lock_and_is_audited(users, tmp_path):
    from datetime import datetime

    from dpf.auth.login import LOCKED, attempt_login

    now = datetime.now().astimezone()
    for _ in range(5):
        attempt_login(users, "boss", "wrong-password", now, "10.0.0.1")
    assert attempt_login(users, "boss", "password-boss", now, "10.0.0.1").message == LOCKED
    command = [sys.executable, "-m", "dpf", "users", "--file", str(users), "unlock", "boss"]
    env = {"DASHBOARD_AUDIT_DIR": str(tmp_path / "audit"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0 and "已解除" in done.stdout, done.stderr
    assert attempt_login(users, "boss", "password-boss", now, "10.0.0.1").account is not None
    lines = [json.loads(line) for line in (tmp_path / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["event"], e["account"]) for e in lines] == [("unlock", "boss")]
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert again.returncode == 0 and "没有登录锁定" in again.stdout
