"""A chart in words, for a screen reader and for a keyboard: one line naming what it shows and its main figures
(each series' highest and lowest point, the reference lines), and its data as a table.

Both are read from the figure itself, so they say what the chart draws: each point's words are its hover text
(the template the chart shows on pointing, filled in with the point's own values and formats), a table cell is the
point's value in its template's number format and unit. No Streamlit here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dpf.formatting import MISSING

MOST_SERIES = 4  # series described one by one; the rest are counted
MOST_TABLE_ROWS = 200  # a longer chart's table is cut (its page holds the full table)
PLACEHOLDER = re.compile(r"%\{(\w+)(?:\[(\d+)\])?(?::([^}]*))?\}")
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Point:
    category: str
    value: float | None  # the number that orders the points (None: not a number or not the point's figure)
    words: str  # the hover text, one line
    cell: str  # the value in its format and unit (the table's cell)


@dataclass(frozen=True)
class Series:
    name: str
    points: list[Point]
    ranked: bool  # whether its points' values are their figures (their highest and lowest mean something)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def format_value(value: Any, spec: str | None) -> str:
    """A value as a Plotly (d3) format writes it, for the formats the charts use (',.2f', ',.0f', '.1f', ',',
    ',.2~f'); no format: a whole number without decimals, else as given."""
    number = _number(value)
    if number is None:
        return MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if not spec:
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}".rstrip("0").rstrip(".")
    trim = "~" in spec
    spec = spec.replace("~", "")
    places = re.search(r"\.(\d+)f$", spec)
    if places:  # JavaScript's toFixed, which d3 uses: the float's exact value, halves away from zero
        exact = Decimal(number).quantize(Decimal(1).scaleb(-int(places.group(1))), rounding=ROUND_HALF_UP)
        text = format(exact, spec)
    else:
        text = format(int(number) if number.is_integer() else number, spec)
    return text.rstrip("0").rstrip(".") if trim and "." in text else text


def _item(values: Any, index: int, part: str | None) -> Any:
    if values is None:
        return None
    if isinstance(values, str):  # one value for every point
        return values
    try:
        item = values[index]
        return item[int(part)] if part is not None else item
    except (IndexError, KeyError, TypeError):
        return None


def fill_template(template: str, values: dict[str, Any], index: int) -> str:
    """A hover template filled in for point `index` (%{x}, %{y:,.0f}, %{customdata[1]:,} …), on one line:
    <br> becomes '，' and <extra>…</extra> and other tags go."""
    template = re.sub(r"<extra>.*?</extra>", "", template)

    def fill(match: re.Match) -> str:
        name, part, spec = match.groups()
        return format_value(_item(values.get(name), index, part), spec)

    text = PLACEHOLDER.sub(fill, template).replace("<br>", "，")
    return TAG.sub("", text).strip("，").strip()


def _value_cell(template: str | None, axis: str, value: Any, label: Any = None) -> str:
    """The value as the template writes it (its format and the unit right after it: %{x:,.2f}万元 → 12.50万元);
    a template that does not show it: the point's own label as drawn (66.7%), else the bare number."""
    if template:
        match = re.search(r"%\{" + axis + r"(?::([^}]*))?\}([^\s<（(，,·：:/]*)", template)
        if match:
            return format_value(value, match.group(1)) + match.group(2)
    if isinstance(label, str) and label.strip():
        return TAG.sub("", label.replace("<br>", " ")).strip()
    return format_value(value, None)


def _template_at(trace: Any, index: int) -> str | None:
    template = getattr(trace, "hovertemplate", None)
    if isinstance(template, (list, tuple)):
        return template[index] if index < len(template) else None
    return template


def _skipped(trace: Any) -> bool:
    hoverinfo = getattr(trace, "hoverinfo", None)
    return trace.type not in {"bar", "scatter", "heatmap", "funnel"} or hoverinfo in {"skip", "none"}


def chart_series(fig: go.Figure) -> list[Series]:
    """Each drawn series of the figure with its points (traces that take no hover, such as a bar's grey track,
    left out)."""
    found = []
    for trace in fig.data:
        if _skipped(trace):
            continue
        values = {name: getattr(trace, name, None) for name in ("x", "y", "z", "text", "customdata", "hovertext")}
        if trace.type == "heatmap":
            points = _heat_points(trace, values)
            template = trace.hovertemplate if isinstance(trace.hovertemplate, str) else ""
            ranked = "%{z" in template or not template
        else:
            points = _axis_points(trace, values)
            ranked = True
        if points:
            found.append(Series(trace.name or "", points, ranked))
    return found


def _numeric(values: Any) -> bool:
    return values is not None and any(_number(value) is not None for value in values)


def _axis_points(trace: Any, values: dict[str, Any]) -> list[Point]:
    # a bar says its orientation; a scatter of markers beside horizontal bars has names on y and numbers on x
    horizontal = getattr(trace, "orientation", None) == "h" or (_numeric(values["x"]) and not _numeric(values["y"]))
    category_axis, value_axis = ("y", "x") if horizontal else ("x", "y")
    categories, numbers = values[category_axis], values[value_axis]
    if categories is None or numbers is None:
        return []
    points = []
    for index, (category, value) in enumerate(zip(categories, numbers, strict=False)):
        template = _template_at(trace, index)
        words = fill_template(template, values, index) if template else ""
        cell = _value_cell(template, value_axis, value, _item(values["text"], index, None))
        category = str(category)
        if not words:
            words = f"{category} {cell}"
        elif category not in words:
            words = f"{category} {words}"
        points.append(Point(category, _number(value), words, cell))
    return points


def _heat_points(trace: Any, values: dict[str, Any]) -> list[Point]:
    columns, rows, grid = values["x"], values["y"], values["z"]
    if columns is None or rows is None or grid is None:
        return []
    template = trace.hovertemplate if isinstance(trace.hovertemplate, str) else ""
    points = []
    for r, row in enumerate(rows):
        for c, column in enumerate(columns):
            value = _item(grid, r, str(c))
            cell_values = {
                "x": [column],
                "y": [row],
                "z": [value],
                "text": [_item(values["text"], r, str(c))],
            }
            words = fill_template(template, cell_values, 0) if template else f"{row} · {column} {value}"
            if not words or (_number(value) is None and not _item(values["text"], r, str(c))):
                continue  # a gap in this layer (the other layer of the same heat map holds the cell)
            cell = _value_cell(template, "z", value) if "%{z" in template else words
            points.append(Point(f"{row}\t{column}", _number(value), words, cell))
    return points


def _reference_lines(fig: go.Figure) -> list[str]:
    """Labels placed on the data (a county line's 全县 …, a target's level), not the row labels or footers."""
    texts = []
    for note in fig.layout.annotations or ():
        xref, yref = str(note.xref or "x"), str(note.yref or "y")
        if note.text and not (xref.startswith("paper") and (yref.startswith("paper") or yref.startswith("y"))):
            texts.append(TAG.sub("", str(note.text).replace("<br>", " ")).strip())
    return [text for text in texts if text]


def _own_words(series: Series, point: Point) -> str:
    """A point's words without the series' name they repeat (两项补贴，9月：108.72万元 → 9月：108.72万元)."""
    words = point.words.rstrip("。")
    if series.name and words.startswith(series.name) and len(words) > len(series.name):
        words = words[len(series.name) :].lstrip("，,：: ")
    return words


def describe_series(series: Series) -> str:
    """'2024年：共23项，最高 北山镇 635元；最低 城关街道 537元' (one point: its words; all equal: their one value;
    not ranked: how many points)."""
    label = f"{series.name}：" if series.name else ""
    valued = [point for point in series.points if point.value is not None]
    if len(series.points) == 1:
        return label + _own_words(series, series.points[0])
    if not series.ranked or not valued:
        return f"{label}共{len(series.points)}项"
    highest = max(valued, key=lambda point: point.value or 0.0)
    lowest = min(valued, key=lambda point: point.value or 0.0)
    if highest.value == lowest.value:
        return f"{label}共{len(series.points)}项，均为{highest.cell}"
    return f"{label}共{len(series.points)}项，最高 {_own_words(series, highest)}；最低 {_own_words(series, lowest)}"


def describe_chart(fig: go.Figure, title: str) -> str:
    """The chart in one paragraph: 图表：title。each series (up to MOST_SERIES, the rest counted)。reference lines。"""
    series = chart_series(fig)
    sentences = [f"图表：{title}"]
    sentences += [describe_series(one) for one in series[:MOST_SERIES]]
    if len(series) > MOST_SERIES:
        sentences.append(f"另有{len(series) - MOST_SERIES}个系列，见图表数据表")
    lines = _reference_lines(fig)
    if lines:
        sentences.append("参考线：" + "，".join(lines))
    if not series:
        sentences.append("暂无数据")
    return "。".join(sentences) + "。"


def _category_title(fig: go.Figure) -> str:
    """The category axis's title (the axis of names, not of numbers), else 名称."""
    for series_axis in ("yaxis", "xaxis"):
        title = getattr(fig.layout, series_axis).title.text
        if title and not any(_numeric(getattr(trace, series_axis[0], None)) for trace in fig.data):
            return str(title)
    return "名称"


def chart_table(fig: go.Figure, category: str | None = None) -> pd.DataFrame:
    """The chart's data: a row per category (a heat map: per row), a column per series (a heat map: per column),
    each cell the point's value as the chart writes it; at most MOST_TABLE_ROWS rows. The first column is named
    `category`, else by the category axis's title."""
    category = category or _category_title(fig)
    cells: dict[str, dict[str, str]] = {}
    for number, series in enumerate(chart_series(fig), start=1):
        name = series.name or ("数值" if number == 1 else f"系列{number}")
        for point in series.points:
            row, _, column = point.category.partition("\t")
            cells.setdefault(row, {}).setdefault(column or name, point.cell)
    rows = list(cells)[:MOST_TABLE_ROWS]
    columns: list[str] = list(dict.fromkeys(column for row in rows for column in cells[row]))
    frame = pd.DataFrame(
        [[row, *(cells[row].get(column, MISSING) for column in columns)] for row in rows],
        columns=[category, *columns],
    )
    return frame


def frame_words(rows: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Headed lists as one paragraph: 'heading：a，b；heading：c' (a map's summary in words)."""
    return "；".join(f"{heading}：{'，'.join(lines)}" for heading, lines in rows)
