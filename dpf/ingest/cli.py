"""`python -m dpf import FILE... [--data DIR] [--dry-run]`.

Exit codes: 0 every row accepted (and written unless --dry-run); 1 done, but some rows or
files were rejected (see the report); 2 nothing written (no key, no data set, failed check).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dpf.ingest.pipeline import ImportRefused, commit, prepare
from dpf.ingest.pseudonym import MissingKeyError
from dpf.ingest.write import WriteError


def run_import(files: list[Path], data_dir: Path, dry_run: bool = False, today: date | None = None) -> int:
    contents = []
    for path in files:
        try:
            contents.append((Path(path).name, Path(path).read_bytes()))
        except OSError as exc:
            print(f"无法读取文件 {path}：{exc.strerror or exc}")
            return 2
    try:
        plan = prepare(contents, Path(data_dir), today=today)
    except (MissingKeyError, ImportRefused) as exc:
        print(f"导入未进行：{exc}")
        return 2
    for result in plan.results:
        if result.problem:
            print(f"{result.name}：无法导入（{result.problem}）")
        else:
            print(f"{result.name}（{result.label}）：接受 {result.accepted} 行，拒绝 {result.rejected_rows} 行")
    print(f"合计：接受 {plan.accepted} 行，拒绝 {plan.rejected} 行")
    try:
        outcome = commit(plan, dry_run=dry_run)
    except WriteError as exc:
        print(str(exc))
        return 2
    if outcome.report:
        print(f"未导入的行及原因见：{outcome.report}")
    print(outcome.message)
    if outcome.written and outcome.changed:
        print("更新的表：" + "、".join(outcome.changed))
    return 1 if plan.rejected else 0
