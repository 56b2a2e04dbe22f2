"""Formula injection (issue 17.4): a formula cell is refused on import, and every file we write shows it as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd

from dpf.commands.ingest import run_import
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.exports.safe_cells import csv_cell, is_formula_like
from dpf.exports.table_files import csv_bytes as download_csv
from dpf.exports.table_files import excel_bytes
from dpf.ingest.ledgers import template_bytes
from dpf.ingest.merge import read_table
from dpf.ingest.report import report_bytes
from dpf.ingest.validate import Rejection
from tests.extract_builder import write_set
from tests.ingest_helpers import cert, csv_bytes, write_file
from ui.employment_tables import class_table

TODAY = date(2024, 6, 15)
EVIL = '=HYPERLINK("http://evil.example/x","第一期")'
SERVICE_HEADERS = ["姓名", "残疾人证号", "乡镇（街道）", "服务项目", "服务日期", "数量", "期次", "备注"]
TRAINING = "职业技能/农村实用技术培训"


def test_formula_like_text_but_not_numbers():
    for text in (EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-cmd|' /C calc'!A0"):
        assert is_formula_like(text) and csv_cell(text) == "'" + text
    for value in (-3.5, -12, "-3.5", "+12%", "-1,234.56", "第一期", "", None, 0):
        assert not is_formula_like(value) and csv_cell(value) == value


def text_xlsx(rows: list[list[object]]) -> bytes:
    """An .xlsx whose cells are all values: text starting with = is a text cell, as Excel keeps '=... ."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for row in book.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_hyperlink_cell_in_a_service_ledger_is_rejected(data, tmp_path, capsys):
    rows = [
        SERVICE_HEADERS,
        ["王测试", cert(1), "城关镇", TRAINING, "2024-04-02", 1, "第1期", "电商"],
        ["李样例", cert(2), "城关镇", TRAINING, "2024-04-02", 1, EVIL, "电商"],
        ["赵虚构", cert(3), "城关镇", TRAINING, "2024-04-02", 1, "第1期", "@SUM(A1)"],
        ["钱假名", cert(4), "城关镇", TRAINING, "2024-04-02", 1, "第1期", "+86 电话"],
    ]
    path = write_file(tmp_path, "服务台账.xlsx", text_xlsx(rows))
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 1 行，拒绝 3 行" in out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    sheet = openpyxl.load_workbook(report).active
    got = {(r[1].value, r[2].value): r for r in sheet.iter_rows(min_row=2)}
    assert "公式" in got[(3, "期次")][4].value and "公式" in got[(4, "备注")][4].value
    assert "公式" in got[(5, "备注")][4].value
    evil_cell = got[(3, "期次")][3]
    assert evil_cell.value == EVIL and evil_cell.data_type == "s" and evil_cell.quotePrefix  # text, not a formula
    batches = {r["batch"] for r in read_table(data, "services").to_pylist()}
    assert batches == {"第1期"}


def test_hyperlink_text_in_a_csv_ledger_is_rejected(data, tmp_path, capsys):
    rows = [
        SERVICE_HEADERS,
        ["李样例", cert(2), "城关镇", TRAINING, "2024-04-02", 1, '"' + EVIL.replace('"', '""') + '"'],
    ]
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(rows))], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 0 行，拒绝 1 行" in out and "没有可以导入的行" in out and "此前已导入" not in out
    assert read_table(data, "services").num_rows == 0


def test_control_characters_are_rejected_and_the_report_still_opens(data, tmp_path, capsys):
    rows = [SERVICE_HEADERS, ["孙模拟", cert(5), "城关镇", TRAINING, "2024-04-02", 1, "第1期", "电商\x07"]]
    assert run_import([write_file(tmp_path, "bell.csv", csv_bytes(rows))], data, today=TODAY) == 1
    out = capsys.readouterr().out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    row = next(openpyxl.load_workbook(report).active.iter_rows(min_row=2, values_only=True))
    assert row[2] == "备注" and row[3] == "电商\\x07" and "控制字符" in row[4]


def test_report_file_names_and_cells_are_text():
    rejections = [Rejection("=cmd|' /C calc'!A0.csv", 2, "备注", "@SUM(A1)", "-原因")]
    sheet = openpyxl.load_workbook(io.BytesIO(report_bytes(rejections))).active
    cells = next(sheet.iter_rows(min_row=2))
    for cell in (cells[0], cells[3], cells[4]):
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert cells[0].value == "=cmd|' /C calc'!A0.csv" and cells[1].data_type == "n"


def test_templates_write_township_names_as_text():
    book = openpyxl.load_workbook(io.BytesIO(template_bytes("payments", ["城关镇", "=1+1"])))
    cell = next(c for row in book["可选值"].iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix


def test_crafted_batch_comes_out_neutralised_in_the_class_downloads(tmp_path):
    towns = [{"code": "1", "name": "甲镇", "kind": "镇", "sort_order": 1}]
    person = {"person_key": "a", "township_code": "1", "sex": "男", "birth_year": 1980, "category": 4, "grade": 3}
    service = {"service_id": "1", "service": "vocational_training", "person_key": "a", "township_code": "1"}
    service |= {"served_on": date(2024, 4, 2), "quantity": 1, "batch": EVIL, "detail": "-电商"}
    person |= {"certified_on": date(2020, 1, 1), "cancelled_on": None}
    tables = {"townships": towns, "persons": [person], "services": [service], "payments": [], "rehab_needs": []}
    folder = write_set(tmp_path / "crafted", tables, date(2024, 9, 30))
    extracts = open_extracts(folder)
    params = {"year": 2024, "townships": [], "as_of": date(2024, 9, 30), "month": None}
    classes = class_table(run_query(extracts.con, "employment_training_classes", **params))
    assert list(classes["期次"]) == [EVIL]  # the page shows the text as it is
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(classes, "培训班次"))).active
    header = [c.value for c in sheet[1]]
    batch, course = sheet.cell(2, header.index("期次") + 1), sheet.cell(2, header.index("课程") + 1)
    assert batch.value == EVIL and batch.data_type == "s" and batch.quotePrefix
    assert course.value == "-电商" and course.data_type == "s"
    assert sheet.cell(2, header.index("学员（人次）") + 1).data_type == "n"
    text = download_csv(classes).decode("utf-8-sig")
    row = dict(zip(*list(csv.reader(io.StringIO(text))), strict=True))
    assert row["期次"] == "'" + EVIL and row["课程"] == "'-电商" and row["学员（人次）"] == "1"


def test_negative_numbers_stay_numbers_in_both_downloads():
    frame = pd.DataFrame({"乡镇（街道）": ["甲镇", "@乙"], "同比（万元）": [-3.5, 2.0], "变化": ["-3.5%", "+1"]})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame))).active
    assert sheet["B2"].value == -3.5 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == "-3.5%" and not sheet["C2"].quotePrefix
    assert sheet["A3"].quotePrefix
    rows = list(csv.reader(io.StringIO(download_csv(frame).decode("utf-8-sig"))))
    assert rows[1] == ["甲镇", "-3.5", "-3.5%"] and rows[2] == ["'@乙", "2.0", "+1"]
