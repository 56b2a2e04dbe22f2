"""A real `streamlit run dashboard.py` server and a real Chromium, shared by the browser tests and screenshots.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from serve.cluster import Child, free_port, start, stop, streamlit_command, wait_healthy

REPO = Path(__file__).resolve().parent.parent.parent
PAGES_DIR = REPO / "app_pages"
# The dashboard open without login, whatever folder it shows: no accounts file (a path that does not exist, even if
# the repository has a .streamlit/users.toml) and anonymous access on purpose. For the tests' servers, the
# screenshots and the benchmark's own runs.
NO_ACCOUNTS_ENV = {
    "DASHBOARD_USERS_FILE": str(Path(tempfile.gettempdir()) / "dpf-no-accounts" / "users.toml"),
    "DASHBOARD_ALLOW_ANONYMOUS": "1",
}
# Pages that need more than the demo set to appear in the navigation.
EXCLUDED_PAGES = {"data_import.py", "scheduled_reports.py"}  # only for a 数据管理员 account

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
LOCALE = "zh-CN"
TIMEOUT_MS = 30_000


# --- pages -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    file: str  # overview.py
    title: str  # 总览
    url_path: str  # "" for the default page, else the file stem (how st.Page infers it from a path)

    @property
    def name(self) -> str:
        return Path(self.file).stem


def existing_pages() -> list[PageInfo]:
    """Pages of ui.page_table.PAGES whose file exists, in navigation order (data_import.py left out)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from ui.page_table import PAGES

    pages = []
    for index, spec in enumerate(PAGES):
        if spec.file in EXCLUDED_PAGES or not spec.path.is_file():
            continue
        # st.Page(path): url_path = page_icon_and_name(path) -> the stem; the default page (index 0) lives at "/".
        pages.append(PageInfo(spec.file, spec.title, "" if index == 0 else Path(spec.file).stem))
    return pages


def page_url(base: str, page: PageInfo, query: str = "") -> str:
    url = f"{base}/{page.url_path}"
    return f"{url}?{query}" if query else url


BRIEFING_FRAME = {"width": 1920, "height": 1080}  # 简报模式's slide


def briefing_topics(page: PageInfo) -> list[tuple[str, str]]:
    """(label, query) of each 简报模式 frame of the page: one per section of its table that is a slide, chosen by
    the URL (?rehab_section=需求类型&briefing=1)."""
    from urllib.parse import urlencode

    from tests.apptest_helpers import declared_sections, section_key

    key = section_key(page.file)
    return [(label, urlencode({key: label, "briefing": "1"})) for label in declared_sections(page.file, slides=True)]


# --- server ------------------------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(
    data_dir: Path, port: int | None = None, timeout: float = 60, env: dict | None = None, script: str = "dashboard.py"
) -> Server:
    """`streamlit run dashboard.py` (or another `script`, e.g. the benchmark's empty app) on 127.0.0.1:port with
    DASHBOARD_DATA_DIR=data_dir and the repository's .streamlit/config.toml; returns once healthy."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="dpf-streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    log.close()
    # without login (no accounts file, even if the repository has one) unless `env` names an accounts file
    child_env = {**os.environ, **NO_ACCOUNTS_ENV}
    child_env.update({"DASHBOARD_DATA_DIR": str(data_dir), **(env or {})})
    # its own process group (serve.cluster.start), so stop_server can end it and its children
    child = start("streamlit", streamlit_command(port, script), port, child_env, Path(log.name))
    server = Server(child.process, port, Path(log.name))
    try:
        wait_healthy(child, timeout)
    except RuntimeError as exc:
        stop_server(server)
        raise RuntimeError(f"{exc}:\n{server.log_tail()}") from None
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server, timeout: float = 10) -> None:
    """SIGTERM the server's process group, then SIGKILL after `timeout` seconds."""
    stop([Child("streamlit", server.process, server.port)], timeout)
    server.log_path.unlink(missing_ok=True)


# --- browser -----------------------------------------------------------------------------------------------------


class ChromiumMissing(RuntimeError):
    pass


def chromium_path() -> str:
    """Debian's chromium (apt-get install chromium); a clear error when it is not installed."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
    if not found:
        raise ChromiumMissing(
            "Chromium is not installed: the browser tests need Debian's chromium "
            "(`apt-get install -y chromium fonts-noto-cjk`), found neither `chromium` on PATH nor /usr/bin/chromium."
        )
    return found


def launch_browser(playwright):
    """A headless Chromium (Playwright sync API) from the system package, never a downloaded build."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


def new_context(browser, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or VIEWPORT, locale=LOCALE, timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    return context


# --- waiting on the app ------------------------------------------------------------------------------------------

_IDLE_JS = """(text) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    // lazily loaded elements (metrics, charts) show a skeleton until their code has arrived
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const main = document.querySelector('[data-testid="stMain"]');
    return !!main && (!text || (main.innerText || '').includes(text));
}"""


def wait_idle(page, text: str | None = "数据截至", timeout: int = TIMEOUT_MS) -> None:
    """Until the script run is over (stApp's script state, which also drives the status widget's running
    indicator; the widget itself lingers a few seconds after the run), connected, no element still a loading
    skeleton, and `text` is shown."""
    page.wait_for_function(_IDLE_JS, arg=text, timeout=timeout, polling=100)
    page.wait_for_timeout(200)  # one more frame for the last deltas to paint


def open_page(page, url: str, text: str | None = "数据截至", timeout: int = TIMEOUT_MS) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    wait_idle(page, text, timeout)


def login(page, name: str, password: str, expect: str | None = "数据截至") -> None:
    """Fill the login form (用户名, 密码, 登录) and wait until the run is over and `expect` is shown."""
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page, expect)


CHART_DRAWN_JS = """(el) => el.querySelectorAll(
    '.js-plotly-plot g.trace path, .js-plotly-plot g.trace rect, .js-plotly-plot .heatmaplayer image,'
    + ' .js-plotly-plot .pielayer .slice path').length > 0"""


DOWNLOAD_MS = 90_000  # a deferred file made by a busy server


def download(page, button):
    """Click a deferred download button and return the download. The server makes the file after the click (the
    button stays disabled meanwhile), which on a loaded machine can take long; a click that brings no file is
    retried once the app is idle and the button enabled again, and the file's content is checked all the same."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=DOWNLOAD_MS) as event:
                button.click(timeout=DOWNLOAD_MS)
            return event.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            wait_idle(page)
    raise AssertionError("unreachable")


def wait_charts_drawn(page, timeout: int = TIMEOUT_MS, visible_only: bool = False, polling: int = 200) -> int:
    """Scroll every Plotly chart (with `visible_only`: those not in a hidden tab) into view and wait until each
    has drawn a trace; returns the count."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    if visible_only:
        charts = charts.filter(visible=True)
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed(timeout=timeout)
        page.wait_for_function(CHART_DRAWN_JS, arg=chart.element_handle(), timeout=timeout, polling=polling)
    page.evaluate("window.scrollTo(0, 0)")
    page.locator('[data-testid="stMain"]').evaluate("el => el.scrollTo && el.scrollTo(0, 0)")
    return count


# --- reading the page --------------------------------------------------------------------------------------------


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def nav_titles(page) -> list[str]:
    """The sidebar's page links (ui.shell.sidebar_navigation), in order."""
    links = page.locator('[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"]')
    return [text.strip() for text in links.all_inner_texts()]  # the title, not the icon's ligature


def header_line(page) -> str:
    """The header's scope line: 范围：… · 2024年 · 数据截至 …"""
    return page.locator('[data-testid="stMain"] [data-testid="stMarkdown"]', has_text="范围：").first.inner_text()


def metric_values(page) -> dict[str, str]:
    """{label: value} of every st.metric in the main area."""
    shown = {}
    metrics = page.locator('[data-testid="stMain"] [data-testid="stMetric"]')
    for index in range(metrics.count()):
        metric = metrics.nth(index)
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def page_problems(page) -> list[str]:
    """Tracebacks and the app's '意外问题' error box, as text (empty when the page is healthy)."""
    problems = [f"exception: {text}" for text in page.locator('[data-testid="stException"]').all_inner_texts()]
    problems += [
        f"alert: {text}" for text in page.locator('[data-testid="stAlert"]').all_inner_texts() if "意外问题" in text
    ]
    return problems
