"""The import end to end on a tiny base set: clean and bad ledgers, re-import, corrections, crashes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from dpf.contract.manifest import read_manifest
from dpf.ingest import write
from dpf.ingest.merge import read_table
from dpf.ingest.report import log_path
from tests.ingest_helpers import (
    KILLED,
    PAY_HEADERS,
    all_bytes,
    bad_check,
    cert,
    csv_bytes,
    pay_rows,
    payments,
    pk,
    shas,
    start_imports,
    write_file,
    xlsx_bytes,
)

TODAY = date(2024, 6, 15)
NAMES = ["王测试", "李样例", "赵虚构", "钱假名", "孙模拟", "周演示"]


def clean_rows() -> list[list[object]]:
    return [
        PAY_HEADERS,
        [NAMES[0], cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80],
        [NAMES[1], cert(2), "东城街道", "重度残疾人护理补贴", "2024年4月", "80.00"],
        [NAMES[2], cert(3), "西河乡", "困难残疾人生活补贴", "2024/4/1", 120.5],
    ]


def report_rows(path: Path) -> list[tuple]:
    sheet = load_workbook(path).active
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_clean_file_goes_in_and_check_passes(data, tmp_path, capsys):
    path = write_file(tmp_path, "护理补贴4月.xlsx", xlsx_bytes(clean_rows()))
    assert run_import([path], data, today=TODAY) == 0
    out = capsys.readouterr().out
    assert "护理补贴4月.xlsx（资金发放花名册）：接受 3 行，拒绝 0 行" in out
    rows = [r for r in payments(data) if r["period"] == date(2024, 4, 1)]
    got = {(r["person_key"], r["program"], r["township_code"], r["amount_yuan"]) for r in rows}
    assert got == {
        (pk(cert(1)), "nursing_subsidy", "990001100", Decimal("80.00")),
        (pk(cert(2)), "nursing_subsidy", "990001001", Decimal("80.00")),
        (pk(cert(3)), "living_subsidy", "990001200", Decimal("120.50")),
    }
    assert any(r["payment_id"] == "BASE-0001" for r in payments(data))  # the old row is kept
    manifest = read_manifest(data)
    assert manifest.as_of == date(2024, 4, 30)  # the last day of the latest month imported
    assert manifest.tables["payments"]["rows"] == 4
    assert check_folder(data).exit_code == 0
    assert (data.parent / "extracts.bak" / "manifest.json").is_file()  # the previous set is kept
    log = json.loads(log_path(data).read_text(encoding="utf-8").splitlines()[-1])
    assert (log["status"], log["accepted"], log["rejected"]) == ("ok", 3, 0)


def test_bad_rows_are_reported_and_good_rows_still_go_in(data, tmp_path, capsys):
    rows = [
        PAY_HEADERS,
        [NAMES[0], cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80],
        [NAMES[1], bad_check(cert(2)), "城关镇", "重度残疾人护理补贴", "2024-04", 80],
        [NAMES[2], cert(3), "南山镇", "重度残疾人护理补贴", "2024-04", 80],
        [NAMES[3], cert(4), "城关镇", "重度残疾人护理补贴", "2024-04", -80],
        [NAMES[4], cert(5), "城关镇", "重度残疾人护理补贴", "2024-07", 80],
        [None, None, None, None, None, None],
        [NAMES[0], cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80],
        [NAMES[5], cert(6), "西河乡", "困难残疾人生活补贴", "2024-04", 60],
    ]
    path = write_file(tmp_path, "花名册_gb.csv", csv_bytes(rows, encoding="gb18030"))
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 2 行，拒绝 6 行" in out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    got = {(row, column or ""): reason for _, row, column, _, reason in report_rows(report)}
    assert "校验位" in got[(3, "残疾人证号")]
    assert "南山镇" in got[(4, "乡镇（街道）")]
    assert "大于 0" in got[(5, "金额（元）")]
    assert "未来" in got[(6, "发放月份")]
    assert "空行" in got[(7, "")]
    assert "重复行" in got[(8, "")] and "第 2 行" in got[(8, "")]
    assert len(got) == 6
    assert {r[0] for r in report_rows(report)} == {"花名册_gb.csv"}
    imported = {r["person_key"] for r in payments(data) if r["period"] == date(2024, 4, 1)}
    assert imported == {pk(cert(1)), pk(cert(6))}


def test_xlsx_with_merged_title_rows_and_stray_header_spaces(data, tmp_path):
    rows = clean_rows()
    rows[0] = [" 姓 名", "残疾人证号 ", "乡镇 (街道)", "项目", "发放月份", "金额(元)"]
    path = write_file(tmp_path, "标题行.xlsx", xlsx_bytes(rows, title_rows=2))
    assert run_import([path], data, today=TODAY) == 0
    assert sum(r["period"] == date(2024, 4, 1) for r in payments(data)) == 3


def test_reimport_changes_no_sha256_and_no_name_or_number_is_written(data, tmp_path):
    path = write_file(tmp_path, "clean.csv", csv_bytes(clean_rows()))
    assert run_import([path], data, today=TODAY) == 0
    before, manifest_before = shas(data), (data / "manifest.json").read_bytes()
    assert run_import([path], data, today=TODAY) == 0
    assert shas(data) == before
    assert (data / "manifest.json").read_bytes() == manifest_before
    assert json.loads(log_path(data).read_text(encoding="utf-8").splitlines()[-1])["status"] == "unchanged"
    written = all_bytes(data) + all_bytes(data.parent / "extracts.bak") + log_path(data).read_bytes()
    for secret in [*NAMES[:3], *(cert(n) for n in (1, 2, 3))]:
        assert secret.encode("utf-8") not in written
        assert secret.encode("gb18030") not in written


def test_corrected_file_replaces_the_rows_it_covers_in_replace_mode(data, tmp_path):
    first = write_file(tmp_path, "april.csv", csv_bytes(clean_rows()))
    run_import([first], data, today=TODAY)
    corrected = clean_rows()
    corrected[1][5] = 90  # 城关镇 amount corrected
    del corrected[2]  # 东城街道's row dropped from the corrected file (but the township is not covered)
    second = write_file(tmp_path, "april_v2.csv", csv_bytes(corrected))
    assert run_import([second], data, today=TODAY) == 1  # adding refuses a changed amount …
    assert [r["amount_yuan"] for r in payments(data) if r["program"] == "nursing_subsidy"] == [Decimal("80.00")] * 2
    assert run_import([second], data, today=TODAY, replace=True, yes=True) == 0  # … 更正替换 replaces
    april = {(r["township_code"], r["program"]): r["amount_yuan"] for r in payments(data) if r["period"].month == 4}
    assert april == {
        ("990001100", "nursing_subsidy"): Decimal("90.00"),
        ("990001001", "nursing_subsidy"): Decimal("80.00"),
        ("990001200", "living_subsidy"): Decimal("120.50"),
    }
    assert len(payments(data)) == 4


def test_failure_midway_leaves_the_old_set_intact(data, tmp_path, monkeypatch, capsys):
    before = all_bytes(data)

    def crash(step):
        if step == "staged":
            raise OSError("disk full")

    monkeypatch.setattr(write, "fault", crash)
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean_rows()))], data, today=TODAY) == 2
    assert "导入未完成：无法写入文件" in capsys.readouterr().out  # said in Chinese, no traceback
    assert all_bytes(data) == before
    assert not list(data.parent.glob("extracts.new-*"))


def test_killed_process_leaves_the_old_set_intact(data, tmp_path):
    before = all_bytes(data)
    path = write_file(tmp_path, "a.csv", csv_bytes(clean_rows()))
    task = {"files": [str(path)], "kill_at": "checked"}
    proc = start_imports(data, [task], TODAY, tmp_path / "progress")
    proc.communicate()
    assert proc.returncode == KILLED
    assert all_bytes(data) == before
    assert list(data.parent.glob("extracts.new-*"))  # the half-done set was left behind …
    assert run_import([path], data, today=TODAY) == 0  # … and the next import cleans it up
    assert not list(data.parent.glob("extracts.new-*"))
    assert read_manifest(data).tables["payments"]["rows"] == 4


def test_without_key_the_import_refuses_and_says_how(data, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DASHBOARD_SECRET_KEY")
    monkeypatch.setattr("dpf.auth.secret_values.secrets_files", lambda: [])
    before = all_bytes(data)
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean_rows()))], data, today=TODAY) == 2
    out = capsys.readouterr().out
    assert "DASHBOARD_SECRET_KEY" in out and "secrets.toml" in out
    assert all_bytes(data) == before


def test_dry_run_writes_nothing(data, tmp_path, capsys):
    before = all_bytes(data)
    assert run_import([write_file(tmp_path, "a.csv", csv_bytes(clean_rows()))], data, dry_run=True, today=TODAY) == 0
    assert "试运行" in capsys.readouterr().out
    assert all_bytes(data) == before
    assert not log_path(data).exists()


def test_other_ledgers_persons_services_needs_surveys_targets(data, tmp_path):
    persons = [
        ["姓名", "残疾人证号", "乡镇（街道）", "发证日期", "注销日期"],
        [NAMES[0], cert(1, category=6, grade=2, female=True), "城关镇", "2020-05-06", None],
        [NAMES[1], cert(2), "东城街道", "2019/1/2", "2024年3月1日"],
    ]
    services = [
        ["姓名", "残疾人证号", "乡镇（街道）", "服务项目", "服务日期", "数量", "期次", "备注"],
        [
            NAMES[0],
            cert(1, category=6, grade=2, female=True),
            "城关镇",
            "职业技能培训",
            "2024-05-10",
            None,
            "第1期",
            "电商",
        ],
        [None, None, None, "专项招聘会", "2024-05-20", 12, None, None],
        [NAMES[1], cert(2), "东城街道", "上门评残", "2024-05-11", 1, None, f"{NAMES[1]}家属代办"],
    ]
    needs = [
        ["姓名", "残疾人证号", "乡镇（街道）", "需求类别", "登记日期", "满足日期"],
        [NAMES[0], cert(1, category=6, grade=2, female=True), "城关镇", "辅助器具", "2024-02-01", "2024-03-01"],
    ]
    surveys = [
        ["姓名", "残疾人证号", "乡镇（街道）", "回访日期", "是否满意"],
        [NAMES[1], cert(2), "东城街道", "2024-05-02", "满意"],
    ]
    targets = [["年度", "指标", "乡镇（街道）", "目标值", "备注"], [2024, "残疾人技能培训", None, 100, "100人次以上"]]
    files = [
        write_file(tmp_path, name, xlsx_bytes(rows))
        for name, rows in [
            ("p.xlsx", persons),
            ("s.xlsx", services),
            ("n.xlsx", needs),
            ("v.xlsx", surveys),
            ("t.xlsx", targets),
        ]
    ]
    assert run_import(files, data, today=TODAY) == 1  # the 备注 with a name is rejected
    people = {r["person_key"]: r for r in read_table(data, "persons").to_pylist()}
    first = people[pk(cert(1, category=6, grade=2, female=True))]
    assert (first["sex"], first["birth_year"], first["category"], first["grade"]) == ("女", 1970, 6, 2)
    assert people[pk(cert(2))]["cancelled_on"] == date(2024, 3, 1)
    served = read_table(data, "services").to_pylist()
    assert sorted((r["service"], r["person_key"] is None, r["quantity"]) for r in served) == [
        ("job_fair", True, 12),
        ("vocational_training", False, 1),
    ]
    assert read_table(data, "rehab_needs").to_pylist()[0]["need"] == "assistive_device"
    assert read_table(data, "satisfaction").to_pylist()[0]["satisfied"] is True
    assert read_table(data, "targets").to_pylist()[0]["indicator"] == "training_person_times"
    assert check_folder(data).exit_code == 0
    assert read_manifest(data).as_of == date(2024, 5, 20)


def test_formula_in_a_payment_note_is_rejected_like_other_free_text(data, tmp_path, capsys):
    """A payment's 备注 is only read for 补发, yet a formula there is refused as in every other free-text cell."""
    rows = pay_rows([1, 2], program="重度残疾人护理补贴", month="2024-04", amount=80, note="")
    rows[1][-1] = '=HYPERLINK("http://example.com")'
    rows[2][-1] = "补发\tA"  # a control character
    path = write_file(tmp_path, "备注.csv", csv_bytes(rows))
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 0 行，拒绝 2 行" in out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    got = {(row, column): reason for _, row, column, _, reason in report_rows(report)}
    assert set(got) == {(2, "备注"), (3, "备注")}
    assert "不能以“=”开头" in got[(2, "备注")] and "控制字符" in got[(3, "备注")]
    assert not any(r["period"] == date(2024, 4, 1) for r in payments(data))


def test_csv_row_with_more_cells_than_the_header_is_rejected_naming_them(data, tmp_path, capsys):
    """A stray comma shifts nothing silently: the row is refused and the report names the cells with no header."""
    rows = [
        PAY_HEADERS,
        [NAMES[0], cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80, "", ""],  # empty trailing cells: fine
        [NAMES[1], cert(2), "城关镇", "重度残疾人护理补贴", "2024-04", 80, "", "多出的一格"],
        [NAMES[2], cert(3), "城关镇", "重度残疾人护理补贴", "2024-04", "1", "200"],  # 1,200 written with a comma
        [None, None, None, None, None, None, "只在表头之外"],  # last row, only beyond the header: not passed over
    ]
    path = write_file(tmp_path, "多列.csv", csv_bytes(rows))
    assert run_import([path], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "接受 1 行，拒绝 3 行" in out
    report = Path(out.split("未导入的行及原因见：")[1].split()[0])
    got = {(row, column): (value, reason) for _, row, column, value, reason in report_rows(report)}
    assert set(got) == {(3, "第 H 列"), (4, "第 G 列"), (5, "第 G 列")}
    assert got[(4, "第 G 列")][0] == "200" and "表头没有这一列" in got[(4, "第 G 列")][1]
    assert got[(3, "第 H 列")][0] == "多出的一格"
    imported = {r["person_key"] for r in payments(data) if r["period"] == date(2024, 4, 1)}
    assert imported == {pk(cert(1))}
