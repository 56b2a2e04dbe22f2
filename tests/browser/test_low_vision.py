"""Low vision in a real Chromium: 大字模式 (?text=large / larger) scales the page's type to 125 % / 150 % and a
browser zoomed to 200 % at 1280 wide (640 CSS pixels) loses no content: nothing wider than the window, no card's
figure or label cut."""

from __future__ import annotations

import pytest

from tests.browser import harness

pytestmark = pytest.mark.browser

PAGES = {info.file: info for info in harness.existing_pages()}
ZOOM_200_AT_1280 = {"width": 640, "height": 400}  # CSS pixels of a 1280×800 window at 200 %

# What is cut or out of reach: the page wider than the window, and each card's value or label wider (or taller)
# than its own box (its text cut off or hidden).
CUT_JS = """() => {
  const cut = [];
  const page = document.documentElement, main = document.querySelector('[data-testid="stMain"]');
  if (page.scrollWidth > window.innerWidth + 1) cut.push(`page ${page.scrollWidth} > ${window.innerWidth}`);
  if (main && main.scrollWidth > main.clientWidth + 1) cut.push(`main ${main.scrollWidth} > ${main.clientWidth}`);
  document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"]').forEach((e) => {
    for (const el of [e, ...e.querySelectorAll('div, p')]) {
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2) {
        cut.push(`${e.dataset.testid} ${e.innerText.trim()}`);
        break;
      }
    }
  });
  return cut;
}"""


def root_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_large_text_scales_the_type_and_cuts_no_figure(page, server):
    harness.open_page(page, harness.page_url(server.url, PAGES["overview.py"], "text=larger"))
    assert root_px(page) == 24  # 150 % of Streamlit's 16 px
    assert page.get_by_role("switch", name="大字模式").is_checked()
    assert page.evaluate(CUT_JS) == []
    # the check sees a cut: the same cards with their type too large for them and no wrapping
    cut = "white-space: nowrap !important; overflow: hidden !important; font-size: 5rem !important;"
    page.add_style_tag(content=f'html body [data-testid="stMetricValue"] div p {{ {cut} }}')
    assert any(line.startswith("stMetricValue") for line in page.evaluate(CUT_JS))


def test_large_text_switch_keeps_the_url(page, server):
    harness.open_page(page, harness.page_url(server.url, PAGES["funds.py"]))
    page.get_by_role("switch", name="大字模式").focus()
    page.keyboard.press("Space")
    page.wait_for_url("**text=large**")
    harness.wait_idle(page)
    assert root_px(page) == 20
    page.get_by_role("radio", name="125%").focus()  # the chosen one; the arrow key chooses the next
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**text=larger**")
    harness.wait_idle(page)
    assert root_px(page) == 24


@pytest.mark.parametrize(("file", "query"), [("overview.py", ""), ("funds.py", "funds_section=乡镇×项目")])
def test_200_percent_zoom_at_1280_loses_no_content(browser, server, file, query):
    context = browser.new_context(
        viewport=ZOOM_200_AT_1280, device_scale_factor=2, locale=harness.LOCALE, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(harness.TIMEOUT_MS)
    try:
        tab = context.new_page()
        harness.open_page(tab, harness.page_url(server.url, PAGES[file], query))
        harness.wait_charts_drawn(tab, visible_only=True)
        assert root_px(tab) == 16  # without 大字模式
        assert tab.evaluate(CUT_JS) == []
        assert "数据截至 2024年9月30日" in harness.header_line(tab)
    finally:
        context.close()
