"""The import as two steps the CLI and the page share: prepare (read, validate, merge for the preview)
and commit (swap, log). Recovery, the merge and the swap hold the folder's import lock; the CLI holds it
from prepare to commit, the page cannot (the user confirms in a later run), so when the data changed in
between commit merges again and, in 更正替换 mode, refuses because the preview the user saw no longer holds.

As-of of the new set: the later of the old as-of and the last day the imported rows speak
for (a month's last day for 发放月份, the date itself otherwise), but never after today.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import cast

import pyarrow as pa

from dpf.contract.check import check_folder
from dpf.contract.manifest import ManifestError, read_manifest
from dpf.ingest.disk import disk_problem
from dpf.ingest.ledgers import LedgerError, Unreadable, norm_name, read_ledgers
from dpf.ingest.lock import LockTimeout, import_lock
from dpf.ingest.merge import ADD, REPLACE, FileMerge, Merged, merge_run, read_table
from dpf.ingest.pseudonym import secret_key
from dpf.ingest.report import append_log, rejections_of, retention_days, write_report
from dpf.ingest.validate import Context, FileResult, Rejection, unreadable_result, validate_ledger
from dpf.ingest.write import WriteError, abandon, manifest_sha, recover, swap_in


class ImportRefused(RuntimeError):
    """The import cannot run at all (no key, no data folder); the message is Chinese."""


@dataclass
class Plan:
    data: Path
    today: date
    results: list[FileResult]
    old_as_of: date
    old_source: str
    mode: str
    merged: Merged  # what the merge does with the rows (the preview)
    township_names: dict[str, str] = field(default_factory=dict)  # code -> name
    data_sha: str | None = None  # the manifest's sha256 the merge was made against

    @property
    def rejections(self) -> list[Rejection]:
        return rejections_of(self.results) + (self.merged.conflicts if self.merged else [])

    @property
    def accepted(self) -> int:
        return sum(r.accepted for r in self.results) - len(self.merged.conflicts if self.merged else [])

    @property
    def rejected(self) -> int:
        return sum(r.rejected_rows for r in self.results) + len(self.merged.conflicts if self.merged else [])

    def file_merge(self, index: int) -> FileMerge:
        return self.merged.files[index] if self.merged else FileMerge()

    def accepted_in(self, index: int) -> int:
        """Rows of one file that are stored after the import (added, or already there)."""
        return self.results[index].accepted - len(self.file_merge(index).conflicts)

    def rejected_in(self, index: int) -> int:
        return self.results[index].rejected_rows + len(self.file_merge(index).conflicts)

    @property
    def new_as_of(self) -> date:
        latest = [r.latest for r in self.results if r.latest]
        return min(self.today, max([self.old_as_of, *latest]))


@dataclass
class Outcome:
    written: bool
    as_of: date
    changed: list[str] = field(default_factory=list)  # tables rewritten
    rows: dict[str, int] = field(default_factory=dict)  # rows per table after the import
    added: int = 0  # rows added
    removed: int = 0  # stored rows removed or replaced (更正替换)
    report: Path | None = None
    message: str = ""  # Chinese summary


def township_lookup(data: Path) -> dict[str, str]:
    table = read_table(data, "townships")
    if table is None or table.num_rows == 0:
        raise ImportRefused(
            f"数据文件夹 {data} 中没有乡镇（街道）表（townships），无法核对乡镇名称。请先放入完整的数据集。"
        )
    lookup: dict[str, str] = {}
    for row in table.select(["code", "name"]).to_pylist():
        lookup[norm_name(row["code"])] = row["code"]
        lookup[norm_name(row["name"])] = row["code"]
    return lookup


@contextmanager
def _locked(data: Path, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """The folder's import lock; a lock timeout becomes ImportRefused."""
    with ExitStack() as stack:
        try:
            stack.enter_context(import_lock(data, on_wait))
        except LockTimeout as exc:
            raise ImportRefused(str(exc)) from exc
        yield


def prepare(
    files: list[tuple[str, bytes]],
    data: Path,
    today: date | None = None,
    mode: str = ADD,
    on_wait: Callable[[str], None] | None = None,
) -> Plan:
    """Read, validate and merge every file (the preview); nothing is written. Raises ImportRefused when
    it cannot run. `on_wait` is told when another import holds the lock."""
    key = secret_key()  # MissingKeyError (a RuntimeError) says how to set one
    data = Path(data)
    with _locked(data, on_wait):
        recover(data)
    try:
        manifest = read_manifest(data)
    except ManifestError as exc:
        raise ImportRefused(str(exc)) from exc
    try:
        retention_days()
    except ValueError as exc:
        raise ImportRefused(str(exc)) from exc
    today = today or date.today()
    ctx = Context(key, township_lookup(data), today)
    results = []
    for name, content in files:
        try:
            parts = read_ledgers(name, content)
        except LedgerError as exc:
            parts = [Unreadable(name, str(exc))]
        for part in parts:
            results.append(unreadable_result(part) if isinstance(part, Unreadable) else validate_ledger(part, ctx))
    with _locked(data, on_wait):  # the merge and the manifest it was made against, from one moment
        recover(data)
        manifest, sha = read_manifest(data), manifest_sha(data)
        merged = merge_run(results, lambda table: read_table(data, table), mode)
    townships = cast(pa.Table, read_table(data, "townships"))  # township_lookup above has read it
    names = {t["code"]: t["name"] for t in townships.select(["code", "name"]).to_pylist()}
    return Plan(data, today, results, manifest.as_of, manifest.source, mode, merged, names, sha)


def commit(plan: Plan, dry_run: bool = False, on_wait: Callable[[str], None] | None = None) -> Outcome:
    """Under the lock: merge the accepted rows again if the data changed since `prepare`, write and swap in
    the new set, log the import. A dry run writes nothing (no report, no log line)."""
    now = datetime.now().astimezone()
    if dry_run:
        outcome = Outcome(False, plan.old_as_of, sorted(plan.merged.tables))
        outcome.message = "试运行（--dry-run）：只检查，未写入数据。"
        return outcome
    with _locked(plan.data, on_wait):
        recover(plan.data)
        manifest = read_manifest(plan.data)
        merged = plan.merged
        if manifest_sha(plan.data) != plan.data_sha:  # another import came in after the preview
            merged = merge_run(plan.results, lambda table: read_table(plan.data, table), plan.mode)
        if plan.mode == REPLACE and merged.changes != plan.merged.changes:
            raise ImportRefused(
                "预览之后，数据已被另一次导入更新，预览中的“导入前 → 导入后”行数已不准确，本次未写入。请重新检查并确认。"
            )
        plan.merged, plan.old_as_of, plan.old_source = merged, manifest.as_of, manifest.source
        return _write(plan, now)


def _write(plan: Plan, now: datetime) -> Outcome:
    """Write the report, the new set and the log line; a failure (a failed check, a full or read-only disk) is
    logged as failed once what it left is repaired, and raised again."""
    merged, as_of = plan.merged, plan.new_as_of
    entry = {
        "id": uuid.uuid4().hex,
        "at": now.isoformat(timespec="seconds"),
        "mode": plan.mode,
        "files": [
            {"file": r.masked_name, "kind": r.label, "accepted": plan.accepted_in(i), "rejected": plan.rejected_in(i)}
            for i, r in enumerate(plan.results)
        ],
        "accepted": plan.accepted,
        "rejected": plan.rejected,
        "added": merged.added,
        "removed": merged.removed,
        "reissued": sum(f.reissued for f in merged.files),
        "report": None,
        "old_as_of": plan.old_as_of.isoformat(),
    }
    try:
        report = write_report(plan.data, plan.rejections, now)
        entry["report"] = report.name if report else None
        outcome = Outcome(False, plan.old_as_of, sorted(merged.tables), report=report)
        if not merged.tables and as_of == plan.old_as_of:
            outcome.message = (
                "数据没有变化（这些记录此前已导入），未写入新数据。"
                if plan.accepted
                else "没有可以导入的行，未写入新数据。"
            )
            append_log(plan.data, {**entry, "status": "unchanged", "as_of": as_of.isoformat(), "changed": []})
            return outcome
        source = plan.old_source if plan.old_source == "demo" else "import"
        ok_entry = {**entry, "status": "ok", "as_of": as_of.isoformat(), "changed": sorted(merged.tables)}
        old_check = check_folder(plan.data)
        swap_in(plan.data, merged.tables, as_of, source, old_check, ok_entry)
    except (WriteError, OSError) as exc:
        reason = disk_problem(exc) if isinstance(exc, OSError) else str(exc)
        abandon(plan.data, {**entry, "status": "failed", "as_of": plan.old_as_of.isoformat(), "error": reason})
        raise
    outcome.written, outcome.as_of = True, as_of
    outcome.added, outcome.removed = merged.added, merged.removed
    manifest = read_manifest(plan.data)
    outcome.rows = {t: int(v.get("rows", 0)) for t, v in manifest.tables.items()}
    outcome.message = f"已写入新数据，数据截至 {as_of.isoformat()}。"
    return outcome
