"""Pages start their queries early (View.prefetch): each must be the very query the page asks for later."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import streamlit as st

import ui.data
from bench.timing import timed_queries
from tests.apptest_helpers import no_exception, run_page
from ui.context import View


def wait_for_prefetches() -> None:
    """Every prefetch started so far has finished: each worker takes one barrier job only after its earlier jobs."""
    barrier = threading.Barrier(ui.data.PREFETCH_WORKERS)
    jobs = [ui.data._PREFETCH.submit(barrier.wait, 30) for _ in range(ui.data.PREFETCH_WORKERS)]
    for job in jobs:
        job.result()


SECTIONS = {  # each page's tabs (only the chosen one runs, so each prefetches its own queries)
    "overview.py": [None],
    "targets.py": [None],
    "funds.py": ["逐月发放", "各项目", "各乡镇（街道）", "乡镇×项目", "项目明细"],
    "employment.py": ["培训进度", "培训班次", "就业服务", "扶持项目", "各乡镇（街道）"],
    "rehab.py": ["乡镇覆盖", "需求类型", "类别等级", "儿童康复"],
}


@pytest.mark.parametrize(("page", "section"), [(page, section) for page, tabs in SECTIONS.items() for section in tabs])
@pytest.mark.parametrize("query", [{}, {"township": ["城关街道", "龙山镇"], "year": "2023"}], ids=["county", "towns"])
def test_prefetched_queries_run_once(demo_dir, monkeypatch, page, section, query):
    """A prefetch with other arguments than the page's own call would run the query twice; one the page (or the
    chosen tab) never asks for would be wasted work."""
    started: list[str] = []
    asked: list[str] = []
    real_prefetch, real_query = View.prefetch, View.query

    def recording_prefetch(self, name, **params):
        started.append(name)
        real_prefetch(self, name, **params)

    def recording_query(self, name, **params):
        asked.append(name)
        return real_query(self, name, **params)

    monkeypatch.setattr(View, "prefetch", recording_prefetch)
    monkeypatch.setattr(View, "query", recording_query)
    st.cache_data.clear()
    with timed_queries() as ran:
        at = run_page(demo_dir, page, query, section=section)
        wait_for_prefetches()
    assert no_exception(at)
    runs = Counter(name for name, _, _ in ran)
    assert started or page == "targets.py" or section == "项目明细"
    assert {name: runs[name] for name in started} == dict.fromkeys(started, 1)
    assert set(started) <= set(asked)


def test_a_failing_prefetch_is_reported_by_the_page(demo_copy):
    """A broken table: the background query fails quietly and the page shows its own Chinese message."""
    (demo_copy / "rehab_needs.parquet").write_bytes(b"PAR1 not parquet")
    st.cache_data.clear()
    at = run_page(demo_copy, "rehab.py")
    wait_for_prefetches()
    assert no_exception(at)
    assert any("康复需求" in w.value for w in at.warning)
