"""Chart margins reserved up front (so Plotly does not draw a chart twice to find them)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from ui.charts import TITLE_STANDOFF, fitted_layout, text_px


@pytest.mark.parametrize(
    ("text", "font_px", "width"),
    [("城关街道", 10, 40), ("1,200", 10, 30), ("", 13, 0), ("A区", 10, 16)],
)
def test_text_px_counts_cjk_as_one_em(text, font_px, width):
    assert text_px(text, font_px) == pytest.approx(width)


def test_left_margin_fits_the_longest_category_label():
    fig = go.Figure(go.Bar(x=[1, 2], y=["城关", "东湖经济开发区"], orientation="h"))
    margins, _ = fitted_layout(fig, 10)
    assert margins["l"] == 7 * 10 + 14


def test_left_margin_of_a_numeric_axis_fits_its_largest_number_and_title():
    fig = go.Figure(go.Bar(x=["1月", "2月"], y=[1200.4, 35.0]))
    fig.update_layout(yaxis_title="万元")
    margins, _ = fitted_layout(fig, 10)
    assert margins["l"] == round(5 * 6 + 14 + TITLE_STANDOFF + 15)  # "1,200" and the title


def test_stacked_bars_reserve_room_for_the_total():
    fig = go.Figure([go.Bar(x=["1月"], y=[600]), go.Bar(x=["1月"], y=[600])])
    fig.update_layout(barmode="stack")
    margins, _ = fitted_layout(fig, 10)
    assert margins["l"] == 5 * 6 + 14  # "1,200"


def test_an_x_title_moves_the_footer_down_and_widens_the_bottom():
    plain = go.Figure(go.Bar(x=["1月"], y=[1]))
    titled = go.Figure(go.Bar(x=["1月"], y=[1]))
    titled.update_layout(xaxis_title="人次")
    (plain_margins, plain_footer), (titled_margins, titled_footer) = fitted_layout(plain, 10), fitted_layout(titled, 10)
    assert plain_footer == -24
    assert titled_footer == -(24 + TITLE_STANDOFF + 15)
    assert titled_margins["b"] - plain_margins["b"] == TITLE_STANDOFF + 15


def test_a_wider_margin_set_by_the_page_is_kept():
    fig = go.Figure(go.Bar(x=[1], y=["甲"], orientation="h"))
    fig.update_layout(margin={"l": 150})
    assert fitted_layout(fig, 10)[0]["l"] == 150


def test_axes_never_use_si_suffixes_and_the_toolbar_speaks_chinese():
    from plotly.io import templates

    from dpf.formatting import AXIS_TICKFORMAT
    from ui.charts import CHART_CONFIG, hover_number

    for name in ("dpf", "dpf_briefing"):
        layout = templates[name].layout
        assert layout.xaxis.tickformat == layout.yaxis.tickformat == AXIS_TICKFORMAT == ",.2~f"  # 12,000, not 12k
        assert layout.separators == ".,"
    assert CHART_CONFIG["modeBarButtons"] == [["toImage"]]  # zoom, pan, reset… are gone
    words = CHART_CONFIG["locales"][CHART_CONFIG["locale"]]["dictionary"]
    assert words["Download plot as a PNG"] == "下载图片（PNG）"
    assert hover_number("y", "万元") == "%{y:,.2f}万元"
    assert hover_number("x", "人次") == "%{x:,.0f}人次"
    assert hover_number("y", "%") == "%{y:.1f}%"
