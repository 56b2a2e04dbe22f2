"""Where things live: the repository, the SQL folder and the data folder in use."""

from __future__ import annotations

import os
from pathlib import Path

from dpf import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
DEMO_DATA_DIR = REPO_ROOT / "data" / "demo"
DATA_DIR_ENV = settings.DATA_DIR.name
CACHE_DIR_ENV = settings.CACHE_DIR.name


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The extracts folder: an explicit override, else $DASHBOARD_DATA_DIR, else the demo set."""
    if override:
        return Path(override)
    return settings.DATA_DIR.value() or DEMO_DATA_DIR


def cache_dir() -> Path:
    """Where derived files (summaries, check results) are kept: $DASHBOARD_CACHE_DIR, else ~/.cache/dpf-dashboard."""
    chosen = settings.CACHE_DIR.value()
    if chosen:
        return chosen
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "dpf-dashboard"


def imports_dir(data: Path) -> Path:
    """The folder beside a data folder that holds its import log, rejection reports and (by default) audit trail."""
    data = Path(data)
    return data.parent / f"{data.name}.imports"


def prune_cache(folder: Path, pattern: str, keep: int) -> None:
    """Keep the `keep` most recently used files matching `pattern` in a cache folder; remove the others."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
