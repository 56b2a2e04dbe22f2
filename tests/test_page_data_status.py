"""数据状况 on a tiny set after an import: manifest, check result, import log, freshness and the 缺报 grid."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
import streamlit as st

from bench.timing import timed_queries
from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from tests.apptest_helpers import no_exception, rerun, run_page
from tests.ingest_helpers import KEY, PAY_HEADERS, base_set, cert, pay_rows, write_file, xlsx_bytes
from tests.test_prefetch import wait_for_prefetches
from ui.context import View, params_key


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("status")
    data = base_set(folder / "extracts")
    rows = [PAY_HEADERS]
    for month in (1, 2, 3):
        rows.append(["甲", cert(1), "城关镇", "重度残疾人护理补贴", f"2024-{month:02d}", 80])
    for month in (1, 3):  # 东城街道 has no February rows: one 缺报
        rows.append(["乙", cert(2), "东城街道", "重度残疾人护理补贴", f"2024-{month:02d}", 80])
    path = write_file(folder, "护理补贴一季度.xlsx", xlsx_bytes(rows))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_SECRET_KEY", KEY)
        assert run_import([path], data, today=date(2024, 4, 2)) == 0
    return data


def test_status_page(imported):
    at = run_page(imported, "data_status.py", query={"year": "2024"})
    assert no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["数据截至"] == "2024年3月31日"
    assert check_folder(imported).exit_code == 0
    assert any("检查通过" in s.value for s in at.success)
    warnings = [w.value for w in at.warning]
    assert any("超过 45 天" in w for w in warnings)  # 2024-03-31 is long past
    assert any("发现 1 处缺报" in w for w in warnings)
    frames = [d.value for d in at.dataframe]
    tables = frames[0].set_index("数据表")
    assert tables.loc["资金发放", "行数"] == "6"
    assert tables.loc["资金发放", "覆盖年份"] == "2024年"
    assert tables.loc["资金发放", "数据清单登记行数"] == "6"
    imports = frames[1]
    assert imports.iloc[0]["文件"] == "护理补贴一季度.xlsx" and imports.iloc[0]["接受行数"] == "5"
    assert imports.iloc[0]["导入后数据截至"] == "2024年3月31日"
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日 \d\d:\d\d", imports.iloc[0]["导入时间"])
    # what a leader reads is Chinese: no table or file names of the data contract, no Latin words
    shown = [*tables.index, *tables.columns, *tables.to_numpy().ravel(), *imports.columns, metrics["数据生成时间"]]
    assert [text for text in map(str, shown) if re.search(r"[A-Za-z]{2,}", text)] == []
    nursing = frames[2]
    assert nursing.loc["东城街道", "2月"] == "缺报"
    assert nursing.loc["城关镇", "2月"] == "1"
    assert nursing.loc["西河乡", "2月"] == "—"  # never reported: not a gap, nothing to chase

    at.sidebar.multiselect[0].set_value(["东城街道"])  # the grid always shows the whole county
    rerun(at, imported)
    assert no_exception(at)
    grid = at.dataframe[2].value
    assert list(grid.index) == ["城关镇", "东城街道", "西河乡"] and grid.loc["东城街道", "2月"] == "缺报"


def test_long_gap_grid_lists_the_townships_with_a_gap_and_all_on_request(imported, monkeypatch):
    """Beyond dpf.figures.ranking.MOST_BARS townships (here 2 of 3) each grid lists only the townships with a 缺报; 显示全部
    brings back every township."""
    monkeypatch.setattr("dpf.figures.ranking.MOST_BARS", 2)
    at = run_page(imported, "data_status.py", query={"year": "2024"})
    assert no_exception(at)
    grids = [d.value for d in at.dataframe if "2月" in d.value.columns]
    assert len(grids) == 1  # 生活补贴 has no records, so no gap and no table
    assert list(grids[0].index) == ["东城街道"] and list(grids[0].loc["东城街道"]) == ["1", "缺报", "1"]
    captions = [c.value for c in at.caption]
    assert "3个乡镇（街道）逐月均有记录，没有缺报。" in captions
    assert "只列出有缺报的1个乡镇（街道）（共3个）；打开“显示全部”看每个乡镇。" in captions
    toggle = at.toggle(key="status_gaps_all")
    assert toggle.label == "显示全部3个乡镇（街道）"
    toggle.set_value(True)
    rerun(at, imported)
    grids = [d.value for d in at.dataframe if "2月" in d.value.columns]
    assert [list(grid.index) for grid in grids] == [["城关镇", "东城街道", "西河乡"]] * 2
    assert grids[0].loc["东城街道", "2月"] == "缺报" and grids[0].loc["西河乡", "2月"] == "—"


def test_status_page_lists_suspected_double_payments_without_personal_data(imported, tmp_path, monkeypatch):
    at = run_page(imported, "data_status.py", query={"year": "2024"})
    assert any("未发现同一人同一项目同一月份多笔发放" in s.value for s in at.success)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    data = base_set(tmp_path / "extracts")
    nursing = {"program": "重度残疾人护理补贴", "month": "2024-03"}
    main = write_file(tmp_path, "3月.xlsx", xlsx_bytes(pay_rows([1, 2], amount=80, **nursing)))
    reissue = write_file(tmp_path, "3月补发.xlsx", xlsx_bytes(pay_rows([1], amount=40, note="补发", **nursing)))
    assert run_import([main, reissue], data, today=date(2024, 4, 2)) == 0
    at = run_page(data, "data_status.py", query={"year": "2024"})
    assert no_exception(at)
    assert any("发现 1 人（项目）次同月多笔发放，涉及 2 笔" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "发放笔数" in d.value.columns)
    assert table.to_dict("records") == [
        {
            "乡镇（街道）": "城关镇",
            "项目": "重度残疾人护理补贴",
            "月份": "2024年3月",
            "人（项目）数": "1",
            "发放笔数": "2",
            "金额（元）": "120.00",
        }
    ]


def test_status_page_has_no_tabs_and_starts_its_queries_early(imported, monkeypatch):
    """One page read from top to bottom: every part's query starts before the first is drawn, each runs once and
    is the very query the part asks for (the same arguments)."""
    started: list[tuple] = []
    asked: list[tuple] = []
    real_prefetch, real_query = View.prefetch, View.query

    def recording_prefetch(self, name, **params):
        started.append((name, params_key(params)))
        real_prefetch(self, name, **params)

    def recording_query(self, name, **params):
        asked.append((name, params_key(params)))
        return real_query(self, name, **params)

    monkeypatch.setattr(View, "prefetch", recording_prefetch)
    monkeypatch.setattr(View, "query", recording_query)
    st.cache_data.clear()
    with timed_queries() as ran:
        at = run_page(imported, "data_status.py", query={"year": "2024"})
        wait_for_prefetches()
    assert no_exception(at)
    assert not at.tabs
    page = started[-3:]  # run_page opens the default page (总览) first
    assert [name for name, _ in page] == ["table_coverage", "reporting_gaps", "duplicate_payments"]
    assert set(page) <= set(asked)
    runs = Counter(name for name, _, _ in ran)
    assert {name: runs[name] for name, _ in page} == dict.fromkeys([name for name, _ in page], 1)
    assert any("检查通过" in s.value for s in at.success)  # the check, cached in ui/data.py, ran meanwhile
