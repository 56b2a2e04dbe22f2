"""Neutralising formula cells in every spreadsheet and CSV the project writes (CSV/formula injection).

Following OWASP's "CSV Injection" advice, a text cell that starts with = + - @ tab or carriage return
could be run by Excel as a formula (=HYPERLINK(...), =cmd|...). Such a cell is written as text: in CSV
with a leading apostrophe, in .xlsx as a string cell with Excel's quote prefix (what Excel itself stores
when someone types '=...). Numbers stay numbers (a negative amount is not text), and text that is
nothing but a number (-3.5, +12%, -1,234.5) is left alone: Excel reads it as that number, no formula.
"""

from __future__ import annotations

import io
import re
from typing import TypeGuard

import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?")


def is_formula_like(value: object) -> TypeGuard[str]:
    """True for text Excel could take for a formula; never for numbers or plain numeric text."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(value) is None


def csv_cell(value: object) -> object:
    """A value for a CSV cell: formula-like text gets a leading apostrophe, anything else is unchanged."""
    return "'" + value if is_formula_like(value) else value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for CSV: text cells and headers neutralised; numeric columns untouched."""
    return _map_text(frame, csv_cell)


def _map_text(frame: pd.DataFrame, convert) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [convert(c) for c in out.columns]
    for index, dtype in enumerate(out.dtypes):
        if not pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_datetime64_any_dtype(dtype):
            out.isetitem(index, out.iloc[:, index].map(convert))
    return out


def xlsx_text(value: object) -> object:
    """Control characters .xlsx cannot hold shown as \\x07 (openpyxl refuses them); anything else unchanged."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with text cells .xlsx can hold (see xlsx_text); numeric columns untouched."""
    return _map_text(frame, xlsx_text)


def neutralise_sheet(sheet: Worksheet) -> None:
    """Make every formula-like text cell of an openpyxl sheet a text cell (data_type 's', quote prefix)."""
    for row in sheet.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def neutralise_book(book: Workbook) -> None:
    for sheet in book.worksheets:
        neutralise_sheet(sheet)


def neutral_xlsx(blob: bytes) -> bytes:
    """An .xlsx written by another library (python-pptx's chart data via xlsxwriter, which stores text starting
    with = as a formula) with every formula-like cell of every sheet made text."""
    book = load_workbook(io.BytesIO(blob))
    neutralise_book(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
