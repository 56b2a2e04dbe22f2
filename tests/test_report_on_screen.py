"""Every figure of the county's 2023 work report is on some page or tab for 2023, whole county, on the demo set,
with its label beside it (a KPI card: label and value), and every 2024 target of the report is on 年度目标."""

from __future__ import annotations

import re

import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE, REPORT_2023, TARGETS_2024
from dpf.figures.indicators import codes_for_names, compute_indicators
from dpf.figures.targets import target_unit
from tests.apptest_helpers import declared_sections, no_exception, run_every_section, run_page

# The report's 41 figures: indicator, the card label it is shown under, and the report's words.
FIGURES = [
    ("nursing_subsidy_person_times", "护理补贴人次", "发放重度残疾人护理补贴46197人次"),
    ("nursing_subsidy_amount", "护理补贴金额", "累计资金369.6万元"),
    ("living_subsidy_person_times", "生活补贴人次", "发放困难残疾人生活补贴96895人次"),
    ("living_subsidy_amount", "生活补贴金额", "累计资金775.2万元"),
    ("wheelchair_fuel_amount", "燃油补贴 金额", "共发放补贴2.548万元"),
    ("entrepreneurship_persons", "扶持残疾人就业创业", "共扶持210名残疾人就业创业"),
    ("entrepreneurship_amount", "就业创业扶持资金", "发放扶持资金63万元"),
    ("sunshine_greenhouse_projects", "扶持“阳光大棚”", "扶持“阳光大棚”项目19个"),
    ("assistance_base_projects", "助残基地", "“助残基地”2个"),
    ("greenhouse_base_amount", "大棚及基地扶持资金", "共计发放扶持资金9.5万元"),
    ("student_aid_persons", "教育资助 人", "共资助残疾学生71名"),
    ("student_aid_amount", "教育资助 金额", "发放补助11.5万元"),
    ("cochlear_implant_amount", "人工耳蜗 金额", "人工耳蜗补贴15.3万元"),
    ("psychiatric_medication_persons", "救助困难精神残疾人", "共救助困难精神病患者1053人"),
    ("psychiatric_medication_amount", "药费补助金额", "发放补助资金105.3万元"),
    ("sunshine_home_persons", "阳光家园托养 人", "“阳光家园”托养计划，共计351人享受服务"),
    ("sunshine_home_amount", "阳光家园托养 金额", "累计发放资金52.65万元"),
    ("accessibility_households", "无障碍改造", "已完成改造验收99户"),
    ("accessibility_amount", "无障碍改造 金额", "发放改造资金57万余元"),
    ("training_person_times", "技能培训", "累计培训达124人次"),
    ("training_batches", "培训期数", "共组织残疾人培训3期"),
    ("job_registrations", "就业登记", "登记就业阶段残疾人185名"),
    ("job_fairs", "专项招聘会", "举办专项招聘会4次"),
    ("job_fair_enterprises", "参会企业", "累计邀请25家企业参与"),
    ("job_intentions", "达成就业意向", "74名残疾人达成就业意向"),
    ("outreach_events", "政策宣传", "开展惠残政策宣传6场次"),
    ("outreach_leaflets", "宣传材料", "发放宣传材料3000余份"),
    ("assessments_centralized", "集中评残", "累计开展集中评残12次"),
    ("assessments_home", "上门评残", "上门评残28次"),
    ("certificates_issued", "办、换证", "累计办、换证达2000余份"),
    ("rehab_needs", "康复需求", "收集康复需求2141条"),
    ("rehab_needs_basic_medical", "基本医疗需求", "其中基本医疗需求2113条"),
    ("rehab_needs_assistive_device", "辅助器具需求", "辅助器具需求28条"),
    ("home_rehab_persons", "家庭医生上门康复", "由家庭医生为1443名残疾人提供上门康复服务"),
    ("prosthesis_fittings", "儿童假肢矫形器", "帮助残疾儿童适配假肢矫形器14例"),
    ("device_fittings", "儿童辅助器具适配", "适配辅助器具6例"),
    ("devices_issued", "发放辅助器具", "发放辅助器具129件"),
    ("child_rehab_persons", "儿童康复救助", "安置转介残疾儿童161人到定点康复机构"),
    ("respite_care_person_times", "托养服务", "累计服务残疾人达673人次"),
    ("volunteer_activities", "志愿助残活动", "扶残助残活动20余次"),
    ("volunteer_hours", "志愿服务时长", "累计服务时长近3000小时"),
]
CARD_PAGES = ["overview.py", "funds.py", "employment.py", "rehab.py"]


def shown_number(text: str, unit: str) -> tuple[float, float]:
    """A card's value back as a number in the indicator's unit, and how far display rounding may move it."""
    suffix = "万元" if unit == "元" else unit
    assert text.endswith(suffix), f"{text!r} is not in {suffix}"
    digits = text.removesuffix(suffix).replace(",", "")
    assert re.fullmatch(r"\d+(\.\d+)?", digits), text
    decimals = len(digits.partition(".")[2])
    scale = 10_000 if unit == "元" else 1
    return float(digits) * scale, 0.5 * 10**-decimals * scale


@pytest.fixture(scope="module")
def cards_2023(demo_dir):
    """Every card (label → values) of every page and tab for 2023, whole county."""
    query = {"year": "2023"}
    runs = [run_page(demo_dir, "targets.py", query)]
    for page in CARD_PAGES:
        sections = declared_sections(page)
        runs += run_every_section(demo_dir, page, sections, query).runs.values() if len(sections) > 1 else []
        runs += [run_page(demo_dir, page, query)] if len(sections) == 1 else []
    assert all(no_exception(at) for at in runs)
    cards: dict[str, set[str]] = {}
    for at in runs:
        for metric in at.metric:
            cards.setdefault(metric.label, set()).add(metric.value)
    return cards


def test_the_table_is_the_reports_41_figures():
    assert len(FIGURES) == 41
    assert {code for code, _, _ in FIGURES} == set(REPORT_2023)


@pytest.mark.parametrize(("code", "label", "words"), FIGURES, ids=[code for code, _, _ in FIGURES])
def test_each_report_figure_is_on_a_card_with_its_label(cards_2023, code, label, words):
    assert label in cards_2023, f"“{words}”: no card labelled {label!r}"
    low, high = REPORT_2023[code]
    unit = INDICATOR_BY_CODE[code].unit
    shown = [shown_number(text, unit) for text in cards_2023[label]]
    assert any(low - slack <= value <= high + slack for value, slack in shown), (words, cards_2023[label])


def test_every_2024_target_of_the_report_is_on_the_targets_page(demo_dir):
    runs = run_every_section(demo_dir, "targets.py", declared_sections("targets.py"), {"year": "2024"})
    assert no_exception(runs)
    table = next(
        d.value for d in [*runs.dataframe, *runs.table] if "指标" in d.value.columns and "预计全年" in d.value.columns
    )
    shown = dict(zip(table["指标"], table["目标"], strict=True))
    for code, target, _ in TARGETS_2024:
        label = INDICATOR_BY_CODE[code].label  # the catalogue's one name, as the 要点 and the cards say it
        assert label in shown, label
        value, slack = shown_number(shown[label], target_unit(code))  # 个人创业项目100个: in 个, as the plan writes it
        assert abs(value - target) <= slack, (label, shown[label])


def test_a_township_reads_county_level_events_as_such_not_as_zero(demo, demo_dir):
    """总览 for a township where no event was held: 集中评残 and 志愿助残活动 say they are county-level, not 0;
    上门评残 and 办、换证 (a person's, with a township) stay numbers."""
    names = list(demo.con.execute("SELECT name FROM townships ORDER BY sort_order").fetchdf()["name"])
    values = {
        name: compute_indicators(demo, 2023, codes_for_names(demo, [name])).set_index("indicator")["value"]
        for name in names
    }
    name = next(
        n for n in names if values[n]["assessments_centralized"] == 0 and values[n]["volunteer_activities"] == 0
    )
    at = run_page(demo_dir, None, {"year": "2023", "township": name})
    assert no_exception(at)
    cards = {m.label: m for m in at.metric}
    for label in ("集中评残", "志愿助残活动", "志愿服务时长"):
        assert (cards[label].value, cards[label].delta) == ("县级活动", "不分乡镇，只计入全县"), label
    assert cards["上门评残"].value == f"{int(values[name]['assessments_home'])}次"
    assert cards["办、换证"].value.endswith("份") and cards["办、换证"].value != "县级活动"
