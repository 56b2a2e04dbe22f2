"""The briefing sentences (dpf.narrative.sentences) on a hand-made county: golden sentences for each rule and edge."""

from __future__ import annotations

import pytest

from dpf.data.db import open_extracts
from dpf.narrative.facts import collect_for_extracts
from dpf.narrative.sentences import key_points, narrative
from tests.extract_builder import A, B
from tests.narrative_fixture import C, write_narrative_set


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return open_extracts(write_narrative_set(tmp_path_factory.mktemp("narrative") / "set"))


def texts(extracts, year=2024, townships=(), basis="day", topic=None):
    sentences = narrative(collect_for_extracts(extracts, year, townships, basis))
    return [s.text for s in sentences if topic is None or s.topic == topic]


def test_funds_of_the_county_running_year(county):
    assert texts(county, topic="funds") == [
        "截至2024年6月30日，全县各类资金发放合计3.67万元，同比增长59.6%。",
        "发放重度残疾人护理补贴11人次、1.1万元，同比增长10.0%。",
        "发放困难残疾人生活补贴3人次、0.27万元，同比下降10.0%。",
        "发放残疾人机动轮椅车燃油补贴1万元，同比持平。",
        "“阳光家园”托养1人，发放补助资金0.3万元。",  # nothing last year: no 同比
        "完成无障碍改造1户，发放改造资金0.5万元。",
    ]


def test_employment_and_rehab_of_the_county(county):
    assert texts(county, topic="employment") == [
        "截至2024年6月30日，全县组织残疾人技能培训1期，累计培训2人次，同比增长100.0%。",
        "扶持残疾人就业创业3人，发放扶持资金0.3万元。",
        "扶持助残基地1个，发放扶持资金0.2万元。",  # no “阳光大棚”: not “0个”
        "举办专项招聘会1次，累计邀请企业6家次参与。",
    ]
    # No 康复需求 was recorded and nobody had home rehabilitation: nothing is said of them (no “0条”).
    assert texts(county, topic="rehab") == ["截至2024年6月30日，全县残疾儿童康复救助4人。"]


def test_targets_by_day(county):
    assert texts(county, topic="targets") == [
        "截至2024年6月30日，全县年度目标序时进度为49.7%（按天计）。",
        "扶持残疾人就业创业完成3个（每扶持一名残疾人计一个个人创业项目），超额完成年度目标（2个），完成率150.0%。",
        "助残基地完成1个，已完成年度目标（1个）。",  # just met
        "无障碍改造完成1户，完成年度目标（12户）的8.3%，低于序时进度41.4个百分点，严重滞后，每月还需完成约2户。",
        "技能培训完成2人次，完成年度目标（4人次）的50.0%，超序时进度0.3个百分点。",
        "儿童康复救助完成4人，完成年度目标（10人）的40.0%，低于序时进度9.7个百分点。",
        "精准康复服务满意率80.0%，高于目标（75.0%）5.0个百分点。",  # a rate against its target, not 序时进度
    ]


def test_targets_by_month_exactly_on_schedule(county):
    said = texts(county, basis="month", topic="targets")
    assert said[0] == "截至2024年6月30日，全县年度目标序时进度为50.0%（按月计）。"
    assert said[3] == (
        "无障碍改造完成1户，完成年度目标（12户）的8.3%，低于序时进度41.7个百分点，严重滞后，每月还需完成约2户。"
    )
    assert said[4] == "技能培训完成2人次，完成年度目标（4人次）的50.0%，与序时进度持平。"
    assert said[5] == "儿童康复救助完成4人，完成年度目标（10人）的40.0%，低于序时进度10.0个百分点。"


def test_alerts_lagging_targets_with_their_townships_and_reporting_gaps(county):
    assert texts(county, topic="alerts") == [
        "无障碍改造：完成年度目标的8.3%，低于序时进度41.4个百分点，龙山镇等4个乡镇（街道）尚无完成户。",
        "儿童康复救助：完成年度目标的40.0%，低于序时进度9.7个百分点，青石镇、高峰乡、凤城街道尚无记录。",
        "数据提示：龙山镇6月尚无重度残疾人护理补贴发放记录（此前有记录），请核实是否漏报。",
        "数据提示：城关街道6月尚无困难残疾人生活补贴发放记录（此前有记录），请核实是否漏报。",
        # 应补尽补: p1..p5 are 一级; of them only p1 was paid 护理补贴 in June (no hardship column: no 生活补贴 line)
        "重度残疾人护理补贴2024年6月应补未补4人（覆盖率20.0%）：城关街道2人、龙山镇1人、高峰乡1人，请核实是否漏发。",
    ]


def test_one_township_ranks_and_county_level_events(county):
    assert texts(county, townships=(A,)) == [
        "截至2024年6月30日，城关街道各类资金发放合计2.57万元，同比增长35.3%，发放总额居全县第1位。",
        "发放重度残疾人护理补贴6人次、0.6万元，同比持平。",
        "发放困难残疾人生活补贴3人次、0.27万元，同比下降10.0%。",
        "发放残疾人机动轮椅车燃油补贴1万元，同比持平。",
        "完成无障碍改造1户，发放改造资金0.5万元。",
        "截至2024年6月30日，城关街道参加残疾人技能培训1人次，同比持平，培训人次居全县第1位。",
        "扶持残疾人就业创业2人，发放扶持资金0.2万元。",
        "全县层面举办专项招聘会1次，累计邀请企业6家次参与（县级活动，不分乡镇统计）。",
        "截至2024年6月30日，城关街道残疾儿童康复救助3人，救助人数居全县第1位。",
        "截至2024年6月30日，城关街道年度目标序时进度为49.7%（按天计）。",
        "精准康复服务满意率80.0%，高于目标（75.0%）5.0个百分点。",
        "数据提示：城关街道6月尚无困难残疾人生活补贴发放记录（此前有记录），请核实是否漏报。",
        "重度残疾人护理补贴2024年6月应补未补2人（覆盖率33.3%），请核实是否漏发。",  # one township: its count only
    ]


def test_second_place_and_zero_last_year(county):
    said = texts(county, townships=(B,))
    assert said[0] == "截至2024年6月30日，龙山镇各类资金发放合计0.8万元，同比增长100.0%，发放总额居全县第2位。"
    assert (
        "截至2024年6月30日，龙山镇参加残疾人技能培训1人次，培训人次居全县第1位。" in said
    )  # none last year; not the county's 1期
    assert "截至2024年6月30日，龙山镇残疾儿童康复救助1人，救助人数居全县第2位。" in said


def test_a_township_without_records(county):
    assert texts(county, townships=(C,)) == [
        "截至2024年6月30日，青石镇暂无资金发放记录。",
        "截至2024年6月30日，青石镇暂无就业培训记录。",
        "全县层面举办专项招聘会1次，累计邀请企业6家次参与（县级活动，不分乡镇统计）。",
        "截至2024年6月30日，青石镇暂无康复服务记录。",
    ]


def test_a_year_that_has_ended(county):
    assert texts(county, year=2023) == [
        "2023年全年，全县各类资金发放合计2.9万元。",  # 2022 had nothing: no 同比
        "发放重度残疾人护理补贴16人次、1.6万元。",
        "发放困难残疾人生活补贴3人次、0.3万元。",
        "发放残疾人机动轮椅车燃油补贴1万元。",
        "2023年全年，全县组织残疾人技能培训2期，累计培训2人次。",
        "2023年全年，全县暂无康复服务记录。",
        "技能培训完成2人次，完成年度目标（5人次）的40.0%，全年未完成目标，差3人次。",
        "技能培训：全年完成年度目标的40.0%，未完成目标，龙山镇等4个乡镇（街道）尚无记录。",
        "重度残疾人护理补贴2023年12月应补未补4人（覆盖率20.0%）：城关街道2人、龙山镇1人、高峰乡1人，请核实是否漏发。",
    ]


def test_no_targets_table_is_said_in_one_line(tmp_path):
    extracts = open_extracts(write_narrative_set(tmp_path / "set", without=("targets",)))
    assert texts(extracts, topic="targets") == ["数据中没有年度目标表，本期不含年度目标进度。"]
    assert texts(extracts, topic="alerts")[0].startswith("数据提示：")


def test_nothing_is_said_of_a_missing_table(tmp_path):
    extracts = open_extracts(write_narrative_set(tmp_path / "set", without=("satisfaction", "services")))
    said = texts(extracts)
    assert not any("满意率" in text or "培训" in text or "康复救助" in text for text in said)
    assert said[0] == "截至2024年6月30日，全县各类资金发放合计3.67万元，同比增长59.6%。"


def test_key_points_of_each_page(county):
    data = collect_for_extracts(county, 2024)
    overview = [s.text for s in key_points(data, "overview")]
    assert overview == [
        "截至2024年6月30日，全县各类资金发放合计3.67万元，同比增长59.6%。",
        "发放重度残疾人护理补贴11人次、1.1万元，同比增长10.0%。",
        "组织残疾人技能培训1期，累计培训2人次，同比增长100.0%。",
        "扶持残疾人就业创业3人，发放扶持资金0.3万元。",
        "残疾儿童康复救助4人。",
        "无障碍改造：完成年度目标的8.3%，低于序时进度41.4个百分点，龙山镇等4个乡镇（街道）尚无完成户。",
    ]
    targets = [s.text for s in key_points(data, "targets")]
    assert targets[0] == "截至2024年6月30日，全县年度目标序时进度为49.7%（按天计）。"
    assert targets[1].startswith("无障碍改造完成1户") and targets[2].startswith("儿童康复救助完成4人")
    assert all(3 <= len(key_points(data, page)) <= 6 for page in ("funds", "targets", "overview"))


def test_a_township_of_a_year_whose_targets_are_the_county_s_only(county):
    """2023: the county's 技能培训 target was not shared out: said so for a township, not 没有设定年度目标."""
    assert texts(county, year=2023, townships=(A,), topic="targets") == ["2023年度目标只下达到全县，未分解到城关街道。"]
