"""Rejection reports and the log (issue 17.5): masked, owner-only, pruned, never written by a dry run."""

from __future__ import annotations

import os
import stat
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dpf.commands.ingest import run_import
from dpf.ingest.masking import mask_name, mask_number, mask_text
from dpf.ingest.merge import read_table
from dpf.ingest.report import log_path, reports_dir
from tests.ingest_helpers import PAY_HEADERS, bad_check, cert, csv_bytes, write_file

TODAY = date(2024, 6, 15)
CARE = "重度残疾人护理补贴"
SPACED = bad_check(cert(5))  # written as 990001 19700106 …, with a wrong check character


@pytest.fixture
def data(data, monkeypatch) -> Path:
    """conftest's base set, with the reports' default retention."""
    monkeypatch.delenv("DASHBOARD_REPORT_RETENTION_DAYS", raising=False)
    return data


def ledger(tmp_path: Path) -> Path:
    """Three bad rows: a wrong check character, a 合计 line naming a payee, a 2-character name's township."""
    rows = [
        PAY_HEADERS,
        ["陈小红", cert(1), "城关镇", CARE, "2024-04", 80],
        ["李样例", bad_check(cert(2)), "城关镇", CARE, "2024-04", 80],
        ["合计：陈小红等2人", None, None, None, None, 160],
        ["王五", cert(3), "南山镇", CARE, "2024-04", 80],
        ["周演示", " ".join((SPACED[:6], SPACED[6:14], SPACED[14:])), "城关镇", CARE, "2024-04", 80],
    ]
    return write_file(tmp_path, f"补发_陈小红_{cert(4)}.csv", csv_bytes(rows))


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_masks():
    assert mask_number("340802199001011234") == "3408**********1234"
    assert mask_name("陈小红") == "陈*红" and mask_name("陈红") == "陈*" and mask_name("欧阳小红") == "欧**红"
    assert mask_text("合计：陈小红等2人", ["陈小红"]) == "合计：陈*红等2人"
    assert mask_text("2024年3月，20240301") == "2024年3月，20240301"  # dates are not numbers to hide


def test_report_is_masked_owner_only_and_keeps_row_column_reason(data, tmp_path, capsys):
    path = ledger(tmp_path)
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    rows = [r for r in load_workbook(report).active.iter_rows(min_row=2, values_only=True)]
    by_row = {r[1]: r for r in rows}
    number = bad_check(cert(2))
    assert by_row[3][2:4] == ("残疾人证号", number[:4] + "*" * 12 + number[-4:]) and "校验位" in by_row[3][4]
    assert by_row[4][3] == "合计：陈*红等2人" and "合计行" in by_row[4][4]
    assert by_row[5][2] == "乡镇（街道）" and "南山镇" in by_row[5][4]
    assert by_row[6][2:4] == ("残疾人证号", mask_number(SPACED))  # written with spaces: still masked
    assert {r[0] for r in rows} == {f"补发_陈*红_{mask_number(cert(4))}.csv"}
    text = xlsx_text(report) + log_path(data).read_text(encoding="utf-8") + out
    for secret in ("陈小红", "李样例", number, cert(1), cert(4), SPACED[6:14]):
        assert secret not in text, secret
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.parent.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_path(data).stat().st_mode) == 0o600


def test_dry_run_prints_masked_rejections_and_writes_no_report(data, tmp_path, capsys):
    assert run_import([ledger(tmp_path)], data, dry_run=True, today=TODAY) == 1
    out = capsys.readouterr().out
    number = bad_check(cert(2))
    assert f"第 3 行 残疾人证号“{mask_number(number)}”：" in out and "合计：陈*红等2人" in out
    assert "第 5 行 乡镇（街道）“南山镇”" in out
    assert number not in out and "陈小红" not in out
    assert not reports_dir(data).exists() and not log_path(data).exists()


def age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_reports_are_pruned_after_the_retention_period(data, tmp_path, monkeypatch, capsys):
    folder = reports_dir(data)
    folder.mkdir(parents=True)
    old, recent, other = (
        folder / "未导入的行_20240101_000000.xlsx",
        folder / "未导入的行_20240601_000000.xlsx",
        folder / "说明.txt",
    )
    for path in (old, recent, other):
        path.write_bytes(b"x")
    age(old, 31)
    age(recent, 10)
    age(other, 400)
    clean = [PAY_HEADERS, ["王测试", cert(1), "城关镇", CARE, "2024-04", 80]]
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean))], data, dry_run=True, today=TODAY) == 0
    assert old.exists()  # a dry run deletes nothing either
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean))], data, today=TODAY) == 0
    assert not old.exists() and recent.exists() and other.exists()  # only reports, only older than 30 days
    monkeypatch.setenv("DASHBOARD_REPORT_RETENTION_DAYS", "7")
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean))], data, today=TODAY) == 0
    assert not recent.exists() and other.exists()
    monkeypatch.setenv("DASHBOARD_REPORT_RETENTION_DAYS", "三十")
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean))], data, today=TODAY) == 2
    assert "DASHBOARD_REPORT_RETENTION_DAYS" in capsys.readouterr().out


def test_a_ledger_named_like_a_formula_gives_a_report_of_text(data, tmp_path, capsys):
    """Issue 17.4 end to end: the file name and a rejected =cell come back as text in the report, not formulas."""
    rows = [
        PAY_HEADERS,
        ["王测试", cert(1), "城关镇", CARE, "2024-04", 80],
        ["李样例", "=1+2", "城关镇", CARE, "2024-04", 80],
    ]
    path = write_file(tmp_path, "=SUM(9)@.csv", csv_bytes(rows))
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "=SUM(9)@.csv（资金发放花名册）：接受 1 行，拒绝 1 行" in out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    cells = next(load_workbook(report).active.iter_rows(min_row=2))
    assert [c.value for c in cells[:4]] == ["=SUM(9)@.csv", 3, "残疾人证号", "=1+2"]
    for cell in (cells[0], cells[3]):
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert sorted(r["amount_yuan"] for r in read_table(data, "payments").to_pylist()) == [80, 100]
