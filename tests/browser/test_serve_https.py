"""The dashboard behind `python -m serve`'s HTTPS in a real Chromium: the page, its websocket (wss) and its charts
work through Caddy's TLS, and the response carries HSTS. (The browser is told to accept Caddy's internal CA, as
a leader's computer is once the root is installed; the Python test beside this one checks the certificate.)"""

from __future__ import annotations

import pytest

from tests.browser import harness
from tests.test_serve_https import serving_https

pytestmark = pytest.mark.browser


def test_the_dashboard_works_over_https(browser, demo_dir, tmp_path):
    with serving_https(demo_dir, tmp_path, procs=1) as running:
        context = browser.new_context(viewport=harness.VIEWPORT, locale=harness.LOCALE, ignore_https_errors=True)
        try:
            page = context.new_page()
            response = page.goto(f"https://localhost:{running['port']}/", wait_until="domcontentloaded")
            assert response.headers["strict-transport-security"] == "max-age=31536000"
            harness.wait_idle(page)
            assert page.evaluate("location.protocol") == "https:"
            assert "数据截至" in harness.main_text(page)
            assert harness.wait_charts_drawn(page, visible_only=True) >= 1
        finally:
            context.close()
