"""The 年度目标 page's charts and tables: status counts, completion against 序时进度, townships, month by month."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.figures.schedule import Basis, Status, TargetProgress, projection_path, schedule_line
from dpf.figures.targets import TargetRow, TownshipTarget
from dpf.formatting import fmt_date, fmt_estimate, fmt_pct, fmt_pp, fmt_projection, fmt_value
from ui.briefing import tip
from ui.charts import MONTH_LABELS, add_row_labels, add_vertical_line, hover_number, show_chart
from ui.context import View
from ui.township_ranking import Ranking, show_ranking

BASIS_LABELS = {"day": "按天", "month": "按月"}
BASIS_HELP = {
    "day": "按天：截至数据日已过天数（含当天）÷ 全年天数",
    "month": "按月：已过完整月数 ÷ 12（与月度通报口径一致）",
}
COUNTED = [Status.SEVERELY_BEHIND, Status.BEHIND, Status.AHEAD, Status.DONE]


def summary(rows: list[TargetRow], schedule: float, basis: Basis) -> None:
    counts = {status: sum(r.progress.status is status for r in rows) for status in COUNTED}
    columns = st.columns(5)
    columns[0].metric(f"序时进度（{BASIS_LABELS[basis]}）", fmt_pct(schedule), help=tip(BASIS_HELP[basis]), border=True)
    for column, status in zip(columns[1:], COUNTED, strict=True):
        column.metric(status.label, f"{counts[status]}项", border=True)
    others = len(rows) - sum(counts.values())
    if others:
        st.caption(f"另有{others}项尚未开始。")


def completion_top(completions: Sequence[float | None]) -> float:
    """The completion axis reaches 110% at least and 200% at most (a bar beyond is cut at the edge)."""
    return max(110.0, min(max((c or 0.0) for c in completions), 200.0))


def completion_axis(top: float, room: float, title: str) -> dict:
    """A completion axis (%, ticks every 25) from 0 to `top`, with `room` × top for the bar labels."""
    ticks = list(range(0, int(top) + 1, 25))
    return {"range": [0, top * room], "tickvals": ticks, "ticktext": [f"{t}%" for t in ticks], "title": title}


def category_axis(names: list[str]) -> dict:
    """A y axis listing `names` from the top down, in the order given."""
    return {"categoryorder": "array", "categoryarray": names, "autorange": "reversed", "automargin": True}


def rate_line(row: TargetRow) -> str:
    """A rate target in words, never a 完成率: 达成值 against 目标 and the 差距 in 个百分点."""
    p = row.progress
    return (
        f"{row.name}：达成值 {fmt_pct(p.value)}，目标 {fmt_pct(row.target)}，"
        f"差距 {fmt_pp(p.value - row.target, signed=True)}（{p.status_label}）"
    )


def bullet_chart(view: View, rows: list[TargetRow], schedule: float) -> None:
    """Completion of each target that accumulates: a bar against 100%, with 序时进度 marked; each bar's figures in a
    column right of the plot, clear of the marks. A rate (满意率) has no 完成率: it is said below the chart (in
    简报模式 under its title), its 达成值 against 目标 and the 差距."""
    rates = [r for r in rows if r.progress.is_rate]
    rows = [r for r in rows if not r.progress.is_rate]
    if not rows:
        st.markdown("\n".join(f"- {rate_line(r)}" for r in rates))
        return
    names = [r.name for r in rows]
    top = completion_top([r.progress.completion for r in rows])
    fig = go.Figure()
    fig.add_bar(
        x=[top] * len(rows),
        y=names,
        orientation="h",
        marker_color=palette.GRID,
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
            customdata=[hover(r) for r in members],
            hovertemplate="%{customdata}<extra></extra>",
        )
    accumulating = [r.name for r in rows if not r.progress.is_rate]
    if accumulating:
        fig.add_scatter(
            x=[schedule] * len(accumulating),
            y=accumulating,
            mode="markers",
            marker={"symbol": "line-ns", "size": 30, "line": {"width": 3, "color": palette.INK}},
            name=f"序时进度 {fmt_pct(schedule)}",
            hovertemplate=f"序时进度 {fmt_pct(schedule)}<extra></extra>",
        )
    add_vertical_line(fig, 100, {"color": palette.MUTED, "dash": "dash", "width": 1})
    add_row_labels(fig, names, [label(r) for r in rows])
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        margin={"l": 10, "t": 100, "b": 10},
        xaxis=completion_axis(top, 1.02, "完成率（竖线为序时进度，虚线为目标100%）"),
        yaxis=category_axis(names),
    )
    # 简报模式: the rates go under the title (the chart takes the frame's room; a list below would leave it)
    subtitle = "；".join(rate_line(r) for r in rates) if view.briefing else ""
    title = f"{view.year}年度目标完成率与序时进度"
    show_chart(fig, title, view, key="targets_bullet", height=44 * len(rows) + 150, subtitle=subtitle)
    if rates and not view.briefing:
        st.markdown(
            "比率指标不随月份累计，不计完成率，直接与目标比较：\n" + "\n".join(f"- {rate_line(r)}" for r in rates)
        )


def measure_text(p: TargetProgress) -> str:
    """完成率 of a target that accumulates; a rate's 差距 in 个百分点 (a rate is never a 完成率)."""
    return f"差距 {fmt_pp(p.gap, signed=True)}" if p.is_rate else fmt_pct(p.completion)


def label(row: TargetRow) -> str:
    p = row.progress
    return f"{fmt_value(p.value, row.unit)} / {fmt_value(p.target, row.unit)}　{measure_text(p)}"


def hover(row: TargetRow) -> str:
    p = row.progress
    against = "与目标直接比较（比率不按序时累计）" if p.is_rate else f"序时进度 {fmt_pct(p.schedule)}"
    return (
        f"<b>{row.name}</b><br>完成 {fmt_value(p.value, row.unit)}，目标 {fmt_value(p.target, row.unit)}"
        f"<br>完成率 {fmt_pct(p.completion)}，{against}"
        f"<br>差距 {fmt_pp(p.gap, signed=True)}　{p.status_label}"
        f"<br>{p.outlook}"
    )


def rounded(value: float | None) -> float | None:
    """A percentage for a table cell: one decimal (None stays empty)."""
    return round(value, 1) if value is not None else None


def needed_text(needed: float | None, unit: str) -> str:
    return "—" if needed is None else fmt_estimate(needed, unit)


def last_year_words(row: TargetRow) -> str:
    """上年全年369.6万元，今年已达到上年全年的72.0%。 while the year runs ('' without a previous year)."""
    share = row.share_of_last_year
    if share is None or row.last_year_total is None:
        return ""
    return f"上年全年 {fmt_value(row.last_year_total, row.unit)}，今年已达到上年全年的{fmt_pct(share)}。"


def target_table(rows: list[TargetRow]) -> pd.DataFrame:
    records = []
    for r in rows:
        p = r.progress
        records.append(
            {
                "指标": r.name,
                "完成值": fmt_value(p.value, r.unit),
                "目标": fmt_value(p.target, r.unit),
                "完成率（%）": None if p.is_rate else rounded(p.completion),  # a rate: its 差距 only, never a 完成率
                "序时进度（%）": "—" if p.is_rate else f"{p.schedule:.1f}",  # text: a rate is not held against it
                "差距（个百分点）": rounded(p.gap),
                "状态": p.status_text,
                "预计全年": fmt_projection(p.projection, r.unit, p.target),  # agrees with 预计能否完成
                "达上年全年（%）": rounded(r.share_of_last_year),  # while the year runs: so far ÷ last year's whole
                "预计能否完成": "能" if p.projection_reaches_target else "不能",
                "为什么": p.outlook,
                "剩余每月需完成": needed_text(p.needed_per_month, r.unit),
                "备注": p.note or "",
            }
        )
    return pd.DataFrame.from_records(records)


def township_chart(view: View, name: str, unit: str, records: list[TownshipTarget]) -> None:
    """Each township's completion of its share of one target, laggards first, in its status's colour, against
    序时进度 and 100% (ui.township_ranking.show_ranking, as every township ranking)."""
    top = completion_top([t.progress.completion for t in records])
    schedule = records[0].progress.schedule
    by_code = {t.code: t for t in records}
    rows = pd.DataFrame(
        {
            "code": [t.code for t in records],
            "name": [t.name for t in records],
            "completion": [min(t.progress.completion or 0.0, top) for t in records],
        }
    )

    def texts(rows: pd.DataFrame) -> list[str]:
        return [
            f"{fmt_value(p.value, unit)} / {fmt_value(p.target, unit)}　{measure_text(p)}　{p.status_label}"
            for p in (by_code[code].progress for code in rows["code"])
        ]

    def lines(fig: go.Figure, rows: pd.DataFrame) -> None:
        add_vertical_line(fig, schedule, {"color": palette.INK, "width": 2})
        add_vertical_line(fig, 100, {"color": palette.MUTED, "dash": "dash", "width": 1})
        fig.update_layout(showlegend=False)

    spec = Ranking(
        f"{name}：各乡镇（街道）完成率",
        "targets_township_ranking",
        "completion",
        texts,
        "%{y}：%{text}<extra></extra>",
        "",
        decorate=lines,
        colours=lambda rows: [by_code[code].progress.status.color for code in rows["code"]],
        xaxis=completion_axis(top, 1.02, f"完成率（实线为序时进度 {fmt_pct(schedule)}，虚线为100%）"),
        top_down=True,
        room=140,
    )
    show_ranking(view, rows, spec)


def township_table(unit: str, records: list[TownshipTarget]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            {
                "乡镇（街道）": t.name,
                "完成值": fmt_value(t.progress.value, unit),
                "分解目标": fmt_value(t.progress.target, unit),
                "完成率（%）": None if t.progress.is_rate else rounded(t.progress.completion),  # a rate: 差距 only
                "差距（个百分点）": rounded(t.progress.gap),
                "状态": t.progress.status_text,
                "剩余每月需完成": needed_text(t.progress.needed_per_month, unit),
            }
            for t in records
        ]
    )


def projection_name(is_rate: bool, pattern: list[float] | None) -> str:
    if is_rate:
        return "预计（按当前值）"
    return "预计（按上年各月节奏）" if pattern else "预计（按今年日均进度）"


def month_ticks(days: Sequence[date]) -> list[str]:
    """Each day's month as the 逐月累计 chart's tick (1月 … 12月)."""
    return [MONTH_LABELS[day.month - 1] for day in days]


def cumulative_chart(
    view: View,
    row: TargetRow,
    this_year: list[float],
    last_year: list[float],
    pattern: list[float] | None,
    basis: Basis,
) -> None:
    """One target month by month: actual cumulative values, 序时进度, last year's and the projection to December.

    `this_year` and `last_year` are the indicator's 12 month-end values (NaN where unknown); `pattern` last year's
    monthly increments the projection follows (None: this year's run rate).
    """
    p, unit = row.progress, row.unit
    as_of = p.as_of  # the date the row was evaluated at: the view's
    ends = [d for d, _ in schedule_line(view.year)]
    # Each month-end value sits at its own month's tick (the 30 September value at 9月, not near 10月).
    actual = [(min(d, as_of), v) for d, v in zip(ends, this_year, strict=True) if not math.isnan(v)]
    fig = go.Figure()
    if not p.is_rate:
        line = [(d, row.target * s / 100) for d, s in schedule_line(view.year, basis=basis)]
        fig.add_scatter(
            x=month_ticks([d for d, _ in line]),
            y=[v for _, v in line],
            name=f"序时进度（{BASIS_LABELS[basis]}）",
            mode="lines",
            line={"color": palette.SCHEDULE_LINE, "width": 2},
            hovertemplate="%{x}底 按序时应完成 " + hover_number("y", unit) + "<extra></extra>",
        )
    last = [(d, v) for d, v in zip(ends, last_year, strict=True) if not math.isnan(v)]
    if last and any(v for _, v in last):
        fig.add_scatter(
            x=month_ticks([d for d, _ in last]),
            y=[v for _, v in last],
            name=f"{view.year - 1}年同期" + ("" if p.is_rate else "累计"),
            mode="lines",
            line={"color": palette.LAST_YEAR, "dash": "dot", "width": 2},
            hovertemplate=f"{view.year - 1}年" + "%{x}底累计 " + hover_number("y", unit) + "<extra></extra>",
        )
    fig.add_scatter(
        x=month_ticks([d for d, _ in actual]),
        y=[v for _, v in actual],
        name="各月底的值" if p.is_rate else "实际累计",
        mode="lines+markers",
        line={"color": palette.THIS_YEAR, "width": 3},
        customdata=[fmt_date(d) for d, _ in actual],
        hovertemplate="截至%{customdata} 累计 " + hover_number("y", unit) + "<extra></extra>",
    )
    path = projection_path(view.year, as_of, p.value, pattern, p.is_rate)
    projected: dict[str, float] = {}
    for tick, (_, value) in zip(month_ticks([d for d, _ in path]), path, strict=True):
        projected.setdefault(tick, value)  # the as-of month keeps the value so far, where the actual line ends
    if len(projected) > 1:
        fig.add_scatter(
            x=list(projected),
            y=list(projected.values()),
            name=projection_name(p.is_rate, pattern),
            mode="lines",
            line={"color": palette.THIS_YEAR, "dash": "dash", "width": 2},
            hovertemplate="预计%{x}底 " + hover_number("y", unit) + "<extra></extra>",
        )
    fig.add_hline(
        y=p.target,
        line={"color": palette.TARGET_LINE, "dash": "dash", "width": 1},
        annotation_text=f"目标 {fmt_value(p.target, unit)}",
        annotation_position="top left",
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        # the unit on each tick (60户): a one-character axis title drawn upright-rotated reads as a stray mark
        yaxis={"ticksuffix": unit, "automargin": True, "rangemode": "tozero"},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": MONTH_LABELS},
    )
    what = "逐月变化与目标" if p.is_rate else "逐月累计、序时进度与全年预计"
    show_chart(fig, f"{row.name}：{what}", view, key="targets_cumulative", height=420)
    need = "" if not p.needed_per_month else f"要完成目标，剩余每月需完成 {fmt_estimate(p.needed_per_month, unit)}。"
    need += last_year_words(row)
    st.caption(
        f"截至{fmt_date(as_of)}完成 {fmt_value(p.value, unit)}，预计全年 {fmt_projection(p.projection, unit, p.target)}，"
        f"目标 {fmt_value(p.target, unit)}，{p.status_label}。{p.outlook}{need}"
    )
