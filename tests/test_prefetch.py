"""Pages start their queries early (View.prefetch): each must be the very query the page asks for later."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import streamlit as st

import ui.data
from bench.timing import timed_queries
from tests.apptest_helpers import declared_sections, no_exception, run_page
from ui.context import View, params_key


def wait_for_prefetches() -> None:
    """Every prefetch started so far has finished: each worker takes one barrier job only after its earlier jobs."""
    barrier = threading.Barrier(ui.data.PREFETCH_WORKERS)
    jobs = [ui.data._PREFETCH.submit(barrier.wait, 30) for _ in range(ui.data.PREFETCH_WORKERS)]
    for job in jobs:
        job.result()


SECTIONS = {  # each page's tabs (only the chosen one runs, so each prefetches its own queries); None: no tabs
    "overview.py": ["资金发放", "乡镇地图"],
    "targets.py": ["完成情况", "逐月累计", "各乡镇（街道）", "乡镇地图"],
    "funds.py": ["逐月发放", "各项目", "各乡镇（街道）", "乡镇×项目", "项目明细", "应补尽补"],
    "employment.py": ["培训进度", "培训班次", "就业服务", "扶持项目", "各乡镇（街道）"],
    "rehab.py": ["乡镇覆盖", "覆盖地图", "需求类型", "类别等级", "儿童康复"],
}


@pytest.mark.parametrize(("page", "section"), [(page, section) for page, tabs in SECTIONS.items() for section in tabs])
@pytest.mark.parametrize("query", [{}, {"township": ["城关街道", "龙山镇"], "year": "2023"}], ids=["county", "towns"])
def test_prefetched_queries_run_once(demo_dir, monkeypatch, page, section, query):
    """A prefetch with other arguments than the page's own call would run the query twice; one the page (or the
    chosen tab) never asks for would be wasted work."""
    started: list[str] = []
    asked: list[str] = []
    calls_started: set[tuple] = set()  # (name, parameters): a prefetch that fails is quiet, so compare the arguments
    calls_asked: set[tuple] = set()
    months_started: list[int] = []
    months_asked: list[int] = []
    real_prefetch, real_query = View.prefetch, View.query
    real_prefetch_cumulative, real_cumulative = View.prefetch_cumulative, View.cumulative

    def recording_prefetch(self, name, **params):
        started.append(name)
        calls_started.add((name, params_key(params)))
        real_prefetch(self, name, **params)

    def recording_query(self, name, **params):
        asked.append(name)
        calls_asked.add((name, params_key(params)))
        return real_query(self, name, **params)

    def recording_prefetch_cumulative(self, year):
        months_started.append(year)
        real_prefetch_cumulative(self, year)

    def recording_cumulative(self, year):
        months_asked.append(year)
        return real_cumulative(self, year)

    monkeypatch.setattr(View, "prefetch", recording_prefetch)
    monkeypatch.setattr(View, "query", recording_query)
    monkeypatch.setattr(View, "prefetch_cumulative", recording_prefetch_cumulative)
    monkeypatch.setattr(View, "cumulative", recording_cumulative)
    st.cache_data.clear()
    with timed_queries() as ran:
        at = run_page(demo_dir, page, query, section=section)
        wait_for_prefetches()
    assert no_exception(at)
    runs = Counter(name for name, _, _ in ran)
    # 年度目标 of a past year: nothing to start; a map reads View.township_values (cached per indicator), no query
    assert started or months_started or section in ("完成情况", "乡镇地图")
    assert {name: runs[name] for name in started} == dict.fromkeys(started, 1)
    assert set(started) <= set(asked)
    assert calls_started <= calls_asked
    assert set(months_started) <= set(months_asked)  # 年度目标's month-end series, computed in the background


def test_every_section_is_run():
    """The tabs above are each chart page's own table of sections (a page of one section has no tabs)."""
    pages = ["overview.py", "funds.py", "employment.py", "rehab.py", "targets.py"]
    declared = {page: declared_sections(page) for page in pages}
    assert {page: labels if len(labels) > 1 else [None] for page, labels in declared.items()} == SECTIONS


def test_a_failing_prefetch_is_reported_by_the_page(demo_copy):
    """A broken table: the background query fails quietly and the page shows its own Chinese message."""
    (demo_copy / "rehab_needs.parquet").write_bytes(b"PAR1 not parquet")
    st.cache_data.clear()
    at = run_page(demo_copy, "rehab.py")
    wait_for_prefetches()
    assert no_exception(at)
    assert any("康复需求" in w.value for w in at.warning)
