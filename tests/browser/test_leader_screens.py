"""What a leader sees at common screen sizes: no KPI value or label cut off, and no English word anywhere visible.

One browser context per size, each page opened once; on each page the township box is opened (when the sidebar
shows), a chart is hovered and the main menu, if there is one, is opened, so their words are checked too.
"""

from __future__ import annotations

import pytest

from tests.browser import harness

pytestmark = pytest.mark.browser

PAGES = harness.existing_pages()
SIZES = [
    ("1280x720", {"width": 1280, "height": 720}, ""),
    ("1440x900", {"width": 1440, "height": 900}, ""),
    ("1920x1080-briefing", {"width": 1920, "height": 1080}, "briefing=1"),
]
# Words a Chinese office reads as Chinese: the file formats the download buttons name.
ALLOWED_WORDS = {"Excel", "CSV", "PNG", "Word", "PPT", "PDF"}

# Every KPI value and label whose text is wider than its box (cut, or ended with an ellipsis).
OVERFLOW_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricLabel"]')]
  .flatMap((box) => [box, ...box.querySelectorAll('div, p')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2
                    || (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth))
    .map((el) => `${box.dataset.testid} «${box.innerText.trim()}»: ${el.scrollWidth}×${el.scrollHeight} in `
                 + `${el.clientWidth}×${el.clientHeight}`))"""

# Latin words in visible text (Material icon ligatures such as "check_circle" excepted: they draw an icon), and in the titles, tooltips and placeholders of visible
# elements.
ENGLISH_JS = """() => {
  const found = [];
  const word = /[A-Za-z]{2,}/g;
  // seen: displayed, not hidden, larger than a pixel (screen-reader-only text is clipped to 1px) and not 0px type
  const visible = (el) => {
    if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && parseFloat(getComputedStyle(el).fontSize) > 0;
  };
  const icon = (el) => /Material/.test(getComputedStyle(el).fontFamily);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, title') || icon(el) || !visible(el)) continue;
    for (const w of node.textContent.match(word) || []) found.push([w, `text «${node.textContent.trim().slice(0, 80)}»`]);
  }
  // a table draws its cells on a canvas; the grid Streamlit keeps beside it for screen readers holds the same text
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')) {
    if (!visible(grid.closest('[data-testid="stDataFrame"]'))) continue;
    for (const cell of grid.querySelectorAll('th, td')) {
      for (const w of cell.textContent.match(word) || []) found.push([w, `table «${cell.textContent.trim().slice(0, 80)}»`]);
    }
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [data-title], [aria-placeholder]')) {
    if (!visible(el)) continue;
    for (const attr of ['title', 'placeholder', 'data-title', 'aria-placeholder']) {
      const value = el.getAttribute(attr) || '';
      for (const w of value.match(word) || []) found.push([w, `${attr} «${value.slice(0, 80)}»`]);
    }
  }
  return found;
}"""


def english_words(page) -> list[str]:
    return sorted({f"{word} in {where}" for word, where in page.evaluate(ENGLISH_JS) if word not in ALLOWED_WORDS})


def open_township_box(page) -> list[str]:
    """Open the sidebar's township box, then type a name that matches nothing, and return the English in what it
    shows (nothing when the sidebar is hidden)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    if not box.count() or not box.first.is_visible():
        return []
    box.first.locator("input").first.click()
    page.wait_for_selector('[role="listbox"]', state="visible")
    words = english_words(page)
    page.keyboard.type("无此乡镇")
    page.wait_for_selector('[role="listbox"][data-empty="true"]', state="attached")
    words += english_words(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    return words


def hover_chart(page) -> list[str]:
    """Hover the first drawn chart's first mark and its toolbar; the English in labels and tooltips shown."""
    mark = page.locator(
        '[data-testid="stPlotlyChart"] g.trace path, [data-testid="stPlotlyChart"] g.trace rect'
    ).filter(visible=True)
    if not mark.count():
        return []
    mark.first.scroll_into_view_if_needed()
    mark.first.hover(force=True)
    words = english_words(page)
    button = page.locator(".modebar-btn").filter(visible=True)
    if button.count():
        button.first.hover()
        page.wait_for_timeout(150)
        words += english_words(page)
    return words


def open_main_menu(page) -> list[str]:
    menu = page.locator('[data-testid="stMainMenuButton"]')
    if not menu.count() or not menu.first.is_visible():
        return []
    menu.first.click()
    page.wait_for_timeout(300)
    words = english_words(page)
    page.keyboard.press("Escape")
    return words


@pytest.mark.parametrize(("size", "viewport", "query"), SIZES, ids=[size for size, _, _ in SIZES])
def test_no_cut_values_and_no_english(browser, server, size, viewport, query):
    context = harness.new_context(browser, viewport=viewport)
    problems: dict[str, list[str]] = {}
    try:
        tab = context.new_page()
        for info in PAGES:
            harness.open_page(tab, harness.page_url(server.url, info, query))
            harness.wait_charts_drawn(tab, visible_only=True)
            found = [f"cut: {line}" for line in tab.evaluate(OVERFLOW_JS)]
            found += english_words(tab)
            found += open_township_box(tab)
            found += hover_chart(tab)
            found += open_main_menu(tab)
            found = sorted(set(found))
            if found:
                problems[info.title] = found
            assert harness.page_problems(tab) == [], info.title
    finally:
        context.close()
    assert problems == {}, f"at {size}: " + "\n".join(f"{page}: {lines}" for page, lines in problems.items())


# The controls a printed page leaves out (what a sheet of paper cannot click), and what it must still show.
PRINT_HIDDEN = ["stSidebar", "stDownloadButton", "stPopover", "stHeader"]


def test_print_leaves_out_the_controls(page, server):
    """总览 as Ctrl+P prints it (print media): 要点, 预警, cards and charts, and none of the buttons or the sidebar."""
    harness.open_page(page, server.url)
    harness.wait_charts_drawn(page)
    shown = {testid: page.locator(f'[data-testid="{testid}"]').filter(visible=True).count() for testid in PRINT_HIDDEN}
    assert shown["stDownloadButton"] >= 2 and shown["stPopover"] >= 2  # 复制要点, 复制预警 and the two downloads
    page.emulate_media(media="print")
    printed = {
        testid: page.locator(f'[data-testid="{testid}"]').filter(visible=True).count() for testid in PRINT_HIDDEN
    }
    assert printed == dict.fromkeys(PRINT_HIDDEN, 0)
    text = harness.main_text(page)
    assert "要点" in text and "预警" in text and "数据截至" in text
    assert page.locator('[data-testid="stPlotlyChart"]').filter(visible=True).count() >= 2
