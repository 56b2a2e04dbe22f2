"""Writing a new extract set beside the old one and swapping it in, so a kill at any point is repaired.

The new set is built in `<data>.new-<pid>` (unchanged tables copied byte for byte, changed ones
written sorted so the same rows give the same bytes), gets a new manifest and passes the contract
check. Then, in this order (each a named `fault` point for the crash tests):
  journaled       the journal `<data>.imports/journal.json` names the staging folder, the old and new
                  manifests' sha256 and the log entry;
  swapped         staging and data folder exchange places (Linux renameat2 RENAME_EXCHANGE, one atomic
                  step; elsewhere three renames via `<data>.old-<pid>`);
  backup_removed  the previous `<data>.bak` is removed;
  backed_up       the old set (now in the staging folder) becomes `<data>.bak`;
  logged          the log entry is appended (once: recovery looks for its id); then the journal goes.
`recover` (run under the import lock before every import) reads a journal left by a killed import:
data folder new → finish the backup and the log; data folder old → remove the staging folder and log
the import as interrupted. So the next run always finds old-or-new data, and a `.bak` and a log that
agree with it. Staging folders of processes that are gone are removed; a live process's never.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.contract.catalogue import OPTIONAL_TABLES, REQUIRED_TABLES
from dpf.contract.check import CheckResult, check_folder
from dpf.contract.manifest import (
    GRADES_FIELD,
    MANIFEST_NAME,
    nursing_grades,
    table_files,
    table_location,
    write_manifest,
)
from dpf.ingest.merge import ordered
from dpf.ingest.report import imports_dir, log_once

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "use_dictionary": True, "row_group_size": 1 << 20}
ALL_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES)

# Tests set this to simulate a crash at a named step (FAULT_POINTS, in the order they are reached).
fault: Callable[[str], None] | None = None
FAULT_POINTS = ("staged", "checked", "journaled", "swapped", "backup_removed", "backed_up", "logged")
JOURNAL_NAME = "journal.json"


class WriteError(RuntimeError):
    """The new set was not swapped in; the message is Chinese. The old set is untouched."""


def staging_dir(data: Path) -> Path:
    return data.parent / f"{data.name}.new-{os.getpid()}"


def backup_dir(data: Path) -> Path:
    return data.parent / f"{data.name}.bak"


def journal_path(data: Path) -> Path:
    return imports_dir(data) / JOURNAL_NAME


def _hold_dir(data: Path, staging: Path) -> Path:
    return data.parent / f"{data.name}.old-{staging.name.rsplit('-', 1)[-1]}"


def manifest_sha(folder: Path) -> str | None:
    try:
        return hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _write_journal(data: Path, journal: dict) -> None:
    path = journal_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(journal, handle, ensure_ascii=False, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _finish(data: Path, journal: dict) -> None:
    """The data folder holds the new set: make the old set the backup, log once, drop the journal."""
    staging = data.parent / journal["staging"]
    if staging.is_dir():
        shutil.rmtree(backup_dir(data), ignore_errors=True)
        _step("backup_removed")
        staging.rename(backup_dir(data))
    _step("backed_up")
    log_once(data, journal["log"])
    _step("logged")
    journal_path(data).unlink(missing_ok=True)


def _roll_back(data: Path, journal: dict) -> None:
    """The data folder still holds the old set: drop the new one, log the import as interrupted."""
    shutil.rmtree(data.parent / journal["staging"], ignore_errors=True)
    entry = journal["log"]
    log_once(data, {**entry, "status": "interrupted", "as_of": entry["old_as_of"], "changed": []})
    journal_path(data).unlink(missing_ok=True)


def recover(data: Path) -> None:
    """Repair what an interrupted import left (call under the import lock): finish or roll back a
    journalled swap, restore a missing data folder from the backup, remove dead processes' staging."""
    data = Path(data)
    try:
        journal = json.loads(journal_path(data).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal = None
    if journal:
        staging, hold = data.parent / journal["staging"], _hold_dir(data, data.parent / journal["staging"])
        if hold.is_dir():  # the three-rename swap was cut short
            hold.rename(staging if data.exists() else data)
        if data.exists() and manifest_sha(data) == journal["new"]:
            _finish(data, journal)
        elif data.exists():
            _roll_back(data, journal)
    if not data.exists() and backup_dir(data).is_dir():
        backup_dir(data).rename(data)
    for stale in data.parent.glob(f"{data.name}.new-*"):
        pid = re.fullmatch(r"\d+", stale.name.rsplit("-", 1)[-1])
        if pid is None or not _pid_alive(int(pid.group())):
            shutil.rmtree(stale, ignore_errors=True)


def abandon(data: Path, failed_entry: dict) -> None:
    """After an import failed part-way (call under the import lock): repair what it left as `recover` does,
    then log `failed_entry` unless recovery logged the import already (a journalled swap finished or rolled
    back). When the disk cannot take even that, the data and backup are the old ones, or the journal is
    left for the next import's recovery."""
    with contextlib.suppress(OSError):
        recover(data)
        log_once(data, failed_entry)


def _step(name: str) -> None:
    if fault is not None:
        fault(name)


def _write_table(folder: Path, table: str, data: pa.Table, partitioned: bool) -> None:
    data = ordered(table, data)
    if table == "payments" and partitioned:
        years = pc.year(data.column("period"))
        for year in sorted(set(years.to_pylist())):
            part = folder / "payments" / f"year={year}"
            part.mkdir(parents=True, exist_ok=True)
            subset = data.filter(pc.equal(years, year))
            pq.write_table(subset, part / "part-0.parquet", **PARQUET_OPTIONS)
    else:
        pq.write_table(data, folder / f"{table}.parquet", **PARQUET_OPTIONS)


def _copy_table(old: Path, new: Path, table: str) -> None:
    location = table_location(old, table)
    if location is None:
        return
    if location.is_dir():
        shutil.copytree(location, new / location.name)
    else:
        shutil.copy2(location, new / location.name)


def _rows(folder: Path, table: str) -> int | None:
    location = table_location(folder, table)
    if location is None or not table_files(location):
        return None
    return sum(pq.ParquetFile(p).metadata.num_rows for p in table_files(location))


def kept_settings(data: Path) -> dict:
    """What the old manifest says of the county rather than of one export, for the new manifest: its valid
    nursing_subsidy_grades (护理补贴's grades), so an import does not reset them to 一级、二级."""
    try:
        raw = json.loads((data / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    grades = nursing_grades(raw.get(GRADES_FIELD)) if isinstance(raw, dict) and GRADES_FIELD in raw else ()
    return {GRADES_FIELD: grades} if grades else {}


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def new_violations(old: CheckResult, new: CheckResult) -> list:
    """Violations of the new set that the old set did not already have (same table and rule)."""
    before = {(f.table, f.rule) for f in old.violations}
    return [f for f in new.violations if (f.table, f.rule) not in before]


def _swap(staging: Path, data: Path) -> None:
    """Afterwards `data` holds the staged set and `staging` the old one."""
    if _exchange(staging, data):
        return
    hold = _hold_dir(data, staging)
    data.rename(hold)
    staging.rename(data)
    hold.rename(staging)


def swap_in(
    data: Path, changed: dict[str, pa.Table], as_of: date, source: str, old_check: CheckResult, log_entry: dict
) -> CheckResult:
    """Build the new set (changed tables rewritten, the rest copied), check it, swap it in, log it.

    Call under the import lock. `log_entry` needs a unique "id" and "old_as_of"."""
    data = Path(data)
    recover(data)
    staging = staging_dir(data)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    journaled = False
    try:
        for item in sorted(data.iterdir()):
            if item.name == MANIFEST_NAME or item.name.removesuffix(".parquet") in ALL_TABLES:
                continue
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, staging / item.name)
        for table in ALL_TABLES:
            if table in changed:
                location = table_location(data, table)
                _write_table(staging, table, changed[table], partitioned=bool(location and location.is_dir()))
            else:
                _copy_table(data, staging, table)
        _step("staged")
        rows = {t: n for t in ALL_TABLES if (n := _rows(staging, t)) is not None}
        write_manifest(staging, as_of, source, rows, **kept_settings(data))
        _fsync_tree(staging)
        result = check_folder(staging)
        result.folder = data
        bad = new_violations(old_check, result) if result.unreadable is None else None
        if result.unreadable or bad:
            reasons = result.unreadable or "；".join(f.message for f in (bad or [])[:3])
            raise WriteError(f"新数据未通过数据约定检查，已放弃写入，原有数据未改动。原因：{reasons}")
        _step("checked")
        journal = {"staging": staging.name, "old": manifest_sha(data), "new": manifest_sha(staging), "log": log_entry}
        _write_journal(data, journal)
        journaled = True
        _step("journaled")
        _swap(staging, data)
        _step("swapped")
        _finish(data, journal)
        return result
    finally:
        if not journaled and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
