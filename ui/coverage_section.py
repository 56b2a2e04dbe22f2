"""资金发放's 应补尽补: per township how many were eligible for the two monthly subsidies in the month, how many were
paid, the coverage and the eligible not paid, with the 合计 row (dpf.figures.coverage; the rule in
docs/data-contract.md). A programme whose eligibility the data cannot tell reads 无法计算, never 0."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dpf.contract.catalogue import GRADES, PROGRAM_BY_CODE
from dpf.contract.manifest import GRADES_PROBLEM
from dpf.figures.coverage import COVERAGE_PROGRAMS, coverage_table, month_label
from ui.briefing_frame import reserve
from ui.context import View
from ui.downloads import table_with_downloads
from ui.sections import section_heading

TITLE = "应补尽补"
MONTH_LINE_PX = 36  # 简报模式: the line naming the month above the table
UNKNOWN = "无法计算"
TOWNSHIP = "乡镇（街道）"
NO_FLAG = (
    "困难残疾人生活补贴无法计算：持证残疾人表没有低保/困难标记（可选列 hardship，见数据约定），无法确定应发对象。"
    "在持证残疾人名册中加“低保/困难”一列导入后即可计算。"
)


def grades_text(grades: list[int]) -> str:
    """一级、二级"""
    return "、".join(GRADES[grade] for grade in grades)


def coverage_rows(table: pd.DataFrame) -> pd.DataFrame:
    """coverage_table's frame as the page shows and downloads it: one row per township and 合计, for each programme
    应发人数 / 本月发放人数 / 覆盖率 / 应补未补, or one column reading 无法计算."""
    first = table[table["program"] == COVERAGE_PROGRAMS[0]]
    frame = pd.DataFrame({TOWNSHIP: list(first["name"])})
    for program in COVERAGE_PROGRAMS:
        rows = table[table["program"] == program].set_index("name").reindex(frame[TOWNSHIP])
        short = PROGRAM_BY_CODE[program].short
        if rows["eligible"].isna().all():
            frame[short] = UNKNOWN
            continue
        frame[f"{short}应发人数（人）"] = rows["eligible"].to_numpy()
        frame[f"{short}本月发放人数（人）"] = rows["paid"].to_numpy()
        frame[f"{short}覆盖率（%）"] = rows["coverage"].astype(float).round(1).to_numpy()
        frame[f"{short}应补未补（人）"] = rows["unpaid"].to_numpy()
    return frame


def unknown_programs(table: pd.DataFrame) -> list[str]:
    """The programmes whose coverage cannot be computed (every eligible count NULL)."""
    return [p for p in COVERAGE_PROGRAMS if table.loc[table["program"] == p, "eligible"].isna().all()]


def show_coverage(view: View, frame: pd.DataFrame, page: str) -> None:
    """The section: its caption naming the month and the rule, the table and its downloads, and why a programme
    reads 无法计算."""
    if not section_heading(view, TITLE, "persons", "payments", "townships"):
        return
    params = view.coverage_params()
    table = coverage_table(frame, view.township_codes)
    month = month_label(params["year"], params["month"], params["as_of"])
    grades = grades_text(params["grades"]) if params["grades"] else ""
    rule = f"护理补贴为{grades}持证残疾人" if grades else "护理补贴"
    st.caption(
        f"{month}，{view.scope}。应发人数 = 月末持证且符合条件的残疾人（{rule}；生活补贴为低保或其他困难家庭的持证残疾人）；"
        "本月发放人数 = 其中本月有发放记录的人数（同月补发只计一次）；覆盖率 = 本月发放 ÷ 应发；应补未补 = 应发 − 本月发放。"
        "最后一行为合计。"
    )
    if view.briefing:  # the caption is a footnote, left off the frame: the month is said above the table
        st.markdown(f"**{month}**　应发人数为月末持证且符合条件的残疾人（{rule}；生活补贴为低保或其他困难家庭）")
        reserve(MONTH_LINE_PX)
    table_with_downloads(
        coverage_rows(table), page, f"应补尽补_{month}", view, "funds_coverage_table", "funds_coverage_dl"
    )
    unknown = unknown_programs(table)
    if "nursing_subsidy" in unknown:
        st.info(f"重度残疾人护理补贴{UNKNOWN}：{GRADES_PROBLEM}", icon=":material/info:")
    if "living_subsidy" in unknown:
        st.info(NO_FLAG, icon=":material/info:")
