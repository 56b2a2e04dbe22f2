"""`python -m dpf import FILE... [--data DIR] [--dry-run] [--replace [--yes]]`.

Exit codes: 0 every row accepted (and written unless --dry-run); 1 done, but some rows, sheets or
files were rejected (see the report); 2 nothing written (no key, no data set, failed check, no file
readable, a full or read-only disk, 更正替换 not confirmed).

The default mode adds rows; `--replace` (更正替换) replaces what the files cover. It prints the
before → after preview and asks y/N on a terminal; without a terminal it needs `--yes`. The
import lock is held from reading the data to the swap, so the preview is what gets written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dpf.commands.confirm import confirmed
from dpf.ingest.disk import disk_problem
from dpf.ingest.lock import LockTimeout, import_lock
from dpf.ingest.merge import ADD, MODE_NAMES, REPLACE
from dpf.ingest.pipeline import ImportRefused, Plan, commit, prepare
from dpf.ingest.preview import change_lines
from dpf.ingest.pseudonym import MissingKeyError
from dpf.ingest.write import WriteError

NOT_CONFIRMED = "未确认，更正替换没有进行，数据未改动。"
DRY_RUN_SHOWN = 200  # rejection lines a dry run prints at most


def print_rejections(plan: Plan) -> None:
    """The rejections of a dry run (masked like the report), since a dry run writes no report."""
    for r in plan.rejections[:DRY_RUN_SHOWN]:
        line = " ".join([r.file, f"第 {r.row} 行" if r.row is not None else "", r.column]).strip()
        print(f"  {line}{f'“{r.value}”' if r.value else ''}：{r.reason}")
    if len(plan.rejections) > DRY_RUN_SHOWN:
        print(f"  ……另有 {len(plan.rejections) - DRY_RUN_SHOWN} 条，改正以上问题后再试运行可看到。")


def _say_now(message: str) -> None:
    """Printed at once, also into a pipe or a log file: the user waiting for the lock must see why."""
    print(message, flush=True)


def _print_plan(plan: Plan) -> None:
    for index, result in enumerate(plan.results):
        if result.problem:
            print(f"{result.masked_name}：无法导入（{result.problem}）")
            continue
        merge = plan.file_merge(index)
        detail = f"新增 {merge.added} 行"
        if merge.already:
            detail += f"，此前已导入 {merge.already} 行"
        if merge.reissued:
            detail += f"，其中补发 {merge.reissued} 行"
        print(
            f"{result.masked_name}（{result.label}）：接受 {plan.accepted_in(index)} 行，拒绝 {plan.rejected_in(index)} 行"
            f"（{detail}）"
        )
    print(f"合计：接受 {plan.accepted} 行，拒绝 {plan.rejected} 行")
    if plan.merged.changes:
        print(f"导入方式：{MODE_NAMES[plan.mode]}。导入前 → 导入后（项目 · 月份 · 乡镇）：")
        print("\n".join(change_lines(plan.merged.changes, plan.township_names)))


def _confirmed(plan: Plan, yes: bool) -> bool:
    """更正替换 asks first: y/N on a terminal, --yes otherwise."""
    question = f"更正替换将删除（替换）{plan.merged.removed} 行，写入 {plan.merged.added} 行（见上表）。"
    return confirmed(question, yes, NOT_CONFIRMED)


def run_import(
    files: list[Path],
    data_dir: Path,
    dry_run: bool = False,
    today: date | None = None,
    replace: bool = False,
    yes: bool = False,
) -> int:
    contents = []
    for path in files:
        try:
            contents.append((Path(path).name, Path(path).read_bytes()))
        except OSError as exc:
            print(f"无法读取文件 {path}：{exc.strerror or exc}")
            return 2
    try:
        with import_lock(Path(data_dir), on_wait=_say_now):
            plan = prepare(contents, Path(data_dir), today=today, mode=REPLACE if replace else ADD)
            _print_plan(plan)
            if all(r.problem for r in plan.results):
                print("没有可以导入的文件，未写入数据。")
                return 2
            if dry_run and plan.rejections:
                print("未导入的行（试运行不生成问题行清单）：")
                print_rejections(plan)
            if replace and not dry_run and plan.merged.changes and not _confirmed(plan, yes):
                return 2
            outcome = commit(plan, dry_run=dry_run)
    except (MissingKeyError, ImportRefused, LockTimeout) as exc:
        print(f"导入未进行：{exc}")
        return 2
    except OSError as exc:
        print(disk_problem(exc))
        return 2
    except WriteError as exc:
        print(str(exc))
        return 2
    if outcome.report:
        print(f"未导入的行及原因见：{outcome.report}")
    print(outcome.message)
    if outcome.written and outcome.changed:
        print("更新的表：" + "、".join(outcome.changed))
    return 1 if plan.rejected or any(r.problem for r in plan.results) else 0
