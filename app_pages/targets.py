"""年度目标: every target of the year against the calendar (序时进度), laggards first.

Figures come from dpf (compute_indicators for values and scope targets, dpf.schedule for
schedule, status, projection and need, dpf.progress for month-by-month cumulative values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf.catalogue import INDICATOR_BY_CODE, INDICATORS
from dpf.formatting import fmt_date, fmt_pct, fmt_value
from dpf.progress import cumulative_by_month, monthly_increments, series_for
from dpf.schedule import Status, TargetProgress, evaluate_target, projection_path, schedule_line
from ui.charts import add_vertical_line, show_chart
from ui.context import View, current_view
from ui.data import cached_township_values, open_cached, prefetch
from ui.downloads import table_downloads
from ui.header import page_header
from ui.sections import open_section

PAGE = "年度目标"
BASIS_LABELS = {"day": "按天", "month": "按月"}
BASIS_HELP = {
    "day": "按天：截至数据日已过天数（含当天）÷ 全年天数",
    "month": "按月：已过完整月数 ÷ 12（与月度通报口径一致）",
}
COUNTED = [Status.SEVERELY_BEHIND, Status.BEHIND, Status.AHEAD, Status.DONE]


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    progress: TargetProgress


@st.cache_data(show_spinner=False, max_entries=64)
def cached_cumulative(folder: str, fingerprint: str, year: int, townships: tuple[str, ...], as_of: date):
    """Cumulative value of every indicator at each month end (dpf.progress), cached per manifest."""
    return cumulative_by_month(open_cached(folder, fingerprint), year, list(townships), as_of)


def cumulative(view: View, year: int) -> pd.DataFrame:
    return cached_cumulative(view.folder, view.fingerprint, year, view.township_codes, view.as_of)


def last_year_pattern(view: View, code: str) -> list[float] | None:
    """Last year's monthly increments of an indicator (None: not needed, a rate, or no data)."""
    if view.as_of.year != view.year or INDICATOR_BY_CODE[code].is_rate:
        return None
    return monthly_increments(series_for(cumulative(view, view.year - 1), code))


def value_of(raw: object) -> float | None:
    return None if raw is None or pd.isna(raw) else float(raw)


def evaluate(view: View, basis: str, indicators: pd.DataFrame, codes: list[str]) -> tuple[list[Row], list[str]]:
    """(evaluated targets for the scope, laggards first; codes with a county target only)."""
    frame = indicators.set_index("indicator")
    rows, county_only = [], []
    for code in codes:
        item = frame.loc[code]
        target = value_of(item["target"])
        if target is None:
            county_only.append(code)
            continue
        progress = evaluate_target(
            view.year,
            view.as_of,
            value_of(item["value"]),
            target,
            note=item["note"] or None,
            is_rate=INDICATOR_BY_CODE[code].is_rate,
            monthly_last_year=last_year_pattern(view, code),
            basis=basis,
        )
        rows.append(Row(code, item["name"], item["unit"], progress))
    rows.sort(key=lambda r: (r.progress.status.rank, r.progress.gap if r.progress.gap is not None else 0.0))
    return rows, county_only


# ---------------------------------------------------------------------------
# Views


def summary(rows: list[Row], schedule: float, basis: str) -> None:
    counts = {status: sum(r.progress.status is status for r in rows) for status in COUNTED}
    columns = st.columns(5)
    columns[0].metric(f"序时进度（{BASIS_LABELS[basis]}）", fmt_pct(schedule), help=BASIS_HELP[basis], border=True)
    for column, status in zip(columns[1:], COUNTED, strict=True):
        column.metric(status.label, f"{counts[status]}项", border=True)
    others = len(rows) - sum(counts.values())
    if others:
        st.caption(f"另有{others}项尚未开始。")


def bullet_chart(view: View, rows: list[Row], schedule: float) -> None:
    names = [r.name for r in rows]
    completions = [r.progress.completion or 0.0 for r in rows]
    top = max(110.0, min(max(completions), 200.0))
    fig = go.Figure()
    fig.add_bar(
        x=[top] * len(rows),
        y=names,
        orientation="h",
        marker_color="#eef1f4",
        width=0.7,
        hoverinfo="skip",
        showlegend=False,
    )
    for status in sorted({r.progress.status for r in rows}, key=lambda s: s.rank):
        members = [r for r in rows if r.progress.status is status]
        fig.add_bar(
            x=[min(r.progress.completion or 0.0, top) for r in members],
            y=[r.name for r in members],
            orientation="h",
            width=0.42,
            name=status.label,
            marker_color=status.color,
            text=[label(r) for r in members],
            textposition="outside",
            cliponaxis=False,
            customdata=[hover(r) for r in members],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.add_scatter(
        x=[schedule] * len(rows),
        y=names,
        mode="markers",
        marker={"symbol": "line-ns", "size": 30, "line": {"width": 3, "color": "#1f2933"}},
        name=f"序时进度 {fmt_pct(schedule)}",
        hovertemplate=f"序时进度 {fmt_pct(schedule)}<extra></extra>",
    )
    add_vertical_line(fig, 100, {"color": "#6b7280", "dash": "dash", "width": 1})
    ticks = [t for t in range(0, int(top) + 1, 25)]
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        xaxis={
            "range": [0, top * 1.4],
            "tickvals": ticks,
            "ticktext": [f"{t}%" for t in ticks],
            "title": "完成率（竖线为序时进度，虚线为目标100%）",
        },
        yaxis={"categoryorder": "array", "categoryarray": names, "autorange": "reversed", "automargin": True},
    )
    show_chart(fig, f"{view.year}年度目标完成率与序时进度", view, key="targets_bullet", height=44 * len(rows) + 150)


def label(row: Row) -> str:
    p = row.progress
    return f"{fmt_value(p.value, row.unit)} / {fmt_value(p.target, row.unit)}　{fmt_pct(p.completion)}"


def hover(row: Row) -> str:
    p = row.progress
    return (
        f"<b>{row.name}</b><br>完成 {fmt_value(p.value, row.unit)}，目标 {fmt_value(p.target, row.unit)}"
        f"<br>完成率 {fmt_pct(p.completion)}，序时进度 {fmt_pct(p.schedule)}"
        f"<br>差距 {p.gap:+.1f}个百分点　{p.status.label}"
        f"<br>预计全年 {fmt_value(p.projection, row.unit)}（{'可' if p.projection_reaches_target else '难以'}完成）"
    )


def gap_text(gap: float | None) -> str:
    return "—" if gap is None else f"{gap:+.1f}"


def target_table(rows: list[Row]) -> pd.DataFrame:
    records = []
    for r in rows:
        p = r.progress
        records.append(
            {
                "指标": r.name,
                "完成值": fmt_value(p.value, r.unit),
                "目标": fmt_value(p.target, r.unit),
                "完成率（%）": round(p.completion, 1) if p.completion is not None else None,
                "序时进度（%）": round(p.schedule, 1),
                "差距（个百分点）": round(p.gap, 1) if p.gap is not None else None,
                "状态": p.status.text,
                "预计全年": fmt_value(p.projection, r.unit),
                "预计能否完成": "能" if p.projection_reaches_target else "不能",
                "剩余每月需完成": "—" if p.needed_per_month is None else fmt_value(p.needed_per_month, r.unit),
                "备注": p.note or "",
            }
        )
    return pd.DataFrame.from_records(records)


def county_only_note(view: View, indicators: pd.DataFrame, codes: list[str], county: pd.DataFrame) -> None:
    if not codes:
        return
    frame = indicators.set_index("indicator")
    by_code = county.set_index("indicator")
    lines = []
    for code in codes:
        unit = INDICATOR_BY_CODE[code].unit
        county_target = value_of(by_code.loc[code, "county_target"])
        shares = int(by_code.loc[code, "shares"])
        target_text = f"全县目标 {fmt_value(county_target, unit)}" if county_target is not None else "无全县目标"
        partial = f"，只有{shares}个所选乡镇（街道）分解了该目标" if shares else ""
        lines.append(
            f"- **{INDICATOR_BY_CODE[code].name}**：{target_text}{partial}；"
            f"{view.scope}已完成 {fmt_value(value_of(frame.loc[code, 'value']) or 0, unit)}"
        )
    st.info(
        f"以下目标只下达到全县，没有分解到{view.scope}，不计算所选范围的完成率和状态"
        "（查看全县进度请清空乡镇选择）：\n" + "\n".join(lines),
        icon=":material/info:",
    )


def township_ranking(view: View, basis: str) -> None:
    st.subheader("各乡镇（街道）完成情况")
    shares = view.query("township_target_shares", year=view.year)
    shares = shares[shares["indicator"].isin(INDICATOR_BY_CODE) & shares["township_name"].notna()]
    if shares.empty:
        st.info(f"{view.year}年的目标都只下达到全县，没有分解到乡镇（街道），暂无乡镇排名。")
        return
    codes = [i.code for i in INDICATORS if i.code in set(shares["indicator"])]
    code = st.selectbox(
        "排名指标",
        codes,
        format_func=lambda c: INDICATOR_BY_CODE[c].name,
        key="rank_target",
        help="只列出已分解到乡镇（街道）的目标。",
    )
    indicator = INDICATOR_BY_CODE[code]
    ranked = shares[shares["indicator"] == code]
    values = cached_township_values(view.folder, view.fingerprint, view.year, code, tuple(ranked["township_code"]))
    records = []
    for share in ranked.itertuples(index=False):
        value = value_of(values[share.township_code])
        p = evaluate_target(view.year, view.as_of, value, float(share.target), is_rate=indicator.is_rate, basis=basis)
        records.append((share.township_name, share.township_code, p))
    records.sort(key=lambda r: (r[2].status.rank, r[2].gap if r[2].gap is not None else 0.0))
    chosen = set(view.township_codes)
    names = [("▶ " if c in chosen else "") + n for n, c, _ in records]
    top = max(110.0, min(max((p.completion or 0.0) for _, _, p in records), 200.0))
    schedule = records[0][2].schedule
    fig = go.Figure(
        go.Bar(
            x=[min(p.completion or 0.0, top) for _, _, p in records],
            y=names,
            orientation="h",
            marker_color=[p.status.color for _, _, p in records],
            text=[
                f"{fmt_value(p.value, indicator.unit)} / {fmt_value(p.target, indicator.unit)}　"
                f"{fmt_pct(p.completion)}　{p.status.label}"
                for _, _, p in records
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}：%{text}<extra></extra>",
            showlegend=False,
        )
    )
    add_vertical_line(fig, schedule, {"color": "#1f2933", "width": 2})
    add_vertical_line(fig, 100, {"color": "#6b7280", "dash": "dash", "width": 1})
    ticks = list(range(0, int(top) + 1, 25))
    fig.update_layout(
        xaxis={
            "range": [0, top * 1.5],
            "tickvals": ticks,
            "ticktext": [f"{t}%" for t in ticks],
            "title": f"完成率（实线为序时进度 {fmt_pct(schedule)}，虚线为100%）",
        },
        yaxis={"categoryorder": "array", "categoryarray": names, "autorange": "reversed", "automargin": True},
    )
    note = "（▶ 为所选乡镇）" if chosen else ""
    show_chart(
        fig,
        f"{indicator.name}：各乡镇（街道）完成率{note}",
        view,
        key="targets_township_ranking",
        height=max(300, 30 * len(records) + 140),
    )
    table = pd.DataFrame.from_records(
        [
            {
                "乡镇（街道）": name,
                "完成值": fmt_value(p.value, indicator.unit),
                "分解目标": fmt_value(p.target, indicator.unit),
                "完成率（%）": round(p.completion, 1) if p.completion is not None else None,
                "差距（个百分点）": round(p.gap, 1) if p.gap is not None else None,
                "状态": p.status.text,
                "剩余每月需完成": "—" if p.needed_per_month is None else fmt_value(p.needed_per_month, indicator.unit),
            }
            for name, _, p in records
        ]
    )
    with st.expander("各乡镇（街道）明细表"):
        st.dataframe(table, hide_index=True, key="targets_township_table")
        table_downloads(table, PAGE, f"{indicator.name}乡镇完成情况", view, key="targets_township_dl")


def cumulative_chart(view: View, rows: list[Row], basis: str) -> None:
    st.subheader("逐月累计进度")
    codes = [r.code for r in rows]
    code = st.selectbox(
        "查看指标",
        codes,
        format_func=lambda c: INDICATOR_BY_CODE[c].name,
        key="target",
        bind="query-params",
    )
    row = next(r for r in rows if r.code == code)
    p = row.progress
    unit = row.unit
    year_start = date(view.year, 1, 1)
    this_year = series_for(cumulative(view, view.year), code)
    last_year = series_for(cumulative(view, view.year - 1), code)
    ends = [d for d, _ in schedule_line(view.year)]
    actual = [(min(d, view.as_of), v) for d, v in zip(ends, this_year, strict=True) if not math.isnan(v)]
    if not row.progress.is_rate:
        actual = [(year_start, 0.0), *actual]
    fig = go.Figure()
    if not p.is_rate:
        line = [(year_start, 0.0), *[(d, p.target * s / 100) for d, s in schedule_line(view.year, basis=basis)]]
        fig.add_scatter(
            x=[d for d, _ in line],
            y=[v for _, v in line],
            name=f"序时进度（{BASIS_LABELS[basis]}）",
            mode="lines",
            line={"color": "#9aa5b1", "width": 2},
            hovertemplate="%{x|%-m月%-d日} 序时应完成 %{y:,.1f}" + unit + "<extra></extra>",
        )
    last = [(d, v) for d, v in zip(ends, last_year, strict=True) if not math.isnan(v)]
    if last and any(v for _, v in last):
        fig.add_scatter(
            x=[d for d, _ in last],
            y=[v for _, v in last],
            name=f"{view.year - 1}年同期累计",
            mode="lines",
            line={"color": "#b5838d", "dash": "dot", "width": 1.5},
            hovertemplate=f"{view.year - 1}年" + "%{x|%-m月}末累计 %{y:,.1f}" + unit + "<extra></extra>",
        )
    fig.add_scatter(
        x=[d for d, _ in actual],
        y=[v for _, v in actual],
        name="实际累计",
        mode="lines+markers",
        line={"color": p.status.color, "width": 3},
        hovertemplate="截至%{x|%-m月%-d日} 累计 %{y:,.1f}" + unit + "<extra></extra>",
    )
    path = projection_path(view.year, view.as_of, p.value, last_year_pattern(view, code), p.is_rate)
    if len(path) > 1:
        fig.add_scatter(
            x=[d for d, _ in path],
            y=[v for _, v in path],
            name="预计（按上年各月节奏）" if last_year_pattern(view, code) else "预计（按今年日均进度）",
            mode="lines",
            line={"color": p.status.color, "dash": "dash", "width": 2},
            hovertemplate="预计%{x|%-m月}末 %{y:,.1f}" + unit + "<extra></extra>",
        )
    fig.add_hline(
        y=p.target,
        line={"color": "#c05746", "dash": "dash", "width": 1},
        annotation_text=f"目标 {fmt_value(p.target, unit)}",
        annotation_position="top left",
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        yaxis={"title": unit, "automargin": True, "rangemode": "tozero"},
        xaxis={"tickformat": "%-m月", "dtick": "M1", "range": [year_start, date(view.year, 12, 31)]},
    )
    show_chart(fig, f"{row.name}：逐月累计、序时进度与全年预计", view, key="targets_cumulative", height=420)
    reach = "可以完成" if p.projection_reaches_target else "难以完成"
    need = "" if not p.needed_per_month else f"；要完成目标，剩余每月需完成 {fmt_value(p.needed_per_month, unit)}"
    rate_note = "比率指标按当前值预计全年，不按月累计。" if p.is_rate else ""
    st.caption(
        f"截至{fmt_date(view.as_of)}完成 {fmt_value(p.value, unit)}，预计全年 {fmt_value(p.projection, unit)}，"
        f"按此进度{reach}目标 {fmt_value(p.target, unit)}{need}。{rate_note}"
    )


# ---------------------------------------------------------------------------
# Page


SECTIONS = ["完成情况", "逐月累计", "各乡镇（街道）"]  # the page's tabs; only the chosen one runs


def no_rows_note(view: View) -> None:
    st.info(f"{view.scope}没有分解到的{view.year}年度目标。", icon=":material/info:")


def completion_section(view: View, rows: list[Row]) -> None:
    if not rows:
        no_rows_note(view)
        return
    bullet_chart(view, rows, rows[0].progress.schedule)
    table = target_table(rows)
    st.markdown("**目标完成情况明细（含全年预计和剩余每月需完成）**")
    st.dataframe(table, hide_index=True, key="targets_table")
    table_downloads(table, PAGE, "年度目标完成情况", view, key="targets_table_dl")
    st.caption(
        "完成率 = 完成值 ÷ 目标；差距 = 完成率 − 序时进度（个百分点）。状态：已完成（≥100%）、超序时（不低于序时进度）、"
        "低于序时（落后不超过20个百分点）、严重滞后（落后超过20个百分点）。全年预计 = 已完成 + 剩余月份按上年同月节奏"
        "（上年无数据时按今年日均进度）；比率指标按当前值。"
    )


def render(view: View) -> None:
    problem = view.table_problem("targets")
    if problem:
        st.info(problem, icon=":material/info:")
        return
    targets = view.query("targets_for_scope", year=view.year, townships=view.townships)
    if targets.empty:
        st.info(f"{view.year}年没有设定年度目标。", icon=":material/info:")
        return
    unknown = sorted(set(targets["indicator"]) - set(INDICATOR_BY_CODE))
    if unknown:
        st.warning(f"年度目标表中有无法识别的指标，已略过：{'、'.join(unknown)}。", icon=":material/warning:")
    codes = [i.code for i in INDICATORS if i.code in set(targets["indicator"])]
    if not codes:
        st.info(f"{view.year}年没有可以识别的年度目标。", icon=":material/info:")
        return

    basis = st.segmented_control(
        "序时进度口径",
        list(BASIS_LABELS),
        default="day",
        format_func=BASIS_LABELS.get,
        key="basis",
        bind="query-params",
        required=True,
        help="序时进度：按天为已过天数 ÷ 全年天数；按月为已过完整月数 ÷ 12。",
    )
    basis = basis if basis in BASIS_LABELS else "day"

    cards = st.container()
    section, tab = open_section("targets_section", list(SECTIONS))
    # The month-end series overlap the figures: last year's gives the projection's monthly pattern (current year
    # only), this year's is drawn in 逐月累计 only.
    series_years = [view.year - 1] if view.as_of.year == view.year else []
    series_years += [view.year] if section == "逐月累计" else []
    for year in series_years:
        prefetch(cached_cumulative, view.folder, view.fingerprint, year, view.township_codes, view.as_of)
    with cards:
        with st.spinner("正在计算各月进度…"):
            indicators = view.indicators()
            rows, county_only = evaluate(view, basis, indicators, codes)
        problems = indicators.loc[indicators["indicator"].isin(codes), "problem"].dropna().unique()
        for message in problems:
            st.warning(f"{message}（相关目标暂按0计）", icon=":material/warning:")
        if rows:
            summary(rows, rows[0].progress.schedule, basis)
    with tab:
        if section == "完成情况":
            completion_section(view, rows)
            county_only_note(view, indicators, county_only, targets)
        elif section == "逐月累计":
            if rows:
                cumulative_chart(view, rows, basis)
            else:
                no_rows_note(view)
        else:
            township_ranking(view, basis)


view = current_view()
if page_header(view, "年度目标完成情况"):
    render(view)
