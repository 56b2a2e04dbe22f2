"""Where things live: the repository, the SQL folder and the data folder in use."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
DEMO_DATA_DIR = REPO_ROOT / "data" / "demo"
DATA_DIR_ENV = "DASHBOARD_DATA_DIR"
CACHE_DIR_ENV = "DASHBOARD_CACHE_DIR"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The extracts folder: an explicit override, else $DASHBOARD_DATA_DIR, else the demo set."""
    if override:
        return Path(override)
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(env) if env else DEMO_DATA_DIR


def cache_dir() -> Path:
    """Where derived files (summaries, check results) are kept: $DASHBOARD_CACHE_DIR, else ~/.cache/dpf-dashboard."""
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "dpf-dashboard"


def prune_cache(folder: Path, pattern: str, keep: int) -> None:
    """Keep the `keep` most recently used files matching `pattern` in a cache folder; remove the others."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
