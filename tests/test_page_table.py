"""ui.page_table: one declaration per page, read by the navigation, the headers, the 要点 and the tests; and a page
section is its page file and its query file (a throw-away page and query, written here, appear and draw)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dpf.auth.access import OPEN_SCOPE, session_scope
from dpf.auth.accounts import ADMIN, COUNTY, TOWNSHIP
from dpf.data import sql
from dpf.narrative.sentences import PAGE_TOPICS
from tests.apptest_helpers import REPO, data_folder, run_page
from ui import page_table
from ui.page_table import PAGES, PageSpec, existing_pages, page_spec
from ui.shell import CHARTLESS_PAGES, page_titles

SHOWN = [spec for spec in existing_pages() if spec.may_open(OPEN_SCOPE)]  # not the 数据管理员's own pages


def test_every_page_file_is_declared_once_and_finds_its_row() -> None:
    files = sorted(p.name for p in (REPO / "app_pages").glob("*.py"))
    assert sorted(spec.file for spec in PAGES) == files
    for spec in PAGES:
        assert page_spec(REPO / "app_pages" / spec.file) is spec
        assert spec.section_key == f"{Path(spec.file).stem}_section"  # the tabs' key and URL parameter
        assert not spec.topic or spec.topic in PAGE_TOPICS
    with pytest.raises(LookupError, match="not declared"):
        page_spec(REPO / "dashboard.py")


@pytest.mark.parametrize(
    ("role", "townships", "titles"),
    [
        (ADMIN, (), ["总览", "资金发放", "就业培训", "康复服务", "年度目标", "数据状况", "数据导入", "定时报告"]),
        (COUNTY, (), ["总览", "资金发放", "就业培训", "康复服务", "年度目标", "数据状况"]),
        (TOWNSHIP, ("341000101",), ["总览", "资金发放", "就业培训", "康复服务", "年度目标"]),
    ],
)
def test_who_may_open_a_page_comes_from_its_row(role, townships, titles) -> None:
    assert page_titles(session_scope(role, townships)) == titles
    assert {"数据状况", "数据导入", "定时报告"} == CHARTLESS_PAGES


def test_no_page_writes_its_title_or_section_key_again() -> None:
    """A page's header, 要点 and table of sections take its row's heading, topic and key (no literal)."""
    for spec in PAGES:
        tree = ast.parse(spec.path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {
                "page_header",
                "key_points_slot",
                "Sections",
            }:
                assert not isinstance(node.args[1 if node.func.id != "Sections" else 0], ast.Constant), (
                    f"{spec.file}:{node.lineno}"
                )


@pytest.mark.parametrize("spec", SHOWN, ids=[spec.file for spec in SHOWN])
def test_each_page_is_headed_by_its_row(demo_dir, spec: PageSpec) -> None:
    at = run_page(demo_dir, spec.file)
    assert at.title[0].value == spec.header


# --- a throw-away page section: its page file and its query file, nothing else --------------------------------

QUERY = """\
-- Question: how many townships the county has (a throw-away query of tests/test_page_table.py).
-- Grain: one row.
-- Parameters: $year INTEGER (the view's year, said back).
-- Output: townships BIGINT, year INTEGER.
WITH listed AS (SELECT code FROM townships)
SELECT count(*) AS townships, CAST($year AS INTEGER) AS year FROM listed
"""

PAGE = """\
import streamlit as st

from ui.context import View, current_view
from ui.header import page_header
from ui.page_table import page_spec
from ui.sections import Frames, Query, Section, Sections

SPEC = page_spec(__file__)


def count_section(view: View, frames: Frames) -> None:
    row = frames["throwaway_township_count"].iloc[0]
    st.markdown(f"{int(row['year'])}年：{int(row['townships'])}个乡镇（街道）")


def other_section(view: View) -> None:
    st.markdown("另一节")


SECTIONS = Sections(
    SPEC.section_key,
    [
        Section("乡镇数", count_section, (Query("throwaway_township_count", View.year_params),)),
        Section("另一节", other_section),
    ],
)

view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    SECTIONS.show(view, view)
"""


@pytest.fixture
def throwaway(tmp_path, monkeypatch) -> PageSpec:
    """queries/ as it is plus throwaway_township_count.sql, and a page declared first (the default page)."""
    queries = tmp_path / "queries"
    queries.mkdir()
    for path in (REPO / "queries").glob("*.sql"):
        (queries / path.name).symlink_to(path)
    (queries / "throwaway_township_count.sql").write_text(QUERY, encoding="utf-8")
    page = tmp_path / "throwaway.py"
    page.write_text(textwrap.dedent(PAGE), encoding="utf-8")
    spec = PageSpec(str(page), "试验页", ":material/science:", "工作概况", heading="试验页：乡镇数")
    monkeypatch.setattr(sql, "QUERIES_DIR", queries)
    monkeypatch.setattr(page_table, "PAGES", (spec, *PAGES))
    monkeypatch.setattr("ui.shell.PAGES", (spec, *PAGES))
    sql.load_query.cache_clear()
    yield spec
    sql.load_query.cache_clear()


def test_a_new_section_is_its_page_file_and_its_query_file(demo, demo_dir, throwaway: PageSpec) -> None:
    townships = demo.con.sql("SELECT count(*) FROM townships").fetchall()[0][0]
    with data_folder(demo_dir):
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "试验页：乡镇数"
    assert [tab.label for tab in at.tabs] == ["乡镇数", "另一节"]
    drawn = [m.value for m in at.markdown if "个乡镇（街道）" in m.value]
    assert drawn == [f"{demo.manifest.as_of.year}年：{townships}个乡镇（街道）"]  # the view's year: the data's
    assert townships > 1


class Recorder:
    """A view that records the queries asked of it (Frames' own behaviour, no data needed)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict]] = []

    def query(self, name: str, **params) -> str:
        self.asked.append((name, params))
        return f"rows of {name}"


def test_frames_run_a_declared_query_when_read_with_its_declared_parameters() -> None:
    from ui.sections import Frames, Query

    view = Recorder()
    frames = Frames(view, {"year": 2024}, (Query("a", lambda c: {"year": c["year"]}), Query("b")))
    assert list(frames) == ["a", "b"] and view.asked == []  # nothing runs until read
    assert frames["a"] == "rows of a"
    assert view.asked == [("a", {"year": 2024})]
    with pytest.raises(KeyError, match=r"declares no Query\('c'\); it declares \['a', 'b'\]"):
        frames["c"]
    with pytest.raises(KeyError, match="not one query"):
        frames.only()
    assert Frames(view, None, (Query("b"),)).only() == "rows of b"
