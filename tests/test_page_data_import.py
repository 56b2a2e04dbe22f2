"""数据导入: for the data administrator only; upload, see the problems, confirm, and the new data is there."""

from __future__ import annotations

from datetime import date

import dpf.ingest.pipeline
from dpf.commands.ingest import run_import
from dpf.contract.manifest import read_manifest
from dpf.ingest.lock import import_lock
from dpf.ingest.merge import REPLACE, read_table
from tests.apptest_helpers import admin_session, no_exception, rerun, run_page
from tests.ingest_helpers import (
    PAY_HEADERS,
    all_bytes,
    bad_check,
    base_set,
    cert,
    csv_bytes,
    paused_import,
    pay_rows,
    release,
    write_file,
)


def test_page_only_for_the_data_administrator():
    from dpf.auth.access import OPEN_SCOPE, session_scope
    from ui import shell

    assert "数据导入" in shell.page_titles(session_scope("admin"))
    for scope in (OPEN_SCOPE, session_scope("county"), session_scope("township", ["101"])):
        assert "数据导入" not in shell.page_titles(scope)


def test_upload_check_confirm(data, tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    rows = [
        PAY_HEADERS,
        ["甲", cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80],
        ["乙", cert(2), "西河乡", "困难残疾人生活补贴", "2024-04", 100],
        ["丙", bad_check(cert(3)), "西河乡", "困难残疾人生活补贴", "2024-04", 100],
    ]
    at = run_page(data, "data_import.py", account=admin)
    assert no_exception(at)
    assert len(at.get("download_button")) >= 7  # one template per ledger kind
    at.file_uploader(key="import_files").set_value(("四月.csv", csv_bytes(rows), "text/csv"))
    rerun(at, data)
    assert no_exception(at)
    frames = [d.value for d in at.dataframe]
    assert len(frames) == 3, [e.value for e in at.error]  # results, the preview, the problem rows
    results, preview, problems = frames
    assert results.iloc[0]["可导入行数"] == "2" and results.iloc[0]["有问题的行数"] == "1"
    assert problems.iloc[0]["行号"] == 4 and "校验位" in problems.iloc[0]["原因"]
    assert set(preview["金额（元）"]) == {"80.00", "100.00"}
    assert not any(cert(n) in preview.to_csv() for n in (1, 2))
    assert read_manifest(data).as_of == date(2024, 3, 31)  # nothing written before confirming
    at.button(key="import_confirm").click()
    rerun(at, data)
    assert no_exception(at)
    assert any("已写入新数据" in s.value for s in at.success)
    assert read_manifest(data).as_of == date(2024, 4, 30)
    april = [r for r in read_table(data, "payments").to_pylist() if r["period"] == date(2024, 4, 1)]
    assert sorted(float(r["amount_yuan"]) for r in april) == [80.0, 100.0]


def test_without_key_the_page_says_how(tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    monkeypatch.delenv("DASHBOARD_SECRET_KEY", raising=False)
    monkeypatch.setattr("dpf.auth.secret_values.secrets_files", lambda: [])
    at = run_page(base_set(tmp_path / "extracts"), "data_import.py", account=admin)
    assert no_exception(at)
    assert any("DASHBOARD_SECRET_KEY" in e.value for e in at.error)
    assert len(at.file_uploader) == 0


def test_replace_shows_rows_before_and_after_and_writes_only_on_confirm(data, tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    april = write_file(tmp_path, "4月.csv", csv_bytes(pay_rows(range(1, 4), month="2024-04", amount=80)))
    assert run_import([april], data, today=date(2024, 6, 15)) == 0
    before = all_bytes(data)
    at = run_page(data, "data_import.py", account=admin)
    at.radio(key="import_mode").set_value(REPLACE)
    corrected = csv_bytes(pay_rows([1, 2], month="2024-04", amount=90))
    at.file_uploader(key="import_files").set_value(("4月_更正.csv", corrected, "text/csv"))
    rerun(at, data)
    assert no_exception(at)
    changes = next(d.value for d in at.dataframe if "导入前行数" in d.value.columns)
    row = changes.iloc[0]
    assert (row["项目"], row["月份"], row["乡镇（街道）"]) == ("困难残疾人生活补贴", "2024年4月", "城关镇")
    assert (row["导入前行数"], row["导入后行数"]) == (3, 2)
    assert (row["导入前金额（元）"], row["导入后金额（元）"]) == ("240.00", "180.00")
    assert any("删除（替换）已有的 3 行，写入 2 行" in w.value for w in at.warning)
    assert all_bytes(data) == before  # nothing written before the confirm
    confirm = at.button(key="import_confirm")
    assert confirm.label == "确认更正替换（删除 3 行，写入 2 行）"
    confirm.click()
    rerun(at, data)
    assert no_exception(at)
    assert any("已写入新数据" in s.value for s in at.success)
    april_rows = [r for r in read_table(data, "payments").to_pylist() if r["period"] == date(2024, 4, 1)]
    assert sorted(float(r["amount_yuan"]) for r in april_rows) == [90.0, 90.0]


def test_the_page_waits_for_another_import_and_says_so(data, tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    other = write_file(tmp_path, "其他.csv", csv_bytes(pay_rows([7], month="2024-04")))
    proc = paused_import(data, other, "checked", date(2024, 6, 15), tmp_path / "other")  # holds the lock till released

    def lock_releasing_the_other_on_wait(folder, on_wait=None):
        """The page's own lock, which lets the other import go on once the page has said that it waits."""

        def told(message):
            on_wait(message)
            release(tmp_path / "other")

        return import_lock(folder, told if on_wait else None)

    monkeypatch.setattr(dpf.ingest.pipeline, "import_lock", lock_releasing_the_other_on_wait)
    at = run_page(data, "data_import.py", account=admin)
    at.file_uploader(key="import_files").set_value(("5月.csv", csv_bytes(pay_rows([1, 2])), "text/csv"))
    rerun(at, data)
    assert proc.wait(timeout=120) == 0
    assert no_exception(at)
    assert any("已等到另一个导入结束" in i.value for i in at.info)
    results = at.dataframe[0].value
    assert results.iloc[0]["可导入行数"] == "2"
