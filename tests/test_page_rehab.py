"""康复服务 in AppTest: report figures, a township's figures, small n, empty and missing tables."""

from __future__ import annotations

import pytest

from dpf.data.db import open_extracts
from dpf.figures.indicators import codes_for_names, compute_indicators
from dpf.formatting import fmt_count, fmt_pct, fmt_value
from tests.apptest_helpers import metric_values, no_exception, run_page
from tests.extract_builder import write_set
from tests.test_indicators import AS_OF, TABLES

REPORT_CARDS_2023 = {
    "康复需求": "2,141条",
    "基本医疗需求": "2,113条",
    "辅助器具需求": "28条",
    "家庭医生上门康复": "1,443人",
    "儿童假肢矫形器": "14例",
    "儿童辅助器具适配": "6例",
    "发放辅助器具": "129件",
    "儿童康复救助": "161人",
    "救助困难精神残疾人": "1,053人",
    "药费补助金额": "105.3万元",
    "托养服务": "673人次",
}


@pytest.fixture(scope="module")
def page_2023(demo_dir):
    return run_page(demo_dir, "rehab.py", query={"year": "2023"})


def test_2023_demo_shows_the_report_figures(page_2023):
    assert no_exception(page_2023)
    shown = metric_values(page_2023)
    for label, value in REPORT_CARDS_2023.items():
        assert shown[label] == value, label


SECTIONS = {  # tab → its heading; only the chosen tab runs
    "乡镇覆盖": "各乡镇（街道）康复覆盖",
    "覆盖地图": "各乡镇（街道）康复覆盖地图",
    "需求类型": "康复需求：乡镇 × 需求类型",
    "类别等级": "持证残疾人类别与等级",
    "儿童康复": "残疾儿童康复：逐月",
}


def test_page_opens_on_coverage_with_the_other_sections_as_tabs(page_2023):
    assert [t.label for t in page_2023.tabs] == list(SECTIONS)
    assert [s.value for s in page_2023.header] == ["本页相关年度目标", "各乡镇（街道）康复覆盖"]
    assert len(page_2023.dataframe) == 1
    # 2023 has no targets in the demo set: said so, not an empty heading.
    assert any("2023年未导入本页相关的年度目标" in i.value for i in page_2023.info)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_each_section_runs_alone_under_the_same_cards(demo_dir, page_2023, section):
    at = run_page(demo_dir, "rehab.py", query={"year": "2023"}, section=section)
    assert no_exception(at)
    assert [s.value for s in at.header] == ["本页相关年度目标", SECTIONS[section]]
    assert metric_values(at) == metric_values(page_2023)
    # A copied link opens the same tab (the first, the default, needs no parameter).
    assert at.query_params.get("rehab_section") == (None if section == "乡镇覆盖" else section)


def test_categories_total_and_children_table_match_dpf(demo_dir, demo):
    county = compute_indicators(demo, 2023).set_index("indicator")
    certified = county.loc["certified_persons", "value"]
    categories_page = run_page(demo_dir, "rehab.py", query={"year": "2023"}, section="类别等级")
    assert any(f"持证残疾人共 {fmt_count(certified)} 人" in c.value for c in categories_page.caption)
    categories = categories_page.dataframe[0].value
    assert categories["合计（人）"].sum() == certified
    children = run_page(demo_dir, "rehab.py", query={"year": "2023"}, section="儿童康复").dataframe[0].value
    assert children["假肢矫形器适配（例）"].sum() == county.loc["prosthesis_fittings", "value"] == 14
    assert children["辅助器具适配（例）"].sum() == county.loc["device_fittings", "value"] == 6
    assert "发放辅助器具（件）" not in children  # devices go to adults too: not a children's figure


def test_a_townships_figures_equal_dpf(demo_dir):
    extracts = open_extracts(demo_dir)
    name = "城关街道"
    at = run_page(demo_dir, "rehab.py", query={"township": name})
    frame = compute_indicators(extracts, 2024, codes_for_names(extracts, [name])).set_index("indicator")
    shown = metric_values(at)
    assert shown["需求满足率"] == fmt_value(frame.loc["rehab_needs_met_rate", "value"], "%")
    assert shown["家庭医生上门康复"] == fmt_value(frame.loc["home_rehab_persons", "value"], "人")
    county = compute_indicators(extracts, 2024).set_index("indicator")
    assert shown["家庭医生上门康复"] != fmt_value(county.loc["home_rehab_persons", "value"], "人")
    # The township's own bar row in the coverage table carries the same needs met rate as dpf.
    coverage = at.dataframe[0].value.set_index("乡镇（街道）")
    needs = frame.loc["rehab_needs", "value"]
    assert coverage.loc[name, "康复需求（条）"] == needs
    assert coverage.loc[name, "满足率"] == fmt_pct(frame.loc["rehab_needs_met_rate", "value"])
    assert coverage.loc[name, "上门康复（人）"] == frame.loc["home_rehab_persons", "value"]
    # Count targets not split to townships are named, not silently dropped.
    assert any("未分解" in c.value and "儿童康复救助" in c.value for c in at.caption)


@pytest.fixture
def small_set(tmp_path):
    return write_set(tmp_path / "small", TABLES, AS_OF)


def test_small_numbers_carry_their_n(small_set):
    at = run_page(small_set, "rehab.py", query={"township": "城关街道"})
    assert no_exception(at)
    coverage = at.dataframe[0].value.set_index("乡镇（街道）")
    assert coverage.loc["城关街道", "满足率"] == "66.7%（共3条）"  # r1 and r4 met by the as-of date, r2 later
    assert coverage.loc["龙山镇", "满足率"] == "0.0%（共1条）"
    heat = run_page(small_set, "rehab.py", query={"township": "城关街道"}, section="需求类型")
    heat = heat.dataframe[0].value.set_index("乡镇（街道）")
    assert heat.loc["城关街道", "基本医疗"] == "1/2　50.0%（共2条）"


def test_scope_without_needs_is_an_honest_empty_state(small_set):
    at = run_page(small_set, "rehab.py", query={"township": "石'桥\"乡"}, section="需求类型")
    assert no_exception(at)
    assert metric_values(at)["需求满足率"] == "—"
    assert metric_values(at)["康复需求"] == "0条"
    assert any("没有登记康复需求" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("section", "said"),
    [
        ("类别等级", "龙山镇在2024年末（截至数据日）没有持证残疾人记录。"),  # p3's certificate was cancelled in May
        ("儿童康复", "龙山镇2024年（截至数据日）没有残疾儿童适配或康复救助记录。"),
    ],
)
def test_a_section_without_rows_says_so_instead_of_an_empty_chart(small_set, section, said):
    at = run_page(small_set, "rehab.py", query={"township": "龙山镇"}, section=section)
    assert no_exception(at)
    assert said in [i.value for i in at.info]
    assert not at.get("plotly_chart") and not at.dataframe


def test_without_satisfaction_table_the_rest_works(tmp_path):
    tables = {name: rows for name, rows in TABLES.items() if name != "satisfaction"}
    at = run_page(write_set(tmp_path / "nosat", tables, AS_OF), "rehab.py")
    assert no_exception(at)
    shown = metric_values(at)
    assert shown["精准康复服务满意率"] == "—"
    assert shown["康复需求"] == "4条"
    assert any("满意度回访" in c.value for c in at.caption)
    assert any(c.value.startswith("精准康复服务满意率目标暂无法评估") for c in at.caption)


def test_needs_heat_table_cells_order_and_same_named_townships():
    import pandas as pd

    from ui.rehab_tables import needs_heat_table

    by_type = pd.DataFrame(
        [
            ("东湖乡", 2, "nursing", 4, 1),
            ("城关街道", 1, "basic_medical", 20, 15),
            ("东湖乡", 3, "basic_medical", 10, 10),  # another county's 东湖乡 in a province roll-up
            ("东湖乡", 2, "basic_medical", 3, 0),
        ],
        columns=["name", "sort_order", "need", "recorded", "met"],
    )
    table = needs_heat_table(by_type)
    assert list(table.columns) == ["乡镇（街道）", "基本医疗", "辅助器具", "康复训练", "护理照料"]
    assert table.values.tolist() == [
        ["东湖乡", "0/3　0.0%（共3条）", "—", "—", "1/4　25.0%（共4条）"],
        ["城关街道", "15/20　75.0%", "—", "—", "—"],
        ["东湖乡", "10/10　100.0%", "—", "—", "—"],
    ]
