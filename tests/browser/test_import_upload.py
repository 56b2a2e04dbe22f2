"""数据导入 in a real Chromium: the first upload on a freshly started server is kept and checked.

Issue 17 (8): on a fresh server the first session's upload was dropped although its PUT returned 204. The cause
was the old `pages/` folder: on a server's very first run Streamlit ran the page file directly, so the uploader's
widget id differed from the one st.navigation gives it on the rerun the upload triggers, and the file was
forgotten. Only st.navigation decides the pages now (app_pages/); this test uploads as the very first action of a
fresh server, as soon as the uploader is there, and then again in a second session of the same server.
"""

from __future__ import annotations

import shutil

import pytest

from dpf.auth.accounts import add_account
from tests.browser import harness
from tests.ingest_helpers import KEY, PAY_HEADERS, cert, write_file, xlsx_bytes

pytestmark = pytest.mark.browser

PASSWORD = "import-clerk-2024"
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture(scope="module")
def import_server(tmp_path_factory, demo_dir):
    """A fresh server on a private copy of the demo set, with a 数据管理员 account (the 数据导入 page is theirs)."""
    data = tmp_path_factory.mktemp("import-upload") / "demo"
    shutil.copytree(demo_dir, data)
    users = data.parent / "users.toml"
    add_account(users, "clerk", "admin", (), PASSWORD)
    env = {"DASHBOARD_USERS_FILE": str(users), "DASHBOARD_AUDIT_DIR": str(data.parent / "audit")}
    running = harness.start_server(data, env={**env, "DASHBOARD_SECRET_KEY": KEY})
    yield running
    harness.stop_server(running)


def ledger(folder, name: str, person: int, program: str) -> str:
    rows = [PAY_HEADERS, ["甲", cert(person), "城关街道", program, "2024-09", 80]]
    return str(write_file(folder, name, xlsx_bytes(rows)))


def upload_at_once(tab, url: str, files: list[str]) -> None:
    """Open 数据导入, log in and choose `files` as soon as the uploader is on the page, without waiting for anything
    else."""
    tab.goto(f"{url}/data_import", wait_until="domcontentloaded")
    harness.wait_idle(tab, "密码")
    harness.login(tab, "clerk", PASSWORD, expect=None)
    tab.locator(UPLOADER).wait_for(state="attached")
    tab.locator(UPLOADER).set_input_files(files)


def listed(tab) -> list[str]:
    return tab.locator('[data-testid="stFileChipName"]').all_inner_texts()


def test_first_upload_on_a_fresh_server_is_listed_and_checked(browser, import_server, tmp_path):
    context = harness.new_context(browser)
    try:
        tab = context.new_page()
        uploads = []
        tab.on("response", lambda r: uploads.append(r.status) if "/_stcore/upload_file/" in r.url else None)
        upload_at_once(tab, import_server.url, [ledger(tmp_path, "九月护理补贴.xlsx", 1, "重度残疾人护理补贴")])
        harness.wait_idle(tab, "检查结果")
        assert uploads == [204]
        assert listed(tab) == ["九月护理补贴.xlsx"]
        text = harness.main_text(tab)
        assert "预览：九月护理补贴.xlsx（资金发放花名册，1 行）" in text
        assert tab.get_by_role("button", name="确认导入（新增 1 行）").is_enabled()
        assert harness.page_problems(tab) == []
    finally:
        context.close()


def test_a_second_session_uploads_two_ledgers(browser, import_server, tmp_path):
    context = harness.new_context(browser)
    try:
        tab = context.new_page()
        files = [
            ledger(tmp_path, "九月护理补贴.xlsx", 1, "重度残疾人护理补贴"),
            ledger(tmp_path, "九月生活补贴.xlsx", 2, "困难残疾人生活补贴"),
        ]
        upload_at_once(tab, import_server.url, files)
        harness.wait_idle(tab, "检查结果")
        assert sorted(listed(tab)) == sorted(["九月护理补贴.xlsx", "九月生活补贴.xlsx"])
        assert tab.get_by_role("button", name="确认导入（新增 2 行）").is_enabled()
        assert harness.page_problems(tab) == []
    finally:
        context.close()
