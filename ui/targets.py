"""Targets shown the same way on every page: value, target, 完成率, 序时进度 and status."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from dpf import palette
from dpf.figures.schedule import TargetProgress, schedule_share
from dpf.figures.targets import evaluate_targets
from dpf.formatting import fmt_pct, fmt_pp, fmt_value
from ui.briefing_frame import reserve
from ui.context import View

TILE_ROW_PX = 157  # a row (and its caption) of target tiles in 简报模式


def status_badge(progress: TargetProgress) -> str:
    """HTML for a badge of the target's status in its own colour (dpf.palette, as the charts and tables draw it;
    a rate: 已达目标 / 低于目标), its word in ink or white, whichever reads (4.5:1 at least)."""
    colour = progress.status.color
    return (
        f'<span class="dpf-status-badge" style="background: {colour}; color: {palette.readable_on(colour)}; '
        f'border-radius: 0.4rem; padding: 0.05rem 0.45rem; font-size: 0.875rem; white-space: nowrap; display: inline-block;">{escape(progress.status_label)}</span>'
    )


def target_strip(view: View, codes: Sequence[str] | None = None, per_row: int = 5) -> None:
    """A compact row of target tiles: name, value / target, 完成率 vs 序时进度, status (a month view: the year so far
    at its month's end)."""
    view = view.through_month_end()
    if view.as_of is None:
        return
    progress = evaluate_targets(view.indicators(), view.year, view.as_of, codes=codes)
    schedule = schedule_share(view.year, view.as_of)
    if not progress:
        if codes is None:  # the page's own targets section; pages passing `codes` say why themselves
            st.info(view.table_problem("targets") or f"未导入{view.year}年目标。")
        return
    st.caption(f"序时进度 {fmt_pct(schedule)}（按天计，截至数据日已过天数 ÷ 全年天数）")
    if view.briefing:
        reserve(TILE_ROW_PX * -(-len(progress) // per_row))
    for start in range(0, len(progress), per_row):
        columns = st.columns(per_row)
        for column, row in zip(columns, progress[start : start + per_row], strict=False):
            item = row.progress
            # a rate is never a 完成率: its 达成值 against 目标 and the 差距 in 个百分点
            measure = (
                f"差距 **{fmt_pp(item.gap, signed=True)}**"
                if item.is_rate
                else f"完成率 **{fmt_pct(item.completion)}**"
            )
            # one Markdown element of three lines per tile (three elements cost the browser three times the work)
            with column, st.container(border=True):
                st.markdown(
                    f"**{row.name}**  \n{fmt_value(item.value, row.unit)} / {fmt_value(item.target, row.unit)}  \n"
                    f"{measure}　{status_badge(item)}",
                    unsafe_allow_html=True,  # the badge: a span in the status's colour (no user text in it)
                )
