"""信息无障碍 in a real Chromium: axe-core (WCAG 2.1 A/AA and best practice) finds no serious or critical
violation on any page and tab, for a township and in 简报模式; every accessible name is Chinese; the headings run
h1, h2 … without a skipped level; the page says lang="zh-CN".

Each view is opened once (one shared server, one browser context) and read for all four checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.apptest_helpers import declared_sections, section_key
from tests.browser import harness
from tests.browser.a11y_checks import (
    ALLOWED,
    AXE_OPTIONS,
    HEADINGS_JS,
    accessible_names,
    described,
    english_words,
)

pytestmark = pytest.mark.browser

PAGES = harness.existing_pages()
TOWNSHIP = "龙山镇"
DESKTOP, PHONE = 1440, 390  # window widths (a phone: 390×844)


@dataclass(frozen=True)
class View:
    page: harness.PageInfo
    label: str
    query: str
    width: int = DESKTOP

    @property
    def id(self) -> str:
        return f"{self.page.name}-{self.label}-{self.width}"


def views() -> list[View]:
    """Every page at its default view, a township chosen and its first 简报模式 slide at 1440 wide; every other tab
    at a phone's 390 (a tab opened once: the narrow window is where a table starts to scroll sideways)."""
    found = []
    for info in PAGES:
        key = section_key(info.file)
        sections = declared_sections(info.file)
        found.append(View(info, "默认", ""))
        found += [View(info, label, urlencode({key: label}), PHONE) for label in sections[1:]]
        found.append(View(info, TOWNSHIP, urlencode({"township": TOWNSHIP})))
        slides = declared_sections(info.file, slides=True)
        found.append(View(info, "简报模式", urlencode({key: slides[0], "briefing": "1"})))
    return found


VIEWS = views()


@dataclass
class Reading:
    violations: list[dict]
    names: list[str]
    headings: list[tuple[int, str]]
    lang: str
    charts: dict[str, int]


CHARTS_JS = """() => ({
  charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
  described: [...document.querySelectorAll('.dpf-chart-text')].filter((p) => p.innerText.startsWith('图表：')).length,
  loud: document.querySelectorAll('.js-plotly-plot svg.main-svg:not([aria-hidden="true"])').length,
})"""


@pytest.fixture(scope="module")
def tabs(browser):
    """One browser tab per window width."""
    contexts = {width: harness.new_context(browser, {"width": width, "height": 844}) for width in (DESKTOP, PHONE)}
    yield {width: context.new_page() for width, context in contexts.items()}
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def readings(tabs, server):
    """View → what it reads as, filled on first use (each view opened once for all its tests)."""
    axe = Axe()
    cache: dict[str, Reading] = {}

    def read(view: View) -> Reading:
        if view.id not in cache:
            tab = tabs[view.width]
            harness.open_page(tab, harness.page_url(server.url, view.page, view.query))
            harness.wait_charts_drawn(tab, visible_only=True)
            result = axe.run(tab, options=AXE_OPTIONS).response
            cache[view.id] = Reading(
                violations=result["violations"],
                names=accessible_names(tab.locator("body").aria_snapshot()),
                headings=[tuple(pair) for pair in tab.evaluate(HEADINGS_JS)],
                lang=tab.evaluate("document.documentElement.lang"),
                charts=tab.evaluate(CHARTS_JS),
            )
        return cache[view.id]

    return read


@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_axe_finds_nothing_serious(readings, view):
    assert described(readings(view).violations) == []


@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_every_accessible_name_is_chinese(readings, view):
    reading = readings(view)
    assert reading.lang == "zh-CN"
    assert [name for name in reading.names if english_words(name)] == []


@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_one_h1_and_no_skipped_heading_level(readings, view):
    levels = [level for level, _ in readings(view).headings]
    assert levels.count(1) == 1 and levels[0] == 1, readings(view).headings
    skips = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert skips == [], readings(view).headings


@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_every_chart_is_described_and_its_drawing_quiet(readings, view):
    """One description per chart (ui.chart_text, read before it); the drawing's tick labels are not read out."""
    charts = readings(view).charts
    assert charts["described"] == charts["charts"] and charts["loud"] == 0, charts
    if view.page.file == "overview.py" and view.label == "默认":
        assert charts["charts"] == 2  # monthly funds and the township ranking: the check has charts to see


def test_allow_list_names_no_rule_of_ours():
    """Each allowed rule says why; none is one our own markup could break (a colour, a heading, a name)."""
    ours = {"color-contrast", "heading-order", "image-alt", "label", "button-name", "link-name", "html-has-lang"}
    assert not ours & set(ALLOWED)
    assert all(reason.strip() for reason in ALLOWED.values())


@pytest.mark.parametrize(
    ("snapshot", "english"),
    [
        ('- button "Help for 年度"', ["Help for 年度"]),
        ('- button "下载 Excel":\n  - paragraph: 下载 Excel', []),
        ('- link "跳到主要内容":\n  - /url: "#stMain"', []),
        ("- text: Skip to main content", ["Skip to main content"]),
    ],
)
def test_english_name_finder(snapshot, english):
    """The check itself: a Streamlit English name is found, a file-format word and a link's URL are not."""
    assert [name for name in accessible_names(snapshot) if english_words(name)] == english
