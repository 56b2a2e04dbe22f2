"""资金发放 · 应补尽补 in AppTest: the hand-made county of tests/coverage_fixture.py as of 30 June 2024 (the view's
month is June), with and without the hardship column, for the county and for one township; and the demo."""

from __future__ import annotations

from datetime import date

import pytest

from dpf.data.db import open_extracts
from dpf.figures.coverage import subsidy_coverage
from tests.apptest_helpers import no_exception, run_page, shown_tables, with_accounts
from tests.coverage_fixture import tables
from tests.extract_builder import B, write_set
from ui.coverage_section import NO_FLAG, coverage_rows

JUNE = date(2024, 6, 30)
SECTION = "应补尽补"


def coverage_shown(at):
    return next(t.value for t in shown_tables(at) if t.value.columns[0] == "乡镇（街道）")


@pytest.fixture(scope="module")
def flagged(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("flagged"), tables(True, JUNE), JUNE)


@pytest.fixture(scope="module")
def unflagged(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("unflagged"), tables(False, JUNE), JUNE)


def test_the_county_sees_every_township_and_the_total_with_the_month(flagged):
    at = run_page(flagged, "funds.py", section=SECTION)
    assert no_exception(at)
    assert any("2024年6月，全县" in c.value for c in at.caption)
    table = coverage_shown(at)
    assert list(table["乡镇（街道）"]) == ["城关街道", "龙山镇", "合计"]
    assert list(table["护理补贴应发人数（人）"]) == [2, 1, 3]
    assert list(table["护理补贴本月发放人数（人）"]) == [1, 1, 2]
    assert list(table["护理补贴覆盖率（%）"]) == [50.0, 100.0, 66.7]
    assert list(table["护理补贴应补未补（人）"]) == [1, 0, 1]
    assert list(table["生活补贴应发人数（人）"]) == [2, 0, 2]
    assert list(table["生活补贴应补未补（人）"]) == [1, 0, 1]
    assert not any(NO_FLAG in i.value for i in at.info)


def test_choosing_a_township_keeps_its_row_and_its_total(flagged):
    at = run_page(flagged, "funds.py", query={"township": "龙山镇"}, section=SECTION)
    assert no_exception(at)
    table = coverage_shown(at)
    assert list(table["乡镇（街道）"]) == ["龙山镇", "合计"]
    assert list(table["护理补贴应发人数（人）"]) == [1, 1]
    assert list(table["生活补贴应发人数（人）"]) == [0, 0]


def test_without_the_flag_living_subsidy_reads_cannot_be_computed_never_zero(unflagged):
    at = run_page(unflagged, "funds.py", section=SECTION)
    assert no_exception(at)
    table = coverage_shown(at)
    assert list(table["生活补贴"]) == ["无法计算"] * 3
    assert not [column for column in table.columns if column.startswith("生活补贴") and column != "生活补贴"]
    assert list(table["护理补贴应发人数（人）"]) == [2, 1, 3]
    assert any(NO_FLAG in i.value for i in at.info)


def test_the_page_table_is_the_figures_of_dpf(flagged):
    shown = coverage_shown(run_page(flagged, "funds.py", section=SECTION))
    expected = coverage_rows(subsidy_coverage(open_extracts(flagged), 2024, 6))
    assert shown.astype(str).equals(expected.astype(str))


def test_the_demo_section_runs_for_a_closed_year_and_says_december(demo_dir):
    at = run_page(demo_dir, "funds.py", query={"year": "2023"}, section=SECTION)
    assert no_exception(at)
    assert any(c.value.startswith("2023年12月，全县") for c in at.caption)
    table = coverage_shown(at)
    assert len(table) == 24 and table["乡镇（街道）"].iloc[-1] == "合计"  # 23 townships and 合计
    total = table.iloc[-1]
    assert total["生活补贴应发人数（人）"] >= total["生活补贴本月发放人数（人）"] > 0


def test_the_slide_says_the_month_above_its_table(flagged):
    slide = run_page(flagged, "funds.py", query={"briefing": "1", "funds_section": SECTION})
    assert no_exception(slide)
    assert any(m.value.startswith("**2024年6月**") for m in slide.markdown)
    assert [list(t.value.columns)[1] for t in shown_tables(slide)] == ["护理补贴应发人数（人）"]


def test_a_township_account_sees_its_own_row_and_total_only(flagged, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(tmp_path / "audit"))
    with_accounts(monkeypatch, tmp_path, longshan=("township", (B,)))
    at = run_page(flagged, "funds.py", query={"township": "城关街道"}, section=SECTION, account="longshan")
    assert no_exception(at)
    table = coverage_shown(at)
    assert list(table["乡镇（街道）"]) == ["龙山镇", "合计"]
    assert list(table["护理补贴应发人数（人）"]) == [1, 1]  # 合计 of its own township, not of the county (3)
