"""The contract check kept on disk (dpf.check_store): once per export, again when a file changes."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

import dpf.check_store
from dpf.check import check_folder
from dpf.check_store import checked_folder, result_key
from tests.check_fixture import build_clean_folder
from tests.extract_builder import read_rows, refresh_manifest, write_table


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

    monkeypatch.setattr(dpf.check_store, "check_folder", fail)


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
