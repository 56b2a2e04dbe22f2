"""Every page in a real Chromium: no error box, the header's scope and 数据截至, every chart drawn, a screenshot."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from dpf.data.db import open_extracts
from dpf.figures.indicators import township_table
from tests.browser import harness

pytestmark = pytest.mark.browser

PAGES = harness.existing_pages()
DEMO_AS_OF = "2024年9月30日"


@pytest.mark.parametrize("info", PAGES, ids=[info.name for info in PAGES])
def test_page_renders_in_chromium(page, server, screenshots_dir, info):
    harness.open_page(page, harness.page_url(server.url, info))

    assert harness.page_problems(page) == []
    header = harness.header_line(page)
    assert "范围：全县" in header
    assert f"数据截至 {DEMO_AS_OF}" in header
    charts = harness.wait_charts_drawn(page)
    if info.file == "overview.py":
        assert charts >= 2  # monthly funds and the township ranking
    assert harness.page_problems(page) == []  # nothing broke while the charts drew
    assert page.dialogs == []
    page.screenshot(path=str(screenshots_dir / f"{info.name}.png"))


def test_deep_link_as_the_first_request_of_a_fresh_server(browser, demo_dir):
    """A shared link is the very first request of a fresh server: only st.navigation decides the pages (there is
    no `pages/` folder), so the frame and filters are set up and the sidebar never lists file names."""
    info = next((p for p in PAGES if p.url_path), PAGES[0])  # a page other than the default one, if any
    township = str(township_table(open_extracts(demo_dir))["name"].iloc[-1])
    fresh = harness.start_server(demo_dir)
    context = harness.new_context(browser)
    try:
        tab = context.new_page()
        harness.open_page(tab, harness.page_url(fresh.url, info, urlencode({"township": township, "year": 2023})))
        assert harness.page_problems(tab) == []
        header = harness.header_line(tab)
        assert f"范围：{township}" in header
        assert "2023年" in header
        labels = harness.nav_titles(tab)
        # st.navigation's titles only: no file names, and the import page stays hidden even on a first run
        assert labels == [p.title for p in PAGES]
        assert "数据导入" not in labels
    finally:
        context.close()
        harness.stop_server(fresh)


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("funds_section=项目明细", 12 + 1),  # the demo's 12 programmes with money this year and 合计
        ("funds_section=乡镇×项目", 23 + 1),  # 23 townships and 合计
    ],
)
def test_a_short_table_is_shown_whole(page, server, query, rows):
    """A screenshot of a table holds its last row (合计): no box of ten rows that scrolls."""
    funds = next(info for info in PAGES if info.file == "funds.py")
    harness.open_page(page, harness.page_url(server.url, funds, query))
    table = page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]').filter(visible=True).first
    table.wait_for()
    box = table.bounding_box()
    if table.get_attribute("data-testid") == "stTable":  # a wide table, drawn static: every row, none scrolled away
        assert table.locator("tbody tr").count() == rows
        assert table.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        return
    assert box is not None and box["height"] >= 35 * rows + 35  # Streamlit's rows and header are 35 px each
