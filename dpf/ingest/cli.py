"""`python -m dpf import FILE... [--data DIR] [--dry-run]`.

Exit codes: 0 every row accepted (and written unless --dry-run); 1 done, but some rows, sheets or
files were rejected (see the report); 2 nothing written (no key, no data set, failed check, no file
readable, a full or read-only disk).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dpf.ingest.disk import disk_problem
from dpf.ingest.pipeline import ImportRefused, Plan, commit, prepare
from dpf.ingest.pseudonym import MissingKeyError
from dpf.ingest.write import WriteError

DRY_RUN_SHOWN = 200  # rejection lines a dry run prints at most


def print_rejections(plan: Plan) -> None:
    """The rejections of a dry run (masked like the report), since a dry run writes no report."""
    for r in plan.rejections[:DRY_RUN_SHOWN]:
        line = " ".join([r.file, f"第 {r.row} 行" if r.row is not None else "", r.column]).strip()
        print(f"  {line}{f'“{r.value}”' if r.value else ''}：{r.reason}")
    if len(plan.rejections) > DRY_RUN_SHOWN:
        print(f"  ……另有 {len(plan.rejections) - DRY_RUN_SHOWN} 条，改正以上问题后再试运行可看到。")


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
    except OSError as exc:
        print(disk_problem(exc))
        return 2
    for result in plan.results:
        if result.problem:
            print(f"{result.masked_name}：无法导入（{result.problem}）")
        else:
            print(f"{result.masked_name}（{result.label}）：接受 {result.accepted} 行，拒绝 {result.rejected_rows} 行")
    print(f"合计：接受 {plan.accepted} 行，拒绝 {plan.rejected} 行")
    if all(r.problem for r in plan.results):
        print("没有可以导入的文件，未写入数据。")
        return 2
    if dry_run and plan.rejections:
        print("未导入的行（试运行不生成问题行清单）：")
        print_rejections(plan)
    try:
        outcome = commit(plan, dry_run=dry_run)
    except WriteError as exc:
        print(str(exc))
        return 2
    except OSError as exc:
        print(disk_problem(exc))
        return 2
    if outcome.report:
        print(f"未导入的行及原因见：{outcome.report}")
    print(outcome.message)
    if outcome.written and outcome.changed:
        print("更新的表：" + "、".join(outcome.changed))
    return 1 if plan.rejected or any(r.problem for r in plan.results) else 0
