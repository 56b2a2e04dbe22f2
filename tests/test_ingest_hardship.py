"""The 持证残疾人名册's optional 低保/困难 column becomes persons.hardship; a 名册 without it keeps the stored flags;
an import keeps the manifest's nursing_subsidy_grades."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dpf.commands.ingest import run_import
from dpf.contract.manifest import MANIFEST_NAME, read_manifest
from dpf.ingest.merge import read_table
from dpf.ingest.values import parse_hardship
from tests.ingest_helpers import cert, csv_bytes, pay_rows, pk, write_file

TODAY = date(2024, 6, 15)
HEADER = ["姓名", "残疾人证号", "乡镇（街道）", "发证日期", "注销日期"]


def flags(data) -> dict[str, bool | None]:
    rows = read_table(data, "persons").to_pylist()
    return {row["person_key"]: row.get("hardship", "no column") for row in rows}


@pytest.mark.parametrize(
    ("cell", "flag"), [("是", True), ("低保户", True), ("困难", True), ("否", False), ("", None), (None, None)]
)
def test_the_flag_is_read_as_yes_no_or_unknown(cell, flag) -> None:
    assert parse_hardship(cell) is flag


def test_a_roll_with_the_column_stores_each_flag_and_one_without_keeps_them(data, tmp_path) -> None:
    with_flag = [
        [*HEADER, "低保/困难"],
        ["甲", cert(1), "城关镇", "2020-01-02", None, "是"],
        ["乙", cert(2), "城关镇", "2020-01-02", None, "否"],
        ["丙", cert(3), "城关镇", "2020-01-02", None, None],
    ]
    assert run_import([write_file(tmp_path, "名册.csv", csv_bytes(with_flag))], data, today=TODAY) == 0
    expected = {pk(cert(1)): True, pk(cert(2)): False, pk(cert(3)): None}
    assert flags(data) == expected
    without = [HEADER, ["甲", cert(1), "城关镇", "2020-01-02", None], ["丁", cert(4), "城关镇", "2021-03-04", None]]
    assert run_import([write_file(tmp_path, "名册_无低保列.csv", csv_bytes(without))], data, today=TODAY) == 0
    assert flags(data) == {**expected, pk(cert(4)): None}  # 甲 unchanged (no clash), 丁 unknown
    replace = run_import([write_file(tmp_path, "名册_更正.csv", csv_bytes(without))], data, today=TODAY, replace=True)
    assert replace == 0 and flags(data)[pk(cert(1))] is True  # 更正替换 without the column keeps it too


def test_a_roll_without_the_column_writes_none(data, tmp_path) -> None:
    rows = [HEADER, ["甲", cert(1), "城关镇", "2020-01-02", None]]
    assert run_import([write_file(tmp_path, "名册.csv", csv_bytes(rows))], data, today=TODAY) == 0
    assert flags(data) == {pk(cert(1)): "no column"}  # absent, so 生活补贴's coverage stays 无法计算


def test_a_flag_that_is_neither_yes_nor_no_rejects_the_row(data, tmp_path, capsys) -> None:
    rows = [[*HEADER, "低保/困难"], ["甲", cert(1), "城关镇", "2020-01-02", None, "也许"]]
    assert run_import([write_file(tmp_path, "名册.csv", csv_bytes(rows))], data, today=TODAY) == 1
    assert "拒绝 1 行" in capsys.readouterr().out
    assert read_table(data, "persons").num_rows == 0


def test_an_import_keeps_the_manifests_nursing_grades(data, tmp_path) -> None:
    path = data / MANIFEST_NAME
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "nursing_subsidy_grades": [1, 2, 3]}), encoding="utf-8")
    assert run_import([write_file(tmp_path, "5月.csv", csv_bytes(pay_rows([1])))], data, today=TODAY) == 0
    assert read_manifest(data).nursing_subsidy_grades == (1, 2, 3)
    assert read_table(data, "payments").num_rows == 2  # the import did write a new set (and a new manifest)
