"""The rejection report (.xlsx) staff use to correct their ledgers, and the import log (imports.jsonl).

Both live in `<data>.imports/` beside the data folder, never inside the extracts. The report
shows the rejected cells as written in the ledger (staff need them to find the row); the log
holds only file names, counts and dates — no names, no 证号.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dpf.ingest.validate import FileResult, Rejection

REPORT_HEADERS = ("文件", "行号", "列", "值", "原因")
LOG_NAME = "imports.jsonl"


def imports_dir(data: Path) -> Path:
    data = Path(data)
    return data.parent / f"{data.name}.imports"


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
        sheet.append([r.file, r.row, r.column, r.value, r.reason])
    for index, width in enumerate((28, 8, 14, 26, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "@"  # 证号 stay text
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_report(data: Path, rejections: list[Rejection], when: datetime) -> Path | None:
    """Write the report into `<data>.imports/rejections/`; None when nothing was rejected."""
    if not rejections:
        return None
    folder = imports_dir(data) / "rejections"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"未导入的行_{when:%Y%m%d_%H%M%S}.xlsx"
    path.write_bytes(report_bytes(rejections))
    return path


def append_log(data: Path, entry: dict) -> None:
    path = log_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def read_log(data: Path, limit: int = 20) -> list[dict]:
    """The latest `limit` log entries, newest first; unreadable lines are skipped."""
    path = log_path(data)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries[::-1][:limit]
