"""The accounts file: who may log in, with which role and townships (TOML, argon2 password hashes).

The file lives at $DASHBOARD_USERS_FILE, default `.streamlit/users.toml` (git-ignored, owner-only):

    [users.zhangsan]
    role = "township"              # county | township | admin
    townships = ["341122101"]      # township codes (a township account only)
    password_hash = "$argon2id$…"  # argon2-cffi; never the password
    identity = "zhangsan@gov.cn"   # optional: the identity provider's claim for this person (OIDC)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock

from dpf import settings
from dpf.auth.private_json import write_private
from dpf.config import REPO_ROOT

USERS_FILE_ENV = settings.USERS_FILE.name
OIDC_CLAIM_ENV = settings.OIDC_CLAIM.name
DEFAULT_OIDC_CLAIM = settings.OIDC_CLAIM.default
COUNTY, TOWNSHIP, ADMIN = "county", "township", "admin"
ROLE_LABELS = {COUNTY: "县级", TOWNSHIP: "乡镇", ADMIN: "数据管理员"}
MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher()
# Verified against when the account does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")


class AccountsError(Exception):
    """The accounts file or a change to it is not acceptable; the message is Chinese and user-facing."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    townships: tuple[str, ...]  # codes; empty unless role is township
    password_hash: str
    identity: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def users_file() -> Path:
    """$DASHBOARD_USERS_FILE, else `.streamlit/users.toml` in the repository."""
    return settings.USERS_FILE.value() or REPO_ROOT / ".streamlit" / "users.toml"


def load_accounts(path: Path) -> dict[str, Account]:
    """Every account of the file ({} when there is no file); a damaged file raises AccountsError."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        accounts = {}
        for name, entry in raw.get("users", {}).items():
            role = entry["role"]
            if role not in ROLE_LABELS:
                raise ValueError(f"role {role!r}")
            townships = tuple(str(code) for code in entry.get("townships", ()))
            identity = entry.get("identity")
            accounts[name] = Account(name, role, townships, str(entry["password_hash"]), identity)
        return accounts
    except (OSError, UnicodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise AccountsError(f"账号文件 {path} 无法读取或格式不对：{err}") from err


def save_accounts(path: Path, accounts: Mapping[str, Account]) -> None:
    """Write the file atomically (a temporary file renamed into place), readable by its owner only."""
    users = {}
    for account in accounts.values():
        entry: dict = {"role": account.role, "password_hash": account.password_hash}
        if account.townships:
            entry["townships"] = list(account.townships)
        if account.identity:
            entry["identity"] = account.identity
        users[account.name] = entry
    write_private(path, tomli_w.dumps({"users": users}).encode("utf-8"))


def accounts_lock(path: Path) -> FileLock:
    """Serialises changes to the accounts file across processes (`users.toml.lock` beside it)."""
    return FileLock(str(path) + ".lock", timeout=30)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise AccountsError(problem)
    return _HASHER.hash(password)


def verify_password(account: Account | None, password: str) -> bool:
    """Whether `password` is the account's; an unknown account (None) costs the same time and is False."""
    try:
        return _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password) and account is not None
    except (VerificationError, InvalidHashError):
        return False


def add_account(
    path: Path, name: str, role: str, townships: tuple[str, ...], password: str, identity: str | None = None
) -> Account:
    name = name.strip()
    if not name:
        raise AccountsError("用户名不能为空。")
    if role not in ROLE_LABELS:
        raise AccountsError(f"未知角色 {role}；可选：{', '.join(ROLE_LABELS)}。")
    if (role == TOWNSHIP) != bool(townships):
        raise AccountsError("乡镇账号需用 --township 指定乡镇（街道）；县级和数据管理员账号不指定乡镇。")
    account = Account(name, role, tuple(townships), hash_password(password), identity)
    with accounts_lock(path):
        accounts = load_accounts(path)
        if name in accounts:
            raise AccountsError(f"账号 {name} 已存在；改密码请用 users passwd。")
        save_accounts(path, {**accounts, name: account})
    return account


def set_password(path: Path, name: str, password: str) -> None:
    hashed = hash_password(password)
    with accounts_lock(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountsError(f"没有账号 {name}。")
        old = accounts[name]
        save_accounts(path, {**accounts, name: Account(old.name, old.role, old.townships, hashed, old.identity)})


def remove_account(path: Path, name: str) -> None:
    with accounts_lock(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountsError(f"没有账号 {name}。")
        save_accounts(path, {key: value for key, value in accounts.items() if key != name})


def oidc_claim() -> str:
    """The identity token's claim matched against the accounts' `identity` ($DASHBOARD_OIDC_CLAIM, default sub)."""
    return settings.OIDC_CLAIM.given()


def account_for_identity(accounts: Mapping[str, Account], claims: Mapping[str, object], claim: str) -> Account | None:
    """The account whose `identity` equals the provider's `claim` (st.user after st.login); None when the person is
    not logged in, the claim is missing or empty, or no account (or more than one) carries it."""
    if not claims.get("is_logged_in", False):
        return None
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        return None
    found = [account for account in accounts.values() if account.identity and account.identity == value.strip()]
    return found[0] if len(found) == 1 else None
