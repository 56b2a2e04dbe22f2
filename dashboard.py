"""县残联工作数据看板 — entry point: `streamlit run dashboard.py`.

`streamlit run` first imports this file as the module `dashboard` and finds `app`: Streamlit's server (st.App) with
the login cookie's two routes (dpf.auth.session_routes). Every browser session then runs the file as its script
(`__main__`), which draws the pages.
"""

from __future__ import annotations

import logging

import streamlit as st

from dpf.auth.session_routes import routes
from ui.context import current_view
from ui.header import page_footer
from ui.shell import bootstrap


def main() -> None:
    current = bootstrap()
    try:
        current.run()
    except Exception:  # a leader never sees a traceback
        logging.getLogger("dashboard").exception("page %s failed", current.title)
        st.error("抱歉，本页面加载时出现意外问题。请刷新页面；若仍出现，请联系数据管理员。", icon=":material/error:")
    page_footer(current_view())


if __name__ == "__main__":
    main()
else:
    app = st.App(__file__, routes=routes())
