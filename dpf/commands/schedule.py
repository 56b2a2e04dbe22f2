"""`python -m dpf schedule add|list|remove|run|send-now`: the 定时报告 (dpf.delivery) on the command line.

`run` is the long-running runner (`make serve` starts it beside the dashboard; the systemd unit of
`python -m dpf service install` runs it): it looks every DASHBOARD_SCHEDULE_TICK_SECONDS and ends cleanly on SIGTERM
or Ctrl-C once the item it is sending is done.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from dpf.auth.accounts import AccountsError, load_accounts, users_file
from dpf.commands.confirm import confirmed
from dpf.delivery.schedules import (
    CHANNEL_LABELS,
    FORMAT_LABELS,
    WHAT_LABELS,
    WHEN_LABELS,
    Schedule,
    ScheduleError,
    add_schedule,
    load_schedules,
    parse_schedule,
    remove_schedule,
    schedules_file,
)

RECIPIENT_HELP = (
    "收件人，可重复：account=账号 或 scope=乡镇+乡镇（或 全县），channel=email|wecom|dingtalk|folder，"
    "再加 address=邮箱 / webhook=密钥名 [secret=加签密钥名] / folder=文件夹，用逗号分隔"
)


def _path(args: argparse.Namespace) -> Path:
    return Path(args.file) if args.file else schedules_file()


def recipient_entry(text: str) -> dict:
    """`account=zhang,channel=email,address=z@x.cn` as a recipient's entry (scope names joined by +)."""
    entry: dict = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ScheduleError(f"收件人（--recipient）应写成 键=值，用逗号分隔，当前为 {text!r}。")
        entry[key.strip()] = value.strip()
    if "scope" in entry:
        entry["scope"] = [name for name in entry["scope"].split("+") if name]
    return entry


def _township_names(data: Path) -> list[str] | None:
    """The data folder's township names (None when it cannot be read: the runner checks at sending)."""
    from dpf.data.db import open_extracts
    from dpf.figures.indicators import township_table

    try:
        return list(township_table(open_extracts(data))["name"])
    except Exception:  # an unreadable folder: the names are checked again at each sending
        return None


def schedule_add(args: argparse.Namespace, data: Path) -> int:
    entry = {
        "when": args.when,
        "what": args.what,
        "formats": args.format or ["docx"],
        "recipients": [recipient_entry(text) for text in args.recipient or []],
    }
    for name in ("day", "weekday", "time"):
        if getattr(args, name) is not None:
            entry[name] = getattr(args, name)
    try:
        accounts = load_accounts(users_file())
    except AccountsError as problem:
        raise ScheduleError(str(problem)) from None
    schedule = parse_schedule(args.name, entry, accounts, _township_names(data))
    add_schedule(_path(args), schedule)
    print(f"已添加定时报告 {schedule.name}：{describe(schedule)}（{_path(args)}）")
    return 0


def describe(schedule: Schedule) -> str:
    formats = "、".join(FORMAT_LABELS[f] for f in schedule.formats)
    return f"{schedule.when_text}发送{WHAT_LABELS[schedule.what]}（{formats}），{len(schedule.recipients)}个收件人"


def schedule_list(args: argparse.Namespace, data: Path) -> int:
    from dpf.delivery.deliveries import Delivery, DeliveryLog, store_path

    path = _path(args)
    schedules = load_schedules(path)
    if not schedules:
        print(f"{path} 中没有定时报告。")
        return 0
    log = DeliveryLog(store_path(path))
    for schedule in schedules.values():
        print(f"{schedule.name}\t{describe(schedule)}")
        latest: dict[str, Delivery] = {}
        for item in log.recent(1000, schedule.name):
            latest.setdefault(item.recipient, item)
        for recipient in schedule.recipients:
            item = latest.get(recipient.key)
            if item is None:
                state = "尚未发送"
            else:
                when = datetime.fromtimestamp(item.updated).strftime("%Y-%m-%d %H:%M")
                state = f"{item.status_label}（{when}{'，' + item.reason if item.reason else ''}）"
            print(f"  {recipient.label}：{state}")
    return 0


def schedule_remove(args: argparse.Namespace, data: Path) -> int:
    path = _path(args)
    if args.name not in load_schedules(path):
        raise ScheduleError(f"没有定时报告 {args.name}。")
    question = f"将删除定时报告 {args.name}（发送记录保留）。"
    if not confirmed(question, args.yes, "未确认，定时报告未删除。", "确认删除？[y/N] "):
        return 2
    remove_schedule(path, args.name)
    print(f"已删除定时报告 {args.name}。")
    return 0


def _runner(args: argparse.Namespace, data: Path):
    from dpf.delivery.runner import Runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    return Runner(_path(args), data)


def schedule_run(args: argparse.Namespace, data: Path) -> int:
    from dpf.delivery.runner import run_forever

    runner = _runner(args, data)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    print(f"定时报告已启动：{_path(args)}，数据 {data}。", flush=True)
    run_forever(runner, stop)
    print("定时报告已停止。", flush=True)
    return 0


def schedule_send_now(args: argparse.Namespace, data: Path) -> int:
    items = _runner(args, data).send_now(args.name, test=args.test)
    failed = [item for item in items if item.status_label == "发送失败"]
    for item in items:
        channel = CHANNEL_LABELS.get(item.channel, item.channel)
        print(f"{item.scope} · {channel}：{item.status_label}{'（' + item.reason + '）' if item.reason else ''}")
    return 1 if failed else 0


def add_schedule_parser(sub) -> argparse.ArgumentParser:
    schedule = sub.add_parser("schedule", help="定时报告：按时把各人范围内的简报发到邮箱、企业微信、钉钉或文件夹")
    schedule.add_argument("--file", default=None, help="定时报告文件（默认 $DASHBOARD_SCHEDULES_FILE）")
    schedule.add_argument("--data", default=None)
    actions = schedule.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="添加定时报告")
    add.add_argument("name")
    add.add_argument("--when", required=True, help="、".join(f"{k} {v}" for k, v in WHEN_LABELS.items()))
    add.add_argument("--day", type=int, default=None, help="每月几日（1-31，短的月份在最后一天）")
    add.add_argument("--weekday", default=None, help="每周几（1-7 或 周一…周日）")
    add.add_argument("--time", default=None, help="时:分，例如 08:00")
    add.add_argument("--what", default="year_brief", help="year_brief 年度简报 | month_brief 月度通报")
    add.add_argument("--format", action="append", help="docx | pptx | pdf | text，可重复")
    add.add_argument("--recipient", action="append", help=RECIPIENT_HELP)
    add.set_defaults(schedule_action=schedule_add)
    actions.add_parser("list", help="列出定时报告和最近的发送结果").set_defaults(schedule_action=schedule_list)
    remove = actions.add_parser("remove", help="删除定时报告")
    remove.add_argument("name")
    remove.add_argument("--yes", action="store_true", help="不询问，确认删除")
    remove.set_defaults(schedule_action=schedule_remove)
    actions.add_parser("run", help="运行定时发送（常驻进程）").set_defaults(schedule_action=schedule_run)
    now = actions.add_parser("send-now", help="立即发送一个定时报告")
    now.add_argument("name")
    now.add_argument("--test", action="store_true", help="发送测试（标题注明【测试】）")
    now.set_defaults(schedule_action=schedule_send_now)
    return schedule


def run_schedule(args: argparse.Namespace, data: Path) -> int:
    try:
        return args.schedule_action(args, data)
    except ScheduleError as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
