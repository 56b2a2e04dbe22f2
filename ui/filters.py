"""Sidebar filters shared by every page, bound to the URL (?year=…&township=…)."""

from __future__ import annotations

import streamlit as st

from dpf.auth.access import OPEN_SCOPE, Scope, offered, view_townships
from ui.briefing import briefing_toggle, copy_link_control
from ui.context import View
from ui.data import cached_townships, cached_years, current_source, open_cached
from ui.text_size import text_size_control

YEAR_KEY = "year"
TOWNSHIP_KEY = "township"


def sidebar_filters(scope: Scope = OPEN_SCOPE, account: str | None = None) -> View:
    """Draw the year and township filters and return the view they select: the chosen townships within the
    session's scope (a township account is offered only its own, and sees them when it chooses none)."""
    briefing = briefing_toggle()
    text_size_control(briefing)
    copy_link_control()
    folder, fingerprint = current_source()
    extracts = open_cached(folder, fingerprint)
    manifest = extracts.manifest
    if manifest is None:
        st.sidebar.error(extracts.manifest_problem or "数据不可用。")
        return View(
            folder, fingerprint, 0, (), (), None, "", False, extracts.manifest_problem, briefing, scope, account
        )

    years = cached_years(folder, fingerprint)
    default_year = manifest.as_of.year if manifest.as_of.year in years else years[0]
    year = st.sidebar.selectbox(
        "年度",
        years,
        index=years.index(default_year),
        format_func=str,  # the URL carries the label: ?year=2024
        key=YEAR_KEY,
        placeholder="请选择",  # Streamlit's default placeholder is English
        bind="query-params",
    )

    towns = cached_townships(folder, fingerprint) if extracts.available("townships") else None
    if towns is None:
        st.sidebar.warning(extracts.problem("townships") or "乡镇（街道）表不可用。")
        names: list[str] = []
        code_by_name: dict[str, str] = {}
    else:
        allowed = set(offered(scope, list(towns["code"])))
        names = [name for name, code in zip(towns["name"], towns["code"], strict=True) if code in allowed]
        code_by_name = dict(zip(towns["name"], towns["code"], strict=True))
    chosen = st.sidebar.multiselect(
        "乡镇（街道）",
        names,
        placeholder="全县（可多选乡镇/街道）",  # short enough for the sidebar at 1280 wide
        key=TOWNSHIP_KEY,
        bind="query-params",
        help="不选即为全县。",
        select_all=False,  # Streamlit's "Select all" entry is English; choosing none already means 全县
    )
    codes = view_townships(scope, [code_by_name[name] for name in chosen], [code_by_name[name] for name in names])
    name_by_code = {code: name for name, code in code_by_name.items()}
    return View(
        folder=folder,
        fingerprint=fingerprint,
        year=int(year),
        township_codes=codes,
        township_names=tuple(name_by_code[code] for code in codes),
        as_of=manifest.as_of,
        source=manifest.source,
        is_demo=manifest.is_demo,
        problem=None,
        briefing=briefing,
        access=scope,
        account=account,
    )
