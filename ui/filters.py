"""Sidebar filters shared by every page, bound to the URL (?year=…&month=…&township=…)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dpf.auth.access import OPEN_SCOPE, Scope, offered, view_townships
from dpf.figures.period import YEAR_TO_DATE, Period, months_offered, parse_month_key
from ui.briefing import briefing_toggle, copy_link_control
from ui.context import View
from ui.data import cached_townships, cached_years, current_source, open_cached
from ui.text_size import text_size_control

YEAR_KEY = "year"
TOWNSHIP_KEY = "township"
MONTH_KEY = "month"  # ?month=2024-06; absent = 年初至今
_PERIOD_WIDGET = "period"
YEAR_SO_FAR_OPTION = 0  # the 期间 widget's 年初至今


def url_month(year: int, offered_months: list[int]) -> int | None:
    """The month the URL asks for within `year`: ?month=2024-06, or the same month number of another year when the
    year filter changed (None: 年初至今, or a month the data do not hold yet)."""
    wanted = st.query_params.get(MONTH_KEY)
    if not wanted:
        return None
    try:
        _, month = parse_month_key(wanted)
    except ValueError:
        return None
    return month if month in offered_months else None


def _month_to_url(year: int) -> None:
    key = Period(year, st.session_state[_PERIOD_WIDGET] or None).key
    if key:
        st.query_params[MONTH_KEY] = key
    else:
        st.query_params.pop(MONTH_KEY, None)


def period_filter(year: int, as_of: date) -> int | None:
    """期间: 年初至今 or one month of the year up to the as-of month, kept in the URL as ?month=2024-06. The widget's
    年初至今 is 0 (None would read as nothing chosen and show the placeholder); the view's is None."""
    offered_months = months_offered(year, as_of)
    st.session_state[_PERIOD_WIDGET] = url_month(year, offered_months) or YEAR_SO_FAR_OPTION
    _month_to_url(year)  # an unusable ?month= leaves the URL; another year's month number is rewritten to this year
    choice = st.sidebar.selectbox(
        "期间",
        [YEAR_SO_FAR_OPTION, *offered_months],
        format_func=lambda m: Period(year, m or None).short_label(),
        key=_PERIOD_WIDGET,
        placeholder="请选择",  # never shown (a choice is always made), but Streamlit's default is English
        on_change=_month_to_url,
        args=(year,),
        help=f"{YEAR_TO_DATE}：1月1日至数据截至日；选一个月：该月数字，与上月比（环比）、与上年同月比（同比）。",
    )
    return choice or None


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

    month = period_filter(int(year), manifest.as_of)

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
        month=month,
    )
