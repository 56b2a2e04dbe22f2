"""The schedules file: who gets which briefing, when and how (TOML beside the accounts, owner-only).

$DASHBOARD_SCHEDULES_FILE, default `schedules.toml` beside the accounts file:

    [schedules."乡镇月报"]
    when = "monthly"          # monthly (day, time) | weekly (weekday, time) | after_import
    day = 3                   # monthly: 1..31; a shorter month sends on its last day
    time = "08:00"
    what = "year_brief"       # year_brief 年度简报 | month_brief 月度通报 (the month before the sending day)
    formats = ["docx"]        # docx | pptx | pdf | text (the briefing's text in the message, no attachment)
    created = "2024-06-01T10:00:00"   # occurrences before it are never sent

    [[schedules."乡镇月报".recipients]]
    account = "zhangsan"      # the account's role and townships decide the content (dpf.auth.access)
    channel = "email"         # email | wecom | dingtalk | folder
    address = "zhangsan@example.gov.cn"

    [[schedules."乡镇月报".recipients]]
    scope = ["城关镇"]         # or an explicit scope: township names, or ["全县"]
    channel = "dingtalk"
    webhook = "DINGTALK_LEADERS"         # the NAME of the secret holding the robot's URL, never the URL
    secret = "DINGTALK_LEADERS_SECRET"   # optional: the name of its 加签 secret

A refused schedule raises ScheduleError with a Chinese message naming the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import tomli_w
from filelock import FileLock

from dpf import settings
from dpf.auth.accounts import Account, users_file
from dpf.auth.private_json import write_private

MONTHLY, WEEKLY, AFTER_IMPORT = "monthly", "weekly", "after_import"
WHEN_LABELS = {MONTHLY: "每月", WEEKLY: "每周", AFTER_IMPORT: "每次导入成功后"}
YEAR_BRIEF, MONTH_BRIEF = "year_brief", "month_brief"
WHAT_LABELS = {YEAR_BRIEF: "年度简报", MONTH_BRIEF: "月度通报"}
FORMAT_LABELS = {"docx": "Word", "pptx": "PPT", "pdf": "PDF", "text": "仅正文"}
EMAIL, WECOM, DINGTALK, FOLDER = "email", "wecom", "dingtalk", "folder"
CHANNEL_LABELS = {EMAIL: "邮件", WECOM: "企业微信", DINGTALK: "钉钉", FOLDER: "文件夹"}
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WHOLE_COUNTY = "全县"
SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TIME = re.compile(r"(\d{1,2}):(\d{2})")
EMAIL_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


class ScheduleError(Exception):
    """A schedule or the file is not acceptable; the message is Chinese and names the field."""


@dataclass(frozen=True)
class Recipient:
    channel: str
    account: str | None = None
    scope: tuple[str, ...] = ()  # township names, or ("全县",); () when `account` decides
    address: str = ""  # email
    webhook: str = ""  # wecom, dingtalk: the secret's name
    secret: str = ""  # dingtalk: the 加签 secret's name
    folder: str = ""  # folder: where the files go ("" = DASHBOARD_OUTBOX_DIR)

    @property
    def key(self) -> str:
        """Stable identity in the delivery log: who, channel, where (a secret's name, never its value)."""
        who = f"account:{self.account}" if self.account else "scope:" + "、".join(self.scope)
        return f"{who}/{self.channel}/{self.address or self.webhook or self.folder}"

    @property
    def label(self) -> str:
        """收件人 as a person reads it (no secret, no address): 账号 zhangsan · 邮件."""
        who = f"账号 {self.account}" if self.account else "范围 " + "、".join(self.scope)
        return f"{who} · {CHANNEL_LABELS[self.channel]}"

    def entry(self) -> dict:
        found: dict = {"channel": self.channel}
        if self.account:
            found["account"] = self.account
        if self.scope:
            found["scope"] = list(self.scope)
        for name in ("address", "webhook", "secret", "folder"):
            if getattr(self, name):
                found[name] = getattr(self, name)
        return found


@dataclass(frozen=True)
class Schedule:
    name: str
    when: str
    time: str  # HH:MM ("" for after_import)
    what: str
    formats: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    created: datetime
    day: int | None = None  # monthly
    weekday: int | None = None  # weekly: 0 = Monday

    @property
    def hour_minute(self) -> tuple[int, int]:
        hours, minutes = self.time.split(":")
        return int(hours), int(minutes)

    @property
    def when_text(self) -> str:
        """每月3日 08:00, 每周一 08:00, 每次导入成功后."""
        if self.when == MONTHLY:
            return f"每月{self.day}日 {self.time}"
        if self.when == WEEKLY and self.weekday is not None:
            return f"每{WEEKDAYS[self.weekday]} {self.time}"
        return WHEN_LABELS[AFTER_IMPORT]

    def entry(self) -> dict:
        found: dict = {"when": self.when, "what": self.what, "formats": list(self.formats)}
        if self.when != AFTER_IMPORT:
            found["time"] = self.time
        if self.day is not None:
            found["day"] = self.day
        if self.weekday is not None:
            found["weekday"] = WEEKDAYS[self.weekday]
        found["created"] = self.created.isoformat(timespec="seconds")
        found["recipients"] = [r.entry() for r in self.recipients]
        return found


def schedules_file() -> Path:
    """$DASHBOARD_SCHEDULES_FILE, else `schedules.toml` beside the accounts file."""
    return settings.SCHEDULES_FILE.value() or users_file().parent / "schedules.toml"


def _text(entry: Mapping, name: str, label: str, where: str = "") -> str:
    value = entry.get(name, "")
    if not isinstance(value, str):
        raise ScheduleError(f"{where}{label}（{name}）应为文字，当前为 {value!r}。")
    return value.strip()


def _time(entry: Mapping) -> str:
    raw = entry.get("time")
    found = TIME.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise ScheduleError(f"发送时刻（time）应为 时:分，例如 08:00，当前为 {raw!r}。")
    return f"{int(found[1]):02d}:{found[2]}"


def _day(entry: Mapping) -> int:
    raw = entry.get("day")
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 31:
        raise ScheduleError(f"每月的日期（day）应为 1 到 31 的整数（短的月份在当月最后一天发送），当前为 {raw!r}。")
    return raw


def _weekday(entry: Mapping) -> int:
    raw = entry.get("weekday")
    if isinstance(raw, str) and raw.strip() in WEEKDAYS:
        return WEEKDAYS.index(raw.strip())
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 7:
        return raw - 1
    raise ScheduleError(f"星期（weekday）应为 1 到 7（周一为 1）或 周一…周日，当前为 {raw!r}。")


def _secret_name(entry: Mapping, name: str, label: str, where: str, required: bool) -> str:
    value = _text(entry, name, label, where)
    if not value and not required:
        return ""
    if "://" in value or not SECRET_NAME.fullmatch(value):
        raise ScheduleError(
            f"{where}{label}（{name}）应为密钥的名称（环境变量或 .streamlit/secrets.toml 中的键，如 WECOM_LEADERS），"
            f"地址和密钥本身不写进定时报告文件；当前为 {'一个地址' if '://' in value else repr(value)}。"
        )
    return value


def parse_recipient(
    entry: object, number: int, accounts: Mapping[str, Account] | None, townships: Collection[str] | None
) -> Recipient:
    """One recipient; `accounts`/`townships` None: not checked against them (the runner checks at sending)."""
    where = f"第{number}个收件人："
    if not isinstance(entry, Mapping):
        raise ScheduleError(f"{where}应为一组设置（account 或 scope、channel……）。")
    channel = _text(entry, "channel", "发送渠道", where)
    if channel not in CHANNEL_LABELS:
        choices = "、".join(f"{key}（{label}）" for key, label in CHANNEL_LABELS.items())
        raise ScheduleError(f"{where}发送渠道（channel）未知：{channel or '（空）'}；可选：{choices}。")
    account = _text(entry, "account", "账号", where) or None
    raw_scope = entry.get("scope", [])
    if isinstance(raw_scope, str):
        raw_scope = [raw_scope]
    if not isinstance(raw_scope, list) or not all(isinstance(n, str) and n.strip() for n in raw_scope):
        raise ScheduleError(f"{where}范围（scope）应为乡镇（街道）名称的列表或“全县”，当前为 {raw_scope!r}。")
    scope = tuple(name.strip() for name in raw_scope)
    if bool(account) == bool(scope):
        raise ScheduleError(f"{where}应指定账号（account）或范围（scope）之一，且只指定一个。")
    if account and accounts is not None and account not in accounts:
        raise ScheduleError(f"{where}账号（account）{account} 不存在；请先用 python -m dpf users add 建立账号。")
    if WHOLE_COUNTY in scope and len(scope) > 1:
        raise ScheduleError(f"{where}范围（scope）为“全县”时不再列出乡镇（街道）。")
    if townships is not None and scope != (WHOLE_COUNTY,):
        unknown = [name for name in scope if name not in townships]
        if unknown:
            raise ScheduleError(
                f"{where}范围（scope）中未知的乡镇（街道）：{'、'.join(unknown)}。可选：全县、{'、'.join(townships)}。"
            )
    if channel == EMAIL:
        address = _text(entry, "address", "邮箱", where)
        if not EMAIL_ADDRESS.fullmatch(address):
            raise ScheduleError(f"{where}邮箱（address）格式不对：{address or '（空）'}。")
        return Recipient(channel, account, scope, address=address)
    if channel in (WECOM, DINGTALK):
        webhook = _secret_name(entry, "webhook", "机器人地址", where, required=True)
        secret = _secret_name(entry, "secret", "加签密钥", where, required=False) if channel == DINGTALK else ""
        return Recipient(channel, account, scope, webhook=webhook, secret=secret)
    return Recipient(channel, account, scope, folder=_text(entry, "folder", "文件夹", where))


def parse_schedule(
    name: str,
    entry: object,
    accounts: Mapping[str, Account] | None = None,
    townships: Collection[str] | None = None,
    now: datetime | None = None,
) -> Schedule:
    """One schedule of the file (or of `schedule add`), checked field by field."""
    name = name.strip()
    if not name:
        raise ScheduleError("定时报告的名称（name）不能为空。")
    if not isinstance(entry, Mapping):
        raise ScheduleError(f"定时报告 {name}：应为一组设置（when、what、formats、recipients……）。")
    try:
        return _parsed(name, entry, accounts, townships, now)
    except ScheduleError as problem:
        raise ScheduleError(f"定时报告 {name}：{problem}") from None


def _parsed(
    name: str,
    entry: Mapping,
    accounts: Mapping[str, Account] | None,
    townships: Collection[str] | None,
    now: datetime | None,
) -> Schedule:
    when = _text(entry, "when", "发送时间")
    if when not in WHEN_LABELS:
        choices = "、".join(f"{key}（{label}）" for key, label in WHEN_LABELS.items())
        raise ScheduleError(f"发送时间（when）未知：{when or '（空）'}；可选：{choices}。")
    day = _day(entry) if when == MONTHLY else None
    weekday = _weekday(entry) if when == WEEKLY else None
    time = _time(entry) if when != AFTER_IMPORT else ""
    what = _text(entry, "what", "内容")
    what = {label: key for key, label in WHAT_LABELS.items()}.get(what, what)
    if what not in WHAT_LABELS:
        raise ScheduleError(
            f"内容（what）未知：{what or '（空）'}；可选：year_brief（年度简报）、month_brief（月度通报）。"
        )
    raw_formats = entry.get("formats", entry.get("format", []))
    formats = tuple([raw_formats] if isinstance(raw_formats, str) else raw_formats or ())
    unknown = [str(f) for f in formats if f not in FORMAT_LABELS]
    if not formats or unknown:
        raise ScheduleError(
            f"格式（formats）{'未知：' + '、'.join(unknown) if unknown else '未指定'}；可选：{'、'.join(FORMAT_LABELS)}。"
        )
    recipients = entry.get("recipients", [])
    if not isinstance(recipients, list) or not recipients:
        raise ScheduleError("收件人（recipients）至少需要一个。")
    parsed = tuple(parse_recipient(r, i, accounts, townships) for i, r in enumerate(recipients, 1))
    keys = [r.key for r in parsed]
    if len(set(keys)) < len(keys):
        raise ScheduleError("收件人（recipients）有重复：同一账号或范围经同一渠道发往同一处只能列一次。")
    created = entry.get("created")
    if isinstance(created, str):
        try:
            created = datetime.fromisoformat(created)
        except ValueError:
            raise ScheduleError(f"建立时间（created）应为 ISO 时间，当前为 {created!r}。") from None
    if not isinstance(created, datetime):
        created = (now or datetime.now()).replace(microsecond=0)
    created = created.replace(tzinfo=None)
    return Schedule(name, when, time, what, tuple(dict.fromkeys(formats)), parsed, created, day, weekday)


def load_schedules(path: Path) -> dict[str, Schedule]:
    """Every schedule of the file ({} when there is none); a damaged file or schedule raises ScheduleError.
    Accounts and townships are checked when a schedule is added and again at each sending."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as err:
        raise ScheduleError(f"定时报告文件 {path} 无法读取或格式不对：{err}") from err
    entries = raw.get("schedules", {})
    if not isinstance(entries, dict):
        raise ScheduleError(f"定时报告文件 {path}：schedules 应为一组定时报告。")
    return {name: parse_schedule(name, entry) for name, entry in entries.items()}


def save_schedules(path: Path, schedules: Mapping[str, Schedule]) -> None:
    """Write the file atomically, readable by its owner only."""
    content = {"schedules": {name: schedule.entry() for name, schedule in schedules.items()}}
    write_private(path, tomli_w.dumps(content).encode("utf-8"))


def schedules_lock(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=30)


def add_schedule(path: Path, schedule: Schedule) -> None:
    with schedules_lock(path):
        schedules = load_schedules(path)
        if schedule.name in schedules:
            raise ScheduleError(f"定时报告 {schedule.name} 已存在；要修改请先删除（schedule remove）再添加。")
        save_schedules(path, {**schedules, schedule.name: schedule})


def remove_schedule(path: Path, name: str) -> None:
    with schedules_lock(path):
        schedules = load_schedules(path)
        if name not in schedules:
            raise ScheduleError(f"没有定时报告 {name}。")
        save_schedules(path, {key: value for key, value in schedules.items() if key != name})
