"""The delivery log's claims: who may take an item, when a claim is taken over, and that only its owner ends it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import datetime

import pytest

from dpf.delivery.deliveries import FAILED, OWNER, PENDING, RETRY, SENDING, SENT, Delivery, DeliveryLog

ITEM = Delivery(
    "月报",
    "2024-07-03T08:00",
    "account:zhang/email/z@x.cn",
    datetime(2024, 7, 3, 8),
    "on_time",
    "zhang",
    "凤城街道",
    "email",
)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def log(tmp_path) -> DeliveryLog:
    found = DeliveryLog(tmp_path / "d.sqlite")
    assert found.add(ITEM, now=100.0) is True
    assert found.add(ITEM, now=101.0) is False  # one row per item
    return found


def test_a_claim_holds_against_others_and_ends_sent(log):
    claimed = log.claim(ITEM.key, now=100.0, lease=60, owner="other-host:1:aaaa")
    assert claimed is not None and (claimed.status, claimed.attempts) == (SENDING, 1)
    assert log.claim(ITEM.key, now=150.0, lease=60) is None  # held, lease running, owner elsewhere
    log.sent(ITEM.key, now=151.0)  # not ours: ignored
    assert log.get(ITEM.key).status == SENDING
    log.sent(ITEM.key, now=152.0, owner="other-host:1:aaaa")
    assert log.get(ITEM.key).status == SENT
    assert log.claim(ITEM.key, now=1000.0, lease=60) is None  # done is done


@pytest.mark.parametrize(
    ("owner", "now", "taken"),
    [
        ("other-host:1:aaaa", 159.0, False),  # another machine's claim within its lease
        ("other-host:1:aaaa", 161.0, True),  # its lease has passed
        (f"{socket.gethostname()}:{os.getpid()}:{OWNER.rsplit(':', 1)[1]}", 120.0, False),  # this very runner
        (f"{socket.gethostname()}:{os.getpid()}:00000000", 120.0, True),  # an earlier runner with our pid
        (f"{socket.gethostname()}:{dead_pid()}:bbbb", 120.0, True),  # a runner of this machine that died
        (f"{socket.gethostname()}:1:cccc", 120.0, False),  # a live process of this machine (pid 1)
    ],
    # fixed ids: the owners hold this process's pid, which differs between xdist workers
    ids=["other-host-in-lease", "other-host-after-lease", "this-runner", "our-pid-earlier", "dead-pid", "pid-1"],
)
def test_a_claim_is_taken_over_when_its_runner_is_gone_or_its_lease_passed(log, owner, now, taken):
    log.claim(ITEM.key, now=100.0, lease=60, owner=owner)
    again = log.claim(ITEM.key, now=now, lease=60)
    assert (again is not None) is taken
    if taken:
        assert again.attempts == 2 and again.owner == OWNER


def test_a_failure_waits_for_its_retry_then_ends_failed(log):
    log.claim(ITEM.key, now=100.0, lease=60)
    log.failed(ITEM.key, "HTTP 503", now=101.0, retry_at=131.0)
    assert (log.get(ITEM.key).status, log.get(ITEM.key).reason) == (RETRY, "HTTP 503")
    assert log.open_items(130.0) == [] and log.claim(ITEM.key, now=130.0, lease=60) is None
    assert [d.key for d in log.open_items(131.0)] == [ITEM.key]
    log.claim(ITEM.key, now=131.0, lease=60)
    log.failed(ITEM.key, "HTTP 503", now=132.0, retry_at=None)
    ended = log.get(ITEM.key)
    assert (ended.status, ended.attempts, ended.status_label) == (FAILED, 2, "发送失败")
    assert PENDING not in {d.status for d in log.recent()}
