"""简报模式 is slide-true: every page × topic (?{page}_section=label&briefing=1) at 1920×1080 fits the screen, holds
nothing to click or hover, says what, where, when (title block with 数据截至), and its rankings name every township.

One server and one browser for all (conftest); one context per page.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import pytest

from tests.browser import harness

pytestmark = pytest.mark.browser

PAGES = harness.existing_pages()

# The frame as the screenshot sees it: the bottom of the lowest element that is not the navigation below the frame,
# where that navigation starts, what in the frame can be clicked or hovered, the title block's text, and each chart's
# title, first trace's y categories and the y tick labels Plotly drew.
FRAME_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const nav = document.querySelector('.st-key-dpf_briefing_nav');
  const inFrame = (el) => !(nav && nav.contains(el)) && el.checkVisibility();
  const boxes = [...main.querySelectorAll('[data-testid="stElementContainer"]')].filter(inFrame);
  const bottom = Math.max(...boxes.map((el) => el.getBoundingClientRect().bottom));
  const kinds = {
    tabs: '[data-testid="stTabs"], [role="tablist"]',
    controls: '[data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stRadio"],'
      + ' [data-testid="stCheckbox"], [data-testid="stButtonGroup"], [data-testid="stExpander"]',
    help: '[data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"]',
    popovers: '[data-testid="stPopover"]',
    downloads: '[data-testid="stDownloadButton"]',
    buttons: '[data-testid="stButton"]',
  };
  const found = {};
  for (const [kind, selector] of Object.entries(kinds)) {
    const hits = [...main.querySelectorAll(selector)].filter(inFrame);
    if (hits.length) found[kind] = hits.map((el) => (el.innerText || '').trim().slice(0, 40));
  }
  const title = document.querySelector('.dpf-title-block');
  const charts = [...main.querySelectorAll('.js-plotly-plot')].map((gd) => ({
    title: (gd.layout.title && gd.layout.title.text) || '',
    y: (gd.data[0] && Array.isArray(gd.data[0].y) ? gd.data[0].y : []).filter((v) => typeof v === 'string'),
    ticks: [...gd.querySelectorAll('.ytick text')].map((t) => t.textContent),
    labels: [...gd.querySelectorAll('.ytick text')].map((t) => {
      const r = t.getBoundingClientRect();
      return [(r.top + r.bottom) / 2, parseFloat(getComputedStyle(t).fontSize)]; }),
  }));
  const tables = [...main.querySelectorAll('[data-testid="stTable"]')].filter(inFrame).map((table) => {
    const cells = [...table.querySelectorAll('th, td')];
    const scroller = table.querySelector('[data-testid="stTableStyledTable"]').parentElement;
    return { px: Math.min(...cells.map((cell) => parseFloat(getComputedStyle(cell).fontSize))),
             top: table.getBoundingClientRect().top, bottom: table.getBoundingClientRect().bottom,
             scrolls: scroller.scrollHeight > scroller.clientHeight + 1 };
  });
  const grids = [...main.querySelectorAll('[data-testid="stDataFrame"]')].filter(inFrame).length;
  return { bottom, navTop: nav ? nav.getBoundingClientRect().top : null, found,
           title: title ? title.innerText : '', charts, tables, grids };
}"""


TABLE_PX = 18  # a slide table's smallest type


def township_names(demo_dir) -> set[str]:
    return set(pd.read_parquet(demo_dir / "townships.parquet")["name"])


def frame_problems(frame: dict, label: str, height: int) -> list[str]:
    problems = []
    if frame["bottom"] > height:
        problems.append(f"content reaches {frame['bottom']:.0f} px, below the {height} px frame")
    if frame["navTop"] is None or frame["navTop"] < height:
        problems.append(f"the navigation starts at {frame['navTop']} px, inside the frame")
    if frame["found"]:
        problems.append(f"in the frame: {frame['found']}")
    if frame["grids"]:
        problems.append(f"{frame['grids']} canvas tables (14 px type) in the frame")
    for table in frame["tables"]:
        if table["px"] < TABLE_PX:
            problems.append(f"a table in {table['px']} px type")
    if "数据截至" not in frame["title"] or label not in frame["title"]:
        problems.append(f"title block: {frame['title']!r}")
    for chart in frame["charts"]:
        if len(chart["y"]) >= 20 and set(chart["ticks"]) != set(chart["y"]):
            missing = sorted(set(chart["y"]) - set(chart["ticks"]))
            problems.append(f"«{chart['title']}» leaves {len(missing)} labels out: {missing[:5]}")
        # a label's ink is about one em high (a CJK glyph): two labels overlap when their middles are closer
        labels = sorted(chart["labels"])
        overlaps = sum(1 for (a, size), (b, _) in pairwise(labels) if b - a < size)
        if overlaps:
            problems.append(f"«{chart['title']}»: {overlaps} y labels overlap the next one")
    return problems


@pytest.mark.parametrize("info", PAGES, ids=[info.name for info in PAGES])
def test_every_topic_is_one_slide(browser, server, demo_dir, info):
    size = harness.BRIEFING_FRAME
    context = harness.new_context(browser, viewport=size)
    problems: dict[str, list[str]] = {}
    rankings: dict[str, list[str]] = {}
    try:
        tab = context.new_page()
        for label, query in harness.briefing_topics(info):
            harness.open_page(tab, harness.page_url(server.url, info, query))
            harness.wait_charts_drawn(tab, visible_only=True)
            frame = tab.evaluate(FRAME_JS)
            found = frame_problems(frame, label, size["height"]) + harness.page_problems(tab)
            if found:
                problems[label] = found
            rankings.update({chart["title"]: chart["ticks"] for chart in frame["charts"] if len(chart["y"]) >= 20})
    finally:
        context.close()
    assert problems == {}, f"{info.title}: " + "\n".join(f"{label}: {lines}" for label, lines in problems.items())
    if info.name == "overview":  # the full township ranking fits: every township named on the slide
        assert set(rankings["各乡镇（街道）人均资金发放"]) == township_names(demo_dir)
        assert len(township_names(demo_dir)) == 23


@pytest.mark.parametrize(
    ("section", "rows", "px"),
    [("乡镇×项目", 24, 18), ("项目明细", 13, 26)],  # 23 townships and 合计; 12 programmes and 合计
)
def test_a_table_topic_fills_its_frame_in_large_type(browser, server, section, rows, px):
    info = next(page for page in PAGES if page.name == "funds")
    context = harness.new_context(browser, viewport=harness.BRIEFING_FRAME)
    try:
        tab = context.new_page()
        harness.open_page(tab, harness.page_url(server.url, info, f"funds_section={section}&briefing=1"))
        frame = tab.evaluate(FRAME_JS)
        (table,) = frame["tables"]
        body_rows = tab.locator('[data-testid="stTable"] tbody tr').count()
    finally:
        context.close()
    assert body_rows == rows
    assert table["px"] >= px  # every cell, header included
    assert not table["scrolls"] and table["bottom"] <= harness.BRIEFING_FRAME["height"]  # whole, 合计 on the slide
    assert table["bottom"] - table["top"] >= 0.7 * (harness.BRIEFING_FRAME["height"] - table["top"])  # it fills
