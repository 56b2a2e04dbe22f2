"""数据状况: the manifest, each table's rows and years, the contract check, recent imports,
freshness, and the 填报 gaps (townships without 两项补贴 records in a month where they had them before).

One page read from top to bottom (no tabs): every warning — stale data, a failed check, a 缺报, a suspected double
payment — is in sight at once, and the queries of the parts below run while the slow check above them does."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dpf import palette
from dpf.contract.catalogue import MONTHLY_PROGRAMS, PROGRAM_BY_CODE, TABLE_NAMES_ZH
from dpf.contract.check import CheckResult
from dpf.contract.check_store import FolderChanged
from dpf.figures import ranking as ranking_rule
from dpf.formatting import fmt_count, fmt_date, table_formats
from dpf.ingest.report import read_log
from ui.audit_view import audit_section
from ui.briefing_frame import ALERT_PX, reserve, slide_table
from ui.context import View, current_view
from ui.downloads import NO_VALUE, table_size
from ui.header import page_header, source_label
from ui.page_table import page_spec
from ui.sections import Frames, Query, Section, Sections, section_heading, tables_ready
from ui.township_ranking import show_everyone

SPEC = page_spec(__file__)
STALE_DAYS = 45
MONTHLY = sorted(MONTHLY_PROGRAMS, key=lambda code: list(PROGRAM_BY_CODE).index(code))
IMPORT_RESULTS = {"ok": "已写入", "unchanged": "无变化", "failed": "未写入", "interrupted": "中断，未写入"}
GAP = "缺报"
GAP_STYLE = f"background-color: {palette.GAP_FILL}; color: {palette.GAP_TEXT}"  # a 缺报 cell of the grid


def _generated(text: str) -> str:
    """A time stamp as 2024年4月2日 09:05 (unknown or unreadable: as written, or 未知)."""
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        return text or "未知"
    return "未知" if pd.isna(stamp) else f"{fmt_date(stamp.date())} {stamp:%H:%M}"


def _day(text: str) -> str:
    """An ISO date as 2024年3月31日 (unreadable: as written)."""
    try:
        return fmt_date(date.fromisoformat(text))
    except (TypeError, ValueError):
        return text or ""


def gaps_params(view: View) -> dict:
    return {"year": view.year, "as_of": view.as_of, "programs": MONTHLY}


def cards(view: View) -> None:
    """What the page is for, a warning when the data is old, and where it comes from."""
    manifest = view.extracts.manifest
    st.caption("本页说明看板所用数据的来源、截至日期、完整性和最近的导入情况，供数据管理员和领导核对。")
    stale = (date.today() - view.as_of).days if view.as_of else 0
    if stale > STALE_DAYS:
        st.warning(
            f"数据截至 {fmt_date(view.as_of)}，距今已 {stale} 天（超过 {STALE_DAYS} 天）。请数据管理员导入最新台账。",
            icon=":material/schedule:",
        )
    cols = st.columns(3)
    cols[0].metric("数据截至", fmt_date(view.as_of) if view.as_of else "未知")
    cols[1].metric("数据生成时间", _generated(manifest.generated_at if manifest else ""))
    cols[2].metric("数据来源", source_label(view))


LABEL_PX = 30  # a bold line above a table


def frame_table(
    frame: pd.DataFrame | Styler, view: View, key: str, rows: int | None = None, hide_index: bool | None = True
) -> None:
    """A table of the page; in 简报模式 its rows fitted to the frame (a styled table: `rows` says how many)."""
    if view.briefing:
        formats = table_formats(frame) if isinstance(frame, pd.DataFrame) else None
        slide_table(frame, key, rows, formats, hide_index)
        return
    size = table_size(rows if rows is not None else len(frame))
    st.dataframe(frame, hide_index=hide_index, width="stretch", key=key, placeholder=NO_VALUE, **size)


def _years(first: float, last: float) -> str:
    if pd.isna(first):
        return ""
    first, last = int(first), int(last)
    return f"{first}年" if first == last else f"{first}–{last}年"


def tables_section(view: View, frames: Frames) -> None:
    """Each table's rows and years beside the manifest's count, and what is wrong with a table that is."""
    section_heading(view, "各数据表")
    manifest = view.extracts.manifest
    statuses = view.extracts.tables
    listed = manifest.tables if manifest else {}
    rows = []
    for record in frames["table_coverage"].itertuples():
        status = statuses.get(record.tbl)
        ok = bool(status and status.ok)
        rows.append(
            {
                "数据表": TABLE_NAMES_ZH[record.tbl],
                "行数": fmt_count(record.rows) if ok else "—",
                "覆盖年份": _years(record.first_year, record.last_year) if ok else "—",
                "数据清单登记行数": fmt_count(listed[record.tbl]["rows"]) if record.tbl in listed else "未登记",
                "状态": "正常" if ok else (status.problem if status else "未找到"),
            }
        )
    frame_table(pd.DataFrame(rows), view, key="status_tables")


def check_summary(result: CheckResult) -> None:
    if result.unreadable:
        st.error(result.unreadable, icon=":material/error:")
    elif result.violations:
        st.error(
            f"检查未通过：{len(result.violations)} 项问题，{len(result.warnings)} 项提醒。", icon=":material/error:"
        )
    else:
        st.success(
            f"检查通过：{len(result.tables)} 张表，{len(result.warnings)} 项提醒。", icon=":material/check_circle:"
        )


def check_section(view: View) -> None:
    section_heading(view, "数据约定检查")
    try:
        result = view.contract_check()
    except FolderChanged:  # nothing cached: the next run checks the new data
        st.info(
            "数据正在更新：检查期间有新的导入替换了数据文件，本次检查结果不作数。请稍候片刻后点“重新检查”。",
            icon=":material/sync:",
        )
        st.button("重新检查", key="status_recheck")
        return
    check_summary(result)
    for finding in [*result.violations, *result.warnings]:
        st.markdown(f"- {'【问题】' if finding in result.violations else '【提醒】'}{finding.message}")


def imports_section(view: View) -> None:
    section_heading(view, "最近的导入")
    log = read_log(Path(view.folder))
    if not log:
        st.info("尚无导入记录（本数据集未通过“数据导入”更新过）。")
        return
    rows = [
        {
            "导入时间": _generated(entry.get("at", "")),
            "文件": "、".join(f["file"] for f in entry.get("files", [])),
            "接受行数": fmt_count(entry.get("accepted", 0)),
            "拒绝行数": fmt_count(entry.get("rejected", 0)),
            "结果": IMPORT_RESULTS.get(entry.get("status"), entry.get("status", "")),
            "导入后数据截至": _day(entry.get("as_of", "")),
        }
        for entry in log
    ]
    frame_table(pd.DataFrame(rows), view, key="status_imports")


def gap_grid(grid: pd.DataFrame, program: str, only_gaps: bool = False) -> pd.DataFrame:
    """One programme's townships × months: the payees of each month, 缺报 where a township stopped reporting (with
    `only_gaps`, just the townships that have a 缺报 in it)."""
    part = grid[grid["program"] == program]
    if only_gaps:
        part = part[part["code"].isin(part.loc[part["gap"], "code"])]
    part = part.copy()
    part["cell"] = [
        GAP if gap else (fmt_count(n) if n else "—") for gap, n in zip(part["gap"], part["rows"], strict=True)
    ]
    table = part.pivot_table(index=["sort_order", "name"], columns="month", values="cell", aggfunc="first")
    table = table.droplevel(0).rename_axis("乡镇（街道）")
    table.columns = [f"{m}月" for m in table.columns]
    return table


def gaps_cut_note(shown: int, towns: int) -> str:
    """What a grid cut to the townships with a 缺报 says it shows."""
    if not shown:
        return f"{fmt_count(towns)}个乡镇（街道）逐月均有记录，没有缺报。"
    return (
        f"只列出有缺报的{fmt_count(shown, '个乡镇（街道）')}（共{fmt_count(towns, '个')}）；打开“显示全部”看每个乡镇。"
    )


def payments_check(view: View, title: str, explanation: str, frames: Frames) -> pd.DataFrame | None:
    """A check of the payments: its heading, what it looks for and its one query's rows (None, after saying why,
    when the payments or the townships cannot be used)."""
    section_heading(view, title)
    st.caption(explanation)
    if not tables_ready(view, "payments", "townships"):
        return None
    return frames.only()


GAPS_NOTE = (
    "每格为该乡镇当月的发放人次。标“缺报”的格：该乡镇此前有过发放记录，当月却没有，请核实是否漏报台账。"
    "本表显示全县所有乡镇，不受左侧乡镇选择影响。"
)
DOUBLES_NOTE = (
    "同一人（或项目）、同一项目、同一月份有多于一笔发放的情况，按乡镇、项目、月份计数（含台账中标为“补发”的行）。"
    "请核实是否确为补发；若是重复录入或金额有误，请用“更正替换”导入更正后的台账。"
)


def gaps_section(view: View, frames: Frames) -> None:
    grid = payments_check(view, f"{view.year}年两项补贴填报情况（各乡镇、各月）", GAPS_NOTE, frames)
    if grid is None:
        return
    if grid.empty or not grid["rows"].any():
        st.info(f"{view.year}年（截至 {fmt_date(view.as_of)}）没有两项补贴发放记录，暂无填报情况可看。")
        return
    gaps = grid[grid["gap"]]
    if gaps.empty:
        st.success("各乡镇逐月均有记录，没有发现缺报。", icon=":material/check_circle:")
    else:
        st.warning(f"发现 {len(gaps)} 处缺报（乡镇 × 项目 × 月份），见下表中标“缺报”的格。", icon=":material/warning:")
    if view.briefing:  # the two programmes side by side on the slide, below their names
        reserve(ALERT_PX + LABEL_PX)
    towns = grid["code"].nunique()
    only_gaps = towns > ranking_rule.MOST_BARS and not show_everyone(
        view, towns, "status_gaps", "全部乡镇（街道）逐月列出，表很长，打开较慢。"
    )
    places = st.columns(len(MONTHLY)) if view.briefing else [nullcontext() for _ in MONTHLY]
    for index, (program, place) in enumerate(zip(MONTHLY, places, strict=True)):
        with place:
            st.markdown(f"**{PROGRAM_BY_CODE[program].name}**（人次）")
            table = gap_grid(grid, program, only_gaps)
            if only_gaps:
                st.caption(gaps_cut_note(len(table), towns))
                if table.empty:
                    continue
            styled = table.style.map(lambda v: GAP_STYLE if v == GAP else "")
            frame_table(styled, view, key=f"status_gaps_{index}", rows=len(table), hide_index=None)


def doubles_table(doubles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "乡镇（街道）": doubles["name"],
            "项目": [PROGRAM_BY_CODE[p].name for p in doubles["program"]],
            "月份": [f"{p:%Y}年{p.month}月" for p in doubles["period"]],
            "人（项目）数": doubles["payees"].map(fmt_count),
            "发放笔数": doubles["payments"].map(fmt_count),
            "金额（元）": [f"{float(v):,.2f}" for v in doubles["amount_yuan"]],
        }
    )


def doubles_section(view: View, frames: Frames) -> None:
    doubles = payments_check(view, f"{view.year}年预警：疑似重复发放", DOUBLES_NOTE, frames)
    if doubles is None:
        return
    if doubles.empty:
        st.success("未发现同一人同一项目同一月份多笔发放。", icon=":material/check_circle:")
        return
    st.warning(
        f"发现 {fmt_count(doubles['payees'].sum())} 人（项目）次同月多笔发放，"
        f"涉及 {fmt_count(doubles['payments'].sum())} 笔，见下表。",
        icon=":material/warning:",
    )
    if view.briefing:
        reserve(ALERT_PX)
    frame_table(doubles_table(doubles), view, key="status_duplicate_payments")


SECTIONS = Sections(  # read from top to bottom: Sections.show_all, no tabs
    SPEC.section_key,
    [
        # 简报模式: one part per screen, without the page's cards (the title block says 数据截至 and the source)
        Section("各数据表", tables_section, (Query("table_coverage"),), ()),
        Section("数据约定检查", check_section, cards=()),
        Section("最近的导入", imports_section, cards=()),
        Section("填报情况", gaps_section, (Query("reporting_gaps", gaps_params),), ()),
        Section("疑似重复发放", doubles_section, (Query("duplicate_payments", View.year_params),), ()),
        Section("访问记录", audit_section, cards=(), slide=False),  # 数据管理员 only; never a 简报模式 slide
    ],
)


view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    SECTIONS.show_all(view, view, cards)
