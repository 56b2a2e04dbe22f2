"""Each item once, for real: a runner killed with SIGKILL in the middle of sending, then started again, and two
runners on one schedules file; the SMTP server on loopback counts what it accepted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dpf.delivery.deliveries import SENT, DeliveryLog, store_path
from dpf.delivery.schedules import schedules_file
from tests.delivery_helpers import Inbox, deployment, smtp_server, write_schedules

REPO = Path(__file__).resolve().parent.parent
ADDRESSES = ["a@town.example.gov.cn", "b@town.example.gov.cn", "c@town.example.gov.cn"]
LONG_LEASE = "600"  # a dead runner's claim must be taken over because its process is gone, not by waiting


def runner(env: dict, data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dpf", "schedule", "--data", str(data), "run"],
        cwd=REPO,
        env={**os.environ, **env, "DASHBOARD_DELIVERY_LEASE_SECONDS": LONG_LEASE},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def schedule_to_all(tmp_path, monkeypatch, port: int) -> dict:
    env = deployment(tmp_path, monkeypatch, port)
    recipients = [{"scope": ["全县"], "channel": "email", "address": a} for a in ADDRESSES]
    weekly = {"when": "weekly", "weekday": 1, "time": "00:00", "what": "year_brief", "formats": ["text"]}
    write_schedules(schedules_file(), 周报={**weekly, "recipients": recipients})
    return env


def wait_until(condition, *processes: subprocess.Popen, seconds: float = 40.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        ended = [p for p in processes if p.poll() is not None]
        assert not ended, ended[0].communicate()[0]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def all_sent() -> bool:
    items = DeliveryLog(store_path(schedules_file())).recent()
    return len(items) == len(ADDRESSES) and all(item.status == SENT for item in items)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def test_a_runner_killed_mid_send_and_started_again_delivers_each_item_once(demo_dir, tmp_path, monkeypatch):
    inbox = Inbox()
    inbox.hold_first()
    with smtp_server(inbox) as port:
        env = schedule_to_all(tmp_path, monkeypatch, port)
        first = runner(env, demo_dir)
        wait_until(inbox.held.is_set, first)  # the first mail is in DATA, the runner waits for the server's answer
        first.kill()
        first.wait()
        inbox.release()  # the server never accepted that one (its client is gone)
        assert inbox.messages == []
        second = runner(env, demo_dir)
        wait_until(all_sent, second)
        output = stop(second)
    assert inbox.to() == ADDRESSES  # each exactly once
    items = {item.recipient: item for item in DeliveryLog(store_path(schedules_file())).recent()}
    attempts = sorted(item.attempts for item in items.values())
    assert attempts == [1, 1, 2]  # the interrupted one was taken over at once, not after the 600 s lease
    assert {item.status_label for item in items.values()} == {"补发"}  # Monday 00:00 had passed: first seen late
    assert "定时报告已停止" in output


def test_two_runners_on_one_schedules_file_send_each_item_once(demo_dir, tmp_path, monkeypatch):
    inbox = Inbox(delay=0.3)  # a slow server: both runners are at work while the first mails are on their way
    with smtp_server(inbox) as port:
        env = schedule_to_all(tmp_path, monkeypatch, port)
        both = [runner(env, demo_dir), runner(env, demo_dir)]
        wait_until(all_sent, *both)
        time.sleep(1.0)  # a few more looks of both: nothing is sent again
        outputs = [stop(process) for process in both]
    assert inbox.to() == ADDRESSES
    sent_lines = [line for output in outputs for line in output.splitlines() if "已发送" in line]
    assert len(sent_lines) == len(ADDRESSES)
