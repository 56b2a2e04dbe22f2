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

import dpf.check
from dpf.catalogue import OPTIONAL_TABLES, REQUIRED_TABLES
from dpf.check import CheckResult, Finding, check_folder
from dpf.config import cache_dir, prune_cache
from dpf.manifest import export_stamp

PREFIX = "check"
KEEP_RESULTS = 12


def result_key(folder: Path) -> str:
    """A key that changes with the folder, its manifest, its table files and the checker's code."""
    digest = hashlib.sha256(export_stamp(folder, (*REQUIRED_TABLES, *OPTIONAL_TABLES)).encode())
    digest.update(Path(dpf.check.__file__).read_bytes())
    return digest.hexdigest()[:32]


def checked_folder(folder: Path) -> CheckResult:
    """check_folder(folder), read from the cache folder when this export was checked before."""
    folder = Path(folder)
    try:
        target = cache_dir() / f"{PREFIX}-{result_key(folder)}.json"
    except OSError:  # the folder or a file vanished while listing: check_folder says what is wrong
        return check_folder(folder)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        result = _from_json(json.loads(target.read_text(encoding="utf-8")))
        os.utime(target)  # recently used: kept when older results are pruned
        return result
    result = check_folder(folder)
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
