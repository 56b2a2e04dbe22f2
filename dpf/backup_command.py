"""The backup and restore commands' words: what was saved, what a restore will replace, and the question."""

from __future__ import annotations

from pathlib import Path

from dpf.backup import BackupError, Change, create_backup, restore_backup
from dpf.confirm import confirmed
from dpf.ingest.lock import LockTimeout

NOT_CONFIRMED = "未确认，没有恢复，现有数据未改动。"


def _waiting(message: str) -> None:
    print(message.replace("等待…", "备份/恢复等待它结束…"), flush=True)


def run_backup(data: Path, out: Path) -> int:
    """`python -m dpf backup --out FILE`: 0 written, 2 with a Chinese message."""
    try:
        manifest = create_backup(data, out, on_wait=_waiting)
    except (BackupError, LockTimeout) as problem:
        print(str(problem))
        return 2
    except OSError as problem:
        print(f"备份未写入：{problem.strerror or problem}（{problem.filename or out}）。")
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
        question = f"现有文件将移到 {hold} 保存，不删除。"
        return confirmed(question, yes, NOT_CONFIRMED, prompt="确认恢复？[y/N] ")

    try:
        done = restore_backup(archive, data, ask, on_wait=_waiting)
    except (BackupError, LockTimeout) as problem:
        print(str(problem))
        return 2
    except OSError as problem:
        print(f"恢复失败：{problem.strerror or problem}（{problem.filename or archive}）。")
        return 2
    if done is None:
        return 2
    changes, hold = done
    print(f"已恢复 {len(changes)} 项内容；原有文件已移到 {hold}。")
    return 0
