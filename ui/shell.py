"""The frame every page lives in: page config, navigation, sidebar filters and the shared view."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dpf.access import Scope, may_import, session_scope
from dpf.accounts import ADMIN
from ui.auth import audit_page_view, authenticate, session_sidebar
from ui.context import set_view
from ui.data import current_source, open_cached
from ui.filters import sidebar_filters

REPO = Path(__file__).resolve().parent.parent

# (file under app_pages/, title, icon, section); a page whose file does not exist yet is left out.
PAGES = [
    ("overview.py", "总览", ":material/dashboard:", "工作概况"),
    ("funds.py", "资金发放", ":material/payments:", "工作概况"),
    ("employment.py", "就业培训", ":material/work:", "工作概况"),
    ("rehab.py", "康复服务", ":material/healing:", "工作概况"),
    ("targets.py", "年度目标", ":material/flag:", "工作概况"),
    ("data_status.py", "数据状况", ":material/fact_check:", "数据"),
    ("data_import.py", "数据导入", ":material/upload_file:", "数据"),
]


def page_titles(scope: Scope) -> list[str]:
    """The pages the scope may open: 数据导入 for the data administrator only, 数据状况 not for a township account."""
    return [title for file, title, _icon, _section in PAGES if _may_open(scope, file)]


def _may_open(scope: Scope, file: str) -> bool:
    if file == "data_import.py":
        return may_import(scope)
    if file == "data_status.py":  # lists every import file and the county's tables
        return not scope.is_restricted
    return True


def navigation_pages(scope: Scope) -> dict[str, list]:
    sections: dict[str, list] = {}
    for index, (file, title, icon, section) in enumerate(PAGES):
        path = REPO / "app_pages" / file
        if not _may_open(scope, file) or not path.is_file():
            continue
        page = st.Page(str(path), title=title, icon=icon, default=index == 0)
        sections.setdefault(section, []).append(page)
    return sections


BASE_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 1.85rem; }
[data-testid="stMetricLabel"] p { font-size: 0.95rem; }
</style>
"""


def bootstrap() -> st.Page:
    """Set up the frame and return the page the URL asks for (the caller runs it)."""
    st.set_page_config(page_title="县残联工作数据看板", page_icon=":material/accessible:", layout="wide")
    st.html(BASE_CSS)
    folder, fingerprint = current_source()
    manifest = open_cached(folder, fingerprint).manifest
    is_demo = manifest.is_demo if manifest else False
    # Until the login every page is registered (hidden, none runs), so the URL's page opens after it.
    session = authenticate(folder, is_demo, navigation_pages(session_scope(ADMIN)))
    current = st.navigation(navigation_pages(session.scope))
    view = sidebar_filters(session.scope, session.account_name)
    set_view(view)
    session_sidebar(session, folder)
    audit_page_view(session, folder, current.title, view.scope, view.year)
    return current
