"""One import at a time per data folder: a `filelock` lock in `<data>.imports/import.lock`.

The lock is an OS lock (flock), so it is released when its process dies; it is reentrant within a
thread (the CLI holds it from reading the data to the swap; prepare and commit take it again) and
excludes other threads and processes. A caller that has to wait is told so first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

WAITING = "另一个导入正在进行，等待…"
WAIT_LIMIT_SECONDS = 600


class LockTimeout(RuntimeError):
    """The other import did not finish within the wait limit; the message is Chinese."""


def lock_path(data: Path) -> Path:
    data = Path(data)
    return data.parent / f"{data.name}.imports" / "import.lock"


@contextmanager
def import_lock(data: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the folder's import lock; `on_wait(WAITING)` is called once if another import holds it."""
    path = lock_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(WAITING)
        try:
            lock.acquire(timeout=WAIT_LIMIT_SECONDS)
        except Timeout as exc:
            minutes = WAIT_LIMIT_SECONDS // 60
            raise LockTimeout(f"另一个导入已超过 {minutes} 分钟仍未结束，本次导入未进行，请稍后再试。") from exc
    try:
        yield
    finally:
        lock.release()
