"""The page skeleton (ui.sections): one table of sections per page; a label that is not in it fails loudly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import REPO, declared_sections, run_page
from ui.sections import Query, Section, Sections

PAGES = [p.name for p in sorted((REPO / "app_pages").glob("*.py"))]


def draw(context) -> None:
    """A section's drawing function (these tests never call it)."""


def test_a_table_needs_distinct_labels() -> None:
    with pytest.raises(ValueError, match="distinct"):
        Sections("page_section", [Section("甲", draw), Section("甲", draw)])
    with pytest.raises(ValueError, match="non-empty"):
        Sections("page_section", [Section("甲", draw), Section(" ", draw)])
    with pytest.raises(ValueError):
        Sections("page_section", [])


def test_a_label_not_in_the_table_fails_loudly() -> None:
    table = Sections(
        "page_section", [Section("逐月发放", draw, (Query("funds_by_program", dict),)), Section("乙", draw)]
    )
    assert table.labels == ["逐月发放", "乙"]
    assert table["逐月发放"].needs[0].name == "funds_by_program"
    with pytest.raises(KeyError, match="逐月發放"):  # a look-alike character
        table["逐月發放"]


def test_a_mistyped_section_in_a_page_test_fails_instead_of_testing_the_first_tab(demo_dir) -> None:
    with pytest.raises(ValueError, match="no section '类别等'"):
        run_page(demo_dir, "rehab.py", section="类别等")
    at = run_page(demo_dir, "rehab.py", section="类别等级")
    assert [s.value for s in at.header][-1] == "持证残疾人类别与等级"


def one_section_page() -> None:
    """A page of one section (run by AppTest.from_function, so it imports what it uses)."""
    import streamlit as st

    from ui.sections import Section, Sections

    class Quiet:
        def prefetch(self, *args) -> None:
            st.session_state["started"] = True

    Sections("solo_section", [Section("唯一", lambda _: st.markdown("正文"), (Quiet(),))]).show(None, None)


def test_a_page_of_one_section_has_no_tabs() -> None:
    """A page of one section is flat: no tabs, its section drawn, its queries still started early."""
    at = AppTest.from_function(one_section_page).run()
    assert not at.tabs
    assert [m.value for m in at.markdown] == ["正文"]
    assert at.session_state["started"]


def test_the_overview_opens_on_its_funds(demo_dir) -> None:
    """总览 opens on 资金发放 (its charts under the cards); the map is its second tab."""
    assert declared_sections("overview.py") == ["资金发放", "乡镇地图"]
    at = run_page(demo_dir, "overview.py")
    assert [t.label for t in at.tabs] == ["资金发放", "乡镇地图"]
    assert len(at.get("plotly_chart")) == 2  # the monthly funds and the township ranking, below the cards


def page_tree(page: str) -> ast.Module:
    return ast.parse((REPO / "app_pages" / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_declares_its_sections_in_one_table(page: str) -> None:
    """One `SECTIONS = Sections(…)` per page, no prefetch by hand, no comparison of the chosen section with a label."""
    tree = page_tree(page)
    tables = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "Sections"
    ]
    assert len(tables) == 1
    assert "prefetch" not in ast.unparse(tree)  # what runs early comes from the table
    labels = set(declared_sections(page))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            constants = {c.value for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)}
            assert not constants & labels, f"{page}:{node.lineno} compares with a section label"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_holds_a_cache_or_reaches_past_the_view(page: str) -> None:
    """Caches live in ui/data.py behind View methods, keyed by the manifest."""
    text = Path(REPO / "app_pages" / page).read_text(encoding="utf-8")
    assert "st.cache_" not in text
    imported = {node.module for node in ast.walk(page_tree(page)) if isinstance(node, ast.ImportFrom)}
    assert "ui.data" not in imported
