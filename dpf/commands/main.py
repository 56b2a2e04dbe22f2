"""`python -m dpf …`: demo data, contract check, indicator export, 工作简报, import, accounts, 定时报告, backup and
restore, the systemd service.

Each verb is parsed here and carried out by one module, imported when the verb runs: demo → dpf.contract.demo, check →
dpf.contract.check, indicators → dpf.commands.indicators, brief → dpf.commands.brief, import → dpf.commands.ingest,
users → dpf.commands.users, schedule → dpf.commands.schedule (dpf.delivery), backup and restore →
dpf.commands.backup, service → dpf.operations.service. The `--format` choices are the rows of dpf.exports.formats.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from dpf.config import DEMO_DATA_DIR, data_dir
from dpf.exports.formats import BRIEF_COMMAND_FORMATS, INDICATOR_FORMATS


def _demo(args: argparse.Namespace) -> int:
    from dpf.contract.demo import generate_demo

    out = generate_demo(Path(args.out), seed=args.seed, scale=args.scale, as_of=date.fromisoformat(args.as_of))
    print(f"演示数据已写入 {out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from dpf.contract.check import check_folder, format_report

    result = check_folder(data_dir(args.data))
    print(format_report(result))
    return result.exit_code


def _indicators(args: argparse.Namespace) -> int:
    from dpf.commands.indicators import export_indicators

    return export_indicators(data_dir(args.data), args.year, args.township or [], args.format)


def _brief(args: argparse.Namespace) -> int:
    from dpf.commands.brief import write_brief

    folder, townships = data_dir(args.data), args.township or []
    return write_brief(folder, args.year, townships, args.format, Path(args.out), month_key=args.month)


def _import(args: argparse.Namespace) -> int:
    from dpf.commands.ingest import run_import

    files = [Path(f) for f in args.files]
    return run_import(files, data_dir(args.data), dry_run=args.dry_run, replace=args.replace, yes=args.yes)


def _users(args: argparse.Namespace) -> int:
    from dpf.commands.users import run_users

    return run_users(args, data_dir(args.data))


def _schedule(args: argparse.Namespace) -> int:
    from dpf.commands.schedule import run_schedule

    return run_schedule(args, data_dir(args.data))


def _backup(args: argparse.Namespace) -> int:
    from dpf.commands.backup import run_backup

    return run_backup(data_dir(args.data), Path(args.out))


def _restore(args: argparse.Namespace) -> int:
    from dpf.commands.backup import run_restore

    return run_restore(Path(args.file), data_dir(args.data), args.yes)


def _view_parser(
    sub: argparse._SubParsersAction,
    name: str,
    help_text: str,
    formats: list[str],
    default: str,
    year_required: bool = True,
) -> argparse.ArgumentParser:
    """A command over a year and townships of a data folder, written in one of `formats` (dpf.exports.formats)."""
    parser = sub.add_parser(name, help=help_text)
    parser.add_argument("--year", type=int, required=year_required)
    parser.add_argument("--township", action="append", help="乡镇（街道）名称，可重复")
    parser.add_argument("--data", default=None)
    parser.add_argument("--format", choices=formats, default=default)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dpf", description="县残联工作数据看板：数据工具")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="生成演示数据（合成数据，非真实个人信息）")
    demo.add_argument("--out", default=str(DEMO_DATA_DIR))
    demo.add_argument("--seed", type=int, default=2024)
    demo.add_argument("--scale", type=int, default=1)
    demo.add_argument("--as-of", default="2024-09-30")
    demo.set_defaults(func=_demo)

    check = sub.add_parser("check", help="按数据约定检查数据文件夹")
    check.add_argument("--data", default=None)
    check.set_defaults(func=_check)

    ind = _view_parser(sub, "indicators", "导出指标", list(INDICATOR_FORMATS), "table")
    ind.set_defaults(func=_indicators)

    brief = _view_parser(
        sub,
        "brief",
        "生成工作简报（Markdown、Word）或汇报材料（PPT、PDF）；给出 --month 时为该月的月度通报",
        list(BRIEF_COMMAND_FORMATS),
        "docx",
        year_required=False,
    )
    brief.add_argument("--month", default=None, help="月份，例如 2024-06（月度通报；不给则为年初至今）")
    brief.add_argument("--out", required=True)
    brief.set_defaults(func=_brief)

    imp = sub.add_parser("import", help="导入台账（Excel/CSV）为数据文件")
    imp.add_argument("files", nargs="+")
    imp.add_argument("--data", default=None)
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--replace", action="store_true", help="更正替换：替换这些台账覆盖的项目、月份和乡镇的原有记录")
    imp.add_argument("--yes", action="store_true", help="不询问，确认更正替换（非终端运行时必需）")
    imp.set_defaults(func=_import)

    from dpf.commands.users import add_users_parser

    add_users_parser(sub).set_defaults(func=_users)

    from dpf.commands.schedule import add_schedule_parser

    add_schedule_parser(sub).set_defaults(func=_schedule)

    backup = sub.add_parser("backup", help="备份数据、导入记录、访问记录和账号（带校验和的 tar.gz）")
    backup.add_argument("--out", required=True)
    backup.add_argument("--data", default=None)
    backup.set_defaults(func=_backup)

    restore = sub.add_parser("restore", help="从备份恢复（先列出将替换的内容并询问）")
    restore.add_argument("file")
    restore.add_argument("--data", default=None)
    restore.add_argument("--yes", action="store_true", help="不询问，确认恢复（非终端运行时必需）")
    restore.set_defaults(func=_restore)

    from dpf.operations.service import add_service_parser, run_service

    add_service_parser(sub).set_defaults(func=lambda args: run_service(args, parser))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
