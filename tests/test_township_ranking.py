"""Long township rankings: the rule (dpf.figures.ranking) by hand, and 总览's ranking and map in AppTest on eight townships
with the threshold lowered to 5 and the ends to 2, so the cut, the chosen township, the county line, 显示全部, the
map's ranking instead of tiles and a township account's scope are all exercised on a tiny set."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dpf.figures.ranking import cut_note, kept_places
from dpf.formatting import fmt_count, fmt_wan
from tests.apptest_helpers import no_exception, rerun, run_page, with_accounts
from tests.extract_builder import need, payment, person, service, target, town, write_set
from tests.test_page_map import click
from ui.township_ranking import per_person, year_on_year

NAMES = ["东城街道", "西城街道", "南山镇", "北山镇", "青石镇", "白水镇", "红岩镇", "黄土镇"]
CODES = [f"34000000{i}" for i in range(1, 9)]
CHOSEN = CODES[3]  # 北山镇: 4,000元 a certified person, 5th of 8


def test_kept_places_keeps_both_ends_and_the_chosen():
    chosen = [False, False, False, False, True, False, False, False]
    assert kept_places(chosen, most=5, ends=2) == [True, True, False, False, True, False, True, True]
    assert kept_places(chosen, most=8, ends=2) == [True] * 8  # up to `most`, nothing is cut
    assert kept_places([False] * 6, most=5, ends=2) == [True, True, False, False, True, True]


def test_cut_note_says_what_is_drawn():
    assert cut_note(2_300, chosen=False) == "前10位与后10位，共2,300个乡镇（街道）"
    assert cut_note(8, chosen=True, ends=2) == "前2位与后2位及所选乡镇，共8个乡镇（街道）"


def test_a_year_on_year_ranking_puts_last_year_in_the_hover_on_the_same_scale():
    rows = pd.DataFrame({"amount_yuan": [123_000.0], "previous_amount_yuan": [110_000.0], "trainees": [12]})
    rows["previous_trainees"] = [9]
    wan = year_on_year("t", "k", "amount_yuan", fmt_wan, "发放", "万元", ",.2f", scale=1 / 10_000)
    assert wan.hovertemplate == "%{y}<br>发放 %{x:,.2f}万元<br>上年同期 %{customdata:,.2f}万元<extra></extra>"
    assert (list(wan.labels(rows)), wan.axis_title, wan.scale) == (["12.3万元"], "万元", 1 / 10_000)
    assert list(wan.customdata(rows)) == pytest.approx([11.0])
    count = year_on_year("t", "k", "trainees", fmt_count, "培训", "人次", ",")
    assert count.hovertemplate == "%{y}<br>培训 %{x:,}人次<br>上年同期 %{customdata:,}人次<extra></extra>"
    assert list(count.customdata(rows)) == [9] and count.scale == 1.0


def test_a_per_person_ranking_labels_yuan_and_says_what_follows():
    rows = pd.DataFrame({"yuan_per_person": [4_000.0], "certified_persons": [3]})
    spec = per_person("t", "k", "持证残疾人 %{customdata:,}人", lambda rows: rows["certified_persons"], room=120)
    assert spec.hovertemplate == "%{y}<br>人均 %{x:,.0f}元<br>持证残疾人 %{customdata:,}人<extra></extra>"
    assert (list(spec.labels(rows)), spec.axis_title, spec.column, spec.room) == (
        ["4,000元"],
        "元/持证残疾人",
        "yuan_per_person",
        120,
    )


@pytest.fixture
def eight(tmp_path: Path, monkeypatch) -> Path:
    """Township i (1..8) paid i×1,000元 to one certified person; 东城街道 has a second one (500元 a person).
    County: 36,000元 ÷ 9 persons = 4,000元 a person. Township i recorded 8 rehab_training needs and met i−1 of
    them: 0%, 12.5%, … 87.5%. Township i's share of the 护理补贴人次 target is i+1 against its one payment:
    100%, 50%, … 12.5% done. Township i trained i person-times against a share of 10."""
    monkeypatch.setattr("dpf.figures.ranking.MOST_BARS", 5)
    monkeypatch.setattr("dpf.figures.ranking.RANK_ENDS", 2)
    tables = {
        "townships": [
            town(code, name, "街道" if i < 2 else "镇", i + 1)
            for i, (code, name) in enumerate(zip(CODES, NAMES, strict=True))
        ],
        "persons": [person(f"p{i}", code) for i, code in enumerate(CODES)] + [person("extra", CODES[0])],
        "payments": [
            payment(f"n{i}", "nursing_subsidy", "2024-03-01", 1000 * (i + 1), person=f"p{i}", township=code)
            for i, code in enumerate(CODES)
        ],
        "rehab_needs": [
            need(f"r{i}-{k}", f"p{i}", "rehab_training", "2024-02-01", "2024-03-01" if k < i else None, township=code)
            for i, code in enumerate(CODES)
            for k in range(8)
        ],
        "services": [  # 乡镇覆盖 finds no home rehab
            service(f"t{i}-{k}", "vocational_training", "2024-03-10", person=f"p{i}", township=code, batch="2024-1")
            for i, code in enumerate(CODES)
            for k in range(i + 1)
        ],
        "targets": [target("nursing_subsidy_person_times", 40)]
        + [target("nursing_subsidy_person_times", i + 1, code) for i, code in enumerate(CODES)]
        + [target("training_person_times", 10, code) for code in CODES],
    }
    return write_set(tmp_path / "eight", tables, date(2024, 6, 15))


def chart(at: AppTest, key: str) -> dict:
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(charts[0].proto.spec)


def bar_labels(figure: dict) -> list[str]:
    return list(figure["data"][0]["y"])


def numbers(values: list | dict) -> list[float]:
    """A trace's numbers as Plotly writes them: a list, or a typed array (dtype, base64 bdata)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def ends_around(chosen: str) -> list[str]:
    """The bars of a cut ranking of the eight, largest on top (drawn last): the last two, the chosen, the first two."""
    return ["东城街道（第8）", "西城街道（第7）", chosen, "红岩镇（第2）", "黄土镇（第1）"]


def title(figure: dict) -> str:
    """The chart's title with the line under it (a cut ranking says there what it draws)."""
    heading = figure["layout"]["title"]
    return heading["text"] + "\n" + heading.get("subtitle", {}).get("text", "")


def test_overview_ranking_draws_the_ends_the_chosen_and_the_county_line(eight):
    at = run_page(eight, query={"township": NAMES[3]})
    assert no_exception(at)
    figure = chart(at, "overview_ranking")
    # Largest on top (the first bar at the bottom): places 8, 7 (bottom two), the chosen 5th, places 2, 1.
    assert bar_labels(figure) == ends_around("北山镇（第5）")
    assert numbers(figure["data"][0]["x"]) == [500, 2000, 4000, 7000, 8000]
    assert "前2位与后2位及所选乡镇，共8个乡镇（街道）" in title(figure)
    county_lines = [shape["x0"] for shape in figure["layout"]["shapes"] if shape.get("line", {}).get("dash") == "dash"]
    assert county_lines == [4000]
    assert any(a["text"] == "全县 4,000元" for a in figure["layout"]["annotations"])


def test_show_all_draws_every_township(eight):
    at = run_page(eight)
    assert len(bar_labels(chart(at, "overview_ranking"))) == 4  # the ends only: nothing chosen
    at.toggle(key="overview_ranking_all").set_value(True)
    rerun(at, eight)
    figure = chart(at, "overview_ranking")
    assert bar_labels(figure) == NAMES  # ascending per person is the official order here
    assert "前2位" not in title(figure)


def test_briefing_mode_cuts_without_the_toggle(eight):
    at = run_page(eight, query={"briefing": "1"})
    assert len(bar_labels(chart(at, "overview_ranking"))) == 4
    assert not [toggle for toggle in at.toggle if toggle.key == "overview_ranking_all"]


def test_too_many_tiles_give_the_ranking_and_a_click_still_chooses(eight, monkeypatch):
    monkeypatch.setattr("ui.tile_map.MOST_TILES", 3)
    at = run_page(eight, "overview.py", section="乡镇地图")
    assert any("地图只在不超过3个时显示" in c.value for c in at.caption)
    figure = chart(at, "overview_map")
    assert list(figure["data"][0]["customdata"]) == [CODES[0], CODES[1], CODES[6], CODES[7]]
    click(at, eight, "overview_map", CODES[6])
    assert at.multiselect(key="township").value == [NAMES[6]]


def test_a_township_account_sees_only_its_own_bar_and_place(eight, tmp_path, monkeypatch):
    with_accounts(monkeypatch, tmp_path, beishan=("township", (CHOSEN,)))
    monkeypatch.setattr("ui.tile_map.MOST_TILES", 0)
    at = run_page(eight, account="beishan")
    assert no_exception(at)
    figure = chart(at, "overview_ranking")
    assert bar_labels(figure) == ["北山镇（第5/8）"]
    assert "共8个" not in title(figure)
    at = run_page(eight, "overview.py", section="乡镇地图", account="beishan")
    assert list(chart(at, "overview_map")["data"][0]["customdata"]) == [CHOSEN]
    shown = json.dumps(chart(at, "overview_map"), ensure_ascii=False)
    assert not any(name in shown for name in NAMES if name != "北山镇")


def test_rehab_coverage_keeps_the_lowest_on_top_with_places(eight):
    at = run_page(eight, "rehab.py")
    assert no_exception(at)
    figure = chart(at, "rehab_met_rate")
    # Sorted highest first, so the lowest is drawn on top; the ends of 8 ranked by rate, nothing chosen.
    assert bar_labels(figure) == ["黄土镇（第1）", "红岩镇（第2）", "西城街道（第7）", "东城街道（第8）"]
    assert numbers(figure["data"][0]["x"]) == [87.5, 75.0, 12.5, 0.0]
    assert "前2位与后2位，共8个乡镇（街道）" in title(figure)


def test_rehab_needs_heatmap_draws_the_ends_lowest_first(eight):
    at = run_page(eight, "rehab.py", query={"township": NAMES[4]}, section="需求类型")
    # A chosen township narrows the scope to itself: one row, nothing cut.
    assert list(chart(at, "rehab_needs_heat")["data"][0]["y"]) == ["青石镇"]
    at = run_page(eight, "rehab.py", section="需求类型")
    figure = chart(at, "rehab_needs_heat")
    assert list(figure["data"][0]["y"]) == ["东城街道（第8）", "西城街道（第7）", "红岩镇（第2）", "黄土镇（第1）"]
    assert "前2位与后2位，共8个乡镇（街道）" in title(figure)
    assert len(at.dataframe[0].value) == 8  # the table below keeps every township


def test_funds_township_tab_cuts_both_rankings(eight):
    at = run_page(eight, "funds.py", query={"township": NAMES[2]}, section="各乡镇（街道）")
    assert no_exception(at)
    by_amount = chart(at, "funds_rank_amount")
    assert bar_labels(by_amount) == ends_around("南山镇（第6）")
    assert "前2位与后2位及所选乡镇，共8个乡镇（街道）" in title(by_amount)
    assert len(bar_labels(chart(at, "funds_rank_per_person"))) == 5


def test_targets_township_tab_cuts_to_the_ends_by_completion(eight):
    at = run_page(eight, "targets.py", section="各乡镇（街道）")
    assert no_exception(at)
    figure = chart(at, "targets_township_ranking")
    expected = {"东城街道（第1）", "西城街道（第2）", "红岩镇（第7）", "黄土镇（第8）"}
    assert set(bar_labels(figure)) == expected
    assert "前2位与后2位，共8个乡镇（街道）" in title(figure)


def test_employment_township_chart_cuts_and_keeps_the_target_marks_on_its_bars(eight):
    at = run_page(eight, "employment.py", query={"township": NAMES[3]}, section="各乡镇（街道）")
    assert no_exception(at)
    figure = chart(at, "employment_townships")
    assert bar_labels(figure) == ends_around("北山镇（第5）")
    assert numbers(figure["data"][0]["x"]) == [1, 2, 4, 7, 8]
    assert list(figure["data"][1]["y"]) == ends_around("北山镇（第5）")  # each share's mark on its township's bar
    assert "前2位与后2位及所选乡镇，共8个乡镇（街道）" in title(figure)
