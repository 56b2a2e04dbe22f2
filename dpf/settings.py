"""Every `DASHBOARD_*` environment variable in one table: its name, default, parser and help.

A module reads a setting with `settings.DATA_DIR.value()` (read afresh on every call, so a changed environment or a
test's monkeypatch applies at once). An unset or blank variable gives the default; `None` as default means the
reader works the default out itself (a path beside another, say) and `default_text` says which for the README.
serve/ imports nothing of the project (tests/test_structure.py), so serve/cluster.py reads its one variable itself;
its row here documents it and a test checks the name is the same. The README's settings table is `markdown_table()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def flag(raw: str) -> bool:
    """1, true, yes or on (any case) switch a setting on; anything else leaves it off."""
    return raw.lower() in TRUE_WORDS


def whole_days(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("应为不小于 1 的整数（天数）")
    return int(raw)


def positive_number(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("应为大于 0 的数（秒）") from None
    if not value > 0:
        raise ValueError("应为大于 0 的数（秒）")
    return value


def whole_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("应为不小于 1 的整数")
    return int(raw)


SMTP_SECURITY_CHOICES = ("starttls", "tls", "none")


def smtp_security(raw: str) -> str:
    if raw.lower() not in SMTP_SECURITY_CHOICES:
        raise ValueError(f"应为 {'、'.join(SMTP_SECURITY_CHOICES)} 之一")
    return raw.lower()


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable. `lenient`: a value the parser refuses gives the default instead of an error
    (the parser's Chinese message, with the name and the value, otherwise)."""

    name: str
    default: T | None
    parser: Callable[[str], T]
    help: str
    default_text: str = ""
    read_by: str = ""  # where it is read, when not through this module (serve/)
    lenient: bool = False

    def raw(self) -> str:
        return os.environ.get(self.name, "").strip()

    def value(self) -> T | None:
        raw = self.raw()
        if not raw:
            return self.default
        try:
            return self.parser(raw)
        except ValueError as exc:
            if self.lenient:
                return self.default
            raise ValueError(f"{self.name} {exc}，当前为“{raw}”。") from None

    def given(self) -> T:
        """The value of a setting that has a default (never None)."""
        value = self.value()
        if value is None:
            raise LookupError(f"{self.name} has no default; use value()")
        return value

    def shown_default(self) -> str:
        return self.default_text or f"`{self.default}`"


DATA_DIR = Setting[Path](
    "DASHBOARD_DATA_DIR", None, Path, "The extracts folder the dashboard and `python -m dpf` read.", "`data/demo`"
)
CACHE_DIR = Setting[Path](
    "DASHBOARD_CACHE_DIR",
    None,
    Path,
    "Where summaries and check results are kept.",
    "`$XDG_CACHE_HOME/dpf-dashboard`, else `~/.cache/dpf-dashboard`",
)
USERS_FILE = Setting[Path](
    "DASHBOARD_USERS_FILE", None, Path, "The accounts file (TOML).", "`.streamlit/users.toml` in the repository"
)
OIDC_CLAIM = Setting[str](
    "DASHBOARD_OIDC_CLAIM", "sub", str, "The identity token's claim matched against the accounts' `identity`."
)
ALLOW_ANONYMOUS = Setting[bool](
    "DASHBOARD_ALLOW_ANONYMOUS",
    False,
    flag,
    "`1` opens real data without login when there is no accounts file (every page then says login is off).",
    "off",
)
IDLE_MINUTES = Setting[float](
    "DASHBOARD_IDLE_MINUTES",
    30.0,
    float,
    "Minutes without a click after which a session is logged out (a value that is not a number: the default).",
    "`30`",
    lenient=True,
)
AUDIT_DIR = Setting[Path](
    "DASHBOARD_AUDIT_DIR", None, Path, "The folder of `audit.jsonl`.", "the import log's folder, `<data>.imports/`"
)
REPORT_RETENTION_DAYS = Setting[int](
    "DASHBOARD_REPORT_RETENTION_DAYS",
    30,
    whole_days,
    "Days a rejection report (未导入的行) is kept; a whole number ≥ 1, any other value stops the import.",
)
SECRET_KEY = Setting[str](
    "DASHBOARD_SECRET_KEY",
    None,
    str,
    "The deployment's secret key for person_key (at least 16 characters); needed to import.",
    "`DASHBOARD_SECRET_KEY` in `.streamlit/secrets.toml`, else none (no import)",
)
COOKIE_SECRET_FILE = Setting[Path](
    "DASHBOARD_COOKIE_SECRET_FILE",
    None,
    Path,
    "`make serve`: the file of the processes' shared cookie secret.",
    "`.streamlit/cookie_secret`",
    read_by="serve/cluster.py",
)
CADDY_DIR = Setting[Path](
    "DASHBOARD_CADDY_DIR",
    None,
    Path,
    "`make serve`: Caddy's folder (its internal CA and certificates; never copied, never committed).",
    "`.caddy/` in the repository",
    read_by="serve/cluster.py",
)
SCHEDULES_FILE = Setting[Path](
    "DASHBOARD_SCHEDULES_FILE",
    None,
    Path,
    "The scheduled reports' file (taken by `python -m dpf backup` when it exists).",
    "`schedules.toml` beside the accounts file",
)
MAPPINGS_FILE = Setting[Path](
    "DASHBOARD_MAPPINGS_FILE",
    None,
    Path,
    "The ledger column mappings' file (taken by `python -m dpf backup` when it exists).",
    "`mappings.toml` beside the accounts file",
)

SMTP_HOST = Setting[str](
    "DASHBOARD_SMTP_HOST", None, str, "定时报告 by mail: the SMTP server's name.", "none (no mail is sent)"
)
SMTP_PORT = Setting[int](
    "DASHBOARD_SMTP_PORT", None, whole_number, "The SMTP server's port.", "`587` (starttls), `465` (tls), `25` (none)"
)
SMTP_SECURITY = Setting[str](
    "DASHBOARD_SMTP_SECURITY",
    "starttls",
    smtp_security,
    "`starttls` (plain connection, then STARTTLS), `tls` (TLS from the start) or `none` (loopback relays only).",
)
SMTP_CA_FILE = Setting[Path](
    "DASHBOARD_SMTP_CA_FILE",
    None,
    Path,
    "A CA certificate (PEM) the SMTP server's certificate is checked against (an intranet's own CA).",
    "the system's trusted CAs",
)
SMTP_USER = Setting[str](
    "DASHBOARD_SMTP_USER", None, str, "The SMTP login; its password is the secret below.", "none (no login)"
)
SMTP_PASSWORD = Setting[str](
    "DASHBOARD_SMTP_PASSWORD",
    None,
    str,
    "The SMTP login's password: a secret, in the service's EnvironmentFile or `.streamlit/secrets.toml`.",
    "`DASHBOARD_SMTP_PASSWORD` in `.streamlit/secrets.toml`, else none",
)
SMTP_FROM = Setting[str]("DASHBOARD_SMTP_FROM", None, str, "The mails' sender address.", "the SMTP login")
OUTBOX_DIR = Setting[Path](
    "DASHBOARD_OUTBOX_DIR",
    None,
    Path,
    "定时报告's 文件夹 channel: where a recipient without its own `folder` gets one file per delivery.",
    "`outbox/` beside the schedules file",
)
SCHEDULE_TICK_SECONDS = Setting[float](
    "DASHBOARD_SCHEDULE_TICK_SECONDS",
    30.0,
    positive_number,
    "`python -m dpf schedule run`: seconds between two looks at what is due.",
    "`30`",
)
DELIVERY_ATTEMPTS = Setting[int](
    "DASHBOARD_DELIVERY_ATTEMPTS",
    4,
    whole_number,
    "Attempts at one delivery before it shows as 发送失败.",
)
DELIVERY_BACKOFF_SECONDS = Setting[float](
    "DASHBOARD_DELIVERY_BACKOFF_SECONDS",
    60.0,
    positive_number,
    "The wait after a delivery's first failed attempt, doubled after each further one.",
    "`60`",
)
DELIVERY_LEASE_SECONDS = Setting[float](
    "DASHBOARD_DELIVERY_LEASE_SECONDS",
    600.0,
    positive_number,
    "How long a runner's claim on a delivery holds; a claim of a runner that died is taken over after it "
    "(at once when the runner was on this machine).",
    "`600`",
)

SETTINGS: tuple[Setting, ...] = (
    DATA_DIR,
    CACHE_DIR,
    USERS_FILE,
    OIDC_CLAIM,
    ALLOW_ANONYMOUS,
    IDLE_MINUTES,
    AUDIT_DIR,
    REPORT_RETENTION_DAYS,
    SECRET_KEY,
    COOKIE_SECRET_FILE,
    CADDY_DIR,
    SCHEDULES_FILE,
    MAPPINGS_FILE,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_SECURITY,
    SMTP_CA_FILE,
    SMTP_USER,
    SMTP_PASSWORD,
    SMTP_FROM,
    OUTBOX_DIR,
    SCHEDULE_TICK_SECONDS,
    DELIVERY_ATTEMPTS,
    DELIVERY_BACKOFF_SECONDS,
    DELIVERY_LEASE_SECONDS,
)


def named_variable(name: str) -> str:
    """A variable whose name the user chose (a 定时报告 robot's secret, dpf.auth.secret_values), stripped; "" when
    unset. Every DASHBOARD_* variable is a Setting instead."""
    return os.environ.get(name, "").strip()


def markdown_table() -> str:
    """The README's settings table, one row per setting in table order."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        where = f" Read by `{setting.read_by}` itself." if setting.read_by else ""
        rows.append(f"| `{setting.name}` | {setting.shown_default()} | {setting.help}{where} |")
    return "\n".join(rows)
