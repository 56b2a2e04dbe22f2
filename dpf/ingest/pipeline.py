"""The import as two steps the CLI and the page share: prepare (read + validate) and commit (merge + swap).

As-of of the new set: the later of the old as-of and the last day the imported rows speak
for (a month's last day for 发放月份, the date itself otherwise), but never after today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from dpf.check import check_folder
from dpf.ingest.ledgers import LedgerError, Unreadable, norm_name, read_ledgers
from dpf.ingest.merge import apply_file, read_table, same_rows
from dpf.ingest.pseudonym import secret_key
from dpf.ingest.report import append_log, rejections_of, retention_days, write_report
from dpf.ingest.validate import Context, FileResult, Rejection, unreadable_result, validate_ledger
from dpf.ingest.write import WriteError, recover, swap_in
from dpf.manifest import ManifestError, read_manifest


class ImportRefused(RuntimeError):
    """The import cannot run at all (no key, no data folder); the message is Chinese."""


@dataclass
class Plan:
    data: Path
    today: date
    results: list[FileResult]
    old_as_of: date
    old_source: str

    @property
    def rejections(self) -> list[Rejection]:
        return rejections_of(self.results)

    @property
    def accepted(self) -> int:
        return sum(r.accepted for r in self.results)

    @property
    def rejected(self) -> int:
        return sum(r.rejected_rows for r in self.results)

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


def prepare(files: list[tuple[str, bytes]], data: Path, today: date | None = None) -> Plan:
    """Read and validate every file; nothing is written. Raises ImportRefused when it cannot run."""
    key = secret_key()  # MissingKeyError (a RuntimeError) says how to set one
    data = Path(data)
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
    return Plan(data, today, results, manifest.as_of, manifest.source)


def commit(plan: Plan, dry_run: bool = False) -> Outcome:
    """Merge the accepted rows, write and swap in the new set, log the import. No report on a dry run."""
    now = datetime.now().astimezone()
    report = None if dry_run else write_report(plan.data, plan.rejections, now)
    current: dict[str, pa.Table | None] = {}
    originals: dict[str, pa.Table | None] = {}
    for result in plan.results:
        table = result.table
        if table is None or not result.records:
            continue
        if table not in current:
            originals[table] = current[table] = read_table(plan.data, table)
        current[table] = apply_file(table, current[table], result)
    changed = {t: data for t, data in current.items() if not same_rows(t, originals[t], data)}
    as_of = plan.new_as_of
    outcome = Outcome(False, plan.old_as_of, sorted(changed), report=report)
    if dry_run:
        outcome.message = "试运行（--dry-run）：只检查，未写入数据。"
        return outcome
    entry = {
        "at": now.isoformat(timespec="seconds"),
        "files": [
            {"file": r.masked_name, "kind": r.label, "accepted": r.accepted, "rejected": r.rejected_rows}
            for r in plan.results
        ],
        "accepted": plan.accepted,
        "rejected": plan.rejected,
        "report": report.name if report else None,
        "old_as_of": plan.old_as_of.isoformat(),
    }
    if not changed and as_of == plan.old_as_of:
        outcome.message = (
            "数据没有变化（这些记录此前已导入），未写入新数据。"
            if plan.accepted
            else "没有可以导入的行，未写入新数据。"
        )
        append_log(plan.data, {**entry, "status": "unchanged", "as_of": as_of.isoformat(), "changed": []})
        return outcome
    source = plan.old_source if plan.old_source == "demo" else "import"
    try:
        old_check = check_folder(plan.data)
        swap_in(plan.data, changed, as_of, source, old_check)
    except WriteError as exc:
        append_log(plan.data, {**entry, "status": "failed", "as_of": plan.old_as_of.isoformat(), "error": str(exc)})
        outcome.message = str(exc)
        raise
    outcome.written, outcome.as_of = True, as_of
    manifest = read_manifest(plan.data)
    outcome.rows = {t: int(v.get("rows", 0)) for t, v in manifest.tables.items()}
    outcome.message = f"已写入新数据，数据截至 {as_of.isoformat()}。"
    append_log(plan.data, {**entry, "status": "ok", "as_of": as_of.isoformat(), "changed": sorted(changed)})
    return outcome
