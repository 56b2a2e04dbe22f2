"""就业培训 in AppTest: 2023 report figures, a township vs dpf, the funnel's counts, empty states, downloads."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE, REPORT_2023
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.exports.table_files import csv_bytes, excel_bytes
from dpf.figures.indicators import codes_for_names, compute_indicators
from dpf.formatting import fmt_value
from tests.apptest_helpers import (
    markdown_lines,
    metric_values,
    no_exception,
    rerun,
    run_every_section,
    run_page,
    shown_tables,
)
from tests.extract_builder import payment, person, service, target, town, write_set
from ui.employment_tables import class_table, project_table, township_table

AS_OF = date(2024, 9, 30)
# The page's tabs; only the chosen one runs.
SECTIONS = ["培训进度", "培训班次", "就业服务", "扶持项目", "各乡镇（街道）"]

# Card label on the page -> indicator code.
CARDS = {
    "技能培训": "training_person_times",
    "培训期数": "training_batches",
    "就业登记": "job_registrations",
    "达成就业意向": "job_intentions",
    "专项招聘会": "job_fairs",
    "参会企业": "job_fair_enterprises",
    "扶持残疾人就业创业": "entrepreneurship_persons",
    "就业创业扶持资金": "entrepreneurship_amount",
    "扶持“阳光大棚”": "sunshine_greenhouse_projects",
    "助残基地": "assistance_base_projects",
}


def indicator_frame(folder, year, names=()):
    extracts = open_extracts(folder)
    return compute_indicators(extracts, year, codes_for_names(extracts, list(names))).set_index("indicator")


def shown_table(at, first_column, second_column=None):
    return next(
        d.value
        for d in shown_tables(at)
        if d.value.columns[0] == first_column and (second_column is None or d.value.columns[1] == second_column)
    )


@pytest.fixture(scope="module")
def page_2023(demo_dir):
    return run_every_section(demo_dir, "employment.py", SECTIONS, query={"year": "2023"})


def test_page_runs_on_demo_with_header_and_charts(page_2023):
    assert no_exception(page_2023)
    assert [t.label for t in page_2023.runs["培训进度"].tabs] == SECTIONS
    assert any("范围：全县" in m.value and "2023年" in m.value and "数据截至" in m.value for m in page_2023.markdown)
    # courses, monthly, townships, funnel (no 2023 target, so no progress chart)
    assert len(page_2023.get("plotly_chart")) == 4
    assert metric_values(page_2023)["举办招聘会"] == "4次"
    assert any("招聘会只记场次和参会企业，不记哪些人参加" in c.value for c in page_2023.caption)
    # No analyst words in what a leader reads under the charts.
    for word in ("漏斗", "口径", "字段", "manifest", "townships"):
        assert not any(word in c.value for c in page_2023.caption), word


def test_2023_cards_show_the_report_figures(page_2023):
    shown = metric_values(page_2023)
    assert shown["技能培训"] == "124人次"
    assert shown["培训期数"] == "3期"
    assert shown["就业登记"] == "185人"
    assert shown["专项招聘会"] == "4次"
    assert shown["参会企业"] == "25家次"
    assert shown["达成就业意向"] == "74人"
    assert shown["扶持残疾人就业创业"] == "210人"
    assert shown["就业创业扶持资金"] == "63万元"
    assert shown["扶持“阳光大棚”"] == "19个"
    assert shown["助残基地"] == "2个"
    for label, code in CARDS.items():
        low, high = REPORT_2023[code]
        assert low == high
        assert shown[label] == fmt_value(low, INDICATOR_BY_CODE[code].unit), label


def test_2023_tables_add_up_to_the_report(page_2023):
    towns = shown_table(page_2023, "乡镇（街道）", "技能培训（人次）")
    assert towns["上年同期（人次）"].isna().all()  # the demo starts in 2023: unknown (—), never 0
    classes = shown_table(page_2023, "期次")
    assert classes["学员（人次）"].sum() == 124 and classes["期次"].nunique() == 3
    projects = shown_table(page_2023, "项目编号")
    counts = projects["扶持类别"].value_counts()
    assert counts["阳光大棚"] == 19 and counts["助残基地"] == 2 and projects["项目编号"].is_unique
    assert projects["扶持金额（万元）"].sum() == pytest.approx(9.5)  # greenhouse_base_amount 95000元
    funnel = shown_table(page_2023, "环节").set_index("环节")["数量"]
    assert (funnel["就业登记"], funnel["专项招聘会"], funnel["参会企业"], funnel["达成就业意向"]) == (
        "185",
        "4",
        "25",
        "74",
    )
    assert funnel["登记且达成意向"] == "74"  # in the demo's 2023 every intention follows a registration
    towns = shown_table(page_2023, "乡镇（街道）", "技能培训（人次）")
    assert towns["技能培训（人次）"].sum() == 124
    assert towns["扶持残疾人就业创业（人）"].sum() == 210
    assert towns.set_index("乡镇（街道）").loc["鹤山乡", "技能培训（人次）"] == 0


def test_township_choice_shows_dpf_figures_and_target(demo_dir):
    at = run_page(demo_dir, "employment.py")
    county = metric_values(at)["技能培训"]
    name = "城关街道"
    at.multiselect(key="township").select(name)
    rerun(at, demo_dir)
    assert no_exception(at)
    expected = indicator_frame(demo_dir, 2024, [name])
    shown = metric_values(at)
    for label, code in CARDS.items():
        value, indicator = expected.loc[code, "value"], INDICATOR_BY_CODE[code]
        county_level = indicator.county_level and not value  # events held for the county, none in the township
        assert shown[label] == ("县级活动" if county_level else fmt_value(value, indicator.unit)), label
    assert shown["技能培训"] != county
    assert expected.loc["entrepreneurship_persons", "value"] > 0
    # The township's share of the training target, beside its value, as on the targets page.
    value, target = expected.loc["training_person_times", ["value", "target"]]
    assert target == 12
    assert f"{fmt_value(value, '人次')} / {fmt_value(target, '人次')}" in markdown_lines(at)
    assert any("完成率" in m.value and "badge" in m.value for m in at.markdown)
    # Another tab keeps the township. Start-up targets exist for the county only: said, not hidden.
    at.session_state["employment_section"] = "扶持项目"
    rerun(at, demo_dir)
    assert metric_values(at) == shown
    assert any(
        "所选乡镇（街道）没有分解以下指标的目标" in c.value and "扶持残疾人就业创业" in c.value for c in at.caption
    )
    at.session_state["employment_section"] = "各乡镇（街道）"
    rerun(at, demo_dir)
    towns = shown_table(at, "乡镇（街道）", "技能培训（人次）")
    assert list(towns["乡镇（街道）"]) == [name]
    assert towns["技能培训（人次）"].iloc[0] == expected.loc["training_person_times", "value"]
    assert towns["扶持残疾人就业创业（人）"].iloc[0] == expected.loc["entrepreneurship_persons", "value"]
    assert towns["培训目标（人次）"].iloc[0] == 12


def test_demo_township_without_training_in_2023(demo_dir):
    at = run_page(demo_dir, "employment.py", query={"year": "2023", "township": "鹤山乡"})
    assert no_exception(at)
    assert any("鹤山乡2023年（截至数据日）没有残疾人技能培训记录" in i.value for i in at.info)
    assert metric_values(at)["技能培训"] == "0人次"
    assert not any(d.value.columns[0] == "期次" for d in shown_tables(at))


def test_queries_agree_with_dpf_indicators(demo, demo_dir):
    expected = indicator_frame(demo_dir, 2024)["value"]
    params = {"year": 2024, "townships": [], "as_of": AS_OF, "month": None}
    classes = run_query(demo.con, "employment_training_classes", **params)
    assert classes.loc[classes["level"] == "class", "trainees"].sum() == expected["training_person_times"]
    funnel = run_query(demo.con, "employment_funnel", **params).set_index("step")["value"]
    assert funnel["registered"] == expected["job_registrations"]
    assert funnel["intentions"] == expected["job_intentions"]
    assert funnel["fairs"] == expected["job_fairs"] and funnel["fair_enterprises"] == expected["job_fair_enterprises"]
    assert funnel["registered_with_intention"] <= min(funnel["registered"], funnel["intentions"])
    projects = run_query(demo.con, "employment_projects", **params)
    for program, code in [
        ("sunshine_greenhouse", "sunshine_greenhouse_projects"),
        ("assistance_base", "assistance_base_projects"),
        ("auxiliary_employment", "auxiliary_employment_projects"),
    ]:
        assert (projects["program"] == program).sum() == expected[code]
    monthly = run_query(demo.con, "employment_training_monthly", **params)
    assert monthly.loc[monthly["year"] == 2024, "cumulative_trainees"].max() == expected["training_person_times"]


# --- A tiny hand-computed set ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """甲镇 trains (two classes) and supports a start-up and a greenhouse; 乙乡 only registers job seekers."""
    towns = [town("1", "甲镇", "镇", 1), town("2", "乙乡", "乡", 2)]
    persons = [person(k, t, "2020-01-01", grade=3) for k, t in [("a", "1"), ("b", "1"), ("c", "1"), ("d", "2")]]
    services = [
        service("1", "vocational_training", "2024-04-02", "a", "1", batch="第1期", detail="电商"),
        service("2", "vocational_training", "2024-04-02", "b", "1", batch="第1期", detail="电商"),
        service("3", "vocational_training", "2024-06-05", "a", "1", batch="第2期", detail="种植"),
        service("4", "vocational_training", "2024-10-08", "c", "1", batch="第3期", detail="种植"),  # after as-of
        service("5", "job_registration", "2024-03-01", "a", "1"),
        service("6", "job_registration", "2024-05-01", "b", "1"),
        service("7", "job_intention", "2024-07-01", "b", "1"),
        service("8", "job_intention", "2024-07-01", "c", "1"),  # never registered
        service("9", "job_fair", "2024-05-20", township=None, quantity=7),  # county-level fair
        service("10", "job_registration", "2024-05-01", "d", "2"),
        service("11", "vocational_training", "2023-04-02", "d", "2", batch="2023年第1期", detail="电商"),
    ]
    payments = [
        payment("1", "entrepreneurship", "2024-05-01", 3000, person="a", township="1"),
        payment("2", "entrepreneurship", "2024-08-01", 1000, person="a", township="1"),
        payment("3", "sunshine_greenhouse", "2024-06-01", 3000, project="GH-1", township="1"),
        payment("4", "sunshine_greenhouse", "2024-09-01", 2000, project="GH-1", township="1"),
    ]
    targets = [
        target("training_person_times", 10, note="10人次"),
        target("training_person_times", 6, "1"),
        target("training_person_times", 4, "2"),
    ]
    tables = {"townships": towns, "persons": persons, "services": services, "payments": payments, "targets": targets}
    tables["rehab_needs"] = []
    return write_set(tmp_path_factory.mktemp("employment") / "tiny", tables, AS_OF)


def test_hand_computed_township(tiny):
    at = run_every_section(tiny, "employment.py", SECTIONS, query={"township": "甲镇"})
    assert no_exception(at)
    shown = metric_values(at)
    assert shown["技能培训"] == "3人次"  # the October class is after the as-of date
    assert shown["培训期数"] == "2期"
    assert shown["就业登记"] == "2人"
    assert shown["达成就业意向"] == "2人"
    # The county-level fair belongs to no township: the cards and the funnel say so instead of a 0.
    for label in ("专项招聘会", "参会企业", "政策宣传", "宣传材料", "举办招聘会", "招聘会参会企业"):
        card = next(m for m in at.metric if m.label == label)
        assert (card.value, card.delta) == ("县级活动", "不分乡镇，只计入全县"), label
    assert shown["扶持残疾人就业创业"] == "1人" and shown["就业创业扶持资金"] == "0.4万元"
    assert shown["扶持“阳光大棚”"] == "1个"
    funnel = shown_table(at, "环节").set_index("环节")["数量"]
    assert funnel["专项招聘会"] == funnel["参会企业"] == "县级活动，不分乡镇"
    assert funnel["登记且达成意向"] == "1"  # b registered and reached an intention; c never registered
    assert "3人次 / 6人次" in markdown_lines(at)  # 甲镇's share of the target
    classes = shown_table(at, "期次")
    assert list(classes["学员（人次）"]) == [2, 1] and list(classes["课程"]) == ["电商", "种植"]
    projects = shown_table(at, "项目编号")
    assert list(projects["项目编号"]) == ["GH-1"] and projects["扶持金额（万元）"].iloc[0] == 0.5
    assert projects["发放月份"].iloc[0] == "2024年6月至2024年9月"


def test_township_without_training_shows_an_honest_empty_state(tiny):
    at = run_every_section(tiny, "employment.py", SECTIONS, query={"township": "乙乡"})
    assert no_exception(at)
    assert not at.error
    assert any("乙乡2024年（截至数据日）没有残疾人技能培训记录" in i.value for i in at.info)
    assert any("没有扶持阳光大棚、助残基地或辅助性就业机构的记录" in i.value for i in at.info)
    shown = metric_values(at)
    assert shown["技能培训"] == "0人次" and shown["培训期数"] == "0期"
    assert shown["就业登记"] == "1人"
    assert "0人次 / 4人次" in markdown_lines(at)  # the target is still shown, honestly unmet
    assert not any(d.value.columns[0] in ("期次", "项目编号") for d in shown_tables(at))
    # Only the township comparison and the funnel remain as charts (no course, month or progress chart).
    assert len(at.get("plotly_chart")) == 2


def test_county_includes_county_level_fair(tiny):
    at = run_page(tiny, "employment.py")
    shown = metric_values(at)
    assert shown["专项招聘会"] == "1次" and shown["参会企业"] == "7家次"
    assert shown["就业登记"] == "3人" and shown["技能培训"] == "3人次"
    assert "3人次 / 10人次" in markdown_lines(at)


def test_downloads_equal_the_displayed_tables(page_2023, demo):
    params = {"year": 2023, "townships": [], "as_of": AS_OF, "month": None}
    classes = class_table(run_query(demo.con, "employment_training_classes", **params))
    assert shown_table(page_2023, "期次").astype(str).equals(classes.astype(str))
    projects = project_table(run_query(demo.con, "employment_projects", **params))
    assert shown_table(page_2023, "项目编号").astype(str).equals(projects.astype(str))
    towns = township_table(
        run_query(demo.con, "employment_by_township", **params),
        run_query(demo.con, "employment_startup_by_township", year=2023, as_of=AS_OF, month=None),
        None,
        last_year_known=False,  # the demo starts in 2023
    )
    assert shown_table(page_2023, "乡镇（街道）", "技能培训（人次）").astype(str).equals(towns.astype(str))
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(projects, "扶持项目明细"))).active
    header = [cell.value for cell in sheet[1]]
    assert header == ["项目编号", "扶持类别", "乡镇（街道）", "扶持金额（万元）", "发放笔数（笔）", "发放月份"]
    assert sheet.max_row - 1 == 21
    assert csv_bytes(towns).startswith(b"\xef\xbb\xbf")


def test_broken_services_table_leaves_the_payments_parts_working(demo_copy):
    (demo_copy / "services.parquet").write_bytes(b"PAR1 this is not parquet")
    at = run_every_section(demo_copy, "employment.py", SECTIONS, query={"year": "2023"})
    assert no_exception(at)
    assert any("服务记录" in w.value and "损坏" in w.value for w in at.warning)
    shown = metric_values(at)
    assert shown["技能培训"] == "—"
    assert shown["扶持残疾人就业创业"] == "210人"
    assert len(shown_table(at, "项目编号")) == 21
