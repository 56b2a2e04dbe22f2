"""`python -m dpf schedule add|list|remove|send-now`: Chinese refusals, the list with each recipient's last result."""

from __future__ import annotations

import pytest

from dpf.commands.main import main
from dpf.delivery.schedules import load_schedules, schedules_file
from tests.delivery_helpers import deployment

FOLDER = "scope=凤城街道+东湖街道,channel=folder,folder={}"


def test_add_list_send_now_and_remove(demo_dir, tmp_path, monkeypatch, capsys):
    deployment(tmp_path, monkeypatch)
    base = ["schedule", "--data", str(demo_dir)]
    recipient = FOLDER.format(tmp_path / "outbox")
    args = ["add", "周报", "--when", "weekly", "--weekday", "周一", "--time", "8:30", "--format", "text"]
    assert (
        main([*base, *args, "--recipient", recipient, "--recipient", "account=zhang,channel=wecom,webhook=NOT_SET"])
        == 0
    )
    schedule = load_schedules(schedules_file())["周报"]
    assert (schedule.when_text, schedule.recipients[0].scope) == ("每周一 08:30", ("凤城街道", "东湖街道"))
    assert main([*base, "send-now", "周报"]) == 1  # one recipient failed
    out = capsys.readouterr().out
    assert "凤城街道、东湖街道 · 文件夹：已发送" in out
    assert "凤城街道 · 企业微信：发送失败（未设置密钥 NOT_SET" in out
    assert main([*base, "list"]) == 0
    listed = capsys.readouterr().out
    assert "周报\t每周一 08:30发送年度简报（仅正文），2个收件人" in listed
    assert "  范围 凤城街道、东湖街道 · 文件夹：已发送（" in listed
    assert "  账号 zhang · 企业微信：发送失败（" in listed and "未设置密钥 NOT_SET" in listed
    assert main([*base, "remove", "周报", "--yes"]) == 0
    assert load_schedules(schedules_file()) == {}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--when", "monthly", "--day", "0", "--time", "08:00"], "每月的日期（day）"),
        (["--when", "monthly", "--day", "3", "--time", "08:00", "--format", "xlsx"], "格式（formats）未知：xlsx"),
        (["--when", "weekly", "--weekday", "8", "--time", "08:00"], "星期（weekday）"),
        (["--when", "after_import", "--recipient", "scope=西河乡,channel=folder"], "未知的乡镇（街道）：西河乡"),
        (["--when", "after_import", "--recipient", "account=li,channel=folder"], "账号（account）li 不存在"),
        (["--when", "after_import", "--recipient", "zhang"], "收件人（--recipient）应写成 键=值"),
    ],
)
def test_a_bad_schedule_on_the_command_line_is_refused_in_chinese(demo_dir, tmp_path, monkeypatch, capsys, args, words):
    deployment(tmp_path, monkeypatch)
    recipient = [] if "--recipient" in args else ["--recipient", FOLDER.format(tmp_path)]
    assert main(["schedule", "--data", str(demo_dir), "add", "坏的", *args, *recipient]) == 2
    assert words in capsys.readouterr().err
    assert not schedules_file().exists()


def test_a_damaged_file_and_an_unknown_name_are_chinese_messages(demo_dir, tmp_path, monkeypatch, capsys):
    deployment(tmp_path, monkeypatch)
    assert main(["schedule", "remove", "没有的", "--yes"]) == 2
    assert "没有定时报告 没有的" in capsys.readouterr().err
    schedules_file().write_text("[schedules.x\n", encoding="utf-8")
    assert main(["schedule", "list"]) == 2
    assert "定时报告文件" in capsys.readouterr().err
