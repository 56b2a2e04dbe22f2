"""At 1440×900 no table is cut on the right: its last column (合计, 为什么, the last figure) is on screen, and a
download button reads in full (下载 Excel, not 下载 ⋯)."""

from __future__ import annotations

import pytest

from tests.browser import harness

pytestmark = pytest.mark.browser

# Every table of the page at 1440×900: its last header's right edge, the viewport's width, and whether the table
# (a static table, or a grid's scroller) holds more than it shows across.
TABLES_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"],'
                                               + '[data-testid="stMain"] [data-testid="stDataFrame"]')]
  .filter((el) => el.getBoundingClientRect().width > 0)
  .map((el) => {
    const headers = el.querySelectorAll('thead th');
    const last = headers[headers.length - 1];
    const scroller = el.querySelector('.dvn-scroller') || el;
    return {
      kind: el.dataset.testid,
      last: last ? last.innerText.trim() : '',
      right: last ? last.getBoundingClientRect().right : el.getBoundingClientRect().right,
      hidden: scroller.scrollWidth - scroller.clientWidth,
      width: window.innerWidth,
    };
  })"""
BUTTONS_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDownloadButton"] button')]
  .filter((b) => b.getBoundingClientRect().width > 0)
  .map((b) => ({text: b.innerText, cut: b.scrollWidth > b.clientWidth + 1
               || [...b.querySelectorAll('*')].some((el) => el.scrollWidth > el.clientWidth + 1)}))"""


@pytest.mark.parametrize(
    ("page_file", "query", "last"),
    [
        ("funds.py", "funds_section=乡镇×项目", "人均发放（元/人）"),  # after 辅助性就业机构 … 合计
        ("targets.py", "", "备注"),  # 明细's 为什么 and what follows it
        ("employment.py", "employment_section=各乡镇（街道）", "项目扶持资金（万元）"),
        ("employment.py", "employment_section=培训班次", None),  # beside the courses chart: three fifths wide
    ],
)
def test_the_last_column_is_inside_the_screen(page, server, page_file, query, last):
    info = next(p for p in harness.existing_pages() if p.file == page_file)
    harness.open_page(page, harness.page_url(server.url, info, query))
    table = page.locator('[data-testid="stTable"], [data-testid="stDataFrame"]').filter(visible=True).first
    table.wait_for()
    tables = page.evaluate(TABLES_JS)
    if last:
        wide = next(t for t in tables if t["last"] == last or t["kind"] == "stDataFrame")
        assert wide["kind"] == "stTable" and wide["last"] == last, tables
    for one in tables:
        assert one["hidden"] <= 1, one  # nothing to scroll to on the right
        assert one["right"] <= one["width"], one
    buttons = page.evaluate(BUTTONS_JS)
    assert {b["text"].split("\n")[-1] for b in buttons} >= {"下载 Excel", "下载 CSV"}
    assert not [b for b in buttons if b["cut"]], buttons
