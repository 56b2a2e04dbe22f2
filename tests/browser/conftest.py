"""One real streamlit server and one real Chromium for the whole browser session; a fresh context per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import harness

SCREENSHOTS = harness.REPO / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def server(demo_dir):
    running = harness.start_server(demo_dir)
    yield running
    harness.stop_server(running)


@pytest.fixture(scope="session")
def browser():
    try:
        harness.chromium_path()
    except harness.ChromiumMissing as missing:
        pytest.fail(str(missing), pytrace=False)  # a failure, not a skip: CI runs these tests
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = harness.launch_browser(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A new browser context and page; records any JS dialog (alert/confirm/prompt) in page.dialogs."""
    context = harness.new_context(browser)
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.dialogs = dialogs
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
