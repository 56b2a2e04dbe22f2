"""Soak (bounded, local): 50 imports of tiny ledgers in random order from 3 processes at once, 新增 and 更正替换
mixed, some killed at a random named write step. At the end the extracts equal a sequential replay of the
imports the log calls successful, the log agrees with what the processes saw, and `dpf check` passes."""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

import pytest

from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from dpf.contract.manifest import read_manifest
from dpf.ingest.lock import import_lock
from dpf.ingest.merge import read_table
from dpf.ingest.report import log_path
from dpf.ingest.write import FAULT_POINTS, recover
from tests.ingest_helpers import KEY, KILLED, base_set, cert, csv_bytes, pay_rows, start_imports, write_file

pytestmark = pytest.mark.soak

TODAY = date(2024, 6, 15)
IMPORTS, PROCESSES, SEED = 50, 3, 17
AFTER_SWAP = {"swapped", "backup_removed", "backed_up", "logged"}  # a kill there is finished by recovery
PERSONS = ["姓名", "残疾人证号", "乡镇（街道）", "发证日期", "注销日期"]
NURSING = {"program": "重度残疾人护理补贴", "month": "2024-04", "amount": 80}
LEDGERS = {
    "护理4月城关.csv": pay_rows(range(1, 4), **NURSING),
    "护理4月东城.csv": pay_rows([4, 5], township="东城街道", **NURSING),
    "生活5月_上.csv": pay_rows([1, 2]),
    "生活5月_下.csv": pay_rows([3, 4]),
    "护理4月城关_更正.csv": pay_rows([1, 2], **{**NURSING, "amount": 90}),
    "护理4月补发.csv": pay_rows([1], **{**NURSING, "amount": 40}, note="补发"),
    "名册.csv": [PERSONS, *(["某", cert(n), "城关镇", "2020-01-02", None] for n in range(1, 6))],
    "名册_注销.csv": [PERSONS, ["某", cert(5), "城关镇", "2020-01-02", "2024-05-06"]],
}


def tasks(files: dict[str, Path]) -> list[dict]:
    rng = random.Random(SEED)
    names = sorted(files)
    return [
        {
            "files": [str(files[n]) for n in rng.sample(names, rng.choice([1, 1, 2]))],
            "replace": rng.random() < 0.4,
            "kill_at": rng.choice(FAULT_POINTS) if rng.random() < 0.2 else None,
        }
        for _ in range(IMPORTS)
    ]


def run_workers(data: Path, work: list[dict], folder: Path) -> dict[str, int]:
    """Each process works through its share in order; a killed one is restarted after the killed task."""
    rng = random.Random(SEED + 1)
    queues = {w: [] for w in range(PROCESSES)}
    for task in work:
        queues[rng.randrange(PROCESSES)].append(task)
    running, outcome, starts = {}, {"completed": 0, "killed_after_swap": 0, "killed_journaled": 0, "killed": 0}, 0
    while running or any(queues.values()):
        for worker, queue in queues.items():
            if worker not in running and queue:
                starts += 1
                progress = folder / f"progress-{starts}"
                running[worker] = (start_imports(data, queue, TODAY, progress), progress)
        time.sleep(0.05)
        for worker, (proc, progress) in list(running.items()):
            if proc.poll() is None:
                continue
            _, err = proc.communicate()
            done = len(progress.read_text().splitlines()) if progress.exists() else 0
            outcome["completed"] += done
            if proc.returncode == KILLED:  # in its own import, or while repairing another's crash
                journaled = progress.with_suffix(".journaled")
                own = journaled.exists() and int(journaled.read_text()) == done
                point = queues[worker][done]["kill_at"]
                outcome["killed"] += 1
                outcome["killed_after_swap"] += own and point in AFTER_SWAP
                outcome["killed_journaled"] += own and point == "journaled"
                done += 1
            else:
                assert proc.returncode == 0 and done == len(queues[worker]), err
            queues[worker] = queues[worker][done:]
            del running[worker]
    return outcome


def contents(folder: Path) -> dict[str, list]:
    return {table: sorted(map(str, read_table(folder, table).to_pylist())) for table in read_manifest(folder).tables}


def test_soak_concurrent_imports_with_kills_equal_a_sequential_replay(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    data = base_set(tmp_path / "soak" / "extracts")
    files = {name: write_file(tmp_path, name, csv_bytes(rows)) for name, rows in LEDGERS.items()}
    work = tasks(files)
    outcome = run_workers(data, work, tmp_path)
    assert outcome["killed"] >= 5 and sum(t["replace"] for t in work) >= 10  # the mix really happened
    with import_lock(data):
        recover(data)  # a kill in the last import is repaired like the next import would
    log = [json.loads(line) for line in log_path(data).read_text(encoding="utf-8").splitlines()]
    succeeded = [e for e in log if e["status"] in ("ok", "unchanged")]
    assert len(succeeded) == outcome["completed"] + outcome["killed_after_swap"]
    assert sum(e["status"] == "interrupted" for e in log) == outcome["killed_journaled"]
    assert not [e for e in log if e["status"] not in ("ok", "unchanged", "interrupted")]

    replay = base_set(tmp_path / "replay" / "extracts")
    for entry in succeeded:
        chosen = [files[f["file"]] for f in entry["files"]]
        run_import(chosen, replay, today=TODAY, replace=entry["mode"] == "replace", yes=True)
    replayed = [json.loads(line) for line in log_path(replay).read_text(encoding="utf-8").splitlines()]
    facts = ("status", "mode", "accepted", "rejected", "added", "removed", "as_of")
    assert [[e[f] for f in facts] for e in replayed] == [[e[f] for f in facts] for e in succeeded]
    assert contents(data) == contents(replay)
    assert read_manifest(data).as_of == read_manifest(replay).as_of
    assert check_folder(data).exit_code == 0
    assert not list(data.parent.glob("extracts.new-*")) and not list(data.parent.glob("extracts.old-*"))
