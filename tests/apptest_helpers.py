"""Run the whole app (dashboard.py) in AppTest on a chosen data folder and page."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent


_original_init = PagesManager.__init__


def _init_as_server(self, *args, **kwargs):
    """AppTest re-detects the legacy `pages/` folder mode on every run; a real server leaves it
    after its first run, once dashboard.py has called st.navigation. Behave like the server."""
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _init_as_server


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


def run_page(folder: Path, page: str | None = None, query: dict | None = None, timeout: float = 60) -> AppTest:
    """AppTest of dashboard.py on `folder`, switched to pages/`page` (None = the default page)."""
    with data_folder(folder):
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(f"pages/{page}")
            at.run()
    return at


def rerun(at: AppTest, folder: Path) -> AppTest:
    with data_folder(folder):
        at.run()
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def no_exception(at: AppTest) -> bool:
    return len(at.exception) == 0 and not any("意外问题" in e.value for e in at.error)
