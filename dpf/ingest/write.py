"""Writing a new extract set beside the old one and swapping it in.

The new set is built in `<data>.new-<pid>` (unchanged tables copied byte for byte, changed
ones written sorted so the same rows give the same bytes), gets a new manifest, passes the
contract check, and only then replaces the data folder: on Linux with one atomic
renameat2(RENAME_EXCHANGE); elsewhere with two renames (a crash between them is repaired
by `recover`). The previous set is kept as `<data>.bak`. A crash or a failed check at any
earlier point leaves the data folder untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.catalogue import OPTIONAL_TABLES, REQUIRED_TABLES
from dpf.check import CheckResult, check_folder
from dpf.ingest.merge import ordered
from dpf.manifest import MANIFEST_NAME, table_files, table_location, write_manifest

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "use_dictionary": True, "row_group_size": 1 << 20}
ALL_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES)

# Tests set this to simulate a crash at a named step ("staged", "checked").
fault: Callable[[str], None] | None = None


class WriteError(RuntimeError):
    """The new set was not swapped in; the message is Chinese. The old set is untouched."""


def staging_dir(data: Path) -> Path:
    return data.parent / f"{data.name}.new-{os.getpid()}"


def backup_dir(data: Path) -> Path:
    return data.parent / f"{data.name}.bak"


def recover(data: Path) -> None:
    """Repair what an interrupted import left: a missing data folder (restore the backup), stale staging."""
    if not data.exists() and backup_dir(data).is_dir():
        backup_dir(data).rename(data)
    for stale in data.parent.glob(f"{data.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


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


def swap_in(data: Path, changed: dict[str, pa.Table], as_of: date, source: str, old_check: CheckResult) -> CheckResult:
    """Build the new set (changed tables rewritten, the rest copied), check it, swap it in."""
    data = Path(data)
    recover(data)
    staging = staging_dir(data)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
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
        write_manifest(staging, as_of, source, rows)
        _fsync_tree(staging)
        result = check_folder(staging)
        result.folder = data
        bad = new_violations(old_check, result) if result.unreadable is None else None
        if result.unreadable or bad:
            reasons = result.unreadable or "；".join(f.message for f in bad[:3])
            raise WriteError(f"新数据未通过数据约定检查，已放弃写入，原有数据未改动。原因：{reasons}")
        _step("checked")
        backup = backup_dir(data)
        shutil.rmtree(backup, ignore_errors=True)
        if _exchange(staging, data):
            staging.rename(backup)
        else:
            data.rename(backup)
            staging.rename(data)
        return result
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
