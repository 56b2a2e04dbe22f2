"""The benchmark's browser part: a real streamlit server and headless Chromium (tests/browser/harness.py).

Each round opens the empty-app floor (one st.metric and one Plotly bar chart, generated here and served the same
way), then every page, each in a fresh browser context: the first open (scripts not yet cached), a township
change, then the page again in a new tab of the same context (another view) and a change there. A last floor
opening after the rounds shows the drift of the machine's load. Every time is taken in the page (settled_js).
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.figures import fmt_s, mark, mark_ratio, median, ratio, report_section

BROWSER_VIEWS = 5  # rounds: fresh contexts per page (and floor openings before them)
FIRST_RATIO_GOAL = 1.2  # issue 24: a page's first open at most 1.2× the empty app's, open again at most 1.3×
AGAIN_RATIO_GOAL = 1.3
FILTER_GOALS = {1: 0.5, 100: 1.0}  # seconds, median of the township changes, per scale
SETTLE_DEADLINE_MS = 120_000

# The floor: what any Streamlit page with one figure and one Plotly chart costs to open on this machine. Same page
# config as the dashboard (ui/shell.py) and a header line the settle check recognises.
FLOOR_SCRIPT = """import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="空白页", layout="wide")
st.markdown("范围：全县 · 2024年 · 数据截至2024年9月30日")
st.metric("受益残疾人", "1,234")
st.plotly_chart(go.Figure(go.Bar(x=["甲", "乙", "丙"], y=[3, 1, 2])))
"""

_HEADER_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const line = main && [...main.querySelectorAll('[data-testid="stMarkdown"]')]
        .find((e) => e.textContent.includes('范围：'));
    return line ? line.textContent : '';
}"""

# What the first screen shows once settled: Plotly charts displayed (not in a hidden tab), how many of them start
# above the fold, their bars/points (every trace's longest data array; a heatmap's cells), and the main area's
# elements.
FIRST_SCREEN_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter((el) => el.checkVisibility());
    const size = (values) => (values && typeof values.length === 'number' ? values.length : 0);
    const cells = (z) => (z ? [...z].reduce((sum, row) => sum + (size(row) || 1), 0) : 0);
    let points = 0;
    for (const chart of charts) {
        const plot = chart.querySelector('.js-plotly-plot');
        for (const trace of (plot && (plot._fullData || plot.data)) || []) {
            if (trace.visible === false) continue;
            points += Math.max(size(trace.x), size(trace.y), size(trace.values), size(trace.locations), cells(trace.z));
        }
    }
    return {
        charts: charts.length,
        above_fold: charts.filter((el) => el.getBoundingClientRect().top < window.innerHeight).length,
        points: points,
        elements: main ? main.querySelectorAll('[data-testid="stElementContainer"]').length : 0,
    };
}"""

_POINTERDOWN_JS = """() => {
    window.__benchDown = null;
    document.addEventListener('pointerdown', (e) => { window.__benchDown = e.timeStamp; }, {capture: true, once: true});
}"""


def settled_js() -> str:
    """A page function resolving with the milliseconds from `since` (performance.now() time; null = navigation
    start) to the first frame where the run is over, the header shows 数据截至 and differs from `before`, no element
    is still a loading skeleton, and every displayed Plotly chart (not in a hidden tab) has drawn its traces. Timed
    in the page, so Playwright's own round trips do not count."""
    from tests.browser.harness import CHART_DRAWN_JS

    return (
        """([since, before, deadline]) => new Promise((resolve, reject) => {
    // cheap tests first: while the script runs, nothing forces a layout (textContent, not innerText)
    const header = """
        + _HEADER_JS
        + """;
    const drawn = """
        + CHART_DRAWN_JS
        + """;
    const start = since === null ? 0 : since;
    const check = () => {
        const app = document.querySelector('[data-testid="stApp"]');
        const now = performance.now();
        const settled = app && app.getAttribute('data-test-script-state') === 'notRunning'
            && app.getAttribute('data-test-connection-state') === 'CONNECTED'
            && !document.querySelector('[data-testid="stSkeleton"]')
            && ((shown) => shown.includes('数据截至') && shown !== before)(header())
            && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .filter((el) => el.checkVisibility()).every(drawn);
        if (settled) resolve(now - start);
        else if (now - start > deadline) reject(new Error('not settled after ' + deadline + ' ms'));
        else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
})"""
    )


@contextmanager
def floor_server(data_dir: Path):
    """The empty app written to a temporary folder and served like the dashboard (same harness and config)."""
    from tests.browser import harness

    with tempfile.TemporaryDirectory(prefix="dpf-bench-floor-") as tmp:
        script = Path(tmp) / "floor_app.py"
        script.write_text(FLOOR_SCRIPT, encoding="utf-8")
        server = harness.start_server(data_dir, timeout=120, script=str(script))
        try:
            yield server
        finally:
            harness.stop_server(server)


def _open(page, url: str) -> float:
    """Seconds from navigation start to the page settled."""
    page.goto(url, wait_until="commit")
    return page.evaluate(settled_js(), [None, "", SETTLE_DEADLINE_MS]) / 1000


def _change_township(page, towns: Sequence[str], chosen: Sequence[str], rng: random.Random) -> float:
    """Seconds from the click on another township in the sidebar to the new scope shown and every chart drawn."""
    name = rng.choice([t for t in towns if t not in chosen])
    before = page.evaluate(_HEADER_JS)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').click()  # not on a chip's ×
    page.keyboard.type(name)
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for()
    page.evaluate(_POINTERDOWN_JS)
    option.click()
    settled = settled_js()
    waited = page.evaluate(
        f"async (args) => await ({settled})([window.__benchDown, ...args])", [before, SETTLE_DEADLINE_MS]
    )
    return waited / 1000


@contextmanager
def _fresh_context(browser):
    """A new browser context (empty cache, like a new profile) with a long timeout, closed afterwards."""
    from tests.browser import harness

    context = harness.new_context(browser)
    context.set_default_timeout(SETTLE_DEADLINE_MS)
    try:
        yield context
    finally:
        context.close()


def _open_floor(browser, floor, record: dict) -> None:
    with _fresh_context(browser) as context:
        for key in ("first", "again"):
            page = context.new_page()
            record[key].append(_open(page, floor.url))
            page.close()


def _browse_round(browser, server, info, first_view, again_view, towns, rng, record: dict) -> None:
    """A fresh context: first open of `first_view` (with what its first screen shows) and a township change; a new
    tab: `again_view` opened and a change."""
    from urllib.parse import urlencode

    from tests.browser import harness

    with _fresh_context(browser) as context:
        for key, view in (("first", first_view), ("again", again_view)):
            page = context.new_page()
            query = urlencode({"year": view.year, "township": list(view.names)}, doseq=True)
            record[key].append(_open(page, harness.page_url(server.url, info, query)))
            if key == "first":
                record["screen"].append(page.evaluate(FIRST_SCREEN_JS))
            record["change"].append(_change_township(page, towns, view.names, rng))
            page.close()


def _again_view(views: list, index: int, rounds: int):
    """The view a round opens again: one no round opens first (not yet cached on the server) when there are
    enough views, else the next round's."""
    return views[index + rounds] if index + rounds < len(views) else views[(index + 1) % len(views)]


def measure_browser(folder: Path, views: list, files: Sequence[str]) -> dict:
    """{"floor": {"first", "again"}, "pages": {file: {"first", "again", "change", "screen"[, "error"]}}}: seconds
    (floor measured before every round and once after the last) and first-screen counts."""
    import duckdb
    from playwright.sync_api import sync_playwright

    from tests.browser import harness

    pages = [p for p in harness.existing_pages() if p.file in files]
    towns = [
        row[0]
        for row in duckdb.connect()
        .execute(
            "SELECT name FROM read_parquet($path) ORDER BY sort_order", {"path": str(folder / "townships.parquet")}
        )
        .fetchall()
    ]
    rng = random.Random(len(views))
    rounds = min(BROWSER_VIEWS, len(views))
    floor_record: dict[str, list] = {"first": [], "again": []}
    records = {info.file: {"first": [], "again": [], "change": [], "screen": []} for info in pages}
    server = harness.start_server(folder, timeout=300)
    try:
        with floor_server(folder) as floor, sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            for index in range(rounds):
                _open_floor(browser, floor, floor_record)
                for info in pages:
                    record = records[info.file]
                    if "error" in record:
                        continue
                    again_view = _again_view(views, index, rounds)
                    try:
                        _browse_round(browser, server, info, views[index], again_view, towns, rng, record)
                    except Exception as exc:  # a page too slow for the timeout: the row says so
                        record["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            _open_floor(browser, floor, floor_record)
            browser.close()
    finally:
        harness.stop_server(server)
    return {"floor": floor_record, "pages": records}


# --- report ------------------------------------------------------------------------------------------------------


def _floor_cell(values: Sequence[float]) -> str:
    """The floor's median, and its openings at the start and at the end of the run when they differ by more than
    a tenth (the machine's load drifted)."""
    if not values:
        return "–"
    shown = fmt_s(median(values))
    first, last = values[0], values[-1]
    if len(values) > 1 and abs(last - first) > 0.1 * max(first, last):
        shown += f" (start {fmt_s(first)}, end {fmt_s(last)})"
    return shown


def _count(value: float | None) -> str:
    """A median count: 2,346, or 0.5 between two."""
    if value is None:
        return "–"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


OPEN_TEXT = (
    "Open: from navigation start (`page.goto(URL?year=…&township=…)`) to the header shown, the run over and every "
    "displayed Plotly chart drawn, timed in the page. Floor: an empty app generated by the benchmark (one "
    "st.metric, one Plotly bar chart, the dashboard's config) served and opened the same way, before every round "
    f"and once after the last (its openings at the start and the end shown when they differ by more than 10 %). "
    f"Up to {BROWSER_VIEWS} rounds (one per view); in each, every page in a fresh browser context: first open (scripts not yet cached), then another "
    "view in a new tab of the same context (open again). Medians; ratio = page ÷ floor of the same run. Goals "
    f"(issue 24): first open ≤ {FIRST_RATIO_GOAL}×, open again ≤ {AGAIN_RATIO_GOAL}× the floor."
)


def browser_tables(runs: list[dict], titles: dict[str, str]) -> list[str]:
    """The browser part's three tables (page open against the floor, filter change, first screen) as lines."""
    title = "Page open against an empty Streamlit app (streamlit server + headless Chromium)"
    browser_runs, lines = report_section(runs, "browser", title, OPEN_TEXT)
    if not browser_runs:
        return []
    lines += [
        "",
        "| scale | page | first open | ratio | open again | ratio | problem |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in browser_runs:
        floor = run["browser"]["floor"]
        floor_first, floor_again = median(floor["first"]), median(floor["again"])
        lines.append(
            f"| {run['scale']} | empty app (floor) | {_floor_cell(floor['first'])} | 1.00× | "
            f"{_floor_cell(floor['again'])} | 1.00× |  |"
        )
        for file, record in run["browser"]["pages"].items():
            first, again = median(record["first"]), median(record["again"])
            lines.append(
                f"| {run['scale']} | {titles.get(file, file)} | {fmt_s(first)} | "
                f"{mark_ratio(ratio(first, floor_first), FIRST_RATIO_GOAL)} | {fmt_s(again)} | "
                f"{mark_ratio(ratio(again, floor_again), AGAIN_RATIO_GOAL)} | {record.get('error', '')} |"
            )
    goals = ", ".join(f"scale {scale} ≤ {fmt_s(goal)}" for scale, goal in FILTER_GOALS.items())
    lines += [
        "",
        "### Filter change in the browser",
        "",
        "From the click on a township in the sidebar (pointerdown) to the new scope shown and every displayed chart "
        f"redrawn; two changes per page and round (after the first open and after the open again). Goals (median): "
        f"{goals}.",
        "",
        "| scale | page | changes | median | max |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for run in browser_runs:
        goal = FILTER_GOALS.get(run["scale"])
        for file, record in run["browser"]["pages"].items():
            changes = record["change"]
            lines.append(
                f"| {run['scale']} | {titles.get(file, file)} | {len(changes)} | {mark(median(changes), goal)} | "
                f"{fmt_s(max(changes, default=None))} |"
            )
    lines += [
        "",
        "### First screen (what a person can read)",
        "",
        "After the first open, the page as shown (first tab; charts in hidden tabs not counted): Plotly charts "
        "displayed and how many start above the fold (1440×900 window), their bars/points (each trace's data points; "
        "a heatmap's cells) and the main area's Streamlit elements. Medians over the first opens.",
        "",
        "| scale | page | first open | charts | above the fold | bars/points | elements |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in browser_runs:
        for file, record in run["browser"]["pages"].items():
            counts = [
                _count(median([screen[key] for screen in record["screen"]]))
                for key in ("charts", "above_fold", "points", "elements")
            ]
            lines.append(
                f"| {run['scale']} | {titles.get(file, file)} | {fmt_s(median(record['first']))} | "
                + " | ".join(counts)
                + " |"
            )
    return lines
