"""ui.chart_text: a chart's description and data table say the figures the chart draws (hand-computed here)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui.chart_text import chart_table, describe_chart, fill_template, format_value
from ui.map_summary import map_summary
from ui.tile_map import map_words

RANKING_HOVER = "%{y}<br>人均 %{x:,.0f}元<extra></extra>"


def ranking() -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=[537.4, 635.2, 600.0], y=["石桥镇", "桃源镇", "龙山镇"], orientation="h", hovertemplate=RANKING_HOVER)
    fig.add_annotation(x=591, y=1.0, yref="paper", text="全县 591元")  # ui.charts.add_county_line
    fig.add_annotation(x=1.0, xref="paper", y="龙山镇", yref="y", text="600元")  # a row label: not a reference line
    fig.add_annotation(x=0, xref="paper", y=0, yref="paper", text="范围：全县")  # the footer
    return fig


def test_ranking_names_its_highest_lowest_and_county_line():
    assert describe_chart(ranking(), "各乡镇（街道）人均资金发放") == (
        "图表：各乡镇（街道）人均资金发放。共3项，最高 桃源镇，人均 635元；最低 石桥镇，人均 537元。参考线：全县 591元。"
    )


def test_ranking_table_has_a_row_per_bar_in_the_hover_format():
    table = chart_table(ranking(), "乡镇（街道）")
    assert table.to_dict("list") == {
        "乡镇（街道）": ["石桥镇", "桃源镇", "龙山镇"],
        "数值": ["537元", "635元", "600元"],
    }


def monthly() -> go.Figure:
    fig = go.Figure()
    hover = "%{x}：%{y:,.2f}万元<extra></extra>"
    fig.add_bar(x=["1月", "2月", "3月"], y=[104.91, 108.725, 99.0], name="2024年", hovertemplate="2024年" + hover)
    fig.add_bar(x=["1月", "2月", "3月"], y=[100.0, 100.0, 100.0], name="2023年同期", hovertemplate=hover)
    fig.add_bar(x=[120.0, 120.0], y=["1月", "2月"], orientation="h", hoverinfo="skip")  # a track: not data
    return fig


def test_each_series_in_its_own_words_without_repeating_its_name():
    assert describe_chart(monthly(), "各月资金发放") == (
        "图表：各月资金发放。2024年：共3项，最高 2月：108.72万元；最低 3月：99.00万元。"
        "2023年同期：共3项，均为100.00万元。"
    )


def test_monthly_table_a_column_per_series():
    table = chart_table(monthly())
    assert list(table.columns) == ["名称", "2024年", "2023年同期"]
    assert table.iloc[1].tolist() == ["2月", "108.72万元", "100.00万元"]


def test_more_series_than_described_are_counted():
    fig = go.Figure()
    for number in range(6):
        fig.add_bar(x=["1月"], y=[number + 1], name=f"项目{number}", hovertemplate="%{x}：%{y:,}人<extra></extra>")
    text = describe_chart(fig, "各项目")
    assert (
        text
        == "图表：各项目。项目0：1月：1人。项目1：1月：2人。项目2：1月：3人。项目3：1月：4人。另有2个系列，见图表数据表。"
    )


def heat_map() -> go.Figure:
    nan = math.nan
    fig = go.Figure(
        go.Heatmap(
            z=[[65.6, nan], [40.0, 12.5]],
            x=["基本医疗", "辅助器具"],
            y=["茶坪乡", "凤城街道"],
            text=[["65.6%", ""], ["40.0%", "12.5%"]],
            hovertemplate="%{y} · %{x}<br>满足率 %{z:.1f}%<extra></extra>",
        )
    )
    fig.add_heatmap(  # the few-needs layer: its z is 0 where it draws, not a rate
        name="不足5条需求的格子（不着色）",
        z=[[nan, 0.0], [nan, nan]],
        x=["基本医疗", "辅助器具"],
        y=["茶坪乡", "凤城街道"],
        text=[["", "50.0%<br>2条"], ["", ""]],
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
    )
    return fig


def test_heat_map_ranks_its_rates_and_counts_the_uncoloured_cells():
    assert describe_chart(heat_map(), "各类康复需求满足率") == (
        "图表：各类康复需求满足率。共3项，最高 茶坪乡 · 基本医疗，满足率 65.6%；最低 凤城街道 · 辅助器具，满足率 12.5%。"
        "不足5条需求的格子（不着色）：茶坪乡 · 辅助器具，50.0%，2条。"
    )


def test_heat_map_table_rows_by_columns():
    table = chart_table(heat_map(), "乡镇（街道）")
    assert table.to_dict("list") == {
        "乡镇（街道）": ["茶坪乡", "凤城街道"],
        "基本医疗": ["65.6%", "40.0%"],
        "辅助器具": ["茶坪乡 · 辅助器具，50.0%，2条", "12.5%"],
    }


def test_an_empty_chart_says_so():
    assert describe_chart(go.Figure(), "各月培训人次") == "图表：各月培训人次。暂无数据。"
    assert chart_table(go.Figure()).empty


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (1234.5, ",.2f", "1,234.50"),
        (1234.5, ",.0f", "1,235"),  # d3 (JavaScript's toFixed): a half away from zero, not to even
        (2.675, ",.2f", "2.67"),  # toFixed reads the float's exact value, 2.67499999…
        (12, ",", "12"),
        (35910, ",", "35,910"),
        (0.5, ",.2~f", "0.5"),
        (1200.0, ",.2~f", "1,200"),
        (66.666, ".1f", "66.7"),
        (7.0, None, "7"),
        (7.25, None, "7.25"),
        (None, ",.2f", "—"),
        (math.nan, ",.2f", "—"),
        ("9月", None, "9月"),
    ],
)
def test_format_value_as_plotly_writes_it(value, spec, text):
    assert format_value(value, spec) == text


def test_fill_template_with_customdata_parts():
    values = {"y": ["云岭镇"], "x": [83.46], "customdata": [[54, 647]]}
    template = "%{y}<br>每千人 %{x:.1f}人<br>上门康复 %{customdata[0]:,}人 / 持证 %{customdata[1]:,}人<extra></extra>"
    assert fill_template(template, values, 0) == "云岭镇，每千人 83.5人，上门康复 54人 / 持证 647人"


def test_map_words_are_the_slide_summary_and_a_row_per_township():
    frame = pd.DataFrame(
        {"code": ["a", "b", "c"], "name": ["石桥镇", "桃源镇", "龙山镇"], "value": [537.0, 635.0, None]}
    )
    frame["label"] = ["537元", "635元", "暂无数据"]
    description, table = map_words("人均资金发放", frame, map_summary(frame))
    assert (
        description
        == "图表：人均资金发放（乡镇地图）。由高到低：桃源镇　635元，石桥镇　537元；暂无数据：1个乡镇（街道）。"
    )
    assert table.to_dict("list") == {
        "乡镇（街道）": ["石桥镇", "桃源镇", "龙山镇"],
        "数值": ["537元", "635元", "暂无数据"],
    }
