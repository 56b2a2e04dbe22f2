"""The audit trail: one JSON line per login, logout, lock and unlock, page view, download, export or 定时报告.

Lines go to `audit.jsonl` in $DASHBOARD_AUDIT_DIR, else beside the import log (`<data>.imports/`), appended under a
`filelock`; the file is owner-only. A line holds the time, the event, the account and role, the page, the scope and
what was exported — never a password, a name of a person or a 证号.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from dpf import settings
from dpf.config import imports_dir

AUDIT_DIR_ENV = settings.AUDIT_DIR.name
AUDIT_NAME = "audit.jsonl"
TAIL_BYTES = 256 * 1024
EVENT_LABELS = {
    "login_ok": "登录",
    "login_failed": "登录失败",
    "login_locked": "登录被锁定",
    "lockout": "锁定登录",
    "unlock": "解除锁定",
    "session_ended": "会话结束",
    "logout": "退出登录",
    "idle_logout": "超时退出",
    "page_view": "查看页面",
    "download": "下载",
    "export": "导出",
    "delivery_sent": "定时报告已发送",
    "delivery_failed": "定时报告发送失败",
    "delivery_test": "发送测试",
}


def audit_file(data: Path) -> Path:
    return (settings.AUDIT_DIR.value() or imports_dir(data)) / AUDIT_NAME


def record(data: Path | str, event: str, account: str | None, role: str | None, **details: object) -> None:
    """Append one event; a disk problem is logged for the operator and never stops the page."""
    line: dict[str, object] = {"time": datetime.now().astimezone().isoformat(timespec="seconds"), "event": event}
    line |= {"account": account, "role": role, **details}
    path = audit_file(Path(data))
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock", timeout=10):
            handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(handle, "a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    except OSError:
        logging.getLogger("dpf.auth.audit").exception("audit event %s could not be written to %s", event, path)


def recent(data: Path | str, limit: int = 50) -> list[dict]:
    """The last `limit` events, newest first (unreadable lines skipped)."""
    try:
        with audit_file(Path(data)).open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - TAIL_BYTES))  # the end of a long log is enough
            lines = log.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    events = []
    for text in reversed(lines):
        try:
            events.append(json.loads(text))
        except ValueError:
            continue
        if len(events) == limit:
            break
    return events
