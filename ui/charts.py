"""One Plotly look for every chart, and a camera button that saves a briefing-ready PNG."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from dpf.formatting import fmt_date
from ui.context import View

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
PALETTE = ["#1f5f8b", "#3a9d8f", "#e0a458", "#c05746", "#7b6d8d", "#5b8e7d", "#b5838d", "#6c757d", "#2a9d8f"]


def _template(scale: float) -> go.layout.Template:
    """The shared look; the title sits at the very top, the legend in its own row below it."""
    return go.layout.Template(
        layout=go.Layout(
            font={"family": FONT_FAMILY, "size": round(13 * scale), "color": "#1f2933"},
            colorway=PALETTE,
            paper_bgcolor="white",
            plot_bgcolor="white",
            hoverlabel={"font": {"family": FONT_FAMILY}},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            margin={"l": 10, "r": 10, "t": 60, "b": 10},
            xaxis={"gridcolor": "#eef1f4", "zeroline": False, "automargin": True},
            yaxis={"gridcolor": "#eef1f4", "zeroline": False, "automargin": True},
            separators=".,",
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

MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


def add_county_line(fig: go.Figure, x: float | None, label: str) -> None:
    """A dashed vertical line at the county average, labelled above the plot (skipped when undefined)."""
    if x is None or x != x:
        return
    fig.add_vline(x=x, line_dash="dash", line_color="#6b7280")
    fig.add_annotation(x=x, y=1.0, yref="paper", text=label, showarrow=False, yanchor="bottom", yshift=2)


def safe_filename(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")


def chart_filename(title: str, view: View) -> str:
    as_of = fmt_date(view.as_of) if view.as_of else ""
    return safe_filename(f"{title}_{view.scope}_{view.year}年_截至{as_of}")


def show_chart(fig: go.Figure, title: str, view: View, key: str, height: int = 380) -> None:
    """Apply the shared theme, title the chart and draw it.

    The camera button saves a 3× PNG on white, with the chart's title and a footer line of
    scope and 数据截至, named by chart, scope and date. Briefing mode enlarges the type.
    """
    as_of = fmt_date(view.as_of) if view.as_of else "未知"
    type_scale = BRIEFING_TYPE_SCALE if view.briefing else 1.0
    margin_bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 10
    fig.update_layout(
        template="dpf_briefing" if view.briefing else "dpf",
        title_text=title,
        height=round(height * (1.15 if view.briefing else 1.0)),
        margin={
            "b": max(margin_bottom, 10) + 36,
            "t": max(fig.layout.margin.t or 0, 96 if fig.layout.showlegend is not False else 60),
        },
    )
    fig.add_annotation(
        text=f"范围：{view.scope}　{view.year}年　数据截至 {as_of}",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-30 - (20 if fig.layout.xaxis.title.text else 0),
        showarrow=False,
        font={"size": round(11 * type_scale), "color": "#6b7280"},
    )
    config = {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": chart_filename(title, view)},
        "locale": "zh-CN",
    }
    st.plotly_chart(fig, config=config, key=key, theme=None)
