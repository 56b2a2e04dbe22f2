"""Imports in real processes: two at once on one folder (the lock), a kill at every named write step
(old-or-new data, a backup and a log that agree), and staging folders of live and dead processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from dpf.contract.manifest import read_manifest
from dpf.ingest.lock import WAITING, import_lock
from dpf.ingest.report import log_path
from dpf.ingest.write import FAULT_POINTS, backup_dir, journal_path, recover
from tests.ingest_helpers import (
    KILLED,
    csv_bytes,
    paused_import,
    pay_rows,
    payments,
    release,
    start_imports,
    write_file,
)

TODAY = date(2024, 6, 15)
# Steps after which the new set is in place (recovery finishes the import); before them it rolls back.
AFTER_SWAP = {"swapped", "backup_removed", "backed_up", "logged"}


def log(folder: Path) -> list[dict]:
    return [json.loads(line) for line in log_path(folder).read_text(encoding="utf-8").splitlines()]


def test_two_imports_at_once_both_land_and_the_second_says_it_waits(data, tmp_path):
    april = write_file(tmp_path, "april.csv", csv_bytes(pay_rows(range(1, 4), month="2024-04")))
    may = write_file(tmp_path, "may.csv", csv_bytes(pay_rows(range(4, 9), township="西河乡")))
    first = paused_import(data, april, "checked", TODAY, tmp_path / "first")  # its new set checked, not swapped
    second = start_imports(data, [{"files": [str(may)]}], TODAY, tmp_path / "second")
    assert second.stdout.readline().strip() == WAITING  # its first word: it waits for the first
    release(tmp_path / "first")
    out_second, err_second = second.communicate(timeout=120)
    out_first, err_first = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err_first + err_second
    assert WAITING not in out_first
    assert "已写入新数据" in out_first and "已写入新数据" in out_second
    rows = payments(data)
    assert len(rows) == 1 + 3 + 5
    assert sum(r["township_code"] == "990001200" for r in rows) == 5
    assert [e["status"] for e in log(data)] == ["ok", "ok"]
    assert read_manifest(backup_dir(data)).tables["payments"]["rows"] == 4  # the second's backup is the first's set
    assert check_folder(data).exit_code == 0


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_a_kill_at_any_step_leaves_old_or_new_with_a_backup_and_log_that_agree(data, tmp_path, point):
    april = write_file(tmp_path, "april.csv", csv_bytes(pay_rows(range(1, 4), month="2024-04")))
    proc = start_imports(data, [{"files": [str(april)], "kill_at": point}], TODAY, tmp_path / "progress")
    proc.communicate(timeout=120)
    assert proc.returncode == KILLED
    with import_lock(data):
        recover(data)
    done = point in AFTER_SWAP
    assert len(payments(data)) == (4 if done else 1)  # new or old, nothing in between
    assert not journal_path(data).exists() and not list(data.parent.glob("extracts.new-*"))
    statuses = [e["status"] for e in log(data)] if log_path(data).exists() else []
    if done:
        assert statuses == ["ok"]
        assert len(payments(backup_dir(data))) == 1  # the backup is the set before the import
        assert log(data)[0]["as_of"] == read_manifest(data).as_of.isoformat() == "2024-04-30"
    else:
        assert statuses == (["interrupted"] if point == "journaled" else [])
        assert not backup_dir(data).exists()  # the base set never had a backup
    # The next run goes on from there: the April rows once, then May, each counted.
    may = write_file(tmp_path, "may.csv", csv_bytes(pay_rows(range(4, 6))))
    assert run_import([april, may], data, today=TODAY) == 0
    assert len(payments(data)) == 1 + 3 + 2
    assert [e["status"] for e in log(data)].count("ok") == (2 if done else 1)
    last = log(data)[-1]
    assert last["added"] == (2 if done else 5)
    assert read_manifest(backup_dir(data)).as_of.isoformat() == last["old_as_of"]
    assert len(payments(backup_dir(data))) == (4 if done else 1)
    assert check_folder(data).exit_code == 0


def test_recovery_removes_the_staging_of_a_dead_process_only(data, tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        for proc in (live, dead):
            staging = data.parent / f"extracts.new-{proc.pid}"
            staging.mkdir()
            (staging / "manifest.json").write_text("{}")
        path = write_file(tmp_path, "april.csv", csv_bytes(pay_rows(range(1, 4), month="2024-04")))
        assert run_import([path], data, today=TODAY) == 0
        assert (data.parent / f"extracts.new-{live.pid}" / "manifest.json").is_file()
        assert not (data.parent / f"extracts.new-{dead.pid}").exists()
        assert len(payments(data)) == 4
    finally:
        live.kill()
        live.wait()


def test_the_lock_also_excludes_another_thread_of_the_same_process(tmp_path):
    """Two sessions of one Streamlit server are two threads: the lock is reentrant per thread only."""
    data, events = tmp_path / "extracts", []

    def second_session():
        with import_lock(data, on_wait=lambda message: events.append(message)):
            events.append("second has the lock")

    with import_lock(data), import_lock(data):  # the CLI holds it around prepare/commit, which take it again
        thread = threading.Thread(target=second_session)
        thread.start()
        thread.join(timeout=0.5)
        events.append("first releases")
    thread.join(timeout=60)
    assert events == [WAITING, "first releases", "second has the lock"]


# A uuid4 hex may hold a run of 9+ digits, which the log masks like a 证号 (about one id in eight).
DIGIT_RUN_ID = "0123456789012345678901234567abcd"


@pytest.mark.parametrize(
    ("first_kill", "recovery_kill"),
    [("logged", None), ("backed_up", "logged")],
    ids=["killed-after-its-log-line", "its-recovery-killed-after-the-log-line"],
)
def test_an_import_finished_by_recovery_is_logged_once(data, tmp_path, first_kill, recovery_kill):
    """The soak's interleaving: an import is killed after its swap; the recovery that writes its log line may be
    killed too; the next import's recovery must find that line by its id (never masked) and not write it again."""
    april = write_file(tmp_path, "april.csv", csv_bytes(pay_rows(range(1, 4), month="2024-04")))
    may = write_file(tmp_path, "may.csv", csv_bytes(pay_rows(range(4, 6))))
    task = {"files": [str(april)], "kill_at": first_kill, "log_id": DIGIT_RUN_ID}
    first = start_imports(data, [task], TODAY, tmp_path / "first")
    first.communicate(timeout=120)
    assert first.returncode == KILLED
    if recovery_kill:
        second = start_imports(data, [{"files": [str(may)], "kill_at": recovery_kill}], TODAY, tmp_path / "second")
        second.communicate(timeout=120)
        assert second.returncode == KILLED
        assert not (tmp_path / "second.journaled").exists()  # killed while finishing the first, not in its own
        assert [e["id"] for e in log(data)] == [DIGIT_RUN_ID] and journal_path(data).exists()
    assert run_import([may], data, today=TODAY) == 0
    entries = log(data)
    assert [(e["id"] == DIGIT_RUN_ID, e["status"], e["added"]) for e in entries] == [(True, "ok", 3), (False, "ok", 2)]
    assert len(payments(data)) == 1 + 3 + 2 and len(payments(backup_dir(data))) == 1 + 3
    assert not journal_path(data).exists()
