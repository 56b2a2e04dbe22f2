"""dpf.auth.accounts, dpf.auth.login, dpf.auth.lockout, dpf.auth.audit and `python -m dpf users`: real files, real processes."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dpf.auth import audit
from dpf.auth.accounts import (
    AccountsError,
    account_for_identity,
    add_account,
    load_accounts,
    remove_account,
    set_password,
    verify_password,
)
from dpf.auth.lockout import locked_until
from dpf.auth.login import LOCKED, WRONG, attempt_login

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 9, 30, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def users(tmp_path: Path, *args: str, stdin: str = "", data: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "dpf", "users", "--file", str(tmp_path / "users.toml")]
    if data:
        command += ["--data", str(data)]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120, check=False
    )


def test_cli_add_list_passwd_remove(tmp_path, demo_dir):
    path = tmp_path / "users.toml"
    added = users(
        tmp_path,
        "add",
        "longshan",
        "--role",
        "township",
        "--township",
        "龙山镇",
        "--password-stdin",
        stdin="龙山镇的密码2024\n",
        data=demo_dir,
    )
    assert added.returncode == 0, added.stderr
    assert (
        users(tmp_path, "add", "boss", "--role", "county", "--password-stdin", stdin="county-pass-1\n").returncode == 0
    )
    text = path.read_text(encoding="utf-8")
    assert "龙山镇的密码2024" not in text and "county-pass-1" not in text and "$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = load_accounts(path)
    assert accounts["longshan"].role == "township" and accounts["longshan"].townships == ("349001101",)
    assert verify_password(accounts["longshan"], "龙山镇的密码2024")
    assert not verify_password(accounts["longshan"], "county-pass-1")
    listed = users(tmp_path, "list", data=demo_dir).stdout
    assert "longshan\t乡镇\t龙山镇" in listed and "boss\t县级\t全县" in listed

    assert users(tmp_path, "passwd", "boss", "--password-stdin", stdin="a-new-password\n").returncode == 0
    assert verify_password(load_accounts(path)["boss"], "a-new-password")
    assert users(tmp_path, "remove", "boss").returncode == 0
    assert list(load_accounts(path)) == ["longshan"]


def test_cli_refuses_unknown_township_weak_password_and_duplicates(tmp_path, demo_dir):
    unknown = users(
        tmp_path,
        "add",
        "x",
        "--role",
        "township",
        "--township",
        "火星镇",
        "--password-stdin",
        stdin="long-enough-1\n",
        data=demo_dir,
    )
    assert unknown.returncode == 2
    assert "未知的乡镇（街道）：火星镇" in unknown.stderr and "龙山镇" in unknown.stderr  # the valid names
    weak = users(tmp_path, "add", "y", "--role", "county", "--password-stdin", stdin="123456789\n")
    assert weak.returncode == 2 and "至少需要 10 个字符" in weak.stderr
    assert not (tmp_path / "users.toml").exists()  # nothing written
    no_town = users(tmp_path, "add", "z", "--role", "township", "--password-stdin", stdin="long-enough-1\n")
    assert no_town.returncode == 2 and "--township" in no_town.stderr
    assert users(tmp_path, "add", "y", "--role", "admin", "--password-stdin", stdin="long-enough-1\n").returncode == 0
    again = users(tmp_path, "add", "y", "--role", "county", "--password-stdin", stdin="long-enough-2\n")
    assert again.returncode == 2 and "已存在" in again.stderr
    assert load_accounts(tmp_path / "users.toml")["y"].role == "admin"
    assert users(tmp_path, "passwd", "y", "--password-stdin", stdin="short\n").returncode == 2
    assert users(tmp_path, "remove", "nobody").returncode == 2


def test_damaged_file_is_an_accounts_error(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.a]\nrole = "king"\npassword_hash = "x"\n', encoding="utf-8")
    with pytest.raises(AccountsError, match="账号文件"):
        load_accounts(path)
    with pytest.raises(AccountsError):
        set_password(path, "a", "long-enough-1")
    with pytest.raises(AccountsError):
        remove_account(path, "a")


def test_five_wrong_passwords_lock_for_15_minutes_known_or_not(tmp_path):
    path = tmp_path / "users.toml"
    add_account(path, "boss", "county", (), "right-password")
    for name in ("boss", "nobody"):  # an unknown name behaves the same: the form never tells which exist
        results = [attempt_login(path, name, "wrong-password", NOW + timedelta(seconds=i)) for i in range(5)]
        assert [r.message for r in results] == [WRONG] * 4 + [LOCKED]
        assert results[-1].event == "login_locked"
    locked = attempt_login(path, "boss", "right-password", NOW + timedelta(minutes=14))
    assert locked.account is None and locked.message == LOCKED  # even the right password while locked
    ok = attempt_login(path, "boss", "right-password", NOW + timedelta(minutes=15, seconds=5))
    assert ok.account is not None and ok.event == "login_ok"
    # a success forgets earlier failures: four more wrong ones do not lock
    for i in range(4):
        assert attempt_login(path, "boss", "nope-nope-1", NOW + timedelta(minutes=20, seconds=i)).message == WRONG
    assert locked_until(path, "boss", NOW + timedelta(minutes=21)) is None
    state = (tmp_path / "users.toml.lockout.json").read_text(encoding="utf-8")
    assert "boss" not in state and "nobody" not in state  # names are kept as digests only


RACE = """
import sys
from datetime import datetime
from pathlib import Path
from dpf.auth.lockout import record_failure
path, name = Path(sys.argv[1]), sys.argv[2]
now = datetime.fromisoformat(sys.argv[3])
print(sum(record_failure(path, name, now) is not None for _ in range(2)))
"""


def test_failures_from_two_processes_are_all_counted(tmp_path):
    path = tmp_path / "users.toml"
    add_account(path, "boss", "county", (), "right-password")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(path), "boss", NOW.isoformat()],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    locks = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert sum(locks) == 0  # 4 failures in all: not yet locked
    assert attempt_login(path, "boss", "wrong-password", NOW).message == LOCKED  # the fifth locks


def test_oidc_identity_maps_to_the_account(tmp_path):
    path = tmp_path / "users.toml"
    add_account(path, "longshan", "township", ("349001004",), "long-enough-1", identity="zw-10086")
    add_account(path, "boss", "county", (), "long-enough-1", identity="boss@gov.cn")
    add_account(path, "clerk", "admin", (), "long-enough-1")
    accounts = load_accounts(path)
    signed_in = {"is_logged_in": True, "sub": "zw-10086", "email": "boss@gov.cn"}
    assert account_for_identity(accounts, signed_in, "sub").name == "longshan"
    assert account_for_identity(accounts, signed_in, "email").name == "boss"
    assert account_for_identity(accounts, {**signed_in, "is_logged_in": False}, "sub") is None
    assert account_for_identity(accounts, {"is_logged_in": True, "sub": "someone-else"}, "sub") is None
    assert account_for_identity(accounts, {"is_logged_in": True, "sub": ""}, "sub") is None
    assert account_for_identity(accounts, {"is_logged_in": True}, "sub") is None
    assert account_for_identity(accounts, {}, "sub") is None  # OIDC not configured: st.user is empty
    twice = {**accounts, "copy": accounts["boss"].__class__("copy", "admin", (), "x", "boss@gov.cn")}
    assert account_for_identity(twice, signed_in, "email") is None  # ambiguous: nobody


def test_audit_lines_are_appended_owner_only(tmp_path, monkeypatch):
    data = tmp_path / "extracts"
    audit.record(data, "login_ok", "boss", "county")
    audit.record(data, "page_view", "boss", "county", page="总览", scope="全县", year=2024)
    path = tmp_path / "extracts.imports" / "audit.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["event"] for line in lines] == ["login_ok", "page_view"]
    assert lines[1]["page"] == "总览" and lines[1]["scope"] == "全县" and lines[1]["account"] == "boss"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [e["event"] for e in audit.recent(data, 1)] == ["page_view"]
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(tmp_path / "audit"))
    audit.record(data, "logout", "boss", "county")
    assert (tmp_path / "audit" / "audit.jsonl").is_file()


def test_an_unwritable_audit_file_does_not_stop_the_page(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "audit"
    (folder / "audit.jsonl").mkdir(parents=True)  # not a file: even root cannot append to it
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(folder))
    audit.record(tmp_path / "x", "login_ok", "boss", "county")  # no exception
    assert "could not be written" in caplog.text
