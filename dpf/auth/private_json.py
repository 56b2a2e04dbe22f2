"""Small owner-only state files, written atomically: the login throttle's and the sessions' JSON state, and the
TOML files beside the accounts (the accounts, the 定时报告 schedules) through `write_private`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def read_json(path: Path) -> dict:
    """The file's object; {} when it is missing, damaged or not an object."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, readable by its owner only, and rename it into place (a
    reader sees the old file or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, state: dict) -> None:
    """Write `state` atomically, readable by its owner only."""
    write_private(path, json.dumps(state).encode("utf-8"))
