"""Targets shown the same way on every page: value, target, 完成率, 序时进度 and status."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dpf.catalogue import INDICATOR_BY_CODE
from dpf.formatting import fmt_pct, fmt_value
from dpf.schedule import Status, TargetProgress, evaluate_target, schedule_share
from ui.context import View


def target_progress(view: View, codes: Sequence[str] | None = None, basis: str = "day") -> list[TargetProgress]:
    """Progress for each indicator with a target in the view's year and scope (catalogue order)."""
    if view.as_of is None:
        return []
    frame = view.indicators()
    with_target = frame[frame["target"].notna()]
    if codes is not None:
        with_target = with_target[with_target["indicator"].isin(list(codes))]
    results = []
    for row in with_target.itertuples(index=False):
        progress = evaluate_target(
            view.year,
            view.as_of,
            None if pd.isna(row.value) else float(row.value),
            float(row.target),
            note=row.note,
            is_rate=INDICATOR_BY_CODE[row.indicator].is_rate,
            basis=basis,
        )
        results.append((row.indicator, progress))
    return results


def status_badge(status: Status) -> str:
    """Markdown for a coloured status badge with its icon."""
    colour = {"done": "green", "ahead": "blue", "behind": "orange", "severely_behind": "red"}.get(status.code, "gray")
    return f":{colour}-badge[{status.icon} {status.label}]"


def target_strip(view: View, codes: Sequence[str] | None = None, per_row: int = 5) -> None:
    """A compact row of target tiles: name, value / target, 完成率 vs 序时进度, status."""
    if view.as_of is None:
        return
    progress = target_progress(view, codes)
    schedule = schedule_share(view.year, view.as_of)
    if not progress:
        if codes is None:  # the page's own targets section; pages passing `codes` say why themselves
            st.info(view.table_problem("targets") or f"{view.year}年没有设定年度目标。")
        return
    st.caption(f"序时进度 {fmt_pct(schedule)}（按天计，截至数据日已过天数 ÷ 全年天数）")
    for start in range(0, len(progress), per_row):
        columns = st.columns(per_row)
        for column, (code, item) in zip(columns, progress[start : start + per_row], strict=False):
            indicator = INDICATOR_BY_CODE[code]
            with column, st.container(border=True):
                st.markdown(f"**{indicator.name}**")
                st.markdown(f"{fmt_value(item.value, indicator.unit)} / {fmt_value(item.target, indicator.unit)}")
                st.markdown(f"完成率 **{fmt_pct(item.completion)}**　{status_badge(item.status)}")
