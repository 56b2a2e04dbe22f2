"""Long township rankings cut to what a person can read: beyond dpf.figures.ranking.MOST_BARS townships a chart draws the
first and last RANK_ENDS and the chosen ones wherever they rank, each labelled with its place (第1,203), the title
says so, and a 显示全部 toggle draws them all. The rows come from the View, so a session's scope holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.figures import ranking as ranking_rule
from dpf.figures.ranking import cut_note, cut_rows
from dpf.formatting import fmt_count, fmt_yuan
from ui.charts import (
    BAR_LABEL_PX,
    BRIEFING_TYPE_SCALE,
    add_county_line,
    add_row_labels,
    bars_height,
    show_chart,
    township_bars,
)
from ui.context import View


def show_everyone(view: View, count: int, key: str, help_text: str) -> bool:
    """Whether the user asked for all `count` townships of a cut list (toggle `key`_all, 显示全部N个乡镇（街道）);
    briefing mode has no toggle, so never there."""
    everyone = f"显示全部{fmt_count(count, '个乡镇（街道）')}"
    return not view.briefing and st.toggle(everyone, key=f"{key}_all", help=help_text)


@dataclass(frozen=True)
class ShownRanking:
    """The rows a ranking chart draws (the caller's order; with PLACE when cut) and, when cut, the line under its
    title that says so (show_chart's subtitle)."""

    rows: pd.DataFrame
    note: str = ""


def shown_ranking(
    view: View, rows: pd.DataFrame, column: str, key: str, most: int | None = None, ends: int | None = None
) -> ShownRanking:
    """`rows` (one per township, `code`, in the chart's order) as a ranking by `column` draws them: all up to
    `most` (default dpf.figures.ranking.MOST_BARS, read at each call), else the first and last `ends` (RANK_ENDS) and the
    chosen with their places, unless the user asks for all (toggle `key`_all; briefing mode has no toggle)."""
    most = ranking_rule.MOST_BARS if most is None else most
    ends = ranking_rule.RANK_ENDS if ends is None else ends
    if len(rows) <= most or show_everyone(view, len(rows), key, "全部乡镇（街道）画成一张长图，较慢。"):
        return ShownRanking(rows)
    shown = cut_rows(rows, column, rows["code"].isin(view.township_codes).tolist(), most, ends)
    return ShownRanking(shown, cut_note(len(rows), bool(view.township_codes), ends))


CHOSEN_NOTE = "（黑色为所选乡镇）"  # a ranking's title when townships are chosen: how their bars are told apart
MARKED_NOTE = "（▶ 为所选乡镇）"  # … when the bars' colours are statuses
AXIS_ROOM = 1.04  # the value axis ends just past the largest bar (or county line): no empty third of an axis


@dataclass(frozen=True)
class Ranking:
    """One township ranking chart: `rows` (one per township: code, name and the measure `column`, in the chart's
    order, the first at the bottom), the value drawn (`column` × `scale`, e.g. 1/10,000 for 万元), each bar's label
    (`labels`: in a column right of the plot, or `inside` the bar at its base), the hover and the axis's title;
    `county` = (value, label) draws the county's line."""

    title: str
    key: str
    column: str
    labels: Callable[[pd.DataFrame], Sequence[str]]
    hovertemplate: str
    axis_title: str
    scale: float = 1.0
    customdata: Callable[[pd.DataFrame], Any] | None = None
    county: tuple[float | None, str] | None = None
    room: int = 100  # bars_height's room for title, axis and footer
    decorate: Callable[[go.Figure, pd.DataFrame], None] | None = None  # more traces (a target mark) on the bars
    inside: bool = False  # labels at the bar's base, inside it (a county line further right never runs through)
    axis_range: tuple[float, float] | None = None  # a fixed value axis (a rate: 0–100); else 0 to the largest
    colours: Callable[[pd.DataFrame], Sequence[str]] | None = None  # per bar (a status): the chosen then wear ▶
    xaxis: dict | None = None  # the value axis's whole layout (年度目标's completion axis), instead of the above
    top_down: bool = False  # the rows' first on top (laggards first), not at the bottom


def year_on_year(
    title: str, key: str, column: str, fmt: Callable[[Any], str], verb: str, unit: str, d3: str, **options: Any
) -> Ranking:
    """A ranking of this year's `column`, each bar labelled by `fmt` (dpf.formatting), last year's same span
    (`previous_<column>`) in the hover: 发放 12.30万元 / 上年同期 11.00万元 (`verb`, the `unit`, d3 number format `d3`);
    `options` as Ranking's (a `scale` applies to both years)."""
    scale = options.get("scale", 1.0)
    previous = f"previous_{column}"
    return Ranking(
        title,
        key,
        column,
        lambda rows: [fmt(value) for value in rows[column]],
        f"%{{y}}<br>{verb} %{{x:{d3}}}{unit}<br>上年同期 %{{customdata:{d3}}}{unit}<extra></extra>",
        unit,
        customdata=lambda rows: rows[previous] if scale == 1.0 else rows[previous] * scale,
        **options,
    )


def per_person(title: str, key: str, more: str, customdata: Callable[[pd.DataFrame], Any], **options: Any) -> Ranking:
    """A ranking of 人均 (`yuan_per_person`: 元 paid per certified person), each bar labelled 1,234元; the hover
    says 人均 1,234元 and then `more` (what `customdata` holds, e.g. 持证残疾人 %{customdata:,}人)."""
    return Ranking(
        title,
        key,
        "yuan_per_person",
        lambda rows: [fmt_yuan(value) for value in rows["yuan_per_person"]],
        f"%{{y}}<br>人均 %{{x:,.0f}}元<br>{more}<extra></extra>",
        "元/持证残疾人",
        customdata=customdata,
        **options,
    )


def label_px(view: View) -> int:
    """A bar label's type size: larger on a 简报模式 slide, read from across a meeting room."""
    return round(BAR_LABEL_PX * BRIEFING_TYPE_SCALE) if view.briefing else BAR_LABEL_PX


def show_ranking(view: View, rows: pd.DataFrame, spec: Ranking, **select: Any) -> go.Figure | None:
    """Draw one township ranking (every township ranking of the dashboard and its slides): cut to its ends when
    long (shown_ranking), the chosen townships in palette.CHOSEN, each bar labelled, the county's line, the axis
    ending just past the largest bar. `select` makes it clickable (st.plotly_chart's on_select, selection_mode)."""
    shown = shown_ranking(view, rows, spec.column, spec.key)
    rows = shown.rows
    if spec.colours:  # the bars' colours say something else: the chosen townships are marked ▶ instead
        rows = rows.assign(
            name=[
                ("▶ " if chosen else "") + name
                for chosen, name in zip(rows["code"].isin(view.township_codes), rows["name"], strict=True)
            ]
        )
    x = rows[spec.column] * spec.scale
    text = list(spec.labels(rows))
    inside = {"textposition": "inside", "insidetextanchor": "start", "textfont": {"color": palette.WHITE}}
    fig = township_bars(
        view,
        rows,
        x,
        palette.THIS_YEAR,
        spec.hovertemplate,
        text=text,
        customdata=spec.customdata(rows) if spec.customdata else None,
        **(inside if spec.inside else {"textposition": "none"}),
    )
    fig.update_traces(textfont_size=BAR_LABEL_PX, selector={"type": "bar"})
    if spec.colours:
        fig.update_traces(marker_color=list(spec.colours(rows)), selector={"type": "bar"})
    if spec.top_down:
        fig.update_yaxes(autorange="reversed")
    if not spec.inside:  # each value in a column right of the plot, level with its bar: no line runs through it
        add_row_labels(fig, list(fig.data[0].y), text, label_px(view))
    if spec.county:
        add_county_line(fig, *spec.county)
    if spec.decorate:
        spec.decorate(fig, rows)
    largest = max(
        [float(v) for trace in fig.data for v in (trace.x if trace.x is not None else ()) if pd.notna(v)] + [0.0]
    )
    if spec.county and spec.county[0] is not None and spec.county[0] == spec.county[0]:
        largest = max(largest, float(spec.county[0]))
    axis_range = spec.axis_range or (0.0, largest * AXIS_ROOM or 1.0)
    fig.update_layout(xaxis=spec.xaxis or {"title": spec.axis_title, "range": list(axis_range)})
    if spec.decorate is None:
        fig.update_layout(showlegend=False)
    if select:
        fig.update_layout(clickmode="event+select")
    title = spec.title + ((MARKED_NOTE if spec.colours else CHOSEN_NOTE) if view.township_codes else "")
    height = bars_height(len(rows), spec.room)
    show_chart(fig, title, view, key=spec.key, height=height, subtitle=shown.note, **select)
    return fig
