"""资金发放 in AppTest: 2023 report figures, township × programme vs dpf, empty scope, Excel totals."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from dpf.contract.catalogue import PROGRAM_BY_CODE, PROGRAM_INDICATORS, REPORT_2023
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.exports.table_files import csv_bytes, excel_bytes
from dpf.figures.indicators import codes_for_names, compute_indicators
from dpf.formatting import fmt_count, fmt_value, fmt_wan
from tests.apptest_helpers import metric_values, no_exception, rerun, run_every_section, run_page, shown_tables
from tests.extract_builder import payment, person, town, write_set
from ui.funds_tables import catalogue_params, township_program_table

AS_OF = date(2024, 9, 30)


def indicator_values(folder, year, names=()):
    extracts = open_extracts(folder)
    frame = compute_indicators(extracts, year, codes_for_names(extracts, list(names)))
    return {row.indicator: row.value for row in frame.itertuples()}


def shown_table(at, first_column):
    return next(d.value for d in shown_tables(at) if d.value.columns[0] == first_column)


# The page's tabs; only the chosen one runs.
SECTIONS = ["逐月发放", "各项目", "各乡镇（街道）", "乡镇×项目", "项目明细", "应补尽补"]


@pytest.fixture(scope="module")
def funds_2023(demo_dir):
    return run_every_section(demo_dir, "funds.py", SECTIONS, query={"year": "2023"})


def test_page_runs_on_demo_with_header(funds_2023):
    assert no_exception(funds_2023)
    assert any("范围：全县" in m.value and "2023年" in m.value and "数据截至" in m.value for m in funds_2023.markdown)
    first = funds_2023.runs["逐月发放"]
    assert first.selectbox(key="program").value == "全部项目"
    assert [t.label for t in first.tabs] == SECTIONS
    assert len(funds_2023.get("plotly_chart")) >= 3  # monthly + two rankings


def test_2023_cards_match_the_report(funds_2023):
    shown = metric_values(funds_2023)
    assert shown["护理补贴 金额"] == "369.6万元"
    assert shown["护理补贴 人次"] == "46,197人次"
    report = {code: low for code, (low, high) in REPORT_2023.items() if low == high}
    for code, label in [
        ("living_subsidy_amount", "生活补贴 金额"),
        ("living_subsidy_person_times", "生活补贴 人次"),
        ("entrepreneurship_persons", "个人就业创业 人"),
        ("entrepreneurship_amount", "个人就业创业 金额"),
        ("sunshine_greenhouse_projects", "阳光大棚 个"),
        ("assistance_base_projects", "助残基地 个"),
        ("student_aid_persons", "教育资助 人"),
        ("student_aid_amount", "教育资助 金额"),
        ("cochlear_implant_amount", "人工耳蜗 金额"),
        ("psychiatric_medication_persons", "精神残疾人药费 人"),
        ("psychiatric_medication_amount", "精神残疾人药费 金额"),
        ("sunshine_home_persons", "阳光家园托养 人"),
        ("sunshine_home_amount", "阳光家园托养 金额"),
        ("accessibility_households", "无障碍改造 户"),
        ("wheelchair_fuel_amount", "燃油补贴 金额"),
    ]:
        unit = "元" if code.endswith("amount") else label.split()[-1]
        assert shown[label] == fmt_value(report[code], unit), label
    # Group totals and the 大棚+基地 split add up to the report's figures.
    assert shown["两项补贴合计 金额"] == fmt_wan(3696000 + 7752000)
    assert shown["两项补贴合计 人次"] == fmt_count(46197 + 96895, "人次")
    greenhouse = float(shown["阳光大棚 金额"].removesuffix("万元"))
    base = float(shown["助残基地 金额"].removesuffix("万元"))
    assert round(greenhouse + base, 2) == 9.50  # greenhouse_base_amount 95000元


def test_2023_program_table_matches_the_report(funds_2023):
    table = shown_table(funds_2023, "项目类别").set_index("项目")
    nursing = table.loc[PROGRAM_BY_CODE["nursing_subsidy"].name]
    assert nursing["发放金额（万元）"] == 369.6 and nursing["受益数量"] == 46197 and nursing["计数单位"] == "人次"
    assert table.loc["困难精神残疾人药费补助", "受益数量"] == 1053
    # the 合计 row has no 受益数量 (units differ): the grid shows its missing cells as —, not as None
    assert pd.isna(table.loc["全部项目", "受益数量"])
    grid = next(d for d in shown_tables(funds_2023) if d.value.columns[0] == "项目类别")
    assert grid.proto.placeholder == "—"
    # the demo starts in 2023: its 上年同期 is unknown (—), never 0.00
    assert table["上年同期（万元）"].isna().all() and set(table["金额同比"]) == {"—"}


def test_funds_counts_agree_with_catalogue_indicators(demo, demo_dir):
    """Where both exist, the funds_ query's count and amount equal dpf's indicator (same rules, same spans)."""
    name = "城关街道"
    codes = codes_for_names(demo, [name])
    expected = indicator_values(demo_dir, 2024, [name])
    frame = run_query(
        demo.con, "funds_by_program", year=2024, townships=codes, as_of=AS_OF, month=None, **catalogue_params()
    )
    rows = frame[frame["level"] == "program"].set_index("program")
    for program, (amount_code, count_code) in PROGRAM_INDICATORS.items():
        if program not in rows.index:
            continue
        if amount_code:
            assert rows.loc[program, "amount_yuan"] == pytest.approx(expected[amount_code])
        if count_code:
            assert rows.loc[program, "beneficiaries"] == expected[count_code]
    total = frame[frame["level"] == "total"].iloc[0]
    assert total["amount_yuan"] == pytest.approx(expected["subsidies_total_amount"])


def test_township_and_program_selection_show_dpf_figures(demo_dir):
    name = "高峰乡"
    at = run_page(demo_dir, "funds.py", query={"township": name})
    at.selectbox(key="program").set_value("psychiatric_medication")
    rerun(at, demo_dir)
    assert no_exception(at)
    expected = indicator_values(demo_dir, 2024, [name])
    shown = metric_values(at)
    assert shown["资金发放合计"] == fmt_wan(expected["subsidies_total_amount"])
    assert shown["项目金额"] == fmt_wan(expected["psychiatric_medication_amount"])
    assert shown["项目人"] == fmt_count(expected["psychiatric_medication_persons"], "人")
    assert expected["psychiatric_medication_persons"] > 0
    assert any("项目详情：困难精神残疾人药费补助" in h.value for h in at.header)
    by_category = shown_table(at, "残疾类别")
    assert set(by_category["残疾类别"]) == {"精神"}  # the demo gives medication aid to 精神 only


def test_program_in_url_is_preselected_and_unknown_dropped(demo_dir):
    at = run_page(demo_dir, "funds.py", query={"program": "人工耳蜗补贴", "year": "2023"})
    assert at.selectbox(key="program").value == "cochlear_implant"
    assert metric_values(at)["项目人"] == "9人"
    at = run_page(demo_dir, "funds.py", query={"program": "'; DROP TABLE payments; --"})
    assert no_exception(at)
    assert at.selectbox(key="program").value == "全部项目"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Two townships; 乙乡 had payments in 2023 only, 甲镇 in both years."""
    towns = [town("1", "甲镇", "镇", 1), town("2", "乙乡", "乡", 2)]
    persons = [
        person(k, t, "2020-01-01", category=c, grade=g)
        for k, t, c, g in [("a", "1", 4, 1), ("b", "1", 6, 2), ("c", "2", 1, 1)]
    ]
    payments = [
        payment("1", "nursing_subsidy", "2024-01-01", 80, person="a", township="1"),
        payment("2", "nursing_subsidy", "2024-02-01", 80, person="a", township="1"),
        payment("3", "nursing_subsidy", "2024-02-01", 80, person="b", township="1"),
        payment("4", "living_subsidy", "2024-02-01", 100, person="b", township="1"),
        payment("5", "wheelchair_fuel", "2024-03-01", 130, person="a", township="1"),
        payment("6", "wheelchair_fuel", "2024-06-01", 130, person="a", township="1"),
        payment("7", "sunshine_greenhouse", "2024-04-01", 3000, project="g1", township="1"),
        payment("8", "nursing_subsidy", "2023-05-01", 80, person="c", township="2"),
        payment("9", "nursing_subsidy", "2024-10-01", 80, person="a", township="1"),  # after the as-of date
    ]
    tables = {"townships": towns, "persons": persons, "payments": payments}
    tables.update({name: [] for name in ("services", "rehab_needs")})
    return write_set(tmp_path_factory.mktemp("funds") / "tiny", tables, AS_OF)


def test_hand_computed_figures_for_a_township(tiny):
    at = run_page(tiny, "funds.py", query={"township": "甲镇"}, section="各项目")
    assert no_exception(at)
    shown = metric_values(at)
    assert shown["资金发放合计"] == fmt_wan(80 * 3 + 100 + 130 * 2 + 3000)  # row 9 is after the as-of date
    assert shown["两项补贴合计 人次"] == "4人次"
    assert shown["护理补贴 人次"] == "3人次"
    assert shown["燃油补贴 人"] == "1人"  # two payments, one person
    assert shown["受益残疾人"] == "2人"
    assert shown["扶持项目"] == "1个"
    at = run_page(tiny, "funds.py", query={"township": "甲镇"})  # 逐月发放, where a chosen programme's detail is
    at.selectbox(key="program").set_value("nursing_subsidy")
    rerun(at, tiny)
    shown = metric_values(at)
    assert shown["项目人次"] == "3人次" and shown["受益人数（去重）"] == "2人"
    assert shown["人均发放"] == "120元"  # 240元 ÷ 2 persons


def test_township_without_payments_shows_an_honest_empty_state(tiny):
    at = run_every_section(tiny, "funds.py", SECTIONS, query={"township": "乙乡"})
    assert no_exception(at)
    assert not at.error
    infos = [i.value for i in at.info]
    assert any("乙乡2024年" in text and "暂无资金发放记录" in text for text in infos)
    shown = metric_values(at)
    assert shown["资金发放合计"] == "0万元"
    # No monthly chart and no township table of amounts for an empty scope; the comparison with 甲镇 remains. (The
    # 应补尽补 table stays: eligible persons not paid are what it is for.)
    townships = [d.value for d in shown_tables(at) if d.value.columns[0] == "乡镇（街道）"]
    assert [list(t.columns)[1] for t in townships] == ["护理补贴应发人数（人）"]
    assert len(at.get("plotly_chart")) == 2


def test_excel_download_totals_equal_the_page(funds_2023, demo, demo_dir):
    # Build the township table exactly as the page does, and check it is the one displayed.
    long = run_query(demo.con, "funds_township_program", year=2023, townships=[], as_of=AS_OF, month=None)
    ranking = run_query(demo.con, "funds_by_township", year=2023, townships=[], as_of=AS_OF, month=None, program="")
    table = township_program_table(long, ranking)
    displayed = shown_table(funds_2023, "乡镇（街道）")
    assert displayed.astype(str).equals(table.astype(str))

    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(table, "乡镇分项目发放金额")))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "乡镇（街道）" and "护理补贴（万元）" in header and "合计（万元）" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    total_row = rows[-1]
    assert total_row[0] == "合计"
    total_wan = total_row[header.index("合计（万元）")]
    expected = indicator_values(demo_dir, 2023)["subsidies_total_amount"]
    assert total_wan == round(expected / 10_000, 2)
    assert metric_values(funds_2023)["资金发放合计"] == fmt_wan(total_wan * 10_000)
    assert total_row[header.index("护理补贴（万元）")] == 369.6
    town_sum = sum(row[header.index("合计（万元）")] for row in rows[:-1])
    assert town_sum == pytest.approx(total_wan, abs=0.01 * len(rows))  # rows are rounded to 0.01万元
    assert len(rows) - 1 == len(set(long["code"].dropna()))
    persons = sum(row[header.index("持证残疾人（人）")] for row in rows[:-1])
    assert total_row[header.index("持证残疾人（人）")] == persons  # the 合计 row states its persons, not None
    assert total_row[header.index("人均发放（元/人）")] == round(expected / persons, 1)
    assert csv_bytes(table).startswith(b"\xef\xbb\xbf")
