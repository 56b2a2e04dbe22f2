"""Two dashboard processes behind Caddy (`python -m serve --procs 2`) in a real Chromium, with accounts.

A browser gets Caddy's cookie naming one process with the app's first response; everything after carries it. On
each of the two processes a 数据管理员 logs in (the accounts file is shared), uploads a ledger to 数据导入 (Streamlit
takes an upload only for a session of its own process) and downloads a template (served from the /media files of
that process's memory): all of it works on either process.
"""

from __future__ import annotations

import shutil

import pytest

from bench.load import serving
from dpf.auth.accounts import add_account
from tests.browser import harness
from tests.browser.test_import_upload import PASSWORD, ledger, upload_at_once
from tests.ingest_helpers import KEY

pytestmark = pytest.mark.browser

STICKY_COOKIE = "dpf_backend"


@pytest.fixture(scope="module")
def proxy_server(tmp_path_factory, demo_dir):
    """Two processes behind Caddy on a private copy of the demo set, with one 数据管理员 account."""
    if shutil.which("caddy") is None:
        pytest.fail("Caddy is not installed: `make proxy-deps` (apt-get install caddy)", pytrace=False)
    folder = tmp_path_factory.mktemp("serve-proxy")
    data = folder / "demo"  # a private copy: 数据导入 keeps its lock and reports beside the data folder
    shutil.copytree(demo_dir, data)
    users = folder / "users.toml"
    add_account(users, "clerk", "admin", (), PASSWORD)
    env = {
        "DASHBOARD_USERS_FILE": str(users),
        "DASHBOARD_AUDIT_DIR": str(folder / "audit"),
        "DASHBOARD_SECRET_KEY": KEY,
        "DASHBOARD_COOKIE_SECRET_FILE": str(folder / "cookie_secret"),
    }
    with serving(data, procs=2, env=env) as (url, _pid):
        yield url


def backend(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == STICKY_COOKIE)


def test_login_upload_and_download_work_on_both_processes(browser, proxy_server, tmp_path):
    served: dict[str, list[int]] = {}
    for attempt in range(12):  # new browsers land on a process at random: until both have served one
        context = harness.new_context(browser)
        try:
            tab = context.new_page()
            tab.goto(proxy_server, wait_until="commit")
            if backend(context) in served:
                continue
            statuses: list[int] = []
            tab.on(
                "response",
                lambda r, seen=statuses: seen.append(r.status) if "/_stcore/upload_file/" in r.url else None,
            )
            name = f"九月护理补贴{attempt}.xlsx"
            upload_at_once(tab, proxy_server, [ledger(tmp_path, name, 1, "重度残疾人护理补贴")])
            harness.wait_idle(tab, "检查结果")
            assert f"预览：{name}（资金发放花名册，1 行）" in harness.main_text(tab)

            tab.get_by_text("下载台账模板").click()
            button = tab.locator('[data-testid="stDownloadButton"] button').first
            download = harness.download(tab, button)
            saved = tmp_path / f"template-{attempt}.xlsx"
            download.save_as(saved)
            assert saved.read_bytes()[:2] == b"PK"  # an xlsx (zip) from the process's /media files
            served[backend(context)] = statuses
        finally:
            context.close()
        if len(served) == 2:
            break
    assert len(served) == 2, "twelve new browsers all landed on one process: is the second one serving?"
    assert all(statuses == [204] for statuses in served.values()), served
