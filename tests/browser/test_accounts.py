"""Accounts in a real Chromium against one real server with an accounts file (issue 22).

Not logged in nothing is shown on any page; a township account sees only its own township's names and figures in
the whole DOM (SVG text included) on every page and tab, also with other townships in the URL, and its downloads
hold only its rows; the county sees every township; the admin alone sees 数据导入; wrong passwords lock; logout ends
the session; the audit log holds each event.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

from dpf.auth.accounts import add_account
from dpf.auth.login import LOCKED
from dpf.data.db import open_extracts
from dpf.figures.indicators import township_table
from tests.browser import a11y_checks, harness

pytestmark = pytest.mark.browser

PAGES = harness.existing_pages()
OWN = "龙山镇"
ACCOUNTS = {"boss": ("county", ()), "longshan": ("township", (OWN,)), "clerk": ("admin", ())}
DOM_TEXT_JS = "() => document.body.textContent"


@pytest.fixture(scope="module")
def townships(demo_dir) -> dict[str, str]:
    table = township_table(open_extracts(demo_dir))
    return dict(zip(table["name"], table["code"], strict=True))


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory, demo_dir, townships):
    folder = tmp_path_factory.mktemp("accounts")
    users = folder / "users.toml"
    for name, (role, towns) in ACCOUNTS.items():
        add_account(users, name, role, tuple(townships[t] for t in towns), f"password-{name}")
    env = {"DASHBOARD_USERS_FILE": str(users), "DASHBOARD_AUDIT_DIR": str(folder / "audit")}
    running = harness.start_server(demo_dir, env=env)
    running.audit = folder / "audit" / "audit.jsonl"
    yield running
    harness.stop_server(running)


def login(tab, name: str, password: str | None = None, expect: str | None = "数据截至") -> None:
    harness.login(tab, name, password or f"password-{name}", expect)


def open_login(tab, url: str) -> None:
    harness.open_page(tab, url, text="密码")


def dom_text(tab) -> str:
    """Everything in the page, hidden tabs and Plotly's SVG <text> included."""
    return tab.evaluate(DOM_TEXT_JS)


def test_not_logged_in_no_figure_on_any_page(page, accounts_server):
    for info in [*PAGES, harness.PageInfo("data_import.py", "数据导入", "data_import")]:
        open_login(page, harness.page_url(accounts_server.url, info, "township=城关街道&year=2023"))
        text = harness.main_text(page)
        assert "用户名" in text and "数据截至" not in text, info.file
        for testid in ("stMetric", "stPlotlyChart", "stDataFrame", "stDownloadButton"):
            assert page.locator(f'[data-testid="{testid}"]').count() == 0, (info.file, testid)
        assert harness.nav_titles(page) == []


def test_township_account_sees_only_its_township(browser, accounts_server, townships, tmp_path):
    others = [name for name in townships if name != OWN]
    query = urlencode({"township": others[:2]}, doseq=True)  # the URL names two other townships
    downloads = 0
    for info in PAGES:
        # a fresh context per page: Chromium lets a page's later (script-started) downloads through only when
        # the origin has not had one from an earlier page load of the same context
        context = harness.new_context(browser)
        try:
            downloads += township_page(context.new_page(), accounts_server, info, query, others, tmp_path)
        finally:
            context.close()
    assert downloads >= 2
    # each download is in the audit trail with the account's scope (checked here, not in a later test: xdist may
    # run the tests of this file on two workers, each with its own server)
    events = [json.loads(line) for line in accounts_server.audit.read_text(encoding="utf-8").splitlines()]
    logged = [e for e in events if e["event"] == "download" and e["account"] == "longshan"]
    assert len(logged) >= downloads and all(e["scope"] == OWN for e in logged)
    assert all(e["file"].endswith((".csv", ".xlsx")) for e in logged)
    context = harness.new_context(browser)
    try:
        tab = context.new_page()
        open_login(tab, harness.page_url(accounts_server.url, PAGES[0]))
        login(tab, "longshan")
        assert f"{OWN}（第" in dom_text(tab)  # its own rank among the townships
    finally:
        context.close()


def township_page(page, server, info, query: str, others: list[str], folder) -> int:
    """Every tab of one page as the township account: only its names in the DOM and its rows in the downloads."""
    open_login(page, harness.page_url(server.url, info, query))
    login(page, "longshan")
    assert f"范围：{OWN}" in harness.header_line(page), info.file
    downloads = 0
    tabs = page.get_by_role("tab")
    for index in range(max(1, tabs.count())):
        if tabs.count():
            tabs.nth(index).click()
            harness.wait_idle(page)
        harness.wait_charts_drawn(page, visible_only=True)
        text = dom_text(page)
        leaked = [name for name in others if name in text]
        assert leaked == [], (info.file, index, leaked)
        assert OWN in text
        buttons = page.get_by_role("button", name="下载 CSV").filter(visible=True)
        if buttons.count() and not downloads:
            # one download per page (its first table): a later one, made by a busy server after Chromium's
            # user-activation window, counts as script-started and headless Chromium drops it
            path = folder / f"{info.name}-{index}.csv"
            harness.download(page, buttons.first).save_as(path)
            rows = path.read_text(encoding="utf-8-sig")
            assert not [name for name in others if name in rows], (info.file, rows[:300])
            downloads += 1
    assert "数据导入" not in harness.nav_titles(page) and "数据状况" not in harness.nav_titles(page)
    return downloads


def test_county_sees_everything_and_admin_alone_imports(page, accounts_server, townships):
    open_login(page, accounts_server.url)
    login(page, "boss")
    harness.wait_charts_drawn(page)
    text = dom_text(page)
    assert all(name in text for name in townships)  # the ranking names every township
    assert "数据导入" not in harness.nav_titles(page) and "数据状况" in harness.nav_titles(page)
    page.get_by_role("button", name="退出登录").click()  # the login lasts in this browser until then
    harness.wait_idle(page, "密码")
    open_login(page, accounts_server.url)
    login(page, "clerk")
    assert "数据导入" in harness.nav_titles(page)


def test_login_form_and_import_page_by_keyboard_are_accessible(page, accounts_server):
    """信息无障碍 of what only an accounts server shows: the login form (axe-core, Chinese names) filled by Tab and
    Enter alone, then the administrator's 数据导入 (its file uploader's words too), every page logged in and 定时报告."""
    open_login(page, accounts_server.url)
    assert a11y_checks.serious_findings(page) == []
    assert a11y_checks.english_names(page) == []
    page.get_by_label("用户名", exact=True).focus()
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    page.keyboard.type("password-clerk")
    page.keyboard.press("Enter")
    harness.wait_idle(page)
    importer = harness.PageInfo("data_import.py", "数据导入", "data_import")
    harness.open_page(page, harness.page_url(accounts_server.url, importer), text="导入")
    assert a11y_checks.serious_findings(page) == []
    # what the administrator types, shown as code: the account's own name, a file type, the key's setting and the
    # command that makes one (not words read as Chinese prose)
    typed = {"clerk", "xlsx", "export", "DASHBOARD", "SECRET", "KEY", "streamlit", "secrets", "toml", "python"}
    typed |= {"import", "print", "token", "hex", "audit", "jsonl"}  # and the audit trail's file name
    english = [name for name in a11y_checks.english_names(page) if set(a11y_checks.english_words(name)) - typed]
    assert english == []
    # logged in, every page as the administrator sees it (the account's sidebar block, 退出登录), and 定时报告 (its
    # commands, and the schedules file's path — here the test's temporary folder — left out of the words)
    typed |= {"dpf", "schedule", "add", "run", "make", "serve"}
    reports = harness.PageInfo("scheduled_reports.py", "定时报告", "scheduled_reports")
    for info in [*PAGES, reports]:
        harness.open_page(page, harness.page_url(accounts_server.url, info), text=info.title)
        assert (info.title, a11y_checks.serious_findings(page)) == (info.title, [])
        names = [
            name
            for name in a11y_checks.english_names(page)
            if set(a11y_checks.english_words(re.sub(r"/[\w./-]+", "", name))) - typed
        ]
        assert (info.title, names) == (info.title, [])


def test_wrong_passwords_lock_and_logout_ends_the_session(page, accounts_server):
    open_login(page, accounts_server.url)
    for _ in range(5):
        login(page, "clerk", "not-the-password", expect="用户名或密码不正确" if _ < 4 else LOCKED)
    assert LOCKED in harness.main_text(page)
    login(page, "clerk", expect=LOCKED)  # the right password waits for the lock too
    assert page.locator('[data-testid="stMetric"]').count() == 0

    open_login(page, accounts_server.url)
    login(page, "boss")
    assert page.locator('[data-testid="stMetric"]').count() > 0
    page.get_by_role("button", name="退出登录").click()
    harness.wait_idle(page, "密码")
    assert page.locator('[data-testid="stMetric"]').count() == 0
    funds = next(info for info in PAGES if info.file == "funds.py")
    page.get_by_label("用户名", exact=True).wait_for()
    page.goto(harness.page_url(accounts_server.url, funds), wait_until="domcontentloaded")
    harness.wait_idle(page, "密码")
    assert "数据截至" not in harness.main_text(page)

    events = [json.loads(line) for line in accounts_server.audit.read_text(encoding="utf-8").splitlines()]
    kinds = {(e["event"], e["account"]) for e in events}
    for wanted in [("login_ok", "boss"), ("login_failed", "clerk"), ("login_locked", "clerk"), ("logout", "boss")]:
        assert wanted in kinds
    assert any(e["event"] == "page_view" and e["account"] == "boss" and e["scope"] == "全县" for e in events)
    text = accounts_server.audit.read_text(encoding="utf-8")
    assert "password-" not in text and "not-the-password" not in text
