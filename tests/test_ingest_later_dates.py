"""A ledger's optional later date (注销日期 after 发证日期, 满足日期 after 登记日期): blank is fine, an earlier one
rejects the row with the reason, a later one is kept (dpf.ingest.validate._later_day)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dpf.commands.ingest import run_import
from dpf.ingest.merge import read_table
from tests.ingest_helpers import cert, pk, write_file, xlsx_bytes

TODAY = date(2024, 6, 15)


def reasons(out: str) -> dict[tuple[int, str], str]:
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    rows = load_workbook(report).active.iter_rows(min_row=2, values_only=True)
    return {(row, column): reason for _, row, column, _, reason in rows}


@pytest.mark.parametrize(
    ("header", "kind", "table", "column", "reason"),
    [
        (["发证日期", "注销日期"], [], "persons", "cancelled_on", "注销日期早于发证日期"),
        (["需求类别", "登记日期", "满足日期"], ["辅助器具"], "rehab_needs", "met_on", "满足日期早于登记日期"),
    ],
)
def test_a_later_date_before_its_start_rejects_the_row(
    data, tmp_path, capsys, header, kind, table, column, reason
) -> None:
    people = ["王测试", "李样例", "赵虚构"]
    rows = [
        ["姓名", "残疾人证号", "乡镇（街道）", *header],
        [people[0], cert(1), "城关镇", *kind, "2024-03-01", None],  # blank: kept, no date
        [people[1], cert(2), "城关镇", *kind, "2024-03-01", "2024-02-01"],  # earlier: rejected
        [people[2], cert(3), "城关镇", *kind, "2024-03-01", "2024-04-01"],  # later: kept
    ]
    assert run_import([write_file(tmp_path, "台账.xlsx", xlsx_bytes(rows))], data, today=TODAY) == 1
    assert reasons(capsys.readouterr().out) == {(3, header[-1]): reason}
    kept = {r["person_key"]: r[column] for r in read_table(data, table).to_pylist()}
    assert kept[pk(cert(1))] is None and kept[pk(cert(3))] == date(2024, 4, 1)
    assert pk(cert(2)) not in kept
