"""Table downloads carry the number rule: Excel number formats by column unit, CSV rounded like the table."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from ui.downloads import csv_bytes, excel_bytes

FRAME = pd.DataFrame(
    {
        "乡镇（街道）": ["甲镇", "合计"],
        "发放金额（万元）": [1138.1, 369.6],
        "受益数量": [46197.0, None],
        "培训完成率（%）": [96.24, 100.0],
        "人均发放（元/人）": [1234.56, 20000.0],
    }
)


def test_excel_number_formats_follow_the_headers():
    sheet = load_workbook(io.BytesIO(excel_bytes(FRAME, "表"))).active
    formats = {sheet.cell(1, c).value: sheet.cell(2, c).number_format for c in range(1, 6)}
    assert formats["发放金额（万元）"] == "#,##0.00"  # 1,138.10 in Excel
    assert formats["受益数量"] == "#,##0"
    assert formats["培训完成率（%）"] == '0.0"%"'
    assert formats["人均发放（元/人）"] == "#,##0"
    assert formats["乡镇（街道）"] == "General"
    assert sheet.cell(2, 2).value == 1138.1  # still a number


def test_csv_numbers_are_rounded_like_the_table_and_stay_numbers():
    text = csv_bytes(FRAME).decode("utf-8-sig").splitlines()
    assert text[1] == "甲镇,1138.1,46197,96.2,1235"
    assert text[2] == "合计,369.6,,100.0,20000"
