"""定时报告 over real servers on loopback: mail (aiosmtpd) with its attachments and Chinese subject, each recipient
in its own scope; the 企业微信 and 钉钉 robots' documented bodies and signature; failures retried then 发送失败."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from datetime import datetime
from pathlib import Path

import docx
import pptx
import pytest

from dpf.delivery.deliveries import FAILED, SENT
from dpf.delivery.runner import Runner
from dpf.delivery.schedules import schedules_file
from tests.delivery_helpers import (
    SMTP_PASSWORD,
    SMTP_USER,
    Inbox,
    Robot,
    certificate,
    deployment,
    free_port,
    robot_server,
    smtp_server,
    write_schedules,
)

SUBJECT = "2024年残联工作简报（数据截至2024年9月30日）"  # the demo set: as of 2024-09-30
MONTHLY = {"when": "monthly", "day": 3, "time": "08:00", "what": "year_brief"}


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pptx_text(content: bytes) -> str:
    """Every text frame and every chart category of the slides."""
    slides = pptx.Presentation(io.BytesIO(content)).slides
    texts = [shape.text_frame.text for slide in slides for shape in slide.shapes if shape.has_text_frame]
    charts = [shape.chart for slide in slides for shape in slide.shapes if shape.has_chart]
    return "\n".join(texts + [str(c) for chart in charts for plot in chart.plots for c in plot.categories])


def audit_text(env: dict) -> str:
    return (Path(env["DASHBOARD_AUDIT_DIR"]) / "audit.jsonl").read_text(encoding="utf-8")


def audit_lines(env: dict) -> list[dict]:
    return [json.loads(line) for line in audit_text(env).splitlines()]


def test_each_mail_arrives_with_its_scopes_attachments_and_chinese_subject(demo_dir, tmp_path, monkeypatch):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        env = deployment(tmp_path, monkeypatch, port)
        recipients = [
            {"account": "zhang", "channel": "email", "address": "zhang@fc.example.gov.cn"},
            {"account": "boss", "channel": "email", "address": "boss@county.example.gov.cn"},
        ]
        write_schedules(schedules_file(), 月报={**MONTHLY, "formats": ["docx", "pptx"], "recipients": recipients})
        items = Runner(schedules_file(), demo_dir).send_now("月报")
    assert sorted(item.status for item in items) == [SENT, SENT]
    assert inbox.logins == [SMTP_USER, SMTP_USER]
    by_to = {str(m["To"]): m for m in inbox.messages}
    assert sorted(by_to) == ["boss@county.example.gov.cn", "zhang@fc.example.gov.cn"]
    township, county = by_to["zhang@fc.example.gov.cn"], by_to["boss@county.example.gov.cn"]
    assert str(township["Subject"]) == "凤城街道" + SUBJECT  # decoded from RFC 2047
    assert str(county["Subject"]) == SUBJECT
    files = {part.get_filename(): part for part in township.iter_attachments()}
    assert sorted(files) == [
        "年度简报_凤城街道_2024年_截至2024年9月30日.docx",
        "汇报材料_凤城街道_2024年_截至2024年9月30日.pptx",
    ]
    text = docx_text(files["年度简报_凤城街道_2024年_截至2024年9月30日.docx"].get_content())
    assert "范围：凤城街道" in text and "城关街道" not in text  # its own township only
    slides = pptx_text(files["汇报材料_凤城街道_2024年_截至2024年9月30日.pptx"].get_content())
    assert "凤城街道资金发放合计88.24万元" in slides and "居全县第2位" in slides  # its place, not the others
    assert "城关街道" not in slides and "杏花乡" not in slides  # the ranking slide holds its own bar only
    body = township.get_body(("plain",)).get_content()
    assert "凤城街道各类资金发放合计" in body and "城关街道" not in body and "要点：" in body
    county_files = [part.get_filename() for part in county.iter_attachments()]
    assert "年度简报_全县_2024年_截至2024年9月30日.docx" in county_files
    assert "范围：全县" in docx_text(next(county.iter_attachments()).get_content())
    lines = [line for line in audit_lines(env) if line["event"] == "delivery_sent"]
    assert sorted((line["account"], line["scope"], line["channel"]) for line in lines) == [
        ("boss", "全县", "邮件"),
        ("zhang", "凤城街道", "邮件"),
    ]
    trail = audit_text(env)
    assert SMTP_PASSWORD not in trail and "@" not in trail  # no password, no address


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_goes_over_starttls_or_tls_with_the_login_checked_against_the_ca(
    demo_dir, tmp_path, monkeypatch, security
):
    cert, key = certificate(tmp_path)
    inbox = Inbox()
    with smtp_server(inbox, security, cert, key) as port:
        deployment(tmp_path, monkeypatch, port)
        monkeypatch.setenv("DASHBOARD_SMTP_SECURITY", security)
        monkeypatch.setenv("DASHBOARD_DELIVERY_ATTEMPTS", "1")
        recipients = [{"account": "boss", "channel": "email", "address": "boss@county.example.gov.cn"}]
        write_schedules(schedules_file(), 月报={**MONTHLY, "formats": ["text"], "recipients": recipients})
        unchecked = Runner(schedules_file(), demo_dir).send_now("月报")  # the system's CAs do not know it
        monkeypatch.setenv("DASHBOARD_SMTP_CA_FILE", str(cert))
        checked = Runner(schedules_file(), demo_dir).send_now("月报")
    assert unchecked[0].status == FAILED and "CERTIFICATE_VERIFY_FAILED" in unchecked[0].reason
    assert checked[0].status == SENT, checked[0].reason
    assert inbox.logins == [SMTP_USER]  # the login went over TLS only
    assert [str(m["Subject"]) for m in inbox.messages] == [SUBJECT]


def test_the_robots_get_their_documented_markdown_and_dingtalks_signature(demo_dir, tmp_path, monkeypatch):
    robot = Robot()
    with robot_server(robot) as base:
        deployment(tmp_path, monkeypatch)
        monkeypatch.setenv("WECOM_LEADERS", f"{base}/cgi-bin/webhook/send?key=wecom-key-1")
        monkeypatch.setenv("DING_LEADERS", f"{base}/robot/send?access_token=ding-token-1")
        monkeypatch.setenv("DING_LEADERS_SECRET", "SECding-secret-1")
        recipients = [
            {"scope": ["凤城街道"], "channel": "wecom", "webhook": "WECOM_LEADERS"},
            {"scope": ["全县"], "channel": "dingtalk", "webhook": "DING_LEADERS", "secret": "DING_LEADERS_SECRET"},
        ]
        write_schedules(schedules_file(), 群通报={**MONTHLY, "formats": ["text"], "recipients": recipients})
        before = int(time.time() * 1000)
        items = Runner(schedules_file(), demo_dir).send_now("群通报")
        after = int(time.time() * 1000)
    assert [item.status for item in items] == [SENT, SENT]
    by_path = {path: (query, body) for path, query, body in robot.requests}
    query, wecom = by_path["/cgi-bin/webhook/send"]
    assert query == {"key": ["wecom-key-1"]}
    assert list(wecom) == ["msgtype", "markdown"] and wecom["msgtype"] == "markdown"
    assert list(wecom["markdown"]) == ["content"]
    content = wecom["markdown"]["content"]
    assert content.startswith("### 凤城街道" + SUBJECT) and "凤城街道各类资金发放合计" in content
    assert "城关街道" not in content and len(content.encode("utf-8")) <= 4096
    query, ding = by_path["/robot/send"]
    assert ding["msgtype"] == "markdown" and list(ding["markdown"]) == ["title", "text"]
    assert ding["markdown"]["title"] == SUBJECT and "全县各类资金发放合计" in ding["markdown"]["text"]
    timestamp = query["timestamp"][0]
    assert before <= int(timestamp) <= after and query["access_token"] == ["ding-token-1"]
    expected = hmac.new(b"SECding-secret-1", f"{timestamp}\nSECding-secret-1".encode(), hashlib.sha256).digest()
    assert base64.b64decode(query["sign"][0]) == expected  # parse_qs undid the URL-encoding once


def test_an_unreachable_server_and_a_5xx_are_retried_then_failed_with_the_reason(demo_dir, tmp_path, monkeypatch):
    robot = Robot(status=503)
    with robot_server(robot) as base:
        env = deployment(tmp_path, monkeypatch, smtp_port=free_port())  # nothing listens there
        monkeypatch.setenv("WECOM_DOWN", f"{base}/cgi-bin/webhook/send?key=secret-key-2")
        recipients = [
            {"account": "boss", "channel": "email", "address": "boss@county.example.gov.cn"},
            {"account": "zhang", "channel": "wecom", "webhook": "WECOM_DOWN"},
        ]
        write_schedules(schedules_file(), 月报={**MONTHLY, "formats": ["text"], "recipients": recipients})
        items = Runner(schedules_file(), demo_dir).send_now("月报")
    by_channel = {item.channel: item for item in items}
    mail, wecom = by_channel["email"], by_channel["wecom"]
    assert (mail.status, mail.attempts, mail.status_label) == (FAILED, 3, "发送失败")
    assert "无法连接邮件服务器 127.0.0.1" in mail.reason and "refused" in mail.reason.lower()
    assert (wecom.status, wecom.attempts) == (FAILED, 3) and len(robot.requests) == 3  # each attempt reached it
    assert wecom.reason.startswith("企业微信机器人返回 HTTP 503") and "secret-key-2" not in wecom.reason
    failed = [line for line in audit_lines(env) if line["event"] == "delivery_failed"]
    assert sorted(line["channel"] for line in failed) == ["企业微信", "邮件"]
    assert "secret-key-2" not in audit_text(env)


def test_a_refused_address_fails_with_the_mail_servers_own_words(demo_dir, tmp_path, monkeypatch):
    inbox = Inbox(refused=("gone@county.example.gov.cn",))
    with smtp_server(inbox) as port:
        deployment(tmp_path, monkeypatch, port)
        monkeypatch.setenv("DASHBOARD_DELIVERY_ATTEMPTS", "2")
        recipients = [
            {"account": "boss", "channel": "email", "address": "gone@county.example.gov.cn"},
            {"account": "zhang", "channel": "email", "address": "zhang@fc.example.gov.cn"},
        ]
        write_schedules(schedules_file(), 月报={**MONTHLY, "formats": ["text"], "recipients": recipients})
        items = {item.account: item for item in Runner(schedules_file(), demo_dir).send_now("月报")}
    assert (items["boss"].status, items["boss"].attempts) == (FAILED, 2)
    assert items["boss"].reason == "邮件服务器拒绝收件人：550 5.1.1 mailbox unavailable"
    assert items["zhang"].status == SENT and inbox.to() == ["zhang@fc.example.gov.cn"]


@pytest.mark.parametrize(
    ("now", "sends", "label"),
    [
        (datetime(2024, 7, 3, 8, 0, 30), 1, "已发送"),  # on time
        (datetime(2024, 7, 20, 9, 0), 1, "补发"),  # the runner was down on the 3rd: sent when it is back
        (datetime(2024, 7, 3, 7, 59), 1, "补发"),  # before July's time: June's, long missed
    ],
)
def test_a_due_item_is_sent_once_and_a_missed_one_marked_as_sent_late(
    demo_dir, tmp_path, monkeypatch, now, sends, label
):
    deployment(tmp_path, monkeypatch)
    outbox = tmp_path / "outbox"
    recipients = [{"account": "zhang", "channel": "folder", "folder": str(outbox)}]
    entry = {**MONTHLY, "formats": ["text"], "recipients": recipients, "created": "2024-05-01T00:00:00"}
    write_schedules(schedules_file(), 月报=entry)
    runner = Runner(schedules_file(), demo_dir, clock=lambda: now)
    assert runner.pass_once() == sends
    assert runner.pass_once() == 0  # once: a second look sends nothing
    written = sorted(outbox.iterdir())
    assert len(written) == 1 and written[0].suffix == ".md"
    assert "凤城街道" in written[0].read_text(encoding="utf-8")
    assert [item.status_label for item in runner.log.recent()] == [label]


def test_a_successful_import_is_sent_once_after_it_and_one_that_wrote_nothing_never(data, tmp_path, monkeypatch):
    from dpf.commands.ingest import run_import
    from dpf.ingest.report import log_entries
    from tests.ingest_helpers import PAY_HEADERS, cert, csv_bytes, write_file

    deployment(tmp_path, monkeypatch)
    outbox = tmp_path / "outbox"
    recipients = [{"scope": ["全县"], "channel": "folder", "folder": str(outbox)}]
    write_schedules(
        schedules_file(),
        导入后={"when": "after_import", "what": "year_brief", "formats": ["text"], "recipients": recipients},
    )
    runner = Runner(schedules_file(), data)
    assert runner.pass_once() == 0  # nothing imported yet
    rows = [PAY_HEADERS, ["测试甲", cert(21), "城关镇", "重度残疾人护理补贴", "2024-04", 80]]
    assert run_import([write_file(tmp_path, "四月.csv", csv_bytes(rows))], data) == 0
    assert runner.pass_once() == 1 and runner.pass_once() == 0
    (item,) = runner.log.recent()
    assert item.period.startswith("import:") and item.status_label == "已发送"
    (written,) = outbox.iterdir()
    assert "数据截至2024年4月30日" in written.read_text(encoding="utf-8")  # the imported data's new as-of date
    assert "测试甲" not in written.read_text(encoding="utf-8")
    again = [PAY_HEADERS, ["测试甲", cert(21), "城关镇", "重度残疾人护理补贴", "2024-04", 80]]  # already imported
    run_import([write_file(tmp_path, "四月再导.csv", csv_bytes(again))], data)
    assert [e["status"] for e in log_entries(data)] == ["ok", "unchanged"]
    assert runner.pass_once() == 0  # an import that wrote nothing sends nothing


def test_a_month_report_is_the_month_befores_tongbao_in_its_recipients_scope(demo):
    """A 月度通报 sent on 3 October 2024 is September's (the demo's as-of month), cut to the recipient's township;
    one sent on 3 November asks for October, which the data do not reach yet: refused in Chinese."""
    from datetime import date

    from dpf.delivery.content import render
    from dpf.delivery.schedules import MONTH_BRIEF

    codes = demo.con.execute("SELECT code, name FROM townships ORDER BY sort_order").fetchall()
    (own, own_name), (_, other_name) = codes[0], codes[1]
    rendered = render(demo, MONTH_BRIEF, date(2024, 10, 3), [own], ["docx"])
    assert rendered.period == "2024年9月"
    assert rendered.subject == f"{own_name}2024年9月残联工作简报（数据截至9月30日）"
    assert rendered.points[0].startswith(f"2024年9月，{own_name}")  # the 要点 of the month, not of the year
    (attachment,) = rendered.attachments
    text = docx_text(attachment.content)
    assert "月度通报" in text and "2024年9月" in text and own_name in text and other_name not in text
    with pytest.raises(ValueError, match="尚无数据"):
        render(demo, MONTH_BRIEF, date(2024, 11, 3), [own], ["docx"])
