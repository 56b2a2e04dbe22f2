"""A failed write (full disk, read-only folder, no permission) said in Chinese for the CLI and the page."""

from __future__ import annotations

import errno

_CAUSES = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EACCES: "没有写入该文件夹的权限",
    errno.EPERM: "没有写入该文件夹的权限",
}


def disk_problem(exc: OSError) -> str:
    """What went wrong and what to do; re-importing afterwards is safe (rows already in are recognised)."""
    cause = _CAUSES.get(exc.errno or 0, f"系统错误：{exc.strerror or exc or type(exc).__name__}")
    where = f"（{exc.filename}）" if exc.filename else ""
    return (
        f"导入未完成：无法写入文件{where}，{cause}。"
        "请联系管理员腾出磁盘空间或开放写入权限后，重新导入同样的文件（已导入的行不会重复计入）。"
    )
