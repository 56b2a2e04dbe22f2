"""The contract check of a data folder, kept on disk so each export is checked once.

A full check reads every row (a province's 26 million payments take over half a minute), so the
数据状况 page keeps its result in the cache folder, keyed by the folder, its manifest, every table
file's size and time and the checker's own code: a new export, a changed file or new rules check
again; a restarted dashboard does not. `dpf check` on the command line always checks afresh.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path

import dpf.contract.check
import dpf.contract.column_types
from dpf.config import cache_dir, prune_cache
from dpf.contract.check import ALL_TABLES, CheckResult, Finding, check_folder
from dpf.contract.manifest import export_stamp

PREFIX = "check"
KEEP_RESULTS = 12
CHECKER_CODE = (Path(dpf.contract.check.__file__), Path(dpf.contract.column_types.__file__))  # new rules check again


class FolderChanged(Exception):
    """The folder changed while it was checked (an import swapped it in): the result is neither kept nor shown."""


def _state(folder: Path) -> tuple[str, int | None]:
    """The export stamp of every table and the folder's inode (an import swaps a new folder in under the same
    name): if either differs after a check, the check read a folder that changed under it."""
    stamp = export_stamp(folder, ALL_TABLES)
    return stamp, os.stat(folder).st_ino if folder.is_dir() else None


def _changed(folder: Path, before: tuple[str, int | None]) -> bool:
    try:
        return _state(folder) != before
    except OSError:  # a file listed a moment ago is gone
        return True


def result_key(folder: Path) -> str:
    """A key that changes with the folder, its manifest, its table files and the checker's code."""
    return _key(export_stamp(folder, ALL_TABLES))


def _key(stamp: str) -> str:
    digest = hashlib.sha256(stamp.encode())
    for code in CHECKER_CODE:
        digest.update(code.read_bytes())
    return digest.hexdigest()[:32]


def checked_folder(folder: Path) -> CheckResult:
    """check_folder(folder), read from the cache folder when this export was checked before.

    Raises FolderChanged when the folder changed during the check: the result mixes two exports (e.g. the old
    manifest with new files) and would show a false 检查未通过, so it is not stored; checking again once the
    import is done gives the new export's result.
    """
    folder = Path(folder)
    try:
        before = _state(folder)
        target = cache_dir() / f"{PREFIX}-{_key(before[0])}.json"
    except OSError:  # the folder or a file vanished while listing: check_folder says what is wrong
        return check_folder(folder)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        result = _from_json(json.loads(target.read_text(encoding="utf-8")))
        os.utime(target)  # recently used: kept when older results are pruned
        return result
    try:
        result = check_folder(folder)
    except OSError:  # a file vanished under the check: an import, or a real problem to show as it is
        if _changed(folder, before):
            raise FolderChanged(folder) from None
        raise
    if _changed(folder, before):
        raise FolderChanged(folder)
    if result.unreadable is None:  # a folder that cannot be read is checked again next time
        with contextlib.suppress(OSError):
            _write(target, result)
            prune_cache(target.parent, f"{PREFIX}-*.json", KEEP_RESULTS)
    return result


def _write(target: Path, result: CheckResult) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f"{PREFIX}-", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(_to_json(result), out, ensure_ascii=False)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def _to_json(result: CheckResult) -> dict:
    return {
        "folder": str(result.folder),
        "violations": [dataclasses.asdict(f) for f in result.violations],
        "warnings": [dataclasses.asdict(f) for f in result.warnings],
        "unreadable": result.unreadable,
        "tables": result.tables,
        "as_of": result.as_of.isoformat() if result.as_of else None,
    }


def _from_json(data: dict) -> CheckResult:
    return CheckResult(
        folder=Path(data["folder"]),
        violations=[Finding(**f) for f in data["violations"]],
        warnings=[Finding(**f) for f in data["warnings"]],
        unreadable=data["unreadable"],
        tables=list(data["tables"]),
        as_of=date.fromisoformat(data["as_of"]) if data["as_of"] else None,
    )
