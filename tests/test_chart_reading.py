"""What a leader reads off the charts (issue 19): month-end values at their own month, reference lines clear of the
bar labels and carrying a unit, tiny samples greyed, one unit per axis, distinct colours, readable bar labels."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from dpf.figures.schedule import Status
from tests.apptest_helpers import no_exception, run_page


def charts(at) -> dict[str, dict]:
    """The page's charts by their title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def missing(value) -> bool:
    return value is None or value != value


def test_month_end_values_sit_at_their_own_month(demo_dir):
    query = {"target": "无障碍改造"}
    at = run_page(demo_dir, "targets.py", query, section="逐月累计")
    assert no_exception(at)
    spec = next(s for title, s in charts(at).items() if title.startswith("无障碍改造"))
    actual = next(t for t in spec["data"] if t["name"] == "实际累计")
    assert actual["x"][-1] == "9月"  # the value of 30 September (the as-of date) at 9月, not near the 10月 tick
    assert actual["customdata"][-1] == "2024年9月30日"
    assert actual["x"] == [f"{m}月" for m in range(1, 10)]
    projection = next(t for t in spec["data"] if t["name"].startswith("预计"))
    assert projection["x"] == ["9月", "10月", "11月", "12月"]  # it starts where the actual line ends
    assert projection["y"][0] == actual["y"][-1]
    assert spec["layout"]["xaxis"]["categoryarray"] == [f"{m}月" for m in range(1, 13)]


def test_completion_labels_stand_clear_of_the_schedule_line(demo_dir):
    at = run_page(demo_dir, "targets.py")
    spec = next(s for title, s in charts(at).items() if "完成率与序时进度" in title)
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert not any(t.get("text") for t in bars)  # no label drawn along the bars, where the 序时进度 line runs
    labels = [a for a in spec["layout"]["annotations"] if a.get("xref") == "paper" and a.get("x") == 1.0]
    assert len(labels) == len(bars[0]["y"])  # one label per target, in a column right of the plot
    assert all(a["font"]["size"] >= 13 for a in labels)
    assert spec["layout"]["margin"]["r"] > 100
    marker = next(t for t in spec["data"] if t.get("name", "").startswith("序时进度"))
    assert "精准康复服务满意率" not in marker["y"]  # a rate is held against its target, not against 序时进度


def test_rehab_coverage_labels_and_county_lines(demo_dir):
    at = run_page(demo_dir, "rehab.py", section="乡镇覆盖")
    found = charts(at)
    met = found["康复需求满足率（低者在上）"]
    bar = met["data"][0]
    assert (bar["textposition"], bar["insidetextanchor"]) == ("inside", "start")  # at the base, left of the line
    assert bar["textfont"]["size"] >= 13
    home = found["家庭医生上门康复覆盖（低者在上）"]
    county = [a["text"] for a in home["layout"]["annotations"] if a["text"].startswith("全县")]
    assert len(county) == 1 and county[0].startswith("全县 每千人") and county[0].endswith("人")


def test_heatmap_leaves_cells_of_few_needs_white(demo_dir):
    at = run_page(demo_dir, "rehab.py", section="需求类型")
    spec = charts(at)["各类康复需求满足率"]
    coloured, greyed = spec["data"]
    cells = [
        (rate, grey, text_c, text_g)
        for rates, greys, texts_c, texts_g in zip(
            coloured["z"], greyed["z"], coloured["text"], greyed["text"], strict=True
        )
        for rate, grey, text_c, text_g in zip(rates, greys, texts_c, texts_g, strict=True)
    ]
    few = [c for c in cells if not missing(c[1])]
    assert few, "the demo set has township × need cells of one or two needs"
    for rate, _, text_coloured, text_grey in few:
        assert missing(rate) and text_coloured == ""  # not coloured by a rate of one or two cases
        assert text_grey == "—" or int(text_grey.rpartition("<br>")[2].removesuffix("条")) < 5
    assert any(not missing(rate) for rate, *_ in cells)
    assert any("不足5条的格子留白" in c.value for c in at.caption)
    # read projected: white cells (no pale grey field), text of 14 px or more, the scale from 0 to 100 % in one hue
    assert {colour for _, colour in greyed["colorscale"]} == {"#ffffff"}
    assert min(coloured["textfont"]["size"], greyed["textfont"]["size"]) >= 14
    assert (coloured["zmin"], coloured["zmax"]) == (0, 100)


def test_heatmap_labels_stay_upright_above_the_footer(demo_dir):
    """On a phone Plotly turns labels that do not fit on their side, into the footer line: the need types are
    written upright in two lines, and the footer sits below both."""
    at = run_page(demo_dir, "rehab.py", section="需求类型")
    spec = charts(at)["各类康复需求满足率"]
    axis = spec["layout"]["xaxis"]
    assert axis["tickangle"] == 0
    assert axis["ticktext"] == ["基本<br>医疗", "辅助<br>器具", "康复<br>训练", "护理<br>照料"]
    assert axis["tickvals"] == ["基本医疗", "辅助器具", "康复训练", "护理照料"]  # the hover keeps the whole name
    footer = next(a for a in spec["layout"]["annotations"] if a["text"].startswith("范围："))
    assert footer["yshift"] <= -round(3.0 * 13)  # two lines of 13 px labels above it, not one
    texts = [text for trace in spec["data"] for row in trace["text"] for text in row if text not in ("", "—")]
    assert texts and all(len(text.split("<br>")) == 2 for text in texts)  # the rate above, the count below


@pytest.mark.parametrize(("page", "title"), [("overview.py", "2024年各月资金发放"), ("funds.py", "2024年各月资金发放")])
def test_legend_hangs_below_the_title(demo_dir, page, title):
    """However many rows the legend wraps into (a phone, a printed half page), it starts below the title and Plotly
    reserves its height above the plot: a legend placed on the plot's top edge grows up into the title instead."""
    from ui.charts import TITLE_ROOM_PX

    at = run_page(demo_dir, page)
    spec = next(s for name, s in charts(at).items() if name.startswith(title))
    layout = spec["layout"]
    legend, height = layout["legend"], layout["height"]
    assert (legend["orientation"], legend["yref"], legend["yanchor"]) == ("h", "container", "top")
    assert round((1 - legend["y"]) * height) == TITLE_ROOM_PX == layout["margin"]["t"]


def test_cumulative_chart_puts_its_unit_on_the_ticks(demo_dir):
    """A one-character axis title (户) drawn rotated reads as a stray mark: the unit goes on each tick (60户)."""
    at = run_page(demo_dir, "targets.py", {"target": "无障碍改造"}, section="逐月累计")
    spec = next(s for title, s in charts(at).items() if title.startswith("无障碍改造"))
    axis = spec["layout"]["yaxis"]
    assert axis["ticksuffix"] == "户"
    assert not axis.get("title", {}).get("text")


def test_children_chart_holds_childrens_figures_each_on_its_own_axis(demo_dir):
    at = run_page(demo_dir, "rehab.py", section="儿童康复")
    spec = next(s for title, s in charts(at).items() if title.startswith("儿童假肢矫形器"))
    names = [t["name"] for t in spec["data"]]
    assert names == [
        "假肢矫形器适配（例）",
        "辅助器具适配（例）",
        "康复救助安置（人）",
    ]  # 发放辅助器具 is not children's
    assert len({t["yaxis"] for t in spec["data"]}) == 3  # one panel, one axis each
    titles = [spec["layout"][f"yaxis{t['yaxis'][1:]}"]["title"]["text"] for t in spec["data"]]
    assert titles == ["例", "例", "人"]
    cards = [m.label for m in at.metric]
    assert "发放辅助器具" in cards  # the page's own cards above the tabs still carry it
    assert "发放辅助器具（件）" not in at.dataframe[0].value.columns


@pytest.mark.parametrize("page", ["funds.py"])
def test_programme_colours_are_distinct(demo_dir, page):
    at = run_page(demo_dir, page)
    spec = next(s for title, s in charts(at).items() if title.startswith("2024年各月资金发放"))
    colours = [t["marker"]["color"] for t in spec["data"] if t["type"] == "bar"]
    assert len(colours) == len(set(colours)) >= 10


def numbers(values) -> list[float]:
    """A trace's numbers from its JSON: a list, or Plotly's typed array ({"dtype", "bdata"} of a numpy array)."""
    if isinstance(values, dict):
        return [float(v) for v in np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])]
    return [float(v) for v in values if isinstance(v, int | float)]


@pytest.mark.parametrize(
    ("page", "section", "title"),
    [
        ("overview.py", None, "各乡镇（街道）人均资金发放"),
        ("funds.py", "各乡镇（街道）", "各乡镇（街道）人均发放排名"),
        ("funds.py", "各乡镇（街道）", "各乡镇（街道）发放金额排名"),
        ("employment.py", "各乡镇（街道）", "各乡镇（街道）培训人次"),
        ("rehab.py", None, "家庭医生上门康复覆盖"),
        ("rehab.py", None, "康复需求满足率"),  # a rate too: 0 to just past the largest, not an empty 70–100%
    ],
)
def test_a_ranking_labels_every_bar_and_its_axis_ends_near_the_largest(demo_dir, page, section, title):
    at = run_page(demo_dir, page, section=section)
    spec = next(s for name, s in charts(at).items() if name.startswith(title))
    bars = spec["data"][0]
    labels = {a["y"]: a["text"] for a in spec["layout"]["annotations"] if a.get("xref") == "paper" and a["x"] == 1.0}
    if bars.get("textposition") == "inside":  # at the bar's base, inside it
        labels = dict(zip(bars["y"], bars["text"], strict=True))
    assert set(labels) == set(bars["y"]) and all(labels.values())  # every township's value beside its bar
    largest = max(max(numbers(t["x"]), default=0) for t in spec["data"] if t.get("x") is not None)
    county = [s["x0"] for s in spec["layout"].get("shapes", [])]
    top = spec["layout"]["xaxis"]["range"][1]
    assert max([largest, *county]) <= top <= 1.1 * max([largest, *county])  # no empty third of the axis


def test_the_per_head_ranking_labels_its_yuan(demo_dir):
    spec = charts(run_page(demo_dir, "overview.py"))["各乡镇（街道）人均资金发放"]
    texts = [a["text"] for a in spec["layout"]["annotations"] if a.get("xref") == "paper" and a["x"] == 1.0]
    assert "537元" in texts and "635元" in texts  # the demo's lowest and highest per certified person


def test_the_tile_map_has_a_legend_and_says_what_its_scale_spans(demo_dir):
    at = run_page(demo_dir, "overview.py", section="乡镇地图")
    spec = next(s for name, s in charts(at).items() if name.endswith("各乡镇（街道）"))
    bar = next(t["marker"] for t in spec["data"] if t.get("marker", {}).get("showscale"))
    assert (round(bar["cmin"]), round(bar["cmax"])) == (537, 635) and bar["colorbar"]["title"]["text"] == "元/持证人"
    assert any("颜色由浅到深为 537元 至 635元" in c.value and "最高比最低多18.3%" in c.value for c in at.caption)
    status = run_page(demo_dir, "targets.py", section="乡镇地图")
    spec = next(s for name, s in charts(status).items() if "完成率与序时进度" in name)
    legend = [t["name"] for t in spec["data"] if t.get("showlegend")]
    assert legend and set(legend) <= {s.label for s in Status} and spec["layout"]["showlegend"]
