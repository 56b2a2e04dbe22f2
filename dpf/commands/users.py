"""`python -m dpf users add|list|passwd|remove|unlock`: manage the accounts file (dpf.auth.accounts) and lift login locks
(dpf.auth.lockout)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dpf.auth import audit, lockout
from dpf.auth.accounts import (
    ROLE_LABELS,
    TOWNSHIP,
    AccountsError,
    add_account,
    load_accounts,
    remove_account,
    set_password,
)
from dpf.auth.accounts import users_file as default_users_file


def _path(args: argparse.Namespace) -> Path:
    return Path(args.file) if args.file else default_users_file()


def _townships(data: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(code by name, name by code) of the data folder's townships."""
    from dpf.data.db import open_extracts
    from dpf.figures.indicators import township_table

    table = township_table(open_extracts(data))
    return dict(zip(table["name"], table["code"], strict=True)), dict(zip(table["code"], table["name"], strict=True))


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码（至少10个字符）：")
    if getpass.getpass("再输入一次：") != first:
        raise AccountsError("两次输入的密码不一致。")
    return first


def users_add(args: argparse.Namespace, data: Path) -> int:
    codes: list[str] = []
    if args.township:
        try:
            by_name, _ = _townships(data)
        except Exception as err:  # any unreadable data folder gets the same Chinese message
            raise AccountsError(f"无法读取数据文件夹 {data} 中的乡镇（街道）表：{err}") from err
        unknown = [name for name in args.township if name not in by_name]
        if unknown:
            raise AccountsError(f"未知的乡镇（街道）：{'、'.join(unknown)}。可选：{'、'.join(by_name)}")
        codes = [by_name[name] for name in args.township]
    if args.role == TOWNSHIP and not codes:
        raise AccountsError("乡镇账号需用 --township 指定乡镇（街道），可重复。")
    account = add_account(_path(args), args.name, args.role, tuple(codes), _read_password(args), args.identity)
    print(f"已添加账号 {account.name}（{account.role_label}）到 {_path(args)}")
    return 0


def users_list(args: argparse.Namespace, data: Path) -> int:
    accounts = load_accounts(_path(args))
    if not accounts:
        print(f"{_path(args)} 中没有账号。")
        return 0
    try:
        _, by_code = _townships(data)
    except Exception:  # without data the codes are shown
        by_code = {}
    for account in accounts.values():
        towns = "、".join(by_code.get(code, code) for code in account.townships)
        extra = f"  统一身份认证：{account.identity}" if account.identity else ""
        print(f"{account.name}\t{account.role_label}\t{towns or '全县'}{extra}")
    return 0


def users_passwd(args: argparse.Namespace, data: Path) -> int:
    set_password(_path(args), args.name, _read_password(args))
    print(f"已修改账号 {args.name} 的密码。")
    return 0


def users_remove(args: argparse.Namespace, data: Path) -> int:
    remove_account(_path(args), args.name)
    print(f"已删除账号 {args.name}。")
    return 0


def users_unlock(args: argparse.Namespace, data: Path) -> int:
    path = _path(args)
    account = load_accounts(path).get(args.name.strip())
    if not lockout.unlock(path, args.name):
        print(f"账号 {args.name} 没有登录锁定。")
        return 0
    audit.record(data, "unlock", account.name if account else None, account.role if account else None, via="cli")
    print(f"已解除 {args.name} 的登录锁定（所有来源地址）。")
    return 0


def add_users_parser(sub) -> argparse.ArgumentParser:
    users = sub.add_parser("users", help="管理登录账号（账号文件）")
    users.add_argument("--file", default=None, help="账号文件（默认 $DASHBOARD_USERS_FILE 或 .streamlit/users.toml）")
    users.add_argument("--data", default=None, help="数据文件夹（用于核对乡镇名称）")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="添加账号")
    add.add_argument("name")
    add.add_argument(
        "--role", choices=list(ROLE_LABELS), required=True, help="county 县级 | township 乡镇 | admin 数据管理员"
    )
    add.add_argument("--township", action="append", help="乡镇（街道）名称，可重复（乡镇账号必填）")
    add.add_argument("--identity", default=None, help="统一身份认证（OIDC）中此人的标识")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读密码（一行）")
    add.set_defaults(users_action=users_add)
    actions.add_parser("list", help="列出账号").set_defaults(users_action=users_list)
    passwd = actions.add_parser("passwd", help="修改密码")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(users_action=users_passwd)
    remove = actions.add_parser("remove", help="删除账号")
    remove.add_argument("name")
    remove.set_defaults(users_action=users_remove)
    unlock = actions.add_parser("unlock", help="解除登录锁定（多次输错密码后）")
    unlock.add_argument("name")
    unlock.set_defaults(users_action=users_unlock)
    return users


def run_users(args: argparse.Namespace, data: Path) -> int:
    try:
        return args.users_action(args, data)
    except AccountsError as err:
        print(str(err), file=sys.stderr)
        return 2
