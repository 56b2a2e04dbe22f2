"""One Plotly look for every chart, and a camera button that saves a briefing-ready PNG."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from dpf import palette
from dpf.auth.access import rank_of
from dpf.figures.ranking import PLACE, with_place
from dpf.formatting import (
    AXIS_TICKFORMAT,
    HOVER_COUNT,
    HOVER_RATE,
    HOVER_WAN,
    SEPARATORS,
    fmt_date,
    safe_filename,
)
from ui.briefing_frame import chart_height, every_label
from ui.chart_text import chart_table, describe_chart
from ui.context import View
from ui.text_size import SCALES, text_scale

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
TITLE_STANDOFF = 8  # px between tick labels and an axis title (fixed, so fitted_layout knows where titles go)
TITLE_ROOM_PX = 44  # the chart title's line at the top (its 12 px pad and 16 px type), at normal type size
SUBTITLE_ROOM_PX = 20  # a subtitle's line under the title (a cut ranking's 前10位与后10位…)
CHART_DATA = "图表数据："  # the label of the expander under a chart that holds its data as a table
ChartWords = tuple[str, pd.DataFrame]  # a chart's description and its data table
BAR_LABEL_PX = 13  # bar labels are never smaller than this (Plotly would shrink labels inside bars to ~11 px)


AXIS_STYLE = {
    "tickformat": AXIS_TICKFORMAT,
    "gridcolor": palette.GRID,
    "zeroline": False,
    "automargin": True,
    "title": {"standoff": TITLE_STANDOFF},
}


def _template(scale: float) -> go.layout.Template:
    """The shared look; the title sits at the very top, the legend in its own row below it."""
    return go.layout.Template(
        layout=go.Layout(
            font={"family": FONT_FAMILY, "size": round(13 * scale), "color": palette.INK},
            colorway=[palette.THIS_YEAR, palette.LAST_YEAR],
            paper_bgcolor="white",
            plot_bgcolor="white",
            hoverlabel={"font": {"family": FONT_FAMILY}},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            margin={"l": 10, "r": 10, "t": 60, "b": 10},
            dragmode=False,  # no zoom box and no English "double-click to zoom back out" hint
            xaxis=AXIS_STYLE,
            yaxis=AXIS_STYLE,
            separators=SEPARATORS,
            uniformtext={"minsize": BAR_LABEL_PX, "mode": "show"},
            title={
                "font": {"size": round(16 * scale)},
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 12},
            },
        )
    )


# Set once here, so a chart only names its template (validating a nested title or font per chart is slow).
pio.templates["dpf"] = _template(1.0)
BRIEFING_TYPE_SCALE = 1.25  # briefing mode: larger type
pio.templates["dpf_briefing"] = _template(BRIEFING_TYPE_SCALE)

for _scale in SCALES.values():  # 大字模式
    pio.templates[f"dpf_{_scale}"] = _template(_scale)


def template_for(type_scale: float) -> str:
    """The template of the type scale: dpf (1.0), dpf_briefing (简报模式), or 大字模式's dpf_1.25 / dpf_1.5."""
    if type_scale == 1.0:
        return "dpf"
    return "dpf_briefing" if type_scale == BRIEFING_TYPE_SCALE else f"dpf_{type_scale}"


MONTH_LABELS = [f"{m}月" for m in range(1, 13)]

# Plotly's texts in Chinese. The installed plotly package ships no locale files, so the words its toolbar and
# notices can show are given with each chart (config.locales); the toolbar keeps only the PNG download.
ZH_CN_LOCALE = {
    "dictionary": {
        "Download plot as a png": "下载图片（PNG）",
        "Download plot as a PNG": "下载图片（PNG）",
        "Download plot": "下载图片",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
        "Snapshot succeeded": "图片已生成",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败",
        "Double-click to zoom back out": "双击恢复原始大小",
        "Produced with Plotly.js": "",
        "trace": "系列",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": MONTH_LABELS,
        "shortMonths": MONTH_LABELS,
        "date": "%Y年%-m月%-d日",
        "decimal": SEPARATORS[0],
        "thousands": SEPARATORS[1],
    },
}
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtons": [["toImage"]],
    "doubleClick": False,
    "locale": "zh-CN",
    "locales": {"zh-CN": ZH_CN_LOCALE},
}

_HOVER_FORMATS = {"万元": HOVER_WAN, "%": HOVER_RATE}


def hover_number(axis: str, unit: str) -> str:
    """A hover template's number in `unit`, as dpf.formatting writes it: 万元 two decimals, % one decimal,
    counts and 元 whole with 千分位 ('%{y:,.0f}人次')."""
    return f"%{{{axis}:{_HOVER_FORMATS.get(unit, HOVER_COUNT)}}}{unit}"


def month_axis(months: pd.Series) -> list[str]:
    """Month numbers (1..12) as the x labels of a monthly chart."""
    return [MONTH_LABELS[m - 1] for m in months]


def add_month_bar_wan(fig: go.Figure, rows: pd.DataFrame, name: str, colour: str) -> None:
    """Bars of `rows` (month, amount_yuan) in 万元, named `name` in the legend and the hover."""
    fig.add_bar(
        x=month_axis(rows["month"]),
        y=rows["amount_yuan"] / 10_000,
        name=name,
        marker_color=colour,
        hovertemplate=f"{name}<br>%{{x}}：{hover_number('y', '万元')}<extra></extra>",
    )


def add_last_year_wan(fig: go.Figure, rows: pd.DataFrame, year: int, name: str, colour: str) -> None:
    """A dotted line of last year's same months (month, amount_yuan) in 万元 over this year's bars."""
    fig.add_scatter(
        x=month_axis(rows["month"]),
        y=rows["amount_yuan"] / 10_000,
        name=name,
        mode="lines+markers",
        line={"color": colour, "dash": "dot"},
        hovertemplate=f"{year}年%{{x}}：{hover_number('y', '万元')}<extra></extra>",
    )


def add_bars_by(
    fig: go.Figure,
    frame: pd.DataFrame,
    column: str,
    labels: Mapping[Any, str],
    colours: Sequence[str],
    x: Callable[[pd.DataFrame], Any],
    y: str,
    hovertemplate: str,
    customdata: str | None = None,
    skip_empty: bool = False,
) -> None:
    """One bar trace per key of `labels`: the rows of `frame` whose `column` holds it, named by its label and
    coloured by `colours` in the same order (dpf.palette). `hovertemplate` is formatted with {label}; `skip_empty` leaves out keys without rows."""
    for index, (key, label) in enumerate(labels.items()):
        rows = frame[frame[column] == key]
        if skip_empty and rows.empty:
            continue
        fig.add_bar(
            x=x(rows),
            y=rows[y],
            name=label,
            marker_color=colours[index],
            customdata=rows[customdata] if customdata else None,
            hovertemplate=hovertemplate.format(label=label),
        )


def township_bars(
    view: View, rows: pd.DataFrame, x: pd.Series, colour: str, hovertemplate: str, **bar: Any
) -> go.Figure:
    """Horizontal bars, one per township (rows' `code` and `name`, the first at the bottom); the view's in
    palette.CHOSEN. For
    a session that may see only some townships, each bar's label carries its rank among all (龙山镇（第5/23）)."""
    colours = [palette.CHOSEN if one else colour for one in rows["code"].isin(view.township_codes)]
    return go.Figure(
        go.Bar(
            x=x, y=ranked_names(rows, x.name), orientation="h", marker_color=colours, hovertemplate=hovertemplate, **bar
        )
    )


def bars_height(bars: int, room: int = 100) -> int:
    """A horizontal bar chart's height: 22 px a bar and `room` for title, axis and footer, at least 380 px."""
    return max(380, 22 * bars + room)


def ranked_names(rows: pd.DataFrame, column: object) -> list[str]:
    """The rows' township names, each with its rank in `column` when the rows were cut to a session's scope, or
    with its place (column PLACE) when a long ranking was cut to its ends (ui.township_ranking)."""
    places = rows[PLACE] if PLACE in rows else [None] * len(rows)
    names = []
    for code, name, place in zip(rows["code"], rows["name"], places, strict=True):
        rank = rank_of(rows, str(column), code)
        names.append(
            f"{name}（第{rank[0]}/{rank[1]}）" if rank else with_place(name, place) if pd.notna(place) else name
        )
    return names


def add_vertical_line(fig: go.Figure, x: float, line: dict) -> None:
    """A line across the plot's height at `x` (what fig.add_vline draws, without its ~5 ms of figure copying)."""
    fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper", line=line)


def add_county_line(fig: go.Figure, x: float | None, label: str) -> None:
    """A dashed vertical line at the county average, labelled above the plot (skipped when undefined)."""
    if x is None or x != x:
        return
    add_vertical_line(fig, x, {"dash": "dash", "color": palette.MUTED})
    fig.add_annotation(x=x, y=1.0, yref="paper", text=label, showarrow=False, yanchor="bottom", yshift=2)


def add_row_labels(fig: go.Figure, rows: list[str], texts: list[str], font_px: int = BAR_LABEL_PX) -> None:
    """Each horizontal bar's label in a column right of the plot, level with its bar, so no reference line drawn
    across the bars (全县, 序时进度) runs through a label; the right margin is widened to hold the longest."""
    for row, text in zip(rows, texts, strict=True):
        fig.add_annotation(
            x=1.0,
            xref="paper",
            y=row,
            yref="y",
            xanchor="left",
            xshift=6,
            text=text,
            showarrow=False,
            font={"size": font_px},
        )
    widest = max((text_px(text, font_px) for text in texts), default=0)
    fig.update_layout(margin={"r": round(widest) + 16})


def text_px(text: str, font_px: float) -> float:
    """Rough width of a label: a CJK character is one em wide, other characters about 0.6 em."""
    return sum(font_px if ord(char) >= 0x2E80 else 0.6 * font_px for char in text)


def _axis_labels(fig: go.Figure, axis: str) -> list[str]:
    """The category labels on `axis` ("x" or "y"), or the widest plausible number label for a numeric axis."""
    labels: list[str] = []
    largest = 0.0
    for trace in fig.data:
        values = getattr(trace, axis, None)
        if values is None:
            continue
        for value in values:
            if isinstance(value, str):
                labels.append(value)
            elif value is not None and value == value:
                largest = max(largest, abs(float(value)))
    if fig.layout.barmode == "stack":
        largest *= len(fig.data)  # an upper bound of a stacked total; ticks only need its length
    return labels or [f"{largest:,.0f}"[:7]]


def fitted_layout(fig: go.Figure, font_px: float) -> tuple[dict[str, int], int]:
    """Left and bottom margins wide enough for tick labels and axis titles, and where the footer line goes.

    Plotly's automargin (kept on) would find the room too, but by drawing the chart twice; reserving it
    up front saves that second pass when a filter changes. Returns (margins, footer offset in pixels).
    """
    layout = fig.layout
    title_px = TITLE_STANDOFF + 1.5 * font_px
    suffix = text_px(layout.yaxis.ticksuffix or "", font_px)
    left = max(text_px(label, font_px) for label in _axis_labels(fig, "y")) + suffix + 14
    if layout.yaxis.title.text:
        left += title_px
    lines = max((str(label).count("<br>") + 1 for label in layout.xaxis.ticktext or ()), default=1)
    footer_shift = -round((0.6 + 1.2 * lines) * font_px + (title_px if layout.xaxis.title.text else 0) + 6)
    bottom = -footer_shift + round(1.6 * font_px)
    margins = {"l": max(round(left), layout.margin.l or 0), "b": max(bottom, layout.margin.b or 0)}
    return margins, footer_shift


def draws_legend(fig: go.Figure) -> bool:
    """Whether Plotly draws a legend across the top: asked for, or left to Plotly with more than one entry (a
    legend set upright beside the plot is left alone)."""
    if fig.layout.legend.orientation == "v":
        return False
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    return sum(trace.showlegend is not False for trace in fig.data) > 1


def wrapped_ticks(fig: go.Figure, labels: list[str], width: int = 2) -> None:
    """The x axis's category labels written upright in lines of `width` characters (基本<br>医疗), so a narrow
    chart (a phone) does not turn them on their side into the footer; hovers keep the whole label."""
    text = ["<br>".join(label[i : i + width] for i in range(0, len(label), width)) for label in labels]
    fig.update_xaxes(tickmode="array", tickvals=labels, ticktext=text, tickangle=0)


def chart_filename(title: str, view: View) -> str:
    as_of = fmt_date(view.as_of) if view.as_of else ""
    return safe_filename(f"{title}_{view.scope}_{view.span}_截至{as_of}")


def show_chart(
    fig: go.Figure,
    title: str,
    view: View,
    key: str,
    height: int = 380,
    subtitle: str = "",
    words: ChartWords | None = None,
    **select: Any,
) -> None:
    """Apply the shared theme, title the chart and draw it, with its description (ui.chart_text, visually hidden,
    before it) and its data as a table in a closed expander after it (none in 简报模式); `words` gives both when the figure's own points do not say it, as a tile map's grid positions).

    The camera button saves a 3× PNG on white, with the chart's title (and `subtitle`, a line under it) and a
    footer line of scope and 数据截至, named by chart, scope and date. Briefing mode enlarges the type. `select`
    (on_select, selection_mode) makes the chart clickable, as st.plotly_chart takes them.
    """
    if words is None:  # read before the footer is added; a slide has no table
        table = pd.DataFrame() if view.briefing else chart_table(fig)
        words = (describe_chart(fig, f"{title}（{subtitle}）" if subtitle else title), table)
    as_of = fmt_date(view.as_of) if view.as_of else "未知"
    type_scale = BRIEFING_TYPE_SCALE if view.briefing else text_scale()  # 大字模式: 125 % or 150 %
    margins, footer_shift = fitted_layout(fig, 13 * type_scale)
    if view.briefing:  # the room left on the 1920×1080 frame, every township named
        height = chart_height()
        every_label(fig)
    subtitle_px = round(SUBTITLE_ROOM_PX * type_scale) if subtitle else 0
    if draws_legend(fig):
        # The legend hangs from just below the title and Plotly reserves its height above the plot, however many
        # rows it wraps into (a phone, a printed half page): it never reaches up into the title.
        title_px = round(TITLE_ROOM_PX * type_scale) + subtitle_px
        legend = {"orientation": "h", "yref": "container", "y": 1 - title_px / height, "yanchor": "top"}
        fig.update_layout(legend=legend)
        top = title_px
    else:
        top = max(fig.layout.margin.t or 0, 96 if fig.layout.showlegend is not False else 60) + subtitle_px
    if subtitle:
        fig.update_layout(title_subtitle_text=subtitle)
    fig.update_layout(
        template=template_for(type_scale),
        title_text=title,
        height=height,
        margin={"l": margins["l"], "b": margins["b"], "t": top},
    )
    fig.add_annotation(
        text=f"范围：{view.scope}　{view.period_label}　数据截至 {as_of}",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=footer_shift,
        showarrow=False,
        font={"size": round(11 * type_scale), "color": palette.MUTED},
    )
    config = {
        **CHART_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": chart_filename(title, view)},
    }
    description, table = words
    st.html(f'<p class="dpf-chart-text">{escape(description)}</p>')
    st.plotly_chart(fig, config=config, key=key, theme=None, **select)
    if not view.briefing and not table.empty:  # nothing to click on a slide
        with st.expander(f"{CHART_DATA}{title}", icon=":material/table_view:", key=f"dpf_chart_data_{key}"):
            st.table(table.set_index(table.columns[0]))
