"""年度目标 page: dpf.figures.progress on a hand-made set, and the page in AppTest (hand-made set and demo)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE, TARGETS_2024
from dpf.data.db import open_extracts
from dpf.figures.indicators import compute_indicators
from dpf.figures.progress import cumulative_by_month, monthly_increments, series_for
from dpf.figures.schedule import completion_pct, month_ends, schedule_share, status_for
from tests.apptest_helpers import metric_values, no_exception, rerun, run_page, shown_tables
from tests.extract_builder import A, B, payment, person, service, target, town, write_set

AS_OF = date(2024, 9, 30)


def med(pid: str, person_key: str, township: str, period: str) -> dict:
    return payment(pid, "psychiatric_medication", period, 100, person=person_key, township=township)


# Psychiatric medication (distinct persons): 2024 p1 (A) every month Jan–Sep, p2 (B) from March,
# p4 (B) in August only -> cumulative Jan 1, Feb 1, Mar–Jul 2, Aug–Sep 3. 2023: p1 Jan–Dec, p3 (A)
# from November -> increments Jan 1, Nov 1, so the year-end projection is 3 + 1 = 4.
TABLES = {
    "townships": [
        town(A, "城关街道", "街道", 1),
        town(B, "龙山镇", "镇", 2),
    ],
    "persons": [
        person(k, t, "2015-01-01", category=6, grade=2) for k, t in (("p1", A), ("p2", B), ("p3", A), ("p4", B))
    ],
    "payments": [
        *[med(f"a{m}", "p1", A, f"2024-{m:02d}-01") for m in range(1, 10)],
        *[med(f"b{m}", "p2", B, f"2024-{m:02d}-01") for m in range(3, 10)],
        med("c8", "p4", B, "2024-08-01"),
        *[med(f"o{m}", "p1", A, f"2023-{m:02d}-01") for m in range(1, 13)],
        *[med(f"q{m}", "p3", A, f"2023-{m:02d}-01") for m in (11, 12)],
    ],
    "services": [
        service("t1", "vocational_training", "2024-03-05", person="p1", batch="2024-03"),
        service("t2", "vocational_training", "2024-05-05", person="p3", batch="2024-05"),
        service("t3", "vocational_training", "2024-07-05", person="p1", batch="2024-07"),
    ],
    "rehab_needs": [],
    "targets": [
        target("psychiatric_medication_persons", 4, note="4名以上"),
        target("psychiatric_medication_persons", 2, A),
        target("psychiatric_medication_persons", 2, B),
        target("training_person_times", 3),
        target("accessibility_households", 60, note="60户以上"),
        target("rehab_satisfaction_rate", 95, note="力争100%"),
    ],
}


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    return write_set(tmp_path_factory.mktemp("targets_small"), TABLES, AS_OF)


@pytest.fixture(scope="module")
def small_app(small_dir):
    return run_page(small_dir, "targets.py")


# ---------------------------------------------------------------------------
# dpf.figures.progress


def test_month_ends_leap_year() -> None:
    ends = month_ends(2024)
    assert ends[1] == date(2024, 2, 29) and ends[-1] == date(2024, 12, 31) and len(ends) == 12


def test_cumulative_by_month_distinct_persons(small_dir) -> None:
    extracts = open_extracts(small_dir)
    this_year = cumulative_by_month(extracts, 2024, [], AS_OF)
    series = series_for(this_year, "psychiatric_medication_persons")
    assert series[:9] == [1, 1, 2, 2, 2, 2, 2, 3, 3]  # distinct persons, not summed monthly counts
    assert all(pd.isna(v) for v in series[9:])  # after as-of
    assert series_for(this_year, "training_person_times")[:9] == [0, 0, 1, 1, 2, 2, 3, 3, 3]
    # the last month equals the KPI figure
    kpi = compute_indicators(extracts, 2024, [], AS_OF).set_index("indicator")["value"]
    assert series[8] == kpi["psychiatric_medication_persons"]
    last_year = series_for(cumulative_by_month(extracts, 2023, [], AS_OF), "psychiatric_medication_persons")
    assert last_year == [1] * 10 + [2, 2]
    assert monthly_increments(last_year) == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    # one township
    town_b = series_for(cumulative_by_month(extracts, 2024, [B], AS_OF), "psychiatric_medication_persons")
    assert town_b[:9] == [0, 0, 1, 1, 1, 1, 1, 2, 2]


def test_cumulative_by_month_mid_month_cut(small_dir) -> None:
    extracts = open_extracts(small_dir)
    series = series_for(cumulative_by_month(extracts, 2024, [], date(2024, 7, 4)), "training_person_times")
    assert series[:7] == [0, 0, 1, 1, 2, 2, 2]  # the 5 July class is after the 4 July cut
    assert all(pd.isna(v) for v in series[7:])


def test_monthly_increments_edge_cases() -> None:
    nan = float("nan")
    assert monthly_increments([nan] * 12) is None
    assert monthly_increments([2, 3, 3, 5] + [nan] * 8) == [2, 1, 0, 2] + [0] * 8
    assert monthly_increments([5, 4, 6] + [6] * 9) == [5, 0, 1] + [0] * 9  # a fall adds nothing
    with pytest.raises(ValueError):
        monthly_increments([1, 2])


# ---------------------------------------------------------------------------
# The page on the hand-made set


def test_page_small_set_county(small_app, small_dir) -> None:
    at = small_app
    assert no_exception(at)
    metrics = metric_values(at)
    assert metrics["序时进度（按天）"] == "74.9%"
    # psychiatric 3/4 = 75.0% is just ahead of 74.86%; training 3/3 done; accessibility 0/60 and
    # satisfaction (no table) read 0 and 严重滞后
    assert metrics["严重滞后"] == "2项"
    assert metrics["超序时"] == "1项"
    assert metrics["已完成"] == "1项"
    table = shown_tables(at)[0].value.set_index("指标")
    psych = table.loc["救助困难精神残疾人"]
    assert psych["完成值"] == "3人" and psych["目标"] == "4人"
    assert psych["完成率（%）"] == 75.0
    assert psych["差距（个百分点）"] == 0.1
    assert psych["状态"] == "🔵 超序时"
    assert psych["预计全年"] == "4人" and psych["预计能否完成"] == "能"  # 3 + last November's 1
    assert psych["剩余每月需完成"] == "约1人"  # (4 − 3) / 3 months = 0.3, rounded up to a whole person
    assert psych["备注"] == "4名以上"
    assert psych["达上年全年（%）"] == 150.0  # 3 so far against 2023's whole year: p1 and p3
    assert table.loc["无障碍改造", "状态"] == "🔴 严重滞后"
    assert table.loc["无障碍改造", "剩余每月需完成"] == "20户"
    assert table.loc["精准康复服务满意率", "完成值"] == "0.0%"
    assert table.loc["技能培训", "状态"] == "🟢 已完成"
    # laggards first: satisfaction (0% against its target of 95%, 95 points below) before accessibility (0% at
    # 序时进度 74.9%); a rate is held against its target, not against 序时进度
    assert list(table["状态"])[:2] == ["🔴 严重低于目标", "🔴 严重滞后"]
    assert table.loc["精准康复服务满意率", "差距（个百分点）"] == -95.0
    assert table.loc["精准康复服务满意率", "序时进度（%）"] == "—"
    assert any("满意度" in w.value for w in at.warning)  # the missing optional table is named
    assert [t.label for t in at.tabs] == ["完成情况", "逐月累计", "各乡镇（街道）", "乡镇地图"]
    # township ranking (its own tab, same cards above): 城关街道 1/2 严重滞后 before 龙山镇 2/2 已完成
    ranking_tab = run_page(small_dir, "targets.py", section="各乡镇（街道）")
    assert metric_values(ranking_tab) == metrics
    ranking = shown_tables(ranking_tab)[0].value
    assert list(ranking["乡镇（街道）"]) == ["城关街道", "龙山镇"]
    assert list(ranking["状态"]) == ["🔴 严重滞后", "🟢 已完成"]
    # the cumulative chart defaults to the first laggard
    cumulative_tab = run_page(small_dir, "targets.py", section="逐月累计")
    assert cumulative_tab.selectbox(key="target").value == "rehab_satisfaction_rate"


def test_page_small_set_month_basis_and_target_choice(small_dir) -> None:
    # a deep link: the URL carries the labels (?basis=按月&targets_section=逐月累计&target=救助困难精神残疾人)
    query = {"basis": "按月", "targets_section": "逐月累计", "target": "救助困难精神残疾人"}
    at = run_page(small_dir, "targets.py", query=query)
    assert no_exception(at)
    assert at.button_group(key="basis").value == "month"
    assert at.selectbox(key="target").value == "psychiatric_medication_persons"
    metrics = metric_values(at)
    assert metrics["序时进度（按月）"] == "75.0%"
    # 75.0% against 75.0% is on schedule by month as well
    assert metrics["超序时"] == "1项"
    assert any("完成 3人，预计全年 4人" in c.value and "剩余每月需完成 约1人" in c.value for c in at.caption)
    assert any("上年全年 2人，今年已达到上年全年的150.0%。" in c.value for c in at.caption)
    at.button_group(key="basis").set_value("day")
    at.selectbox(key="target").set_value("training_person_times")
    rerun(at, small_dir)
    assert metric_values(at)["序时进度（按天）"] == "74.9%"
    assert any("完成 3人次" in c.value and "剩余每月" not in c.value for c in at.caption)


def test_page_small_set_township(small_dir) -> None:
    at = run_page(small_dir, "targets.py", query={"township": "城关街道"})
    assert no_exception(at)
    table = shown_tables(at)[0].value.set_index("指标")
    # the share (2) for 城关街道 and the county's rate target; county-only targets are not pretended
    assert table.loc["救助困难精神残疾人", "目标"] == "2人"
    assert table.loc["救助困难精神残疾人", "完成值"] == "1人"
    assert table.loc["救助困难精神残疾人", "状态"] == "🔴 严重滞后"
    assert "精准康复服务满意率" in table.index
    assert "无障碍改造" not in table.index and "技能培训" not in table.index
    info = " ".join(i.value for i in at.info)
    assert "只下达到全县" in info and "无障碍改造" in info and "全县目标 3人次" in info


def test_page_without_targets_table(small_dir, tmp_path) -> None:
    folder = tmp_path / "no_targets"
    shutil.copytree(small_dir, folder)
    (folder / "targets.parquet").unlink()
    at = run_page(folder, "targets.py")
    assert no_exception(at)
    assert any("年度目标" in i.value for i in at.info)
    assert not shown_tables(at)


def test_page_year_without_targets(small_dir) -> None:
    at = run_page(small_dir, "targets.py")
    at.selectbox(key="year").set_value(2023)
    rerun(at, small_dir)
    assert no_exception(at)
    assert any(i.value == "未导入2023年目标。" for i in at.info)  # not "没有设定": none was loaded


# ---------------------------------------------------------------------------
# The demo set


@pytest.fixture(scope="module")
def demo_app(demo_dir):
    return run_page(demo_dir, "targets.py")


def test_demo_page_shows_every_2024_target(demo_app, demo) -> None:
    at = demo_app
    assert no_exception(at)
    assert metric_values(at)["序时进度（按天）"] == "74.9%"
    table = shown_tables(at)[0].value.set_index("指标")
    expected = compute_indicators(demo, 2024, [], AS_OF).set_index("indicator")
    schedule = schedule_share(2024, AS_OF)
    assert len(table) == len(TARGETS_2024)
    for code, target_value, note in TARGETS_2024:
        name = INDICATOR_BY_CODE[code].label
        row = table.loc[name]
        value = expected.loc[code, "value"]
        value = 0.0 if pd.isna(value) else float(value)
        if INDICATOR_BY_CODE[code].is_rate:  # a rate is held against its target, not against 序时进度
            status = status_for(completion_pct(value, target_value), 100.0)
            words = {"done": "已达目标", "behind": "低于目标", "severely_behind": "严重低于目标"}[status.code]
            text = f"{status.emoji} {words}"
        else:
            text = status_for(completion_pct(value, target_value), schedule).text
        assert row["状态"] == text, name
        assert row["备注"] == note
        if INDICATOR_BY_CODE[code].is_rate:  # never a 完成率: 达成值 against 目标 and the 差距
            assert pd.isna(row["完成率（%）"]) and row["差距（个百分点）"] == round(value - target_value, 1), name
        else:
            assert row["完成率（%）"] == pytest.approx(round(100 * value / target_value, 1)), name
    ranks = [status_rank(s) for s in table["状态"]]
    assert ranks == sorted(ranks)
    # the plan's 个人创业项目100个: a target of 100个, each person supported one project, said beside the table
    assert table.loc["扶持残疾人就业创业", "目标"] == "100个"
    assert any("扶持残疾人就业创业：每扶持一名残疾人计一个个人创业项目" in c.value for c in at.caption)
    for name, row in table.iterrows():  # the projection as written agrees with the decision beside it
        projected = float(re.sub(r"[^\d.]", "", row["预计全年"].replace(",", "")))
        target = float(re.sub(r"[^\d.]", "", row["目标"].replace(",", "")))
        assert (projected >= target) == (row["预计能否完成"] == "能"), (name, row["预计全年"], row["目标"])
    # A target behind schedule that is still projected to be reached says why, in plain words.
    behind_but_reachable = table[table["状态"].str.contains("滞后|低于序时") & (table["预计能否完成"] == "能")]
    assert not behind_but_reachable.empty  # 无障碍改造 in the demo: most of last year's households came late
    for name, row in behind_but_reachable.iterrows():
        assert row["为什么"].startswith("目前落后于序时进度，但上年9月底以后完成了全年的"), name
        # ... and the reason stands under the table too, where it is read in full
        assert any(f"**{name}**" in m.value and row["为什么"] in m.value for m in at.markdown), name


def status_rank(text: str) -> int:
    from dpf.figures.schedule import Status

    return next(s.rank for s in Status if text.startswith(s.emoji))


def test_demo_page_without_targets_table(demo_copy) -> None:
    target_files = list(demo_copy.glob("targets*"))
    for path in target_files:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    at = run_page(demo_copy, "targets.py")
    assert no_exception(at)
    assert any("年度目标" in i.value for i in at.info)
