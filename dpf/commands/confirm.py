"""Asking before a command removes or replaces anything: y/N on a terminal, `--yes` otherwise (scripts, cron)."""

from __future__ import annotations

import sys

YES = ("y", "yes", "是")


def confirmed(question: str, yes: bool, not_confirmed: str, prompt: str = "确认写入？[y/N] ") -> bool:
    """True when the user agreed to `question` (or `--yes` was given); else prints `not_confirmed`."""
    if yes:
        print(question + "已用 --yes 确认。")
        return True
    if not sys.stdin.isatty():
        print(question + "需要确认：请在终端中运行并输入 y，或加 --yes 参数。" + not_confirmed)
        return False
    try:
        answer = input(question + prompt)
    except EOFError:
        answer = ""
    if answer.strip().lower() in YES:
        return True
    print(not_confirmed)
    return False
