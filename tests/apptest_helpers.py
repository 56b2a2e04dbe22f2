"""Run the whole app (dashboard.py) in AppTest on a chosen data folder and page."""

from __future__ import annotations

import ast
import os
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def data_folder(folder: Path):
    old = os.environ.get("DASHBOARD_DATA_DIR")
    os.environ["DASHBOARD_DATA_DIR"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DASHBOARD_DATA_DIR", None)
        else:
            os.environ["DASHBOARD_DATA_DIR"] = old


def run_page(
    folder: Path,
    page: str | None = None,
    query: dict | None = None,
    timeout: float = 60,
    section: str | None = None,
    account: str | None = None,
) -> AppTest:
    """AppTest of dashboard.py on `folder`, switched to app_pages/`page` (None = the default page), with the page's
    tab `section` open (None = its first), as `account` of the accounts file when given (logged in already)."""
    with data_folder(folder):
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        if account:
            at.session_state["dpf_session_token"] = logged_in(account)
        at.run()
        if section:
            at.session_state[section_key(page)] = section
        if page:
            at.switch_page(f"app_pages/{page}")
            at.run()
    if section and at.session_state[section_key(page)] != section:  # Streamlit opens the first tab instead
        labels = [tab.label for tab in at.tabs]
        raise ValueError(f"{page or 'overview.py'} has no section {section!r}; its sections are {labels}")
    return at


def logged_in(account: str) -> str:
    """A session token of `account` of the accounts file (as after its login)."""
    import time

    from dpf.auth.accounts import load_accounts, users_file
    from dpf.auth.sessions import open_session

    return open_session(users_file(), load_accounts(users_file())[account], time.time())


def declared_sections(page: str, slides: bool = False) -> list[str]:
    """The labels of the page's table of sections (app_pages/PAGE's `Section("label", …)` entries), in order;
    `slides`: only those that are 简报模式 topics (not declared `slide=False`)."""
    tree = ast.parse((REPO / "app_pages" / page).read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Section"
        if not slides or not any(k.arg == "slide" and ast.literal_eval(k.value) is False for k in node.keywords)
    ]


def section_key(page: str | None) -> str:
    """The key (and URL parameter) of a page's section tabs, from its declaration: rehab.py → rehab_section."""
    from ui.page_table import page_spec

    return page_spec(REPO / "app_pages" / (page or "overview.py")).section_key


class EverySection:
    """A page run once per section tab (only the chosen tab runs), read as one page: `.info`, `.dataframe`,
    `.get("plotly_chart")` and the like list every section's elements in tab order."""

    def __init__(self, runs: dict[str, AppTest]):
        self.runs = runs

    def __getattr__(self, name: str) -> list:
        return [element for at in self.runs.values() for element in getattr(at, name)]

    def get(self, kind: str) -> list:
        return [element for at in self.runs.values() for element in at.get(kind)]


def run_every_section(folder: Path, page: str, sections: list[str], query: dict | None = None) -> EverySection:
    return EverySection({section: run_page(folder, page, query, section=section) for section in sections})


def rerun(at: AppTest, folder: Path) -> AppTest:
    with data_folder(folder):
        at.run()
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown_lines(at: AppTest) -> list[str]:
    """Every line of every Markdown element (a target tile is one element of three lines: name, value / target,
    完成率 and status)."""
    return [line.strip() for m in at.markdown for line in m.value.split("\n")]


def no_exception(at: AppTest) -> bool:
    return len(at.exception) == 0 and not any("意外问题" in e.value for e in at.error)


def with_accounts(monkeypatch, folder: Path, **accounts: tuple[str, tuple[str, ...]]) -> Path:
    """An accounts file in `folder` holding NAME=(role, township codes) with the password 'password-NAME'."""
    from dpf.auth.accounts import add_account

    path = folder / "users.toml"
    for name, (role, townships) in accounts.items():
        add_account(path, name, role, townships, f"password-{name}")
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(path))
    return path


def admin_session(monkeypatch, folder: Path) -> str:
    """An accounts file with one 数据管理员 account ('admin'); pass the name to run_page(account=…)."""
    with_accounts(monkeypatch, folder, admin=("admin", ()))
    return "admin"


def shown_tables(at) -> list:
    """Every table of the page: its grids (st.dataframe) and its static tables (st.table: a table too wide for
    the screen, ui.downloads.shown_table), each with `.value` (the frame as given); a chart's own data table (in
    its 图表数据 expander, ui.charts.show_chart) left out."""
    return [*at.dataframe, *(table for table in at.table if id(table) not in chart_data_tables(at))]


def chart_data_tables(at) -> set[int]:
    """The ids of the tables in the charts' 图表数据 expanders."""
    from ui.charts import CHART_DATA

    return {id(table) for expander in at.expander if expander.label.startswith(CHART_DATA) for table in expander.table}
