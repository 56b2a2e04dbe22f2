"""The page header on a phone (390×844): 数据截至's date is never broken across lines (2024年9月30日 read whole)."""

from __future__ import annotations

import pytest

from tests.browser import harness

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The line boxes of "数据截至 2024年9月30日" in the main area's header (a DOM Range over its text), and its type size.
DATE_LINES_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.textContent.indexOf('数据截至 ');
    if (at < 0) continue;
    const end = node.textContent.indexOf('日', at) + 1;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, end);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    const box = range.getBoundingClientRect();
    return { text: node.textContent.slice(at, end), lines: lines.size, height: box.height,
             px: parseFloat(getComputedStyle(node.parentElement).fontSize) };
  }
  return null;
}"""


@pytest.mark.parametrize("query", ["", "township=龙山镇&township=城关街道"], ids=["county", "two-townships"])
def test_the_date_stays_on_one_line_on_a_phone(browser, server, query):
    context = harness.new_context(browser, viewport=PHONE)
    try:
        tab = context.new_page()
        harness.open_page(tab, harness.page_url(server.url, harness.existing_pages()[0], query))
        found = tab.evaluate(DATE_LINES_JS)
    finally:
        context.close()
    assert found is not None and found["text"] == "数据截至 2024年9月30日"
    assert found["lines"] == 1, found
    assert found["height"] < 2 * found["px"], found  # one line high
