"""Keyboard only, in a real Chromium: the Tab key reaches every control of a page in a sensible order (skip link,
pages, 简报模式, filters, then the page), each with a visible focus ring, and comes round again (nothing traps
focus); Enter, Space and the arrow keys work the skip link, the township filter, the tabs, 简报模式, a chart's data
table and a download.
"""

from __future__ import annotations

import pytest

from tests.browser import a11y_checks, harness

pytestmark = pytest.mark.browser

PAGES = {info.file: info for info in harness.existing_pages()}
MOST_STOPS = 160

# The focused element: its name, whether a ring shows round it (its own outline or box shadow, or its field's
# outline for an input inside a select or text field), and an id to tell the stops apart.
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  if (!e.dataset.dpfStop) e.dataset.dpfStop = String(Math.random()).slice(2);
  const ring = (el) => {
    if (!el) return false;
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  };
  const field = e.closest('[data-baseweb="select"] > div, [data-baseweb="input"]');
  const label = e.getAttribute('aria-label') || e.innerText || '';
  return {id: e.dataset.dpfStop, tag: e.tagName, role: e.getAttribute('role') || '',
          name: label.replace(/\\s+/g, ' ').trim().slice(0, 60), ring: ring(e) || ring(field)};
}"""
# Every control a keyboard user must be able to reach: visible, enabled, in the tab order (a tab list is one stop,
# its open tab). Each is marked so the walk can tick it off.
CONTROLS_JS = """() => {
  const found = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [role="tab"][aria-selected="true"], [tabindex="0"]')]
    .filter((e) => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0 && e.tagName !== 'CANVAS'
      && e.tagName !== 'MAIN');
  return found.map((e) => {
    if (!e.dataset.dpfStop) e.dataset.dpfStop = String(Math.random()).slice(2);
    return {id: e.dataset.dpfStop, name: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 60)};
  });
}"""


def tab_walk(page) -> list[dict]:
    """Press Tab from the top of the page until focus comes back to the first stop; every stop on the way."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops: list[dict] = []
    for _ in range(MOST_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_JS)
        if stop is None:  # between the last control and the first: the browser's own chrome
            continue
        if stops and stop["id"] == stops[0]["id"]:
            return stops
        stops.append(stop)
    raise AssertionError(f"focus did not come round in {MOST_STOPS} presses: {[s['name'] for s in stops[-5:]]}")


def in_order(stops: list[dict], names: list[str]) -> list[str]:
    """The names met one after another along the stops (each found after the one before it)."""
    met, index = [], 0
    for name in names:
        index = next((i for i in range(index, len(stops)) if stops[i]["name"].endswith(name)), len(stops))
        if index < len(stops):
            met.append(name)
    return met


@pytest.mark.parametrize(
    ("file", "query", "page_controls"),
    [
        (
            "overview.py",
            "",
            ["下载工作简报（Word）", "资金发放", "下载图片（PNG）", "图表数据：各乡镇（街道）人均资金发放"],
        ),
    ],
)
def test_tab_reaches_every_control_in_order_with_a_focus_ring(page, server, file, query, page_controls):
    harness.open_page(page, harness.page_url(server.url, PAGES[file], query))
    harness.wait_charts_drawn(page, visible_only=True)
    controls = page.evaluate(CONTROLS_JS)
    stops = tab_walk(page)

    reached = {stop["id"] for stop in stops}
    assert [c["name"] for c in controls if c["id"] not in reached] == []
    assert stops[0]["name"] == "跳到主要内容"
    order = [
        "跳到主要内容",
        *(info.title for info in PAGES.values()),
        "简报模式",
        "年度",
        "乡镇（街道）",
        *page_controls,
    ]
    assert in_order(stops, order) == order, [stop["name"] for stop in stops]
    assert [stop["name"] for stop in stops if not stop["ring"] and stop["tag"] not in {"MAIN", "CANVAS"}] == []


def focus(control) -> None:
    """Put the focus on `control` (the walk above shows Tab reaches it; this saves the presses)."""
    control.focus()
    assert control.evaluate("(e) => e === document.activeElement")


def test_skip_link_township_tabs_and_table_by_keyboard(page, server):
    funds = PAGES["funds.py"]
    harness.open_page(page, harness.page_url(server.url, funds))

    page.keyboard.press("Tab")  # the first stop
    page.keyboard.press("Enter")
    assert page.evaluate("() => !!document.activeElement.closest('[data-testid=\"stMain\"]')")

    focus(page.get_by_role("combobox", name="乡镇（街道）"))
    page.keyboard.type("无此乡镇")
    assert page.get_by_role("option").inner_text().strip() == "没有匹配的选项"  # Streamlit's "No results"
    for _ in "无此乡镇":
        page.keyboard.press("Backspace")
    page.keyboard.type("龙山镇")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # the list of townships closes
    harness.wait_idle(page, "范围：龙山镇")
    assert "township=" in page.url

    focus(page.get_by_role("tab", name="逐月发放"))  # the open tab; the arrow key opens the next one
    page.keyboard.press("ArrowRight")
    harness.wait_idle(page, "各项目发放")
    assert page.get_by_role("tab", name="各项目").get_attribute("aria-selected") == "true"

    harness.open_page(page, harness.page_url(server.url, funds, "funds_section=各乡镇（街道）"))
    focus(page.locator("summary", has_text="图表数据：各乡镇（街道）发放金额排名（全部项目）"))
    page.keyboard.press("Enter")
    table = page.locator('[class*="st-key-dpf_chart_data_"] [data-testid="stTable"]').first
    table.wait_for(state="visible")
    assert table.locator("tbody tr").count() == 23  # the demo's 23 townships, one row each


def test_briefing_switch_and_download_by_keyboard(page, server):
    harness.open_page(page, harness.page_url(server.url, PAGES["funds.py"], "funds_section=项目明细"))
    focus(page.get_by_role("button", name="下载 CSV"))
    with page.expect_download(timeout=harness.DOWNLOAD_MS) as event:
        page.keyboard.press("Enter")
    assert event.value.suggested_filename.endswith(".csv")

    focus(page.get_by_role("switch", name="简报模式"))
    page.keyboard.press("Space")
    harness.wait_idle(page, None)
    page.wait_for_url("**briefing=1**")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()


def test_popovers_open_by_enter_and_give_focus_back_on_escape(page, server):
    """复制简报链接 and 复制要点: Enter opens, the contents are named in Chinese (the link itself aside), Escape closes
    and focus returns to the button (no trap)."""
    harness.open_page(page, harness.page_url(server.url, PAGES["overview.py"]))
    for name in ("复制简报链接", "复制要点"):
        button = page.get_by_role("button", name=name)
        focus(button)
        page.keyboard.press("Enter")
        page.locator('[data-testid="stPopoverBody"]').first.wait_for(state="visible")
        english = [text for text in a11y_checks.english_names(page) if "briefing=1" not in text]
        assert english == [], name
        page.keyboard.press("Escape")
        page.locator('[data-testid="stPopoverBody"]').first.wait_for(state="hidden")
        assert button.evaluate("(e) => e === document.activeElement"), name
