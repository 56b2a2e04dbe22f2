"""Screenshots of every page and tab from a real server and Chromium (what `make screenshots` runs).

python -m tests.browser.screenshots --out test-output/screenshots [--briefing] [--size 1920x1080]... [--pdf]
    [--data DIR] [--query month=2024-06]

One folder per size (`OUT/1440x900/rehab-需求类型.png`; with --briefing one PNG per page × topic, the screen only:
`OUT/1920x1080/rehab-briefing-需求类型.png`); `--pdf` also prints 总览 to an A4 PDF as Ctrl+P would
(`OUT/overview-print.pdf`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tests.browser import harness


def parse_size(text: str) -> dict:
    width, _, height = text.lower().partition("x")
    try:
        return {"width": int(width), "height": int(height)}
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1440x900, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=harness.REPO / "test-output" / "screenshots")
    parser.add_argument(
        "--briefing", action="store_true", help="every page's topics with ?briefing=1 (简报模式), one slide each"
    )
    parser.add_argument("--size", type=parse_size, action="append", help="viewport, e.g. 1920x1080 (repeatable)")
    parser.add_argument("--pdf", action="store_true", help="also print 总览 to an A4 PDF (print CSS, as Ctrl+P)")
    parser.add_argument("--data", type=Path, default=None, help="extracts folder (default: the demo set)")
    parser.add_argument("--full-page", action="store_true", help="the whole scrolled page, not just the viewport")
    parser.add_argument("--query", default="", help="more of the URL's query for every page, e.g. month=2024-06")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from dpf.config import DEMO_DATA_DIR

    data = (args.data or DEMO_DATA_DIR).resolve()
    if not (data / "manifest.json").is_file():
        print(f"没有数据：{data} 下没有 manifest.json（演示数据请先运行 make demo）。", file=sys.stderr)
        return 2
    try:
        harness.chromium_path()
    except harness.ChromiumMissing as missing:
        print(missing, file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    query = "&".join(part for part in ("briefing=1" if args.briefing else "", args.query) if part)
    suffix = "-briefing" if args.briefing else ""
    failures = 0
    server = harness.start_server(data)
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            try:
                for size in args.size or [dict(harness.VIEWPORT)]:
                    folder = args.out / f"{size['width']}x{size['height']}"
                    folder.mkdir(parents=True, exist_ok=True)
                    for info in harness.existing_pages():
                        stem = folder / f"{info.name}{suffix}"
                        if args.briefing:
                            failures += shoot_topics(browser, server, info, size, stem, args)
                        else:
                            failures += shoot_page(browser, server, info, size, query, stem, args)
                if args.pdf:
                    failures += print_overview(browser, server, args.out / "overview-print.pdf")
            finally:
                browser.close()
    finally:
        if failures:
            print(f"--- streamlit log (last lines) ---\n{server.log_tail(60)}", file=sys.stderr)
        harness.stop_server(server)
    return 1 if failures else 0


# Streamlit scrolls its main area, not the document: for a whole-page shot the document has to grow instead.
UNSCROLL_CSS = """html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  height: auto !important; min-height: 0 !important; overflow: visible !important; }
[data-testid="stSidebar"] { height: auto !important; }"""


def shoot_page(browser, server, info, size: dict, query: str, stem: Path, args) -> int:
    """The page's first tab, then each other tab (clicked), as PNGs named stem[-tab].png; returns failures."""
    started = time.monotonic()
    context = harness.new_context(browser, viewport=size)
    try:
        page = context.new_page()
        harness.open_page(page, harness.page_url(server.url, info, query))
        harness.wait_charts_drawn(page, visible_only=True)
        if args.full_page:
            page.add_style_tag(content=UNSCROLL_CSS)
        shots = [stem.with_suffix(".png")]
        page.screenshot(path=str(shots[0]), full_page=args.full_page)
        tabs = page.locator('[data-testid="stMain"] [data-testid="stTabs"] [data-testid="stTab"]')
        for index in range(1, tabs.count()):
            label = tabs.nth(index).inner_text().strip()
            tabs.nth(index).click()
            page.wait_for_timeout(500)  # the rerun the click starts, before waiting for it to end
            harness.wait_idle(page)
            harness.wait_charts_drawn(page, visible_only=True)
            shots.append(stem.with_name(f"{stem.name}-{label}.png"))
            page.screenshot(path=str(shots[-1]), full_page=args.full_page)
        problems = harness.page_problems(page)
        note = f"  problems: {problems}" if problems else ""
        print(f"{', '.join(str(s) for s in shots)}  ({time.monotonic() - started:.1f} s){note}")
        return int(bool(problems))
    except Exception as error:  # one broken page should not stop the others
        print(f"{info.name} {size}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        context.close()


def shoot_topics(browser, server, info, size: dict, stem: Path, args) -> int:
    """简报模式: each topic of the page (one section, chosen by the URL) as the slide it is, the screen only
    (stem-label.png); returns failures."""
    started = time.monotonic()
    context = harness.new_context(browser, viewport=size)
    shots, failures = [], 0
    try:
        page = context.new_page()
        for label, query in harness.briefing_topics(info):
            try:
                more = f"&{args.query}" if args.query else ""
                harness.open_page(page, harness.page_url(server.url, info, query + more))
                harness.wait_charts_drawn(page, visible_only=True)
                shots.append(stem.with_name(f"{stem.name}-{label}.png"))
                page.screenshot(path=str(shots[-1]), full_page=args.full_page)
                problems = harness.page_problems(page)
                if problems:
                    print(f"{shots[-1]}  problems: {problems}", file=sys.stderr)
                    failures += 1
            except Exception as error:  # one broken topic should not stop the others
                print(f"{info.name} {label} {size}: {type(error).__name__}: {error}", file=sys.stderr)
                failures += 1
        print(f"{', '.join(str(s) for s in shots)}  ({time.monotonic() - started:.1f} s)")
        return failures
    finally:
        context.close()


def print_overview(browser, server, target: Path) -> int:
    """总览 printed as Ctrl+P prints it: print CSS, the page's beforeprint handler (charts fitted to A4), A4."""
    context = harness.new_context(browser)
    try:
        page = context.new_page()
        info = harness.existing_pages()[0]
        harness.open_page(page, harness.page_url(server.url, info))
        harness.wait_charts_drawn(page)
        # page.pdf fires beforeprint and afterprint as Ctrl+P does, so the page's chart fitting runs
        page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True)
        print(target)
        return 0
    except Exception as error:
        print(f"PDF: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        context.close()


if __name__ == "__main__":
    sys.exit(main())
