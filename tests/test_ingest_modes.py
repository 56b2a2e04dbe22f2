"""新增 and 更正替换: split ledgers add up, re-imports change nothing, 补发 beside the main list, conflicts
point to 更正替换, and 更正替换 shows rows before → after and asks before it writes."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from dpf.contract.manifest import read_manifest
from dpf.ingest.ledgers import template_bytes
from dpf.ingest.merge import REPLACE, read_table
from dpf.ingest.pipeline import ImportRefused, commit, prepare
from dpf.ingest.report import log_path
from tests.ingest_helpers import (
    KEY,
    REPO,
    all_bytes,
    cert,
    csv_bytes,
    pay_rows,
    payments,
    pk,
    shas,
    write_file,
    xlsx_bytes,
)

TODAY = date(2024, 6, 15)
MAY = date(2024, 5, 1)
APRIL = date(2024, 4, 1)


def rows_of(folder: Path, program: str, period: date, township: str = "990001100") -> list[dict]:
    return [
        r for r in payments(folder) if (r["program"], r["period"], r["township_code"]) == (program, period, township)
    ]


def last_log(folder: Path) -> dict:
    return json.loads(log_path(folder).read_text(encoding="utf-8").splitlines()[-1])


def reasons(out: str) -> dict[int, str]:
    """Row number -> reason from the rejection report the CLI output names."""
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    sheet = load_workbook(report).active
    return {row: reason for _, row, _, _, reason in sheet.iter_rows(min_row=2, values_only=True)}


def test_a_ledger_split_in_two_files_stores_both_halves_and_a_reimport_changes_nothing(data, tmp_path, capsys):
    half1 = write_file(tmp_path, "城关镇8月生活补贴_1.xlsx", xlsx_bytes(pay_rows(range(1, 51))))
    half2 = write_file(tmp_path, "城关镇8月生活补贴_2.csv", csv_bytes(pay_rows(range(51, 101))))
    assert run_import([half1, half2], data, today=TODAY) == 0
    out = capsys.readouterr().out
    assert "城关镇8月生活补贴_1.xlsx（资金发放花名册）：接受 50 行，拒绝 0 行（新增 50 行）" in out
    assert "城关镇8月生活补贴_2.csv（资金发放花名册）：接受 50 行，拒绝 0 行（新增 50 行）" in out
    assert "困难残疾人生活补贴 · 2024年5月 · 城关镇：0 → 100 行（金额 0.00 → 12,000.00 元）" in out
    may = rows_of(data, "living_subsidy", MAY)
    assert len(may) == 100 and {r["person_key"] for r in may} == {pk(cert(n)) for n in range(1, 101)}
    assert read_manifest(data).tables["payments"]["rows"] == 101  # the base set's greenhouse row is kept
    before = shas(data)
    assert run_import([half2, half1], data, today=TODAY) == 0  # again, in the other order
    assert "接受 50 行，拒绝 0 行（新增 0 行，此前已导入 50 行）" in capsys.readouterr().out
    assert shas(data) == before
    assert last_log(data)["status"] == "unchanged"


def test_the_halves_in_two_separate_runs_add_up(data, tmp_path):
    for number, people in enumerate((range(1, 51), range(51, 101))):
        path = write_file(tmp_path, f"half{number}.csv", csv_bytes(pay_rows(people)))
        assert run_import([path], data, today=TODAY) == 0
    assert len(rows_of(data, "living_subsidy", MAY)) == 100
    assert check_folder(data).exit_code == 0


def test_a_reissue_list_is_kept_beside_the_main_list_and_a_second_payment_without_it_is_rejected(
    data, tmp_path, capsys
):
    main = write_file(tmp_path, "5月生活补贴.csv", csv_bytes(pay_rows(range(1, 11))))
    assert run_import([main], data, today=TODAY) == 0
    reissue = pay_rows([1, 2], amount=60, note="补发4月差额")
    reissue.append(["测试3", cert(3), "城关镇", "困难残疾人生活补贴", "2024-05", 80, None])  # different amount
    reissue.append(["测试4", cert(4), "城关镇", "困难残疾人生活补贴", "2024-05", 120, ""])  # the main list's row
    path = write_file(tmp_path, "5月补发.xlsx", xlsx_bytes(reissue))
    capsys.readouterr()
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 3 行，拒绝 1 行（新增 2 行，此前已导入 1 行，其中补发 2 行）" in out
    why = reasons(out)
    assert set(why) == {4}
    assert "已导入的数据" in why[4] and "120.00 元" in why[4] and "更正替换" in why[4] and "补发" in why[4]
    may = rows_of(data, "living_subsidy", MAY)
    assert len(may) == 12
    per_person = {}
    for row in may:
        per_person.setdefault(row["person_key"], []).append(row["amount_yuan"])
    assert sorted(per_person[pk(cert(1))]) == [Decimal("60.00"), Decimal("120.00")]
    assert per_person[pk(cert(3))] == [Decimal("120.00")]  # the 80 was not added
    assert last_log(data)["reissued"] == 2
    before = shas(data)
    assert run_import([path], data, today=TODAY) == 1  # the 补发 rows are recognised; the bad rows again rejected
    assert shas(data) == before


def test_main_and_reissue_lists_in_one_run_and_a_conflict_inside_the_run(data, tmp_path, capsys):
    reissue = write_file(tmp_path, "补发.csv", csv_bytes(pay_rows([1], amount=60, note="补发")))
    main_rows = pay_rows(range(1, 4))
    main_rows.append(["测试3", cert(3), "城关镇", "困难残疾人生活补贴", "2024年5月", 120])  # row 3 again, written apart
    main = write_file(tmp_path, "主表.csv", csv_bytes(main_rows))
    other = write_file(tmp_path, "另一份.csv", csv_bytes(pay_rows([2], amount=100)))
    assert run_import([reissue, main, other], data, today=TODAY) == 1
    why = reasons(capsys.readouterr().out)
    assert sorted(why) == [2, 5]
    assert "“主表.csv”第 3 行" in why[2] and "更正替换" in why[2]  # 另一份.csv row 2
    assert "疑似重复发放" in why[5] and "“主表.csv”第 4 行" in why[5]
    assert sorted(r["amount_yuan"] for r in rows_of(data, "living_subsidy", MAY)) == [
        Decimal("60.00"),
        *[Decimal("120.00")] * 3,
    ]


def test_a_changed_person_is_not_overwritten_by_adding(data, tmp_path, capsys):
    header = ["姓名", "残疾人证号", "乡镇（街道）", "发证日期", "注销日期"]
    first = write_file(tmp_path, "名册.csv", csv_bytes([header, ["甲", cert(1), "城关镇", "2020-01-02", None]]))
    assert run_import([first], data, today=TODAY) == 0
    cancelled = [header, ["甲", cert(1), "城关镇", "2020-01-02", "2024-05-06"]]
    second = write_file(tmp_path, "名册_注销.csv", csv_bytes(cancelled))
    assert run_import([second], data, today=TODAY) == 1
    assert "更正替换" in reasons(capsys.readouterr().out)[2]
    assert read_table(data, "persons").to_pylist()[0]["cancelled_on"] is None
    assert run_import([second], data, today=TODAY, replace=True, yes=True) == 0
    assert read_table(data, "persons").to_pylist()[0]["cancelled_on"] == date(2024, 5, 6)


def _april(data: Path, tmp_path: Path) -> Path:
    rows = pay_rows(range(1, 4), program="重度残疾人护理补贴", month="2024-04", amount=80)
    rows += pay_rows([4], township="东城街道", program="重度残疾人护理补贴", month="2024-04", amount=80)[1:]
    assert run_import([write_file(tmp_path, "4月护理.csv", csv_bytes(rows))], data, today=TODAY) == 0
    corrected = pay_rows([1, 2], program="重度残疾人护理补贴", month="2024-04", amount=90)
    return write_file(tmp_path, "4月护理_更正.csv", csv_bytes(corrected))


def test_replace_shows_before_and_after_and_needs_yes_without_a_terminal(data, tmp_path, capsys):
    corrected = _april(data, tmp_path)
    before = all_bytes(data)
    capsys.readouterr()
    assert run_import([corrected], data, today=TODAY, replace=True) == 2
    out = capsys.readouterr().out
    assert "导入方式：更正替换" in out
    assert "重度残疾人护理补贴 · 2024年4月 · 城关镇：3 → 2 行（金额 240.00 → 180.00 元）" in out
    assert "东城街道" not in out  # not covered, not touched
    assert "删除（替换）3 行，写入 2 行" in out and "--yes" in out
    assert all_bytes(data) == before
    assert run_import([corrected], data, today=TODAY, replace=True, yes=True) == 0
    assert [r["amount_yuan"] for r in rows_of(data, "nursing_subsidy", APRIL)] == [Decimal("90.00")] * 2
    assert [r["amount_yuan"] for r in rows_of(data, "nursing_subsidy", APRIL, "990001001")] == [Decimal("80.00")]
    entry = last_log(data)
    assert (entry["mode"], entry["removed"], entry["added"], entry["status"]) == ("replace", 3, 2, "ok")
    assert check_folder(data).exit_code == 0


def _cli_on_a_terminal(data: Path, corrected: Path, answer: bytes) -> tuple[int, str]:
    """`python -m dpf import --replace` with a real terminal on stdin, answering the y/N question."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASHBOARD_SECRET_KEY": KEY}
    command = [sys.executable, "-m", "dpf", "import", str(corrected), "--data", str(data), "--replace"]
    proc = subprocess.Popen(command, stdin=terminal, stdout=subprocess.PIPE, env=env, cwd=REPO, text=True)
    os.close(terminal)
    os.write(controller, answer)
    out, _ = proc.communicate(timeout=120)
    os.close(controller)
    return proc.returncode, out


def test_replace_on_a_terminal_asks_y_or_n(data, tmp_path):
    corrected = _april(data, tmp_path)
    before = all_bytes(data)
    code, out = _cli_on_a_terminal(data, corrected, b"n\n")
    assert code == 2 and "确认写入？[y/N]" in out and "未确认" in out
    assert all_bytes(data) == before
    code, out = _cli_on_a_terminal(data, corrected, b"y\n")
    assert code == 0, out
    assert len(rows_of(data, "nursing_subsidy", APRIL)) == 2


def test_data_changed_after_the_preview_add_merges_again_replace_refuses(data, tmp_path):
    """The page cannot hold the lock between its preview and the confirm; commit sees what came in between."""
    adding = prepare([("5月.csv", csv_bytes(pay_rows(range(1, 4))))], data, today=TODAY)
    replacing = prepare([("5月_更正.csv", csv_bytes(pay_rows([1], amount=100)))], data, today=TODAY, mode=REPLACE)
    between = write_file(tmp_path, "5月_另.csv", csv_bytes(pay_rows([3, 4])))
    assert run_import([between], data, today=TODAY) == 0  # 3 and 4 arrive after both previews
    assert commit(adding).added == 2  # 3 is already there now
    assert sorted(r["person_key"] for r in rows_of(data, "living_subsidy", MAY)) == sorted(
        pk(cert(n)) for n in range(1, 5)
    )
    before = all_bytes(data)
    with pytest.raises(ImportRefused, match="请重新检查并确认"):
        commit(replacing)  # its preview said 0 → 1 rows; now it would remove 4
    assert all_bytes(data) == before


@pytest.mark.parametrize("kind", ["payments", "payments_projects"])
def test_payment_templates_have_a_note_column_that_explains_reissue(kind):
    book = load_workbook(io.BytesIO(template_bytes(kind)))
    assert [c.value for c in book.worksheets[0][1]][-1] == "备注"
    notes = " ".join(str(row[0]) for row in book["填写说明"].iter_rows(values_only=True))
    assert "补发" in notes and "更正替换" in notes
