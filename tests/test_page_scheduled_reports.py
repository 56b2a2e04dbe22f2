"""定时报告 page: for the 数据管理员 only; the schedules, the delivery log with 发送失败's reason, and 发送测试
sending for real (an SMTP server on loopback receives it)."""

from __future__ import annotations

from dpf.auth.access import session_scope
from dpf.auth.accounts import add_account, users_file
from dpf.delivery.schedules import schedules_file
from tests.apptest_helpers import no_exception, rerun, run_page
from tests.delivery_helpers import Inbox, deployment, free_port, smtp_server, write_schedules
from ui import shell

SUBJECT = "【测试】凤城街道2024年残联工作简报（数据截至2024年9月30日）"


def test_only_the_data_administrator_has_the_page():
    assert "定时报告" in shell.page_titles(session_scope("admin"))
    for scope in (session_scope("county"), session_scope("township", ["349001002"])):
        assert "定时报告" not in shell.page_titles(scope)


def test_the_schedules_the_log_and_a_test_sending(demo_dir, tmp_path, monkeypatch):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        deployment(tmp_path, monkeypatch, port)
        monkeypatch.setenv("DASHBOARD_DELIVERY_ATTEMPTS", "1")
        monkeypatch.setenv("WECOM_NOWHERE", f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=k-9")
        add_account(users_file(), "admin", "admin", (), "password-admin")
        recipients = [
            {"account": "zhang", "channel": "email", "address": "zhang@fc.example.gov.cn"},
            {"scope": ["全县"], "channel": "wecom", "webhook": "WECOM_NOWHERE"},
        ]
        weekly = {"when": "weekly", "weekday": "周一", "time": "08:00", "what": "year_brief", "formats": ["docx"]}
        write_schedules(schedules_file(), 乡镇周报={**weekly, "recipients": recipients})
        at = run_page(demo_dir, "scheduled_reports.py", account="admin")
        assert no_exception(at)
        assert at.title[0].value == "定时报告"
        schedules = at.dataframe[0].value
        assert schedules.iloc[0]["名称"] == "乡镇周报" and schedules.iloc[0]["发送时间"] == "每周一 08:00"
        assert schedules.iloc[0]["收件人"] == "账号 zhang · 邮件；范围 全县 · 企业微信"
        assert schedules.iloc[0]["最近一次"] == "尚未发送"
        at.button(key="reports_test_0").click()
        rerun(at, demo_dir)
        assert no_exception(at)
    assert [str(m["Subject"]) for m in inbox.messages] == [SUBJECT]
    assert [s.value for s in at.success] == ["发送测试 乡镇周报 → 凤城街道（邮件）：已发送"]
    assert len(at.error) == 1 and "无法连接企业微信机器人" in at.error[0].value and "k-9" not in at.error[0].value
    log = at.dataframe[1].value.set_index("范围")
    assert log.loc["凤城街道", "状态"] == "已发送" and log.loc["凤城街道", "类型"] == "发送测试"
    assert log.loc["凤城街道", "渠道"] == "邮件" and log.loc["全县", "渠道"] == "企业微信"
    assert log.loc["全县", "状态"] == "发送失败" and "无法连接企业微信机器人" in log.loc["全县", "原因"]
    assert "已发送 1" in at.dataframe[0].value.iloc[0]["最近一次"]
