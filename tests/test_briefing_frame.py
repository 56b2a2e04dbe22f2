"""简报模式 as slides (AppTest on the demo set): one topic per frame, chosen by the URL, without tabs, controls,
popovers, downloads or (?) icons; the topic's cards and 要点; page settings read from the URL instead of a control.
The frame's height in a real browser: tests/browser/test_briefing_frames.py."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE
from dpf.figures.ranking import PLACE
from dpf.narrative.sentences import Fact, Sentence
from tests.apptest_helpers import metric_values, no_exception, run_page
from ui.briefing_frame import every_label, topic_sentences
from ui.context import View
from ui.downloads import slide_headers
from ui.township_ranking import shown_ranking


def briefing(demo_dir, page: str, **query: str):
    at = run_page(demo_dir, page, query={"briefing": "1", **query})
    assert no_exception(at)
    return at


def chart_titles(at) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def title_block(at) -> str:
    return next(h.proto.body for h in at.get("html") if "dpf-title-block" in h.proto.body)


def assert_no_controls(at) -> None:
    """Nothing to click or hover in the frame: no tabs, no control, no popover, no download, no (?) on a card."""
    main = at.main
    assert not at.tabs
    for kind in ("selectbox", "multiselect", "radio", "toggle", "checkbox", "button_group", "download_button"):
        assert not main.get(kind), kind
    assert not main.get("popover")
    assert all(not metric.help for metric in at.metric)


def sentence(text: str, *codes: str) -> Sentence:
    return Sentence("topic", text, tuple(Fact(code, "value", 1.0) for code in codes))


def test_a_topics_key_points_are_those_about_its_cards():
    page = [
        sentence("甲", "subsidies_total_amount"),
        sentence("乙", "rehab_needs"),
        sentence("丙", "training_person_times"),
        sentence("丁", "rehab_needs_met_rate", "rehab_needs"),
        sentence("戊", "child_rehab_persons"),
        sentence("己", "rehab_needs"),
        sentence("庚", "rehab_needs"),
    ]
    assert [s.text for s in topic_sentences(page, ("rehab_needs", "rehab_needs_met_rate"))] == ["乙", "丁", "己"]
    assert [s.text for s in topic_sentences(page, ("child_rehab_persons",))] == ["戊"]
    # a topic whose indicators no sentence states, or without cards: the page's first sentences
    assert [s.text for s in topic_sentences(page, ("certified_persons",))] == ["甲", "乙", "丙"]
    assert [s.text for s in topic_sentences(page, None, most=2)] == ["甲", "乙"]


def test_the_url_chooses_the_topic_and_the_frame_holds_its_cards_chart_and_points(demo_dir):
    normal = metric_values(run_page(demo_dir, "rehab.py", section="儿童康复"))
    at = briefing(demo_dir, "rehab.py", rehab_section="儿童康复")
    assert_no_controls(at)
    block = title_block(at)
    assert "康复服务 · 儿童康复" in block and "数据截至 2024年9月30日" in block and "范围：全县" in block
    codes = ["child_rehab_persons", "prosthesis_fittings", "device_fittings"]  # children's figures only
    cards = metric_values(at)
    assert list(cards) == [INDICATOR_BY_CODE[code].label for code in codes]  # the topic's cards, one row
    assert cards == {label: normal[label] for label in cards}
    assert cards["儿童康复救助"] == "103人"
    assert chart_titles(at) == ["儿童假肢矫形器、辅助器具适配与康复救助（按月）"]
    assert not at.dataframe  # the table under the chart is on the page, not on the slide
    assert not any(s.value == "残疾儿童康复：逐月" for s in at.header)  # the title block names the topic


def test_a_ranking_topic_gives_the_cards_room_to_its_chart_and_speaks_of_its_indicators(demo_dir):
    at = briefing(demo_dir, "rehab.py", rehab_section="需求类型")
    assert_no_controls(at)
    assert "康复服务 · 需求类型" in title_block(at)
    assert not at.metric  # a row per township: no cards
    assert chart_titles(at) == ["各类康复需求满足率"]
    points = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(points) == 1
    lines = points[0].splitlines()
    assert 1 <= len(lines) <= 3 and all("需求" in line for line in lines)


def test_a_page_setting_comes_from_the_url_without_its_control(demo_dir):
    at = briefing(demo_dir, "funds.py", funds_section="逐月发放", program="重度残疾人护理补贴")
    assert_no_controls(at)
    assert "资金发放 · 逐月发放" in title_block(at)
    assert chart_titles(at) == ["2024年各月资金发放（重度残疾人护理补贴）"]  # no 项目详情 below it on the slide
    assert metric_values(at)["护理补贴金额"] == "308.85万元"

    targets = briefing(demo_dir, "targets.py", targets_section="逐月累计", basis="按月", target="救助困难精神残疾人")
    assert_no_controls(targets)
    assert "序时进度（按月）" in metric_values(targets)
    assert chart_titles(targets)[0].startswith("救助困难精神残疾人")


def test_a_table_topic_shows_its_table_without_downloads(demo_dir):
    at = briefing(demo_dir, "funds.py", funds_section="乡镇×项目")
    assert_no_controls(at)
    assert not at.dataframe and len(at.table) == 1  # a static table in slide type, not the canvas grid
    assert not metric_values(at)  # the table takes the frame
    table = at.table[0].value
    assert list(table.columns[:2]) == ["乡镇（街道）　单位：万元", "护理补贴"]  # the unit said once
    assert table.iloc[-1, 0] == "合计"


@pytest.mark.parametrize(
    ("lines", "room", "px"),
    [
        (26, 671, 19),  # 乡镇×项目 (two header lines, 24 rows) under three 要点: (671/26 - 3)/1.2 = 19.0 px
        (15, 671, 28),  # 项目明细: 44.7 px a line would take 34 px type: the largest, 28 px
        (60, 671, 18),  # a longer table: never below 18 px (it scrolls in its box)
    ],
)
def test_a_slide_table_takes_the_largest_type_its_rows_allow(lines, room, px):
    from ui.briefing_frame import table_type_px

    assert table_type_px(lines, room) == px


@pytest.mark.parametrize(
    ("printf", "value", "text"),
    [("%,.2f", 1138.08, "1,138.08"), ("%,d", 19258.0, "19,258"), ("%.1f%%", 96.24, "96.2%"), ("%,.0f", 590.6, "591")],
)
def test_a_slide_table_writes_numbers_as_the_page_does(printf, value, text):
    from ui.briefing_frame import cell_format

    assert cell_format(printf).format(value) == text


def slide_view(briefing: bool, chosen: tuple[str, ...] = ()) -> View:
    return View("folder", "fingerprint", 2024, chosen, (), None, "", False, None, briefing)


def test_a_slide_names_every_township_of_a_ranking_and_cuts_a_longer_one_to_its_ends():
    rows = pd.DataFrame(
        {"code": [f"t{i:02d}" for i in range(50)], "name": [f"乡镇{i}" for i in range(50)], "value": range(50)}
    )
    shown = shown_ranking(slide_view(True, ("t25",)), rows, "value", "slide_test")
    kept = [*range(10), 25, *range(40, 50)]  # the first and last 10, and the chosen township
    assert list(shown.rows["code"]) == [f"t{i:02d}" for i in kept]
    assert list(shown.rows[PLACE]) == [50 - i for i in kept]  # the largest value is 第1
    assert shown.note == "前10位与后10位及所选乡镇，共50个乡镇（街道）"
    # a ranking of 24 (the demo county's 23 fit) is left whole, on the slide too
    assert len(shown_ranking(slide_view(True), rows.head(24), "value", "slide_test").rows) == 24

    fig = go.Figure(go.Bar(x=[3, 2, 1], y=["甲镇", "乙镇", "丙镇"], orientation="h"))
    every_label(fig)
    assert fig.layout.yaxis.dtick == 1  # Plotly would leave out names that stand close
    numbers = go.Figure(go.Bar(x=["1月", "2月"], y=[3, 4]))
    every_label(numbers)
    assert numbers.layout.yaxis.dtick is None


def test_the_programmes_topic_is_one_chart_of_what_the_pages_cards_say(demo_dir):
    cards = metric_values(run_page(demo_dir, "funds.py", section="各项目"))
    at = briefing(demo_dir, "funds.py", funds_section="各项目")
    assert_no_controls(at)
    assert not at.metric
    (chart,) = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert chart["layout"]["title"]["text"] == "2024年各项目发放金额（与上年同期比较）"
    # each programme's figures in a column right of the plot, level with its pair of bars
    labels = {a["y"]: a["text"] for a in chart["layout"]["annotations"] if a.get("xref") == "paper" and a["x"] == 1.0}
    assert len(labels) == 12  # every programme that paid this year or last
    assert labels["护理补贴"] == f"{cards['护理补贴 金额']}　{cards['护理补贴 人次']}　同比 +11.8%"
    assert labels["护理补贴"] == "308.85万元　35,910人次　同比 +11.8%"


def test_data_status_shows_one_part_per_frame(demo_dir):
    tables = briefing(demo_dir, "data_status.py", data_status_section="各数据表")
    assert "数据状况 · 各数据表" in title_block(tables)
    assert len(tables.table) == 1 and "数据清单登记行数" in tables.table[0].value.columns
    assert not tables.metric  # not the page's cards: the title block says 数据截至 and the source


def test_a_wide_table_of_amounts_says_its_unit_once_on_a_slide():
    wide = pd.DataFrame(
        {"乡镇（街道）": ["甲镇"], **{f"项目{i}（万元）": [1.5] for i in range(8)}, "合计（万元）": [12.0]}
    )
    config = {"合计（万元）": {"label": None, "type_config": {"type": "number", "format": "%.2f"}}}
    shortened = slide_headers(wide, config)
    assert shortened["乡镇（街道）"]["label"] == "乡镇（街道）　单位：万元"
    assert shortened["项目0（万元）"]["label"] == "项目0"
    assert shortened["合计（万元）"] == {"label": "合计", "type_config": {"type": "number", "format": "%.2f"}}
    assert slide_headers(wide.iloc[:, :8], config) == {}  # a table of 8 columns keeps its headers


def test_overviews_topic_carries_the_pages_first_row_of_cards(demo_dir):
    page = metric_values(run_page(demo_dir, "overview.py"))
    at = briefing(demo_dir, "overview.py", overview_section="资金发放")
    cards = metric_values(at)
    labels = [INDICATOR_BY_CODE[code].label for code in ("subsidies_total_amount", "nursing_subsidy_amount")]
    assert list(cards)[:2] == labels and len(cards) == 5
    assert cards == {label: page[label] for label in cards}  # the same figures as the page's cards
    assert chart_titles(at) == ["2024年各月资金发放（按项目类别）", "各乡镇（街道）人均资金发放"]


def topic_buttons(at) -> list[str]:
    return [button.label for button in at.button if button.key and button.key.startswith("topic_")]


def test_the_audit_log_is_never_a_slide(demo_dir):
    at = briefing(demo_dir, "data_status.py", data_status_section="访问记录")
    assert "数据状况 · 各数据表" in title_block(at)  # the URL's 访问记录 is no topic: the first one instead
    assert "访问记录" not in topic_buttons(at)
    assert topic_buttons(at) == ["各数据表", "数据约定检查", "最近的导入", "填报情况", "疑似重复发放"]
    assert not any("访问记录" in info.value for info in at.info)


def township_view(demo_dir, name: str | None) -> View:
    from dpf.contract.manifest import manifest_fingerprint

    towns = pd.read_parquet(demo_dir / "townships.parquet").set_index("name")["code"]
    codes = (towns[name],) if name else ()
    return View(
        str(demo_dir), manifest_fingerprint(demo_dir), 2024, codes, (name,) if name else (), None, "", True, None
    )


@pytest.mark.parametrize(
    ("township", "offered"),
    [
        (None, ["招聘会", "假肢", "培训", "表"]),  # the county: every topic has figures
        # 龙山镇: 招聘会 are county-level events (its card would read 县级活动), no 假肢 fitted in 2024
        ("龙山镇", ["培训", "表"]),
    ],
)
def test_a_topic_with_nothing_for_the_scope_is_not_offered(demo_dir, township, offered):
    from ui.sections import Section, Sections

    def draw(view: View) -> None:
        return None

    sections = Sections(
        "test_section",
        [
            Section("招聘会", draw, cards=("job_fairs", "job_fair_enterprises")),
            Section("假肢", draw, cards=(), about=("prosthesis_fittings",)),
            Section("培训", draw, cards=("training_person_times", "job_fairs")),
            Section("表", draw, cards=()),  # names no indicator: always a topic
            Section("日志", draw, cards=(), slide=False),
        ],
    )
    assert sections.offered(township_view(demo_dir, township)) == offered
