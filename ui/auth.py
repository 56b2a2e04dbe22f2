"""Who is looking: the login form, the account in the sidebar, the idle timeout and the audit of page views.

Deny by default (dpf.access.access_mode): with an accounts file everyone logs in; without one only the demo set (or
a folder opened on purpose with DASHBOARD_ALLOW_ANONYMOUS=1) is shown, with a notice that login is off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from dpf import audit, settings
from dpf.access import CLOSED, LOGIN, OPEN_SCOPE, Scope, access_mode, session_scope
from dpf.accounts import Account, AccountsError, account_for_identity, load_accounts, oidc_claim, users_file
from dpf.login import attempt_login

ALLOW_ANONYMOUS_ENV = settings.ALLOW_ANONYMOUS.name
IDLE_ENV = settings.IDLE_MINUTES.name
DEFAULT_IDLE_MINUTES = settings.IDLE_MINUTES.default
ACCOUNT_KEY = "dpf_account"  # the logged-in account's name (the account itself is re-read on every run)
LAST_SEEN_KEY = "dpf_last_seen"
NOTICE_KEY = "dpf_login_notice"
VIEWED_KEY = "dpf_last_page_view"
OFF_NOTICE = "未启用登录：任何能访问本服务器的人都能看到全部数据。"
CLOSED_MESSAGE = """**看板尚未开通账号，暂不显示数据。**

请数据管理员在服务器上创建第一个账号（密码至少10个字符），然后刷新本页：

```
python -m dpf users add 管理员 --role admin
```

县级领导用 `--role county`，乡镇（街道）用 `--role township --township 乡镇名称`。"""


@dataclass(frozen=True)
class Session:
    mode: str  # dpf.access LOGIN | OPEN
    account: Account | None
    scope: Scope

    @property
    def account_name(self) -> str | None:
        return self.account.name if self.account else None


def idle_seconds() -> float:
    return settings.IDLE_MINUTES.given() * 60


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def record(folder: str, event: str, account: Account | None, **details: object) -> None:
    audit.record(folder, event, account.name if account else None, account.role if account else None, **details)


def authenticate(folder: str, is_demo: bool, hidden_pages: dict) -> Session:
    """The session's account and scope; draws the login form (or the closed message) and stops when none."""
    path = users_file()
    mode = access_mode(path.is_file(), is_demo, settings.ALLOW_ANONYMOUS.given())
    if mode == CLOSED:
        st.error(CLOSED_MESSAGE, icon=":material/lock:")
        st.stop()
    if mode != LOGIN:
        return Session(mode, None, OPEN_SCOPE)
    try:
        accounts = load_accounts(path)
    except AccountsError as err:
        st.error(f"{err}\n\n请联系数据管理员。", icon=":material/error:")
        st.stop()
    account = _logged_in(folder, accounts)
    if account is None:
        st.navigation(hidden_pages, position="hidden")  # keeps the URL's page for after the login
        _login_form(folder)
        st.stop()
    st.session_state[LAST_SEEN_KEY] = time.time()
    return Session(mode, account, session_scope(account.role, account.townships))


def _logged_in(folder: str, accounts: dict[str, Account]) -> Account | None:
    name = st.session_state.get(ACCOUNT_KEY)
    if name is None and oidc_configured():
        account = account_for_identity(accounts, dict(st.user), oidc_claim())
        if account is None and st.user.get("is_logged_in"):
            st.warning("您的统一身份认证账号尚未开通本看板，请联系数据管理员。", icon=":material/lock:")
            st.button("退出统一身份认证", on_click=st.logout)
            st.stop()
        if account is not None:
            st.session_state[ACCOUNT_KEY] = account.name
            record(folder, "login_ok", account, via="oidc")
            return account
    if name is None:
        return None
    account = accounts.get(name)
    last_seen = st.session_state.get(LAST_SEEN_KEY, time.time())
    if account is not None and time.time() - last_seen > idle_seconds():
        record(folder, "idle_logout", account)
        st.session_state[NOTICE_KEY] = f"超过 {idle_seconds() / 60:.0f} 分钟未操作，已自动退出登录，请重新登录。"
        account = None
    if account is None:  # timed out, or the account was removed or renamed since the login
        _end_session()
        if oidc_configured() and st.user.get("is_logged_in"):
            st.logout()  # else the provider's cookie would log the session straight back in
    return account


def _end_session() -> None:
    for key in (ACCOUNT_KEY, LAST_SEEN_KEY, VIEWED_KEY):
        st.session_state.pop(key, None)


def _login_form(folder: str) -> None:
    st.title("县残联工作数据看板")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/schedule:")
    with st.form("login", clear_on_submit=True, width=420):
        st.subheader("登录")
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if oidc_configured():
        st.button("使用统一身份认证登录", on_click=st.login, icon=":material/badge:")
    if not submitted:
        return
    result = attempt_login(users_file(), name, password, datetime.now().astimezone())
    known = result.account or load_accounts(users_file()).get(name.strip())
    record(folder, result.event, known, known_account=result.known)
    if result.account is None:
        st.error(result.message, icon=":material/error:")
        return
    st.session_state[ACCOUNT_KEY] = result.account.name
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.rerun()


def session_sidebar(session: Session, folder: str) -> None:
    """The account and role with 退出登录, or the notice that login is off."""
    if session.account is None:
        st.sidebar.warning(OFF_NOTICE, icon=":material/lock_open:")
        return
    account = session.account
    st.sidebar.caption(f"账号：{account.name}（{account.role_label}）")

    def logout() -> None:
        record(folder, "logout", account)
        _end_session()
        if oidc_configured() and st.user.get("is_logged_in"):
            st.logout()

    st.sidebar.button("退出登录", on_click=logout, icon=":material/logout:", key="logout")


def audit_page_view(session: Session, folder: str, page: str, scope: str, year: int) -> None:
    """One line per page, scope and year a logged-in session looks at (not per rerun of the same view)."""
    if session.account is None:
        return
    viewed = (page, scope, year)
    if st.session_state.get(VIEWED_KEY) != viewed:
        st.session_state[VIEWED_KEY] = viewed
        record(folder, "page_view", session.account, page=page, scope=scope, year=year)
