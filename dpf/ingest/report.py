"""The rejection report (.xlsx) staff use to correct their ledgers, and the import log (imports.jsonl).

Both live in `<data>.imports/` beside the data folder, never inside the extracts. The report gives
file, row number, column, the rejected cell and the reason, with 证号 and names masked (3408**********1234,
陈*红; see dpf.ingest.masking) and formula-like cells written as text. Reports are readable by the owner
only (files 0600, folders 0700) and are removed after DASHBOARD_REPORT_RETENTION_DAYS days (default 30)
at each import. The log holds only file names (masked), counts and dates — no names, no 证号.
"""

from __future__ import annotations

import io
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dpf import settings
from dpf.config import imports_dir
from dpf.exports.safe_cells import neutralise_sheet, xlsx_text
from dpf.ingest.masking import mask_text
from dpf.ingest.validate import FileResult, Rejection

REPORT_HEADERS = ("文件", "行号", "列", "值", "原因")
LOG_NAME = "imports.jsonl"
REPORT_PREFIX = "未导入的行_"
RETENTION_ENV = settings.REPORT_RETENTION_DAYS.name
DEFAULT_RETENTION_DAYS = settings.REPORT_RETENTION_DAYS.default


def retention_days() -> int:
    """Days a rejection report is kept: $DASHBOARD_REPORT_RETENTION_DAYS (a whole number ≥ 1), else 30."""
    return settings.REPORT_RETENTION_DAYS.given()


def log_path(data: Path) -> Path:
    return imports_dir(data) / LOG_NAME


def rejections_of(results: list[FileResult]) -> list[Rejection]:
    return [r for result in results for r in result.rejections]


def report_bytes(rejections: list[Rejection]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "未导入的行"
    sheet.append(list(REPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rejections:
        sheet.append([xlsx_text(v) for v in (r.file, r.row, r.column, r.value, r.reason)])
    for index, width in enumerate((28, 8, 14, 26, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "@"  # 证号 stay text
    neutralise_sheet(sheet)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reports_dir(data: Path) -> Path:
    return imports_dir(data) / "rejections"


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def prune_reports(data: Path, now: datetime, days: int) -> list[Path]:
    """Remove rejection reports older than `days` (by modification time); returns what was removed."""
    folder = reports_dir(data)
    if not folder.is_dir():
        return []
    cutoff = (now - timedelta(days=days)).timestamp()
    removed = []
    for path in sorted(folder.glob(f"{REPORT_PREFIX}*.xlsx")):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_report(data: Path, rejections: list[Rejection], when: datetime) -> Path | None:
    """Prune old reports, then write this one (owner-only) into `<data>.imports/rejections/`.

    None when nothing was rejected. Never called on a dry run.
    """
    prune_reports(data, when, retention_days())
    if not rejections:
        return None
    folder = reports_dir(data)
    _private_dir(folder.parent)
    _private_dir(folder)
    path = folder / f"{REPORT_PREFIX}{when:%Y%m%d_%H%M%S_%f}.xlsx"
    content = report_bytes(rejections)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return path


def _masked(value: object) -> object:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def append_log(data: Path, entry: dict) -> None:
    """Append one line to the import log; long numbers in any text (a 证号 in a file name) are masked, except
    in the entry's "id", which is the log's own key (recovery finds an entry by it) and holds no personal data."""
    path = log_path(data)
    _private_dir(path.parent)
    masked = cast(dict, _masked(entry))  # a dict's masked copy is a dict
    if "id" in entry:
        masked["id"] = entry["id"]
    line = json.dumps(masked, ensure_ascii=False, default=str) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(line)


def log_entries(data: Path) -> list[dict]:
    """Every log entry, oldest first; unreadable lines are skipped."""
    path = log_path(data)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def logged(data: Path, entry_id: str) -> dict | None:
    """The log entry with this id (the whole log is searched), or None."""
    return next((e for e in log_entries(data) if e.get("id") == entry_id), None)


def log_once(data: Path, entry: dict) -> None:
    """Append `entry` unless an entry with its id is logged already (a killed import's line, written by
    the import itself or by an earlier recovery, is never written twice)."""
    if logged(data, entry["id"]) is None:
        append_log(data, entry)


def read_log(data: Path, limit: int = 20) -> list[dict]:
    """The latest `limit` log entries, newest first; unreadable lines are skipped."""
    return log_entries(data)[::-1][:limit]
