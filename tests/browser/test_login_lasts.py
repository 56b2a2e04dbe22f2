"""A login that lasts (issue 30), in a real Chromium against a real `streamlit run dashboard.py`: the server sets an
HttpOnly, SameSite=Strict cookie that page scripts cannot read; F5 and a pasted link in a new tab keep the login;
退出登录 in one tab ends the other tab's login at its next click; idle past the timeout shows the login form."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from dpf.auth.accounts import add_account, load_accounts
from dpf.auth.session_routes import OPEN_PATH
from dpf.auth.sessions import COOKIE, issue_ticket, sessions_file
from tests.browser import harness
from tests.test_page_login import seen_long_ago

pytestmark = pytest.mark.browser

IDLE_MINUTES = 1  # the setting, shorter than the default 30


def accounts_env(folder) -> dict[str, str]:
    """An accounts file in `folder` with the county account boss, and the settings naming it."""
    users = folder / "users.toml"
    add_account(users, "boss", "county", (), "password-boss")
    return {
        "DASHBOARD_USERS_FILE": str(users),
        "DASHBOARD_AUDIT_DIR": str(folder / "audit"),
        "DASHBOARD_IDLE_MINUTES": str(IDLE_MINUTES),
        "DASHBOARD_COOKIE_SECRET_FILE": str(folder / "cookie_secret"),
    }


@pytest.fixture(scope="module")
def login_server(tmp_path_factory, demo_dir):
    folder = tmp_path_factory.mktemp("sessions")
    users = folder / "users.toml"
    running = harness.start_server(demo_dir, env=accounts_env(folder))
    running.users = users
    running.audit = folder / "audit" / "audit.jsonl"
    yield running
    harness.stop_server(running)


def logged_in(tab) -> bool:
    return tab.locator('[data-testid="stMetric"]').count() > 0 and "用户名" not in harness.main_text(tab)


def test_reload_new_tab_logout_elsewhere_and_idle(browser, login_server):
    funds = next(info for info in harness.existing_pages() if info.file == "funds.py")
    context = harness.new_context(browser)
    try:
        tab = context.new_page()
        url = harness.page_url(login_server.url, funds, "township=城关街道")
        harness.open_page(tab, url, text="密码")
        harness.login(tab, "boss", "password-boss")
        assert logged_in(tab)
        assert tab.url.endswith("/funds?township=%E5%9F%8E%E5%85%B3%E8%A1%97%E9%81%93")  # back on the page asked
        cookie = next(c for c in context.cookies() if c["name"] == COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain HTTP here
        assert COOKIE not in tab.evaluate("() => document.cookie")  # no page script reads it
        stored = sessions_file(login_server.users).read_text(encoding="utf-8")
        assert cookie["value"] not in stored  # the server keeps only its digest

        tab.reload(wait_until="domcontentloaded")  # F5
        harness.wait_idle(tab)
        assert logged_in(tab)

        other = context.new_page()  # a pasted link in a new tab
        harness.open_page(other, url)
        assert logged_in(other)

        other.get_by_role("button", name="退出登录").click()
        harness.wait_idle(other, "密码")
        assert not logged_in(other)
        assert COOKIE not in {c["name"] for c in context.cookies()}
        tab.get_by_role("tab").nth(1).click()  # the first tab's next action
        harness.wait_idle(tab, "密码")
        assert not logged_in(tab)

        harness.login(tab, "boss", "password-boss")
        assert logged_in(tab)
        seen_long_ago(login_server.users, IDLE_MINUTES * 60 + 5)  # idle past the timeout, without waiting for it
        tab.get_by_role("tab").nth(0).click()
        harness.wait_idle(tab, "已自动退出登录")
        assert not logged_in(tab)
        tab.reload(wait_until="domcontentloaded")  # the cookie's session is over on the server too
        harness.wait_idle(tab, "密码")
        assert not logged_in(tab)
    finally:
        context.close()
    events = [json.loads(line)["event"] for line in login_server.audit.read_text(encoding="utf-8").splitlines()]
    assert events.count("login_ok") == 2 and "logout" in events and "idle_logout" in events


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def ask(url: str, headers: dict | None = None) -> tuple[int, dict]:
    """(status, headers) of a GET, its redirect not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as answer:
        return answer.code, {k.lower(): v for k, v in answer.headers.items()}


@pytest.mark.parametrize(
    ("forwarded", "target", "secure", "location"),
    [
        ("", "/funds?year=2023", False, "/funds?year=2023"),
        ("https", "/funds", True, "/funds"),  # HTTPS at the proxy in front: a Secure cookie
        ("", "//evil.example/x", False, "/"),  # never sent to another site
        ("", "https://evil.example/", False, "/"),
    ],
)
def test_open_route_sets_the_cookie_once_per_ticket(login_server, forwarded, target, secure, location):
    users = login_server.users
    ticket = issue_ticket(users, load_accounts(users)["boss"], time.time())
    url = f"{login_server.url}{OPEN_PATH}?{urllib.parse.urlencode({'ticket': ticket, 'next': target})}"
    status, headers = ask(url, {"X-Forwarded-Proto": forwarded} if forwarded else {})
    assert status == 303 and headers["location"] == location
    cookie = headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=") and "httponly" in cookie and "samesite=strict" in cookie
    assert ("; secure" in cookie) == secure
    again_status, again = ask(url)  # a ticket is used up
    assert again_status == 303 and "set-cookie" not in again


@pytest.fixture(scope="module")
def proxy_server(tmp_path_factory, demo_dir):
    """Two processes behind Caddy (`python -m serve --procs 2`) sharing one accounts file."""
    import shutil

    from bench.load import serving

    if shutil.which("caddy") is None:
        pytest.fail("Caddy is not installed: `make proxy-deps` (apt-get install caddy)", pytrace=False)
    with serving(demo_dir, procs=2, env=accounts_env(tmp_path_factory.mktemp("sessions-proxy"))) as (url, _pid):
        yield url


def backend(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "dpf_backend")


def test_behind_caddy_the_login_holds_on_the_other_process_and_ends_there_too(browser, proxy_server):
    first = harness.new_context(browser)
    contexts = [first]
    try:
        tab = first.new_page()
        harness.open_page(tab, proxy_server, text="密码")
        harness.login(tab, "boss", "password-boss")
        tab.reload(wait_until="domcontentloaded")
        harness.wait_idle(tab)
        assert logged_in(tab)
        session = next(c for c in first.cookies() if c["name"] == COOKIE)
        for _ in range(12):  # new browsers land on a process at random: one on the other process
            other = harness.new_context(browser)
            contexts.append(other)
            other_tab = other.new_page()
            other_tab.goto(proxy_server, wait_until="commit")
            if backend(other) != backend(first):
                break
        assert backend(other) != backend(first), "twelve new browsers all landed on one process"
        other.add_cookies([session])  # the same browser's cookie, served by the other process
        harness.open_page(other_tab, proxy_server)
        assert logged_in(other_tab)
        other_tab.get_by_role("button", name="退出登录").click()
        harness.wait_idle(other_tab, "密码")
        tab.get_by_role("tab").nth(1).click()  # the first process's next run
        harness.wait_idle(tab, "密码")
        assert not logged_in(tab)
    finally:
        for context in contexts:
            context.close()
