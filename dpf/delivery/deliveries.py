"""The delivery log: one row per (schedule, occurrence, recipient) in SQLite, so each item is sent once.

`schedules.toml.deliveries.sqlite` beside the schedules file (owner-only; `python -m dpf backup` takes it with the
file). A runner claims a row before sending (status `sending`, its own name, a lease) in one IMMEDIATE
transaction — SQLite lets one writer in at a time, so of two runners one gets the row and the other sees it taken
— and marks it `sent` after. A claim whose runner died is taken over once the lease has passed, or at once when the
runner was on this machine and its process is gone (a restart after kill -9).

What remains (said in the README): a runner killed after the server accepted the message and before it wrote
`sent` sends that item again when it is taken over (at least once, in a window of milliseconds); a mail carries a
Message-ID made of the item's key, so a mail server or client that drops duplicates sees one. Everything else is
at most once per row, and the UNIQUE key makes a second row for the same item impossible.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PENDING, SENDING, RETRY, SENT, FAILED = "pending", "sending", "retry", "sent", "failed"
ON_TIME, LATE, MANUAL, TEST = "on_time", "late", "manual", "test"
STATUS_LABELS = {PENDING: "待发送", SENDING: "发送中", RETRY: "待重试", SENT: "已发送", FAILED: "发送失败"}
KIND_LABELS = {ON_TIME: "按时", LATE: "补发", MANUAL: "立即发送", TEST: "发送测试"}
SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    schedule TEXT NOT NULL,
    period TEXT NOT NULL,
    recipient TEXT NOT NULL,
    due_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    account TEXT,
    scope TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until REAL,
    next_try REAL NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL,
    sent_at REAL,
    UNIQUE (schedule, period, recipient)
)
"""

ONE_ITEM = " WHERE schedule = ? AND period = ? AND recipient = ? AND owner = ? AND status = ?"
MARK_SENT = "UPDATE deliveries SET status = ?, sent_at = ?, reason = '', lease_until = NULL, updated = ?" + ONE_ITEM
MARK_FAILED = "UPDATE deliveries SET status = ?, reason = ?, lease_until = NULL, updated = ?" + ONE_ITEM
MARK_RETRY = "UPDATE deliveries SET status = ?, reason = ?, next_try = ?, lease_until = NULL, updated = ?" + ONE_ITEM
RECENT = "SELECT * FROM deliveries ORDER BY updated DESC LIMIT ?"
RECENT_OF = "SELECT * FROM deliveries WHERE schedule = ? ORDER BY updated DESC LIMIT ?"


@dataclass(frozen=True)
class Delivery:
    schedule: str
    period: str
    recipient: str
    due_at: datetime
    kind: str
    account: str | None
    scope: str
    channel: str
    status: str = PENDING
    attempts: int = 0
    owner: str | None = None
    reason: str = ""
    updated: float = 0.0
    sent_at: float | None = None

    @property
    def status_label(self) -> str:
        """已发送 / 补发 / 发送失败 … as the page and `schedule list` say it."""
        if self.status == SENT and self.kind == LATE:
            return "补发"
        return STATUS_LABELS[self.status]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.schedule, self.period, self.recipient)


def runner_name() -> str:
    """This process as a claim's owner: host, process id and a random part (a new process with an old id differs)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str | None) -> bool:
    """Whether the claim's runner is known dead: on this machine, and its process gone or replaced by another."""
    if not owner or owner.count(":") < 2:
        return False
    host, pid, _ = owner.rsplit(":", 2)
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return owner != OWNER
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


OWNER = runner_name()


def store_path(schedules_path: Path) -> Path:
    return schedules_path.with_name(schedules_path.name + ".deliveries.sqlite")


class DeliveryLog:
    """The delivery log of one schedules file."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connection() as con:
            con.execute(SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.row_factory = sqlite3.Row
            yield con

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken at BEGIN, so reading then writing is atomic."""
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def add(self, item: Delivery, now: float) -> bool:
        """Record an item to send (True), unless it is recorded already (False)."""
        with self._transaction() as con:
            cursor = con.execute(
                "INSERT OR IGNORE INTO deliveries (schedule, period, recipient, due_at, kind, account, scope, channel,"
                " status, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *item.key,
                    item.due_at.isoformat(),
                    item.kind,
                    item.account,
                    item.scope,
                    item.channel,
                    PENDING,
                    now,
                    now,
                ),
            )
            return cursor.rowcount == 1

    def claim(self, key: tuple[str, str, str], now: float, lease: float, owner: str = OWNER) -> Delivery | None:
        """Take the item for sending (its attempt counted), when it is waiting, due for a retry, or held by a dead
        or expired claim; None when another runner has it or it is done."""
        with self._transaction() as con:
            row = con.execute(
                "SELECT * FROM deliveries WHERE schedule = ? AND period = ? AND recipient = ?", key
            ).fetchone()
            if row is None or not _claimable(row, now):
                return None
            con.execute(
                "UPDATE deliveries SET status = ?, owner = ?, lease_until = ?, attempts = attempts + 1, updated = ?"
                " WHERE schedule = ? AND period = ? AND recipient = ?",
                (SENDING, owner, now + lease, now, *key),
            )
        return self.get(key)

    def sent(self, key: tuple[str, str, str], now: float, owner: str = OWNER) -> None:
        self._finish(MARK_SENT, (SENT, now, now), key, owner)

    def failed(
        self, key: tuple[str, str, str], reason: str, now: float, retry_at: float | None, owner: str = OWNER
    ) -> None:
        """An attempt failed: retried at `retry_at`, or 发送失败 for good (None)."""
        if retry_at is None:
            self._finish(MARK_FAILED, (FAILED, reason, now), key, owner)
        else:
            self._finish(MARK_RETRY, (RETRY, reason, retry_at, now), key, owner)

    def _finish(self, statement: str, values: tuple, key: tuple[str, str, str], owner: str) -> None:
        """Only the claim's owner may finish it (a claim taken over from it is no longer its)."""
        with self._transaction() as con:
            con.execute(statement, (*values, *key, owner, SENDING))

    def get(self, key: tuple[str, str, str]) -> Delivery | None:
        with self._connection() as con:
            row = con.execute(
                "SELECT * FROM deliveries WHERE schedule = ? AND period = ? AND recipient = ?", key
            ).fetchone()
        return _delivery(row) if row else None

    def open_items(self, now: float) -> list[Delivery]:
        """Items a runner may take now: waiting, due for a retry, or held by a dead or expired claim."""
        with self._connection() as con:
            rows = con.execute(
                "SELECT * FROM deliveries WHERE status IN (?, ?, ?) ORDER BY created", (PENDING, RETRY, SENDING)
            ).fetchall()
        return [_delivery(row) for row in rows if _claimable(row, now)]

    def unfinished(self, schedule: str, period: str) -> list[Delivery]:
        with self._connection() as con:
            rows = con.execute(
                "SELECT * FROM deliveries WHERE schedule = ? AND period = ? AND status NOT IN (?, ?)",
                (schedule, period, SENT, FAILED),
            ).fetchall()
        return [_delivery(row) for row in rows]

    def recent(self, limit: int = 100, schedule: str | None = None) -> list[Delivery]:
        """The latest items, newest first (of one schedule when given)."""
        with self._connection() as con:
            if schedule:
                rows = con.execute(RECENT_OF, (schedule, limit)).fetchall()
            else:
                rows = con.execute(RECENT, (limit,)).fetchall()
        return [_delivery(row) for row in rows]


def _claimable(row: sqlite3.Row, now: float) -> bool:
    if row["status"] == PENDING:
        return True
    if row["status"] == RETRY:
        return row["next_try"] <= now
    if row["status"] == SENDING:
        return (row["lease_until"] or 0) < now or owner_gone(row["owner"])
    return False


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        row["schedule"],
        row["period"],
        row["recipient"],
        datetime.fromisoformat(row["due_at"]),
        row["kind"],
        row["account"],
        row["scope"],
        row["channel"],
        row["status"],
        row["attempts"],
        row["owner"],
        row["reason"],
        row["updated"],
        row["sent_at"],
    )
