"""Every file format the dashboard and `python -m dpf` write, in one registry: name, suffix, MIME type, label, writer.

The CLI's `--format` choices (dpf/commands/main.py), the page's download buttons (ui/downloads.py, ui/key_points.py) and the
commands that write files (dpf/commands/brief.py, dpf/commands/indicators.py) all read these tables, so a new format is one row
here. Four families, by what is written: the 工作简报 (`BRIEF_FORMATS`, a dpf.exports.brief.Brief), the 汇报材料
(`DECK_FORMATS`, a dpf.exports.deck.Deck), a shown table (`TABLE_FORMATS`, a DataFrame and its title, the sheet's name) and
the indicator export (`INDICATOR_FORMATS`, records printed as text).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # the writers import what they need when called: `python -m dpf` starts without them
    import pandas as pd

    from dpf.exports.brief import Brief
    from dpf.exports.brief_masthead import Masthead
    from dpf.exports.deck import Deck

W = TypeVar("W")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFormat(Generic[W]):
    """One format: `name` is the CLI's --format value and the download button's key suffix, `label` the word a
    button or message uses for it (下载 Excel, 下载工作简报（Word）)."""

    name: str
    suffix: str
    mime: str
    label: str
    writer: W


def by_name(*formats: ExportFormat[W]) -> dict[str, ExportFormat[W]]:
    return {fmt.name: fmt for fmt in formats}


def _markdown(brief: Brief, masthead: Masthead | None = None) -> bytes:
    """Markdown has no 版头: `masthead` is the Word file's."""
    from dpf.exports.brief import brief_markdown

    return brief_markdown(brief).encode("utf-8")


def _docx(brief: Brief, masthead: Masthead | None = None) -> bytes:
    from dpf.exports.brief_docx import brief_docx

    return brief_docx(brief, masthead)


def _pptx(deck: Deck) -> bytes:
    from dpf.exports.deck_pptx import deck_pptx

    return deck_pptx(deck)


def _pdf(deck: Deck) -> bytes:
    """The PDF of the very slides of the PowerPoint (LibreOffice Impress)."""
    from dpf.exports.deck_pdf import pptx_to_pdf

    return pptx_to_pdf(_pptx(deck))


def _sheet(frame: pd.DataFrame, title: str) -> bytes:
    from dpf.exports.table_files import excel_bytes

    return excel_bytes(frame, title)


def _csv_table(frame: pd.DataFrame, title: str) -> bytes:
    from dpf.exports.table_files import csv_bytes

    return csv_bytes(frame)


def _text_table(records: Sequence[dict], columns: Sequence[str]) -> str:
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=list(columns)).to_string(index=False) + "\n"


def _csv_text(records: Sequence[dict], columns: Sequence[str]) -> str:
    from dpf.exports.safe_cells import csv_cell

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
    return buffer.getvalue()


def _json_text(records: Sequence[dict], columns: Sequence[str]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=1) + "\n"


BRIEF_FORMATS: dict[str, ExportFormat[Callable[[Brief, Masthead | None], bytes]]] = by_name(
    ExportFormat("md", ".md", "text/markdown", "Markdown", _markdown),
    ExportFormat("docx", ".docx", DOCX_MIME, "Word", _docx),
)
DECK_FORMATS: dict[str, ExportFormat[Callable[[Deck], bytes]]] = by_name(
    ExportFormat("pptx", ".pptx", PPTX_MIME, "PPT", _pptx),
    ExportFormat("pdf", ".pdf", "application/pdf", "PDF", _pdf),
)
TABLE_FORMATS: dict[str, ExportFormat[Callable[[pd.DataFrame, str], bytes]]] = by_name(
    ExportFormat("xlsx", ".xlsx", XLSX_MIME, "Excel", _sheet),
    ExportFormat("csv", ".csv", "text/csv", "CSV", _csv_table),
)
INDICATOR_FORMATS: dict[str, ExportFormat[Callable[[Sequence[dict], Sequence[str]], str]]] = by_name(
    ExportFormat("table", ".txt", "text/plain", "表格", _text_table),
    ExportFormat("csv", ".csv", "text/csv", "CSV", _csv_text),
    ExportFormat("json", ".json", "application/json", "JSON", _json_text),
)
# `python -m dpf brief --format`: the 工作简报's formats, then the 汇报材料's
BRIEF_COMMAND_FORMATS = (*BRIEF_FORMATS, *DECK_FORMATS)
