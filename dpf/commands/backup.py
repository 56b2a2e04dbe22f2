"""The backup and restore commands' words: what was saved, what a restore will replace, and the question."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dpf.commands.confirm import confirmed
from dpf.ingest.lock import LockTimeout
from dpf.operations.backup import BackupError, Change, create_backup, restore_backup

NOT_CONFIRMED = "未确认，没有恢复，现有数据未改动。"
T = TypeVar("T")


def _waiting(message: str) -> None:
    print(message.replace("等待…", "备份/恢复等待它结束…"), flush=True)


def _attempt(action: Callable[[], T], failed: str, path: Path) -> tuple[bool, T | None]:
    """(True, what `action` gave), or (False, None) once a Chinese line said why it was not done."""
    try:
        return True, action()
    except (BackupError, LockTimeout) as problem:
        print(str(problem))
    except OSError as problem:
        print(f"{failed}：{problem.strerror or problem}（{problem.filename or path}）。")
    return False, None


def run_backup(data: Path, out: Path) -> int:
    """`python -m dpf backup --out FILE`: 0 written, 2 with a Chinese message."""
    done, manifest = _attempt(lambda: create_backup(data, out, on_wait=_waiting), "备份未写入", out)
    if not done or manifest is None:  # create_backup returns its manifest, so None only when not done
        return 2
    print(f"已备份到 {out}（{len(manifest['files']):,} 个文件，带校验和清单）：")
    for part in manifest["parts"].values():
        counts = "；".join(f"{what} {count:,}" for what, count in part["counts"].items())
        print(f"- {part['label']}：文件 {part['files']:,}" + (f"；{counts}" if counts else ""))
    print("密钥（DASHBOARD_SECRET_KEY、cookie_secret、Caddy 的 CA）不在备份中，请另行妥善保存。")
    return 0


def run_restore(archive: Path, data: Path, yes: bool) -> int:
    """`python -m dpf restore FILE [--yes]`: 0 restored, 2 refused, not confirmed or failed (nothing changed)."""

    def ask(changes: list[Change], hold: Path) -> bool:
        print(f"恢复 {archive} 将替换（现有 → 备份中）：")
        for change in changes:
            print(change.line())
        kept = any(change.now_files for change in changes)
        question = f"现有文件将移到 {hold} 保存，不删除。" if kept else "此处尚无这些文件，不会移走任何文件。"
        return confirmed(question, yes, NOT_CONFIRMED, prompt="确认恢复？[y/N] ")

    ran, done = _attempt(lambda: restore_backup(archive, data, ask, on_wait=_waiting), "恢复失败", archive)
    if not ran or done is None:
        return 2
    changes, hold = done
    moved = f"原有文件已移到 {hold}。" if hold.exists() else "此前没有这些文件。"
    print(f"已恢复 {len(changes)} 项内容；{moved}")
    return 0
