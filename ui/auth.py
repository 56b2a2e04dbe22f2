"""Who is looking: the login form, the account in the sidebar, the idle timeout and the audit of page views.

Deny by default (dpf.auth.access.access_mode): with an accounts file everyone logs in; without one only the demo set (or
a folder opened on purpose with DASHBOARD_ALLOW_ANONYMOUS=1) is shown, with a notice that login is off.

A login is a server-side session (dpf.auth.sessions) checked on every run, so 退出登录 in one tab, the idle timeout, a
new password or a removed account end it everywhere at the next click. Its token comes from the HttpOnly cookie
that dpf.auth.session_routes sets after the login (F5, a new tab and a pasted link keep the login), or from this tab's
own session state where the routes are not served (AppTest).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dpf import settings
from dpf.auth import audit, session_routes, sessions
from dpf.auth.access import CLOSED, LOGIN, OPEN_SCOPE, Scope, access_mode, session_scope
from dpf.auth.accounts import Account, AccountsError, account_for_identity, load_accounts, oidc_claim, users_file
from dpf.auth.login import attempt_login

TOKEN_KEY = "dpf_session_token"  # this tab's session token where no cookie carries it (dpf.auth.sessions)
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
    mode: str  # dpf.auth.access LOGIN | OPEN
    account: Account | None
    scope: Scope

    @property
    def account_name(self) -> str | None:
        return self.account.name if self.account else None


def idle_seconds() -> float:
    """$DASHBOARD_IDLE_MINUTES (fractions allowed, e.g. 0.1 for six seconds), default 30."""
    return max(settings.IDLE_MINUTES.given(), 0.01) * 60


def _idle_text() -> str:
    seconds = idle_seconds()
    return f"{seconds / 60:.0f} 分钟" if seconds >= 60 else f"{seconds:.0f} 秒"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def record(folder: str, event: str, account: Account | None, **details: object) -> None:
    audit.record(folder, event, account.name if account else None, account.role if account else None, **details)


def authenticate(folder: str, is_demo: bool, hidden_pages: dict, page_titles: Callable[[Scope], list[str]]) -> Session:
    """The session's account and scope; draws the login form (or the closed message) and stops when none.
    `page_titles(scope)` names the pages a scope may open (a login comes back to the URL's page if it is one)."""
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
        asked = st.navigation(hidden_pages, position="hidden")  # keeps the URL's page for after the login
        _login_form(folder, lambda account: asked.title in page_titles(session_scope(account.role, account.townships)))
        st.stop()
    return Session(mode, account, session_scope(account.role, account.townships))


def _token() -> str | None:
    """This run's session token: the tab's own (a login without the cookie route), else the cookie's."""
    token = st.session_state.get(TOKEN_KEY) or st.context.cookies.get(sessions.COOKIE)
    return token if isinstance(token, str) and token else None  # AppTest's cookies are a mock


def _logged_in(folder: str, accounts: dict[str, Account]) -> Account | None:
    token = _token()
    if token is None and oidc_configured():
        account = account_for_identity(accounts, dict(st.user), oidc_claim())
        if account is None and st.user.get("is_logged_in"):
            st.warning("您的统一身份认证账号尚未开通本看板，请联系数据管理员。", icon=":material/lock:")
            st.button("退出统一身份认证", on_click=st.logout)
            st.stop()
        if account is not None:
            st.session_state[TOKEN_KEY] = sessions.open_session(users_file(), account, time.time())
            record(folder, "login_ok", account, via="oidc")
            return account
    if token is None:
        return None
    check = sessions.check(users_file(), token, accounts, time.time(), idle_seconds())
    if check.account is not None:
        return check.account
    _end_session()
    if check.ended == sessions.IDLE:
        record(folder, "idle_logout", accounts.get(check.name or ""))
        st.session_state[NOTICE_KEY] = f"超过 {_idle_text()}未操作，已自动退出登录，请重新登录。"
    elif check.ended == sessions.CHANGED:  # a new password, a removed account or 12 hours since the login
        record(folder, "session_ended", accounts.get(check.name or ""))
        st.session_state[NOTICE_KEY] = "登录已失效（密码已修改、账号已变更或登录已满12小时），请重新登录。"
    if check.ended != sessions.ENDED and oidc_configured() and st.user.get("is_logged_in"):
        st.logout()  # else the provider's cookie would log the session straight back in
    return None


def _end_session() -> None:
    for key in (TOKEN_KEY, VIEWED_KEY):
        st.session_state.pop(key, None)


def _client() -> str | None:
    """The browser's address: None on loopback; behind Caddy the one it forwards (X-Forwarded-For)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest's context is a mock


def _here(page: bool = True) -> str:
    """The page's path (or the home page's) and query, to come back to after the cookie route."""
    url = st.context.url
    path = (urlsplit(url).path if isinstance(url, str) and page else "") or "/"
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return f"{path}?{query}" if query else path


def _send_browser_to(url: str) -> None:
    """Navigate the browser (the whole page) to `url` on this site: the message st.login sends to its provider."""
    context = get_script_run_ctx()
    if context is not None:
        message = ForwardMsg()
        message.auth_redirect.url = url
        context.enqueue(message)


def _start_session(account: Account, may_open_page: bool) -> None:
    """After a correct password: the cookie route opens the session where it is served, else this tab keeps it.
    The browser comes back to the URL's page if the account may open it, else to the home page."""
    if session_routes.mounted():
        ticket = sessions.issue_ticket(users_file(), account, time.time(), _client())
        back = _here(may_open_page)
        _send_browser_to(f"{session_routes.OPEN_PATH}?{urlencode({'ticket': ticket, 'next': back})}")
        st.info("正在登录…", icon=":material/login:")
        st.stop()
    st.session_state[TOKEN_KEY] = sessions.open_session(users_file(), account, time.time())
    st.rerun()


def _login_form(folder: str, may_open_page: Callable[[Account], bool]) -> None:
    st.title("县残联工作数据看板", anchor=False)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/schedule:")
    with st.form("login", clear_on_submit=True, width=420):
        st.header("登录", anchor=False)
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if oidc_configured():
        st.button("使用统一身份认证登录", on_click=st.login, icon=":material/badge:")
    if not submitted:
        return
    client = _client()
    result = attempt_login(users_file(), name, password, datetime.now().astimezone(), client)
    known = result.account or load_accounts(users_file()).get(name.strip())
    record(folder, result.event, known, known_account=result.known)
    for lock in result.locks:
        until = lock.until.isoformat(timespec="seconds")
        record(folder, "lockout", known, known_account=result.known, scope=lock.scope, until=until, client=client)
    if result.account is None:
        time.sleep(result.delay)  # each failure of this client on this name waits longer for its answer
        st.error(result.message, icon=":material/error:")
        return
    _start_session(result.account, may_open_page(result.account))


def session_sidebar(session: Session, folder: str) -> None:
    """The account and role with 退出登录, or the notice that login is off."""
    if session.account is None:
        st.sidebar.warning(OFF_NOTICE, icon=":material/lock_open:")
        return
    account = session.account
    st.sidebar.caption(f"账号：{account.name}（{account.role_label}）")

    def logout() -> None:
        record(folder, "logout", account)
        token = _token()
        if token:
            sessions.end_session(users_file(), token)  # in every tab and process at its next click
        _end_session()
        if oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        elif session_routes.mounted():
            _send_browser_to(f"{session_routes.CLOSE_PATH}?{urlencode({'next': _here()})}")  # clears the cookie

    st.sidebar.button("退出登录", on_click=logout, icon=":material/logout:", key="logout")


def audit_page_view(session: Session, folder: str, page: str, scope: str, year: int) -> None:
    """One line per page, scope and year a logged-in session looks at (not per rerun of the same view)."""
    if session.account is None:
        return
    viewed = (page, scope, year)
    if st.session_state.get(VIEWED_KEY) != viewed:
        st.session_state[VIEWED_KEY] = viewed
        record(folder, "page_view", session.account, page=page, scope=scope, year=year)
