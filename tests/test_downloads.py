"""Table downloads carry the number rule: Excel number formats by column unit, CSV rounded like the table."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dpf.exports.table_files import csv_bytes, excel_bytes
from dpf.figures.schedule import Status
from ui.downloads import PAGE_TABLE_PX, natural_px, styled

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


def test_no_download_button_reruns_the_page():
    """Every st.download_button call of the app says on_click="ignore" (see ui.downloads.table_downloads)."""
    repo = Path(__file__).resolve().parent.parent
    calls = {}
    for path in [repo / "dashboard.py", *(repo / "ui").rglob("*.py"), *(repo / "app_pages").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                on_click = next((k.value for k in node.keywords if k.arg == "on_click"), None)
                calls[f"{path.name}:{node.lineno}"] = getattr(on_click, "value", None)
    assert len(calls) >= 5  # ui.downloads draws its Excel and CSV buttons from one call in a loop
    assert {where: value for where, value in calls.items() if value != "ignore"} == {}


def test_a_static_table_writes_numbers_as_the_grid_and_statuses_in_their_colour():
    frame = FRAME.assign(状态=[Status.BEHIND.text, "—"])
    shown = styled(frame)
    html = shown.to_html()
    for text in ("1,138.10", "46,197", "96.2%", "1,235", "● 低于序时"):
        assert text in html, text
    assert "🟠" not in html and Status.BEHIND.color in html  # ● in the status's colour, the data keeps the emoji
    assert frame["状态"][0] == "🟠 低于序时"


@pytest.mark.parametrize(
    ("columns", "wide"),
    [
        (4, False),  # fits the page's column: a sortable grid
        (16, True),  # 资金发放·乡镇×项目's 16 columns: a static table that wraps
    ],
)
def test_a_table_too_wide_for_the_page_is_drawn_static(columns, wide):
    frame = pd.DataFrame({f"辅助性就业机构{i}（万元）": [123.45] for i in range(columns)})
    assert (natural_px(frame) > PAGE_TABLE_PX) is wide
