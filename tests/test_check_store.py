"""The contract check kept on disk (dpf.contract.check_store): once per export, again when a file changes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import dpf.contract.check
import dpf.contract.check_store
from dpf.contract.check import check_folder
from dpf.contract.check_store import FolderChanged, checked_folder, result_key
from dpf.ingest.write import _exchange
from tests.apptest_helpers import no_exception, rerun, run_page
from tests.check_fixture import build_clean_folder
from tests.extract_builder import read_rows, refresh_manifest, write_table

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def private_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def folder(tmp_path) -> Path:
    """The clean fixture with two payments of 0 yuan: one violation with examples."""
    folder = build_clean_folder(tmp_path / "data")
    rows = read_rows(folder, "payments")
    for row in rows[:2]:
        row["amount_yuan"] = Decimal("0.00")
    write_table(folder, "payments", rows)
    refresh_manifest(folder)
    return folder


def no_fresh_check(monkeypatch) -> None:
    def fail(folder):
        raise AssertionError("checked again instead of reading the stored result")

    monkeypatch.setattr(dpf.contract.check_store, "check_folder", fail)


def test_result_is_stored_once_and_read_back_whole(folder, private_cache, monkeypatch):
    fresh = check_folder(folder)
    assert [f.rule for f in fresh.violations] == ["amount_not_positive"]
    assert checked_folder(folder) == fresh
    stored = list(private_cache.glob("check-*.json"))
    assert [p.name for p in stored] == [f"check-{result_key(folder)}.json"]
    no_fresh_check(monkeypatch)
    again = checked_folder(folder)
    assert again == fresh  # findings, examples, messages, tables and as-of date survive the round trip
    assert again.violations[0].examples == fresh.violations[0].examples and again.violations[0].count == 2


def test_a_changed_table_file_is_checked_again(folder, private_cache):
    assert checked_folder(folder).exit_code == 1
    time.sleep(0.02)
    rows = read_rows(folder, "payments")
    for row in rows[:2]:
        row["amount_yuan"] = Decimal("86.00")
    write_table(folder, "payments", rows)
    refresh_manifest(folder)
    assert checked_folder(folder).exit_code == 0
    assert len(list(private_cache.glob("check-*.json"))) == 2


@pytest.mark.parametrize("content", [b"{not json", b'{"folder": "x"}', b"[]"], ids=["broken", "incomplete", "list"])
def test_an_unreadable_stored_result_is_checked_again(folder, private_cache, content):
    private_cache.mkdir()
    (private_cache / f"check-{result_key(folder)}.json").write_bytes(content)
    assert [f.rule for f in checked_folder(folder).violations] == ["amount_not_positive"]


def test_unwritable_cache_still_checks(folder, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(blocker / "cache"))
    assert [f.rule for f in checked_folder(folder).violations] == ["amount_not_positive"]


def test_a_missing_folder_is_not_stored(tmp_path, private_cache):
    result = checked_folder(tmp_path / "nowhere")
    assert result.unreadable and "找不到数据文件夹" in result.unreadable
    assert not private_cache.exists() or not list(private_cache.glob("check-*.json"))


# --- A check while an import swaps the folder -------------------------------------------------


@pytest.fixture
def two_exports(tmp_path) -> tuple[Path, Path]:
    """Two clean exports of one county: the second has one more payment (so its rows differ from the first's
    manifest). Mixing the first's manifest with the second's files is what a check straddling a swap reads."""
    first = build_clean_folder(tmp_path / "first")
    second = tmp_path / "second"
    shutil.copytree(first, second)
    rows = read_rows(second, "payments")
    rows.append({**rows[-1], "payment_id": "PAY-0006", "amount_yuan": Decimal("80.00")})
    write_table(second, "payments", rows)
    refresh_manifest(second)
    assert check_folder(first).exit_code == 0 and check_folder(second).exit_code == 0
    return first, second


def swap_in(data: Path, export: Path) -> None:
    """Replace `data` by a new copy of `export` as an import does: staged beside it, a new manifest, exchanged in
    one atomic rename, the old set removed."""
    staging = data.parent / f"{data.name}.new"
    shutil.copytree(export, staging)
    refresh_manifest(staging)
    assert _exchange(staging, data)
    shutil.rmtree(staging)


def swap_after_manifest(monkeypatch, data: Path, export: Path) -> None:
    """A named fault point: the check has read the manifest, then an import swaps the folder."""
    real = dpf.contract.check.read_manifest

    def read_then_swap(folder):
        manifest = real(folder)
        monkeypatch.setattr(dpf.contract.check, "read_manifest", real)  # once
        swap_in(data, export)
        return manifest

    monkeypatch.setattr(dpf.contract.check, "read_manifest", read_then_swap)


def test_a_check_that_straddles_a_swap_is_neither_stored_nor_shown(two_exports, tmp_path, private_cache, monkeypatch):
    first, second = two_exports
    data = tmp_path / "data"
    shutil.copytree(first, data)
    swap_after_manifest(monkeypatch, data, second)
    straddled = check_folder(data)  # what was stored and shown before: a false failure
    assert {f.rule for f in straddled.violations} == {"manifest_rows", "manifest_sha256"}

    swap_after_manifest(monkeypatch, data, first)
    with pytest.raises(FolderChanged):
        checked_folder(data)
    assert not private_cache.exists() or not list(private_cache.glob("check-*.json"))
    again = checked_folder(data)  # the import is done: checked afresh and kept
    assert again.exit_code == 0 and again.violations == []
    assert [p.name for p in private_cache.glob("check-*.json")] == [f"check-{result_key(data)}.json"]


SWAPPER = """
import sys, time, random
from pathlib import Path
from tests.test_check_store import swap_in
data, first, second, count = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
random.seed(7)
for index in range(count):
    swap_in(data, second if index % 2 == 0 else first)
    time.sleep(random.uniform(0, 0.05))
"""


def test_checks_while_another_process_keeps_swapping_never_fail_falsely(two_exports, tmp_path, private_cache):
    first, second = two_exports
    data = tmp_path / "data"
    shutil.copytree(first, data)
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPER, str(data), str(first), str(second), "60"], cwd=REPO)
    outcomes = []
    try:
        while swapper.poll() is None:
            try:
                outcomes.append(checked_folder(data).exit_code)
            except FolderChanged:
                outcomes.append("changed")
    finally:
        swapper.wait(timeout=120)
    assert swapper.returncode == 0
    assert outcomes and set(outcomes) <= {0, "changed"}, outcomes  # never a false 检查未通过
    stored = [json.loads(p.read_text(encoding="utf-8")) for p in private_cache.glob("check-*.json")]
    assert stored and all(s["violations"] == [] for s in stored)


def test_status_page_says_data_is_updating_then_checks_again(two_exports, tmp_path, private_cache, monkeypatch):
    first, second = two_exports
    data = tmp_path / "data"
    shutil.copytree(first, data)
    swap_after_manifest(monkeypatch, data, second)
    at = run_page(data, "data_status.py")
    assert no_exception(at)
    assert any("数据正在更新" in i.value for i in at.info)
    assert not any("检查未通过" in e.value for e in at.error)
    at.button(key="status_recheck").click()
    rerun(at, data)
    assert no_exception(at)
    assert not any("数据正在更新" in i.value for i in at.info)
    assert any("检查通过" in s.value for s in at.success)
    assert at.dataframe[0].value.set_index("数据表").loc["资金发放", "行数"] == "6"  # the new export
