"""The runner: at each look, record what is due and send every item that is waiting, once.

A pass loads the schedules (a damaged file is reported and tried again at the next look), records the latest
due occurrence of each schedule for each recipient in the delivery log (补发 when first seen late), then claims
and sends every open item: new ones, retries whose time has come and claims of dead runners. A failed attempt is
retried after DASHBOARD_DELIVERY_BACKOFF_SECONDS, doubled each time, until DASHBOARD_DELIVERY_ATTEMPTS; then it is
发送失败 with the server's reason. Every finished item goes to the audit trail (account, scope, channel, result).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb

from dpf import settings
from dpf.auth import audit
from dpf.auth.access import session_scope, view_townships
from dpf.auth.accounts import Account, AccountsError, load_accounts, users_file
from dpf.auth.secret_values import secret_value
from dpf.data.db import Extracts, open_extracts
from dpf.delivery import channels
from dpf.delivery.content import Rendered, render
from dpf.delivery.deliveries import LATE, MANUAL, ON_TIME, TEST, Delivery, DeliveryLog, store_path
from dpf.delivery.schedules import (
    CHANNEL_LABELS,
    DINGTALK,
    EMAIL,
    WECOM,
    WHOLE_COUNTY,
    Recipient,
    Schedule,
    ScheduleError,
    load_schedules,
)
from dpf.delivery.timing import Import, Occurrence, due, is_late
from dpf.exports.deck_pdf import ConversionFailed
from dpf.figures.indicators import DataUnavailable, codes_for_names, township_table
from dpf.formatting import safe_filename, scope_label
from dpf.ingest.report import log_entries

LOG = logging.getLogger("dpf.delivery")
TEST_PREFIX = "【测试】"
RENDERED_KEPT = 32  # rendered deliveries kept between looks (one per scope, content and formats)


def successful_imports(data: Path) -> list[Import]:
    """The import log's successful imports, with their time as local time without a zone."""
    found = []
    for entry in log_entries(data):
        if entry.get("status") != "ok" or not entry.get("id") or not isinstance(entry.get("at"), str):
            continue
        try:
            at = datetime.fromisoformat(entry["at"])
        except ValueError:
            continue
        found.append(Import(str(entry["id"]), at.astimezone().replace(tzinfo=None) if at.tzinfo else at))
    return found


@dataclass(frozen=True)
class Target:
    """Whom an item reaches and with what content: township codes (() = 全县), their words, the account's role."""

    codes: tuple[str, ...]
    scope: str
    role: str | None


@dataclass
class Runner:
    schedules_path: Path
    data: Path
    clock: Callable[[], datetime] = datetime.now
    log: DeliveryLog = field(init=False)
    _extracts: Extracts | None = field(default=None, init=False)
    _rendered: dict = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.log = DeliveryLog(store_path(self.schedules_path))

    # --- what is due ---------------------------------------------------------------------------------------------

    def schedules(self) -> dict[str, Schedule]:
        return load_schedules(self.schedules_path)

    def enqueue(self, schedule: Schedule, occurrence: Occurrence, kind: str, now: datetime) -> None:
        """One log row per recipient for the occurrence (kept as it is when there already)."""
        for recipient in schedule.recipients:
            if self.log.get((schedule.name, occurrence.key, recipient.key)) is not None:
                continue
            try:
                scope = self.target(recipient).scope
            except Exception:  # an account gone, data unreadable: the attempt says why; the row names what it can
                scope = "、".join(recipient.scope) or f"账号 {recipient.account}"
            item = Delivery(
                schedule.name,
                occurrence.key,
                recipient.key,
                occurrence.at,
                kind,
                recipient.account,
                scope,
                recipient.channel,
            )
            self.log.add(item, now.timestamp())

    def pass_once(self, stop: threading.Event | None = None) -> int:
        """Record what is due and send what is open; the number of items finished (sent or failed for good)."""
        now = self.clock()
        try:
            schedules = self.schedules()
        except ScheduleError as problem:
            LOG.error("%s", problem)
            return 0
        imports = successful_imports(self.data)
        for schedule in schedules.values():
            occurrence = due(schedule, now, imports)
            if occurrence is not None:
                kind = LATE if is_late(occurrence.at, now) else ON_TIME
                self.enqueue(schedule, occurrence, kind, now)
        return self.send_open(schedules, stop)

    def send_open(self, schedules: Mapping[str, Schedule], stop: threading.Event | None = None) -> int:
        finished = 0
        try:
            for item in self.log.open_items(self.clock().timestamp()):
                if stop is not None and stop.is_set():
                    break
                finished += self.attempt(item, schedules)
        finally:
            self.close()
        return finished

    # --- sending -------------------------------------------------------------------------------------------------

    def extracts(self) -> Extracts:
        if self._extracts is None:
            self._extracts = open_extracts(self.data)
        return self._extracts

    def close(self) -> None:
        """Close the data folder (opened afresh at the next look: an import may have replaced it)."""
        if self._extracts is not None:
            self._extracts.con.close()
        self._extracts = None

    def target(self, recipient: Recipient) -> Target:
        """The recipient's townships: its account's scope (dpf.auth.access), else the names it lists."""
        extracts = self.extracts()
        if extracts.manifest is None:
            raise channels.DeliveryFailed(f"数据无法读取：{extracts.manifest_problem}")
        ordered = list(township_table(extracts)["code"])
        if recipient.account:
            try:
                account: Account | None = load_accounts(users_file()).get(recipient.account)
            except AccountsError as problem:
                raise channels.DeliveryFailed(str(problem)) from None
            if account is None:
                raise channels.DeliveryFailed(f"账号 {recipient.account} 已不存在，未发送。")
            scope = session_scope(account.role, account.townships)
            codes = view_townships(scope, (), ordered)
            role = account.role
        else:
            names = [] if recipient.scope == (WHOLE_COUNTY,) else list(recipient.scope)
            try:
                codes = tuple(codes_for_names(extracts, names))
            except ValueError as problem:
                raise channels.DeliveryFailed(str(problem)) from None
            role = None
        table = township_table(extracts)
        names_by_code = dict(zip(table["code"], table["name"], strict=True))
        return Target(tuple(codes), scope_label([names_by_code[c] for c in codes]), role)

    def content(self, schedule: Schedule, item: Delivery, codes: tuple[str, ...]) -> Rendered:
        """The rendered delivery, made once per content and data (a retry or another recipient of the same scope
        reuses it; a new manifest — an import — makes it again)."""
        try:
            stamp = (self.data / "manifest.json").stat()
        except OSError:
            stamp = None
        key = (schedule.what, item.due_at.date(), codes, schedule.formats, stamp and (stamp.st_mtime_ns, stamp.st_size))
        if key not in self._rendered:
            if len(self._rendered) >= RENDERED_KEPT:
                self._rendered.clear()
            try:
                self._rendered[key] = render(
                    self.extracts(), schedule.what, item.due_at.date(), codes, schedule.formats
                )
            except (ValueError, DataUnavailable, ConversionFailed, duckdb.Error) as problem:
                raise channels.DeliveryFailed(f"简报无法生成：{problem}") from None
        return self._rendered[key]

    def attempt(self, item: Delivery, schedules: Mapping[str, Schedule]) -> int:
        """Claim the item and send it; 1 when it is finished (sent, or failed for good), else 0."""
        claimed = self.log.claim(item.key, self.clock().timestamp(), settings.DELIVERY_LEASE_SECONDS.given())
        if claimed is None:
            return 0
        secrets: list[str] = []
        target: Target | None = None
        recipient: Recipient | None = None
        try:
            schedule = schedules.get(item.schedule)
            if schedule is None:
                raise channels.DeliveryFailed("该定时报告已删除，未发送。")
            recipient = next((r for r in schedule.recipients if r.key == item.recipient), None)
            if recipient is None:
                raise channels.DeliveryFailed("该收件人已从定时报告中移除，未发送。")
            target = self.target(recipient)
            rendered = self.content(schedule, claimed, target.codes)
            if claimed.kind == TEST:
                rendered = replace(rendered, subject=TEST_PREFIX + rendered.subject)
            self.deliver(rendered, recipient, claimed, secrets)
        except Exception as problem:  # a failed attempt, or a bug: the claim must not stay held until its lease ends
            if not isinstance(problem, channels.DeliveryFailed):
                LOG.exception("定时报告 %s：发送时出错", item.schedule)
                problem = channels.DeliveryFailed(f"发送时出错（{type(problem).__name__}），详见运行日志。")
            reason = _redacted(problem.reason, secrets)
            attempts = settings.DELIVERY_ATTEMPTS.given()
            backoff = settings.DELIVERY_BACKOFF_SECONDS.given() * 2 ** (claimed.attempts - 1)
            now = self.clock().timestamp()
            retry_at = now + backoff if claimed.attempts < attempts else None
            self.log.failed(item.key, reason, now, retry_at)
            LOG.warning(
                "定时报告 %s（%s）第%d次发送失败：%s", item.schedule, _label(recipient, item), claimed.attempts, reason
            )
            if retry_at is not None:
                return 0
            self._audit(claimed, recipient, target, ok=False)
            return 1
        self.log.sent(item.key, self.clock().timestamp())
        LOG.info("定时报告 %s 已发送：%s", item.schedule, _label(recipient, item))
        self._audit(claimed, recipient, target, ok=True)
        return 1

    def deliver(self, rendered: Rendered, recipient: Recipient, item: Delivery, secrets: list[str]) -> None:
        item_key = "|".join(item.key)
        if recipient.channel == EMAIL:
            password = secret_value(settings.SMTP_PASSWORD.name)
            secrets.append(password)
            channels.send_email(rendered, recipient.address, item_key, password)
        elif recipient.channel in (WECOM, DINGTALK):
            url = _secret(recipient.webhook)
            secrets.append(url)
            if recipient.channel == WECOM:
                channels.send_wecom(rendered, url)
            else:
                secret = _secret(recipient.secret) if recipient.secret else ""
                secrets.append(secret)
                channels.send_dingtalk(rendered, url, secret, int(time.time() * 1000))
        else:
            folder = Path(recipient.folder) if recipient.folder else outbox_dir(self.schedules_path)
            when = f"{item.due_at:%Y%m%d-%H%M%S}" + ("" if item.kind in (ON_TIME, LATE) else f"_{item.kind}")
            channels.write_folder(rendered, folder, safe_filename(f"{when}_{item.schedule}_{item.scope}"))

    def _audit(self, item: Delivery, recipient: Recipient | None, target: Target | None, ok: bool) -> None:
        audit.record(
            self.data,
            "delivery_sent" if ok else "delivery_failed",
            item.account,
            target.role if target else None,
            page=f"定时报告 {item.schedule}",
            scope=target.scope if target else item.scope,
            channel=CHANNEL_LABELS.get(item.channel, item.channel),
            kind=item.kind,
        )

    # --- one-off sendings ----------------------------------------------------------------------------------------

    def send_now(self, name: str, test: bool = False, patience: float = 3600.0) -> list[Delivery]:
        """Send the schedule to its recipients now (a 发送测试 says so in its subject), retrying as the runner does
        until every item is finished or `patience` seconds have passed (0: one attempt each, the runner retries the
        rest); the items as they stand then."""
        schedules = self.schedules()
        if name not in schedules:
            raise ScheduleError(f"没有定时报告 {name}。")
        now = self.clock()
        kind = TEST if test else MANUAL
        occurrence = Occurrence(f"{kind}:{now.isoformat(timespec='microseconds')}", now)
        self.enqueue(schedules[name], occurrence, kind, now)
        deadline = time.monotonic() + patience
        while True:
            self.send_open({name: schedules[name]})
            waiting = self.log.unfinished(name, occurrence.key)
            if not waiting or time.monotonic() >= deadline:
                break
            time.sleep(min(settings.DELIVERY_BACKOFF_SECONDS.given(), 5.0))
        return [d for d in self.log.recent(1000, name) if d.period == occurrence.key]


def outbox_dir(schedules_path: Path) -> Path:
    return settings.OUTBOX_DIR.value() or schedules_path.parent / "outbox"


def _secret(name: str) -> str:
    value = secret_value(name)
    if not value:
        raise channels.DeliveryFailed(f"未设置密钥 {name}（环境变量或 .streamlit/secrets.toml），未发送。")
    return value


def _redacted(reason: str, secrets: list[str]) -> str:
    """The reason without any secret used for the attempt (a server may echo one)."""
    for value in secrets:
        if value:
            reason = reason.replace(value, "***")
    return reason


def _label(recipient: Recipient | None, item: Delivery) -> str:
    return recipient.label if recipient else f"{item.scope} · {CHANNEL_LABELS.get(item.channel, item.channel)}"


def run_forever(runner: Runner, stop: threading.Event) -> None:
    """Look every DASHBOARD_SCHEDULE_TICK_SECONDS until `stop` is set (SIGTERM); a look that fails is logged and the
    next one goes on."""
    while not stop.is_set():
        try:
            runner.pass_once(stop)
        except Exception:  # the runner outlives one bad look (a disk, a data folder being replaced)
            LOG.exception("定时报告：本轮检查出错，稍后重试")
        stop.wait(settings.SCHEDULE_TICK_SECONDS.given())
