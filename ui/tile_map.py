"""乡镇地图: every township on one picture, coloured by a value, clickable to choose that township.

A tile map by default: one equal square per township on the grid of dpf.figures.tile_grid, labelled with its name and
value. When a sound townships.geojson (or .json) lies beside the extracts (dpf.figures.township_shapes), the same values
colour a choropleth on a plain background (no tile server, nothing fetched). A broken boundary file gives one
Chinese line and the tile map. The rows a caller passes come through the View, so a township account sees only
its own township; the map also drops any row the session's scope does not allow.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.contract.catalogue import INDICATOR_BY_CODE, INDICATORS
from dpf.figures.targets import TownshipTarget
from dpf.figures.tile_grid import comparable, comparable_unit, fmt_comparable, tile_positions
from dpf.figures.township_shapes import Shapes
from dpf.formatting import fmt_count, fmt_pct, fmt_per_thousand
from dpf.numbers import number_or_none
from ui.briefing_frame import chart_room, setting, setting_box
from ui.chart_text import frame_words
from ui.charts import FONT_FAMILY, ChartWords, show_chart
from ui.context import View
from ui.filters import TOWNSHIP_KEY
from ui.map_summary import map_summary, one_line, show_map_summary
from ui.plain_text import markdown_literal
from ui.township_ranking import Ranking, show_ranking

LABELS_FROM_PX = 44  # tiles smaller than this carry no label (the hover still has it)
MAX_CELL_PX = 76
MIN_CELL_PX = 8
MOST_TILES = 200  # beyond this the tiles are too small to read or click: the map's values as a ranking instead
MAP_FRAME_PX = 110  # a map chart beyond its tiles: title, margins, footer
MAX_SLIDE_SCALE = 1.6  # 简报模式: tiles and their labels up to 1.6× (the frame's room permitting)
SLIDE_TILES_PX = 840  # 简报模式: the tiles' width in the left half of the 1920 px frame (the summary right)


@dataclass(frozen=True)
class MapRows:
    """What the map shows: one row per township (code, name, value, label: the value as text on the tile) and,
    for status maps, `colour` (hex) and `status` (a Status) per row instead of a scale; `unit` titles the colour
    scale."""

    frame: pd.DataFrame
    unit: str


def _pick(key: str, name_by_code: dict[str, str]) -> None:
    """on_select: a clicked township becomes the sidebar's choice; clicking the only chosen one goes back to 全县."""
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    codes = [_point_code(point) for point in points]
    names = [name_by_code[code] for code in codes if code in name_by_code]
    if not names:
        return
    current = list(st.session_state.get(TOWNSHIP_KEY) or [])
    st.session_state[TOWNSHIP_KEY] = [] if current == names[:1] else names[:1]


def _point_code(point: dict) -> str | None:
    data = point.get("customdata")
    if isinstance(data, list | tuple):
        data = data[0] if data else None
    return None if data is None else str(data)


def _colours(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Each tile's fill and label colour: the row's own colour (status maps), else its place on the scale from the
    lowest value (lightest) to the highest (darkest): the caption and the colour bar say which values those are."""
    if "colour" in rows:
        return list(rows["colour"]), [palette.readable_on(colour) for colour in rows["colour"]]
    values = pd.to_numeric(rows["value"], errors="coerce")
    low, high = values.min(), values.max()
    fills, texts = [], []
    for value in values:
        if pd.isna(value):
            fills.append(palette.NO_VALUE)
            texts.append(palette.INK)
            continue
        share = 0.5 if high == low else (value - low) / (high - low)
        fills.append(palette.scale_colour(share))
        texts.append(palette.readable_on(fills[-1]))
    return fills, texts


def scale_note(rows: pd.DataFrame, unit: str) -> str:
    """What the scale's ends stand for: 颜色由浅到深为 537元 至 635元（最高比最低多18.2%）."""
    values = pd.to_numeric(rows["value"], errors="coerce").dropna()
    if values.empty:
        return f"颜色越深数值越大（{unit}）"
    low, high = float(values.min()), float(values.max())
    labels = dict(zip(pd.to_numeric(rows["value"], errors="coerce"), rows["label"], strict=False))
    low_text, high_text = (str(labels.get(v, v)).replace("<br>", " ") for v in (low, high))
    if high == low:
        return f"各乡镇（街道）数值相同（{low_text}），颜色相同"
    spread = f"，最高比最低多{fmt_pct((high - low) / low * 100)}" if low > 0 else ""
    return f"颜色由浅到深为 {low_text} 至 {high_text}（色阶从最低值画到最高值{spread}）"


def add_legend(fig: go.Figure, rows: pd.DataFrame, unit: str) -> None:
    """The map's key: a status map names each status shown (its colour), a value map carries a colour bar from the
    lowest to the highest value in `unit`."""
    if "status" in rows:
        for status in sorted(set(rows["status"]), key=lambda s: s.rank):
            fig.add_scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status.label,
                marker={"symbol": "square", "size": 14, "color": status.color},
                showlegend=True,
                hoverinfo="skip",
            )
        fig.update_layout(showlegend=True)
        return
    values = pd.to_numeric(rows["value"], errors="coerce").dropna()
    if values.empty or values.min() == values.max():
        return
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "colorscale": palette.plotly_scale(),
            "cmin": float(values.min()),
            "cmax": float(values.max()),
            "color": [float(values.min())],
            "showscale": True,
            "colorbar": {"title": {"text": unit, "side": "top"}, "thickness": 14, "len": 0.8},
        },
        showlegend=False,
        hoverinfo="skip",
    )


def tile_figure(
    rows: pd.DataFrame, positions: dict[str, tuple[int, int]], chosen: set[str], scale: float = 1.0
) -> tuple[go.Figure, tuple[int, int]]:
    """One square per row at its grid position (row 0 at the top), and the figure's plot height and width in
    pixels at scale 1 (briefing mode: the tiles and their labels grow by `scale`)."""
    spots = [positions[code] for code in rows["code"]]
    n_rows = max(r for r, _ in spots) + 1
    n_cols = max(c for _, c in spots) + 1
    cell = max(MIN_CELL_PX, min(MAX_CELL_PX, 640 // n_rows, 900 // n_cols))
    fills, text_colours = _colours(rows)
    labels = [f"{name}<br>{label}" for name, label in zip(rows["name"], rows["label"], strict=True)]
    outlined = [code in chosen for code in rows["code"]]
    gap = 1 if cell >= 20 else 0  # a white edge between tiles, left off tiles too small to spare it
    tiles = {
        "type": "scatter",
        "x": [c for _, c in spots],
        "y": [r for r, _ in spots],
        "mode": "markers+text" if cell >= LABELS_FROM_PX else "markers",
        "marker": {
            "symbol": "square",
            "size": round((cell - 3) * scale),
            "color": fills,
            "line": {
                "color": [palette.CHOSEN if one else palette.WHITE for one in outlined],
                "width": [5 if one else gap for one in outlined],
            },
        },
        "text": labels,
        "textfont": {"color": text_colours, "size": round((11 if cell < 64 else 12) * scale), "family": FONT_FAMILY},
        "customdata": list(rows["code"]),
        "hovertext": [f"{name}：{label}" for name, label in zip(rows["name"], rows["label"], strict=True)],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False,
    }
    # Plotly would validate each of thousands of colours one by one (2 s at 2,300 townships): built as checked here
    fig = go.Figure({"data": [tiles]}, _validate=False)
    axis = {"visible": False, "fixedrange": True}
    fig.update_layout(
        xaxis={**axis, "range": [-0.5, n_cols - 0.5]},
        yaxis={**axis, "range": [n_rows - 0.5, -0.5], "scaleanchor": "x"},
        showlegend=False,
        clickmode="event+select",
    )
    return fig, (n_rows * cell, n_cols * cell)


def choropleth_figure(rows: pd.DataFrame, shapes: Shapes, chosen: set[str]) -> go.Figure:
    """The rows' townships as their boundaries on a plain white map, coloured as their tiles would be."""
    fills, _ = _colours(rows)
    codes = list(rows["code"])
    names, labels = list(rows["name"]), list(rows["label"])
    traces = []
    for colour in dict.fromkeys(fills):  # one trace per colour: the exact colours of the tile map
        which = [i for i, fill in enumerate(fills) if fill == colour]
        traces.append(
            {
                "type": "choroplethmap",
                "geojson": shapes.geojson,
                "locations": [codes[i] for i in which],
                "z": [0] * len(which),
                "colorscale": [[0, colour], [1, colour]],
                "showscale": False,
                "marker": {
                    "line": {
                        "color": [palette.CHOSEN if codes[i] in chosen else palette.WHITE for i in which],
                        "width": [4 if codes[i] in chosen else 1 for i in which],
                    }
                },
                "customdata": [codes[i] for i in which],
                "hovertext": [f"{names[i]}：{labels[i]}" for i in which],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    fig = go.Figure({"data": traces}, _validate=False)  # as tile_figure: no validation per colour
    lon, lat = shapes.center
    fig.update_layout(
        map={"style": "white-bg", "center": {"lon": lon, "lat": lat}, "zoom": shapes.zoom},
        showlegend=False,
        clickmode="event+select",
    )
    return fig


def township_map(view: View, rows: MapRows, title: str, key: str) -> None:
    """Draw the map of `rows` (a tile map, or a choropleth when a sound boundary file is given); clicking a
    township makes it the sidebar's choice (the URL's ?township=)."""
    frame = rows.frame[[view.access.allows(code) for code in rows.frame["code"]]]
    if frame.empty:
        st.info("暂无可显示的乡镇（街道）。", icon=":material/info:")
        return
    towns = view.township_table()
    chosen = set(view.township_codes)
    shapes, problem = view.boundaries()
    if problem:
        st.warning(markdown_literal(problem), icon=":material/warning:")  # its names and codes come from data
    name_by_code = dict(zip(towns["code"], towns["name"], strict=True))
    if shapes is not None:
        fig = choropleth_figure(frame, shapes, chosen)
        height = 520
    elif len(frame) > MOST_TILES:
        ranking_instead(view, frame, title, key, name_by_code)
        return
    else:
        positions, grid_problem = tile_positions(list(towns["code"]), view.grid())
        if grid_problem:
            st.caption(grid_problem)
        fig, (plot_px, width_px) = tile_figure(frame, positions, chosen)
        if view.briefing:  # tiles as large as the frame's room beside the summary lets them be, never overlapping
            scale = min(MAX_SLIDE_SCALE, (chart_room() - MAP_FRAME_PX) / plot_px, SLIDE_TILES_PX / width_px)
            fig, (plot_px, _) = tile_figure(frame, positions, chosen, scale)
        height = plot_px + MAP_FRAME_PX
    colours = "颜色为与序时进度相比的状态（见图例）" if "colour" in frame else scale_note(frame, rows.unit)
    if shapes is None:
        add_legend(fig, frame, rows.unit)
    st.caption(f"{colours}；黑框为所选乡镇。点击乡镇即选中它，再次点击回到全县。")
    summary = map_summary(frame)
    words = map_words(title, frame, summary)
    if not view.briefing:
        clickable_chart(fig, title, view, key, height, name_by_code, words=words)
        return
    tiles, beside = st.columns(2, vertical_alignment="center")
    with tiles:
        clickable_chart(fig, title, view, key, height, name_by_code, words=words)
    with beside:
        show_map_summary(summary)


def map_words(title: str, frame: pd.DataFrame, summary: list[tuple[str, list[str]]]) -> ChartWords:
    """A map in words (its tiles stand at grid positions, so the figure's points carry no value): the summary a
    slide shows beside it, and a row per township with its tile's label."""
    table = pd.DataFrame({"乡镇（街道）": list(frame["name"]), "数值": [one_line(label) for label in frame["label"]]})
    return f"图表：{title}（乡镇地图）。{frame_words(summary)}。", table


def clickable_chart(
    fig: go.Figure,
    title: str,
    view: View,
    key: str,
    height: int,
    name_by_code: dict[str, str],
    subtitle: str = "",
    words: ChartWords | None = None,
) -> None:
    """show_chart, where a click on a township (its code as the point's customdata) chooses it."""
    show_chart(
        fig,
        title,
        view,
        key=key,
        height=height,
        subtitle=subtitle,
        words=words,
        on_select=lambda: _pick(key, name_by_code),
        selection_mode="points",
    )


def ranking_instead(view: View, frame: pd.DataFrame, title: str, key: str, name_by_code: dict[str, str]) -> None:
    """Too many townships for tiles a person can read: the map's values as a ranking (ui.township_ranking), the
    largest on top; a click on a bar still chooses that township."""
    st.caption(
        f"乡镇（街道）过多（共{fmt_count(len(frame), '个')}），地图只在不超过{MOST_TILES}个时显示，下面按数值排名。"
    )
    rows = frame[frame["value"].notna()].sort_values("value")
    spec = Ranking(
        title,
        key,
        "value",
        lambda rows: list(rows["label"]),
        "%{y}：%{text}<extra></extra>",
        "",
        customdata=lambda rows: rows["code"],
    )
    show_ranking(view, rows, spec, on_select=lambda: _pick(key, name_by_code), selection_mode="points")


def indicator_rows(view: View, code: str) -> MapRows:
    """Indicator `code` in every township the session may see, made comparable (dpf.figures.tile_grid.comparable)."""
    unit = INDICATOR_BY_CODE[code].unit
    towns = view.township_table()
    everyone = tuple(towns["code"])
    values = view.township_values(code, everyone)  # cut to the session's scope
    certified = view.township_values("certified_persons", everyone)
    shown = [c for c in everyone if c in values]
    numbers = [comparable(values[c], certified.get(c), unit) for c in shown]
    frame = pd.DataFrame(
        {
            "code": shown,
            "name": [n for c, n in zip(towns["code"], towns["name"], strict=True) if c in values],
            "value": numbers,
            "label": [fmt_comparable(number, unit) for number in numbers],
        }
    )
    return MapRows(frame, comparable_unit(unit))


def indicator_name(code: str) -> str:
    return INDICATOR_BY_CODE[code].label


def indicator_map(view: View, key: str) -> None:
    """The map with its indicator chooser (总览): any indicator of the catalogue, per certified person."""
    choices = [i.code for i in INDICATORS if i.code != "certified_persons"]
    code = setting_box(
        view.briefing,
        "地图指标",
        choices,
        f"{key}_indicator",
        indicator_name,
        index=choices.index("subsidies_total_amount"),
        help="金额按每名持证残疾人计，人数、次数按每千名持证残疾人计，比率按原值，便于大小乡镇相互比较。",
    )
    rows = indicator_rows(view, code)
    township_map(view, rows, f"{INDICATOR_BY_CODE[code].name}（{rows.unit}）：各乡镇（街道）", key)


COVERAGE_MEASURES = {  # 覆盖地图's choices: column of queries/rehab_coverage_by_township.sql -> label, unit
    "met_rate": ("康复需求满足率", "%"),
    "home_rehab_per_1000": ("家庭医生上门康复", "人/千名持证人"),
}


def measure_name(column: str) -> str:
    return COVERAGE_MEASURES[column][0]


def coverage_map(view: View, coverage: pd.DataFrame) -> None:
    """康复服务's map: needs met, or home rehab per 1,000 certified persons, by township (`coverage`: the rows of
    queries/rehab_coverage_by_township.sql, cut to the session's scope by view.query)."""
    column = setting(
        view.briefing,
        "rehab_map_measure",
        list(COVERAGE_MEASURES),
        "met_rate",
        measure_name,
        lambda: st.segmented_control(
            "地图指标",
            list(COVERAGE_MEASURES),
            default="met_rate",
            format_func=measure_name,
            key="rehab_map_measure",
            required=True,
        ),
    )
    column = column if column in COVERAGE_MEASURES else "met_rate"
    name, unit = COVERAGE_MEASURES[column]
    values = [number_or_none(v) for v in coverage[column]]
    labels = [fmt_pct(v) if unit == "%" else fmt_per_thousand(v) for v in values]
    frame = pd.DataFrame({"code": coverage["code"], "name": coverage["name"], "value": values, "label": labels})
    township_map(view, MapRows(frame, unit), f"{name}（{unit}）：各乡镇（街道）", "rehab_map")


def target_map(view: View, name: str, records: list[TownshipTarget]) -> None:
    """年度目标's map: each township's completion of its share, coloured by its status against 序时进度."""
    frame = pd.DataFrame(
        {
            "code": [t.code for t in records],
            "name": [t.name for t in records],
            "value": [t.progress.completion for t in records],
            "label": [f"{fmt_pct(t.progress.completion)}<br>{t.progress.status_label}" for t in records],
            "colour": [t.progress.status.color for t in records],
            "status": [t.progress.status for t in records],
        }
    )
    township_map(view, MapRows(frame, "完成率"), f"{name}：各乡镇（街道）完成率与序时进度", "targets_map")
