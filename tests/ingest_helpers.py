"""Synthetic ledgers for the import tests: valid fake 证号, CSV/XLSX writers, a tiny base set, and imports
run in real processes (with a kill or a pause at a named write step)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from dpf.contract.manifest import read_manifest
from dpf.ingest.idcard import make_certificate
from dpf.ingest.merge import read_table
from tests.extract_builder import payment, town, write_set

KEY = "test-only-key-0123456789abcdef"  # set with monkeypatch.setenv; not a deployment key
TOWN = "990001100"  # 城关镇
TOWNSHIPS = [
    town(TOWN, "城关镇", "镇", 1),
    town("990001001", "东城街道", "街道", 2),
    town("990001200", "西河乡", "乡", 3),
]
BASE_AS_OF = date(2024, 3, 31)
PAY_HEADERS = ["姓名", "残疾人证号", "乡镇（街道）", "项目", "发放月份", "金额（元）"]
REPO = Path(__file__).resolve().parent.parent
KILLED = 137  # the exit status of an import killed at a named step (os._exit, like kill -9 mid-step)


def cert(n: int, category: int = 4, grade: int = 1, female: bool = False) -> str:
    """A valid synthetic 证号: fake region 990001, birth 1970-01-01 + n days, sequence encodes sex."""
    birth = date.fromordinal(date(1970, 1, 1).toordinal() + n)
    sequence = 2 * n + (0 if female else 1)
    return make_certificate("990001", birth, sequence % 1000, category, grade)


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong + number[18:]


def base_set(folder: Path) -> Path:
    """Townships plus one March greenhouse payment, so imports have something to merge with."""
    greenhouse = payment("BASE-0001", "sunshine_greenhouse", "2024-03-01", 100, project="base-project", township=TOWN)
    tables = {"townships": TOWNSHIPS, "persons": [], "payments": [greenhouse], "services": [], "rehab_needs": []}
    return write_set(folder, tables, BASE_AS_OF)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]], title_rows: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    width = max(len(r) for r in rows)
    for index in range(title_rows):
        sheet.append(["2024年县残联资金发放花名册" if index == 0 else "填报单位：县残联（盖章）"])
        sheet.merge_cells(start_row=index + 1, start_column=1, end_row=index + 1, end_column=width)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def pk(number: str) -> str:
    return hmac.new(KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def payments(folder: Path) -> list[dict]:
    return sorted(read_table(folder, "payments").to_pylist(), key=lambda r: r["payment_id"])


def shas(folder: Path) -> dict[str, str]:
    return {t: v["sha256"] for t, v in read_manifest(folder).tables.items()}


def pay_rows(
    people: range | list[int],
    township: str = "城关镇",
    program: str = "困难残疾人生活补贴",
    month: str = "2024-05",
    amount: object = 120,
    note: str | None = None,
) -> list[list[object]]:
    """A 资金发放花名册 (header included): one row per person number; a 备注 column when `note` is given."""
    header = PAY_HEADERS + (["备注"] if note is not None else [])
    tail = [note] if note is not None else []
    return [header, *([f"测试{n}", cert(n), township, program, month, amount, *tail] for n in people)]


# One or more imports run one after another in a fresh Python process, as `dpf import` would run them.
# Each task: {"files": [...], "replace": bool, "kill_at": step | None, "pause_at": step | None}. After a task the
# process appends "index exit-code" to `progress`; `kill_at` ends the process there with os._exit(KILLED) (a
# named step is also reached when an import repairs another's crash); `pause_at` touches `<progress>.paused`
# and waits there (holding the import lock) until `<progress>.release` exists, at most `pause` seconds; the
# output is unbuffered, so a test can read a line as it is printed; `<progress>.journaled` holds the index of the
# last task whose own swap was journalled; `log_id` (32 hex digits) is the id its log entry gets.
IMPORT_SCRIPT = """
import json, os, sys, time, types, uuid
from datetime import date
from pathlib import Path
from dpf.ingest import pipeline, write
from dpf.commands.ingest import run_import
job = json.loads(sys.argv[1])
progress = Path(job["progress"])
for index, task in enumerate(job["tasks"]):
    def fault(step, task=task, index=index):
        if step == "journaled":
            progress.with_suffix(".journaled").write_text(str(index))
        if step == task.get("kill_at"):
            os._exit(137)
        if step == task.get("pause_at"):
            progress.with_suffix(".paused").touch()
            deadline = time.monotonic() + job.get("pause", 2)
            while time.monotonic() < deadline and not progress.with_suffix(".release").exists():
                time.sleep(0.05)
    write.fault = fault
    fixed_id = types.SimpleNamespace(uuid4=lambda task=task: uuid.UUID(task["log_id"]))
    pipeline.uuid = fixed_id if task.get("log_id") else uuid
    files = [Path(f) for f in task["files"]]
    code = run_import(files, Path(job["data"]), today=date.fromisoformat(job["today"]), replace=task.get("replace", False), yes=True)
    with open(progress, "a") as handle:
        handle.write(f"{index} {code}\\n")
"""


def start_imports(data: Path, tasks: list[dict], today: date, progress: Path, pause: float = 120) -> subprocess.Popen:
    """Run `tasks` in a new process (see IMPORT_SCRIPT); stdout and stderr are captured as text."""
    job = {"data": str(data), "tasks": tasks, "today": today.isoformat(), "progress": str(progress), "pause": pause}
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASHBOARD_SECRET_KEY": KEY, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", IMPORT_SCRIPT, json.dumps(job)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def paused_import(data: Path, ledger: Path, pause_at: str, today: date, progress: Path) -> subprocess.Popen:
    """An import of `ledger` in a new process, once it is paused at step `pause_at` holding the import lock; it goes
    on at release(progress)."""
    proc = start_imports(data, [{"files": [str(ledger)], "pause_at": pause_at}], today, progress)
    wait_for(progress.with_suffix(".paused"), proc)
    return proc


def release(progress: Path) -> None:
    """Let an import paused at its `pause_at` step go on."""
    progress.with_suffix(".release").touch()


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    """Until `proc` has created `path` (e.g. `<progress>.paused`); fails if it ends first."""
    deadline = time.monotonic() + 120
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
