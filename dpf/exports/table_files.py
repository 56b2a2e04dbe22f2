"""A shown table as a file: Excel (.xlsx, Chinese headers, the table's number formats) and CSV (UTF-8 with BOM,
rounded as shown); formula-like cells neutralised (dpf.exports.safe_cells)."""

from __future__ import annotations

import io

import pandas as pd

from dpf.exports.safe_cells import neutral_frame, neutralise_sheet, xlsx_frame
from dpf.formatting import EXCEL_FORMATS, table_formats


def excel_bytes(frame: pd.DataFrame, sheet: str = "数据") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        xlsx_frame(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        neutralise_sheet(worksheet)
        number_formats = table_formats(frame)
        for column_cells in worksheet.iter_cols(min_row=1):
            excel_format = EXCEL_FORMATS.get(number_formats.get(str(column_cells[0].value), ""))
            for cell in column_cells[1:] if excel_format else ():
                cell.number_format = excel_format
        for column_cells in worksheet.columns:
            width = max(len(str(cell.value or "")) for cell in column_cells)
            worksheet.column_dimensions[column_cells[0].column_letter].width = min(40, 4 + width * 1.6)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Numbers stay numbers (no 千分位, so a spreadsheet reads them), rounded as the table shows them."""
    rounded = frame.copy()
    for header, printf in table_formats(frame).items():
        decimals = 0 if "d" in printf or ".0f" in printf else 1 if ".1f" in printf else 2
        rounded[header] = rounded[header].round(decimals)
        if decimals == 0:
            rounded[header] = rounded[header].astype("Int64")
    return neutral_frame(rounded).to_csv(index=False).encode("utf-8-sig")
