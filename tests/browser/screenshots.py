"""Screenshots of every page from a real server and Chromium (what `make screenshots` runs).

python -m tests.browser.screenshots --out test-output/screenshots [--briefing] [--size 1920x1080] [--data DIR]
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
    parser.add_argument("--briefing", action="store_true", help="open every page with ?briefing=1 (简报模式)")
    parser.add_argument("--size", type=parse_size, default=dict(harness.VIEWPORT), help="viewport, e.g. 1920x1080")
    parser.add_argument("--data", type=Path, default=None, help="extracts folder (default: the demo set)")
    parser.add_argument("--full-page", action="store_true", help="the whole scrolled page, not just the viewport")
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
    query = "briefing=1" if args.briefing else ""
    suffix = "-briefing" if args.briefing else ""
    failures = 0
    server = harness.start_server(data)
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            try:
                for info in harness.existing_pages():
                    started = time.monotonic()
                    context = harness.new_context(browser, viewport=args.size)
                    try:
                        page = context.new_page()
                        harness.open_page(page, harness.page_url(server.url, info, query))
                        harness.wait_charts_drawn(page)
                        target = args.out / f"{info.name}{suffix}.png"
                        page.screenshot(path=str(target), full_page=args.full_page)
                        problems = harness.page_problems(page)
                        note = f"  problems: {problems}" if problems else ""
                        failures += bool(problems)
                        print(f"{target}  ({time.monotonic() - started:.1f} s){note}")
                    except Exception as error:  # one broken page should not stop the others
                        failures += 1
                        print(f"{info.name}: {type(error).__name__}: {error}", file=sys.stderr)
                    finally:
                        context.close()
            finally:
                browser.close()
    finally:
        if failures:
            print(f"--- streamlit log (last lines) ---\n{server.log_tail(60)}", file=sys.stderr)
        harness.stop_server(server)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
