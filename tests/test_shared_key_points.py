"""要点 and 预警 are computed once per view for every session (ui/key_points.py), never across scopes.

Many leaders opening the same view (issue 24): the second session's page takes the narrative the first one computed.
The key is the view without its account and 简报模式, so two accounts of one scope share it; a county user and a
township account looking at the same township have different scopes, and each gets its own.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit as st

import ui.key_points
from bench.timing import timed_queries
from dpf.auth.access import Scope
from dpf.data.db import open_extracts
from dpf.narrative.facts import ExtractsSource
from dpf.narrative.sentences import RANK_CODES
from tests.apptest_helpers import data_folder, no_exception, run_page, with_accounts
from ui.context import View
from ui.data import current_source

LONGSHAN = "349001101"  # 龙山镇 in the demo set


@pytest.fixture
def collected(monkeypatch) -> list[tuple]:
    """(role, year, township codes) of every narrative computed, on empty caches."""
    st.cache_data.clear()
    calls: list[tuple] = []
    real = ui.key_points.collect

    def counting(source, *args, **kwargs):
        calls.append((source.access.role, source.year, tuple(source.township_codes)))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ui.key_points, "collect", counting)
    return calls


def points_of(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("- "))


def test_a_second_session_on_the_same_view_reuses_the_narrative(demo_dir, collected):
    query = {"year": "2023", "township": ["龙山镇"]}
    first, second = run_page(demo_dir, None, query), run_page(demo_dir, None, query)
    assert no_exception(first) and no_exception(second)
    assert collected == [(None, 2023, (LONGSHAN,))]  # once, for both sessions
    assert points_of(first) == points_of(second) and "龙山镇" in points_of(first)
    run_page(demo_dir, None, {"year": "2024", "township": ["龙山镇"]})  # another view: computed for itself
    assert collected == [(None, 2023, (LONGSHAN,)), (None, 2024, (LONGSHAN,))]


def test_a_county_user_and_a_township_account_on_one_township_do_not_share(demo_dir, collected, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(tmp_path / "audit"))
    with_accounts(monkeypatch, tmp_path, boss=("county", ()), longshan=("township", (LONGSHAN,)))
    county = run_page(demo_dir, None, {"township": ["龙山镇"]}, account="boss")
    township = run_page(demo_dir, None, {}, account="longshan")
    assert no_exception(county) and no_exception(township)
    assert collected == [("county", 2024, (LONGSHAN,)), ("township", 2024, (LONGSHAN,))]


def test_a_view_ranks_a_township_among_all_of_them_whatever_its_scope(demo_dir):
    """View.township_rank (cached per year and indicator, keyed without the 2,300 codes at scale 100) gives the
    place dpf's uncached source gives, for every township, in an open and in a township-restricted session; the
    indicators of one source table share one by-township query."""
    st.cache_data.clear()
    with data_folder(demo_dir):
        folder, fingerprint = current_source()
    source = ExtractsSource(open_extracts(demo_dir), 2024)
    everyone = tuple(source.query("townships_in_order")["code"])
    view = View(folder, fingerprint, 2024, (), (), None, "", True, None)
    with timed_queries() as ran:
        ranks = {(c, t): view.township_rank(c, t) for c in RANK_CODES for t in everyone}
    assert ranks == {(c, t): source.township_rank(c, t) for c in RANK_CODES for t in everyone}
    assert len(set(ranks.values())) > 1  # a real ranking, not all tied
    indicators = sorted(name for name, _, _ in ran if name.startswith("indicators_"))
    assert indicators == ["indicators_payments", "indicators_services"]  # 3 codes of 2 tables: 2 queries
    restricted = replace(view, township_codes=(LONGSHAN,), access=Scope(frozenset({LONGSHAN}), "township"))
    for code in RANK_CODES:
        assert restricted.township_rank(code, LONGSHAN) == ranks[code, LONGSHAN]
