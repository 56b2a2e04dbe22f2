"""The schedules file: a bad schedule refused with a Chinese message naming its field; the file written whole and
owner-only; the due time of monthly, weekly and after-import schedules with fixed clocks."""

from __future__ import annotations

import stat
from datetime import datetime

import pytest

from dpf.auth.accounts import Account
from dpf.delivery.schedules import (
    ScheduleError,
    add_schedule,
    load_schedules,
    parse_schedule,
    remove_schedule,
)
from dpf.delivery.timing import Import, due, is_late, report_month

ACCOUNTS = {"zhang": Account("zhang", "township", ("101",), "hash")}
TOWNSHIPS = ["城关街道", "凤城街道"]
GOOD = {
    "when": "monthly",
    "day": 3,
    "time": "08:00",
    "what": "year_brief",
    "formats": ["docx"],
    "recipients": [{"account": "zhang", "channel": "email", "address": "zhang@example.gov.cn"}],
}
ONE = GOOD["recipients"][0]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"when": "daily"}, "发送时间（when）未知：daily"),
        ({"day": 32}, "每月的日期（day）应为 1 到 31"),
        ({"day": None}, "每月的日期（day）"),
        ({"time": "25:00"}, "发送时刻（time）应为 时:分"),
        ({"time": "8点"}, "发送时刻（time）"),
        ({"when": "weekly", "weekday": "周八"}, "星期（weekday）"),
        ({"what": "季度报告"}, "内容（what）未知：季度报告"),
        ({"formats": ["xlsx"]}, "格式（formats）未知：xlsx"),
        ({"formats": []}, "格式（formats）未指定"),
        ({"recipients": []}, "收件人（recipients）至少需要一个"),
        ({"recipients": [{**ONE, "account": "li"}]}, "第1个收件人：账号（account）li 不存在"),
        ({"recipients": [{**ONE, "channel": "sms"}]}, "第1个收件人：发送渠道（channel）未知：sms"),
        ({"recipients": [{**ONE, "address": "zhang"}]}, "第1个收件人：邮箱（address）格式不对"),
        ({"recipients": [{"channel": "folder"}]}, "应指定账号（account）或范围（scope）之一"),
        ({"recipients": [{**ONE, "scope": ["城关街道"]}]}, "应指定账号（account）或范围（scope）之一"),
        ({"recipients": [{"scope": ["西河乡"], "channel": "folder"}]}, "范围（scope）中未知的乡镇（街道）：西河乡"),
        (
            {"recipients": [{"scope": ["全县"], "channel": "wecom", "webhook": "https://qyapi.weixin.qq.com/x?key=k"}]},
            "机器人地址（webhook）应为密钥的名称",
        ),
        ({"recipients": [{"scope": ["全县"], "channel": "dingtalk"}]}, "机器人地址（webhook）"),
        (
            {"recipients": [{"scope": ["全县"], "channel": "dingtalk", "webhook": "D", "secret": "SEC 12"}]},
            "加签密钥（secret）",
        ),
        ({"recipients": [ONE, ONE]}, "收件人（recipients）有重复"),
    ],
)
def test_a_bad_schedule_is_refused_naming_its_field(change, words):
    with pytest.raises(ScheduleError) as refused:
        parse_schedule("月报", {**GOOD, **change}, ACCOUNTS, TOWNSHIPS)
    assert str(refused.value).startswith("定时报告 月报：")
    assert words in str(refused.value)


def test_a_webhook_url_never_lands_in_the_file_nor_in_the_message():
    entry = {**GOOD, "recipients": [{"scope": ["全县"], "channel": "wecom", "webhook": "https://h/x?key=abc123"}]}
    with pytest.raises(ScheduleError) as refused:
        parse_schedule("月报", entry, ACCOUNTS, TOWNSHIPS)
    assert "abc123" not in str(refused.value)


def test_the_file_is_written_whole_owner_only_and_read_back(tmp_path):
    path = tmp_path / "etc" / "schedules.toml"
    created = datetime(2024, 6, 1, 10, 0)
    schedule = parse_schedule("月报", {**GOOD, "created": created.isoformat()}, ACCOUNTS, TOWNSHIPS)
    add_schedule(path, schedule)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_schedules(path) == {"月报": schedule}
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []  # no temporary left behind
    with pytest.raises(ScheduleError, match="已存在"):
        add_schedule(path, schedule)
    remove_schedule(path, "月报")
    assert load_schedules(path) == {}


def test_a_damaged_file_is_a_chinese_message(tmp_path):
    path = tmp_path / "schedules.toml"
    path.write_text("[schedules.月报\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"定时报告文件 .* 无法读取或格式不对"):
        load_schedules(path)


def schedule(when: str, created: str = "2024-01-01T00:00:00", **fields):
    entry = {**GOOD, "when": when, "created": created, **fields}
    return parse_schedule("s", entry, ACCOUNTS, TOWNSHIPS)


@pytest.mark.parametrize(
    ("fields", "now", "expected"),
    [
        ({"day": 3}, "2024-07-03T08:00", "2024-07-03T08:00"),  # on the minute
        ({"day": 3}, "2024-07-03T07:59", "2024-06-03T08:00"),  # not yet: June's is the latest
        ({"day": 3}, "2024-07-25T12:00", "2024-07-03T08:00"),
        ({"day": 31}, "2024-06-30T09:00", "2024-06-30T08:00"),  # June has 30 days: its last day
        ({"day": 31}, "2024-02-29T08:30", "2024-02-29T08:00"),  # a leap year's February
        ({"day": 31}, "2025-02-28T07:00", "2025-01-31T08:00"),
        ({"day": 30}, "2024-03-01T07:00", "2024-02-29T08:00"),
        ({"day": 1, "time": "00:00"}, "2024-01-01T00:00", "2024-01-01T00:00"),  # the year's first minute
        ({"day": 3}, "2024-01-02T00:00", None),  # December's was before the schedule was created
    ],
)
def test_monthly_due_time(fields, now, expected):
    found = due(schedule("monthly", **fields), datetime.fromisoformat(now))
    assert (found.at.isoformat(timespec="minutes") if found else None) == expected


@pytest.mark.parametrize(
    ("weekday", "now", "expected"),
    [
        ("周一", "2024-07-01T08:00", "2024-07-01T08:00"),  # 1 July 2024 was a Monday
        ("周一", "2024-07-01T07:00", "2024-06-24T08:00"),
        ("周五", "2024-07-01T07:00", "2024-06-28T08:00"),
        (7, "2024-07-07T09:00", "2024-07-07T08:00"),  # 7 = Sunday
        (3, "2024-07-10T08:01", "2024-07-10T08:00"),
    ],
)
def test_weekly_due_time(weekday, now, expected):
    found = due(schedule("weekly", weekday=weekday), datetime.fromisoformat(now))
    assert found is not None and found.at.isoformat(timespec="minutes") == expected


@pytest.mark.parametrize(
    ("imports", "now", "expected"),
    [
        ([], "2024-07-01T08:00", None),
        ([("a", "2024-06-01T10:00"), ("b", "2024-06-20T10:00")], "2024-07-01T08:00", "import:b"),  # the latest
        ([("a", "2024-06-01T10:00"), ("b", "2024-07-02T10:00")], "2024-07-01T08:00", "import:a"),  # not yet done
        ([("old", "2023-12-30T10:00")], "2024-07-01T08:00", None),  # before the schedule existed
    ],
)
def test_after_import_due(imports, now, expected):
    found = due(
        schedule("after_import"),
        datetime.fromisoformat(now),
        [Import(i, datetime.fromisoformat(at)) for i, at in imports],
    )
    assert (found.key if found else None) == expected


@pytest.mark.parametrize(
    ("at", "first_seen", "late"),
    [
        ("2024-07-03T08:00", "2024-07-03T08:00:30", False),  # the next look
        ("2024-07-03T08:00", "2024-07-03T08:09", False),
        ("2024-07-03T08:00", "2024-07-03T08:11", True),  # the runner was down: 补发
        ("2024-07-03T08:00", "2024-07-20T09:00", True),
    ],
)
def test_a_missed_time_is_sent_late(at, first_seen, late):
    assert is_late(datetime.fromisoformat(at), datetime.fromisoformat(first_seen)) is late


def test_several_missed_times_send_only_the_latest():
    found = due(schedule("weekly", weekday="周一"), datetime(2024, 7, 24, 9, 0))  # three Mondays since 1 July
    assert found is not None and found.key == "2024-07-22T08:00"


@pytest.mark.parametrize(
    ("sent", "month"), [("2024-07-03", (2024, 6)), ("2024-01-03", (2023, 12)), ("2024-03-31", (2024, 2))]
)
def test_the_month_report_covers_the_month_before(sent, month):
    assert report_month(datetime.fromisoformat(sent).date()) == month


def test_the_delivery_log_is_owner_only_and_in_the_backup_with_the_schedules(tmp_path, monkeypatch):
    from dpf.delivery.deliveries import DeliveryLog, store_path
    from dpf.operations.backup import parts

    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "etc" / "users.toml"))
    path = tmp_path / "etc" / "schedules.toml"
    add_schedule(path, parse_schedule("月报", GOOD, ACCOUNTS, TOWNSHIPS))
    log = DeliveryLog(store_path(path))
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    kept = next(part for part in parts(tmp_path / "extracts") if part.name == "schedules")
    assert sorted(kept.files()) == ["schedules.toml", "schedules.toml.deliveries.sqlite"]  # not its .lock
