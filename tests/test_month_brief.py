"""The 月度通报 and a month view's words, on the hand-made county of tests/narrative_fixture.py (as of 2024-06-30).

What the fixture pays, by month (元): 护理补贴 城关街道 p1 1,000 every month of 2023 and of 2024 to June, 龙山镇 p2 1,000
in 2023-01…04 and 2024-01…05; 生活补贴 城关街道 p3 1,000 in 2023-01…03 and 900 in 2024-01…03; May 2024 also 助残基地
2,000 (龙山镇) and 无障碍改造 5,000 (城关街道). No service at all in June 2024.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from dpf.commands.main import main
from dpf.data.db import open_extracts
from dpf.exports.brief import brief_for, brief_markdown
from dpf.exports.brief_docx import CELL_SIDES, HALF_EM_MM, brief_docx, column_widths, text_units
from dpf.exports.deck import deck_for
from dpf.exports.month_tables import RANKING_CODES, TOTAL
from dpf.figures.indicators import compute_indicators
from dpf.narrative.facts import collect_for_extracts
from dpf.narrative.sentences import key_points
from tests.extract_builder import A, B, write_set
from tests.narrative_fixture import TABLES, write_narrative_set

NAMES = {A: "城关街道", B: "龙山镇", "340000003": "青石镇", "340000004": "高峰乡", "340000005": "凤城街道"}


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    return open_extracts(write_narrative_set(tmp_path_factory.mktemp("month") / "set"))


def section(brief, heading: str):
    return next(s for s in brief.sections if heading in s.heading)


def test_the_ranking_rows_are_each_townships_month_and_the_total_is_the_scopes(extracts):
    brief = brief_for(extracts, 2024, month=6)
    ranking = section(brief, "各乡镇（街道）情况")
    rows = {row[1]: row for row in ranking.table}
    # June 2024: only 城关街道's 护理补贴 (1,000元, one person 在册); no service at all in June (—, never 0)
    assert rows["城关街道"] == ("1", "城关街道", "0.10", "1", "0", "—", "—")
    assert rows["龙山镇"] == ("2", "龙山镇", "0.00", "0", "0", "—", "—")
    assert rows[TOTAL] == ("", TOTAL, "0.10", "1", "0", "—", "—")
    assert [row[1] for row in ranking.table] == ["城关街道", "龙山镇", "青石镇", "高峰乡", "凤城街道", TOTAL]
    assert "按资金发放合计由高到低排列" in ranking.caption
    # each row is compute_indicators of that township and month; 合计 that of the county
    for code, name in NAMES.items():
        frame = compute_indicators(extracts, 2024, [code], month=6).set_index("indicator")
        figures = [frame.loc[measure, "value"] for measure in RANKING_CODES]
        assert round(float(rows[name][2]) * 10_000) == figures[0]
        assert figures[1:3] == [int(rows[name][3]), int(rows[name][4])]
    county = compute_indicators(extracts, 2024, month=6).set_index("indicator")
    assert county.loc["subsidies_total_amount", "value"] == 1_000
    assert county.loc["nursing_subsidy_person_times", "value"] == 1


def test_the_figures_table_has_each_month_change_and_a_month_without_rows_reads_a_dash(extracts):
    brief = brief_for(extracts, 2024, month=6)
    figures = {row[0]: row for row in section(brief, "本月主要指标").table}
    # 指标, 本月, 上月 (May: 1,000 + 1,000 + 2,000 + 5,000), 环比, 上年同月 (June 2023: 1,000), 同比
    assert figures["资金发放合计（万元）"][1:] == ("0.10", "0.90", "-88.9%", "0.10", "持平")
    assert figures["护理补贴人次（在册）"][1:] == ("1", "2", "-50.0%", "1", "持平")
    assert figures["技能培训（人次）"][1:] == ("—", "—", "—", "—", "—")  # no service in June 2024 (nor May, June 2023)
    text = brief_markdown(brief)
    assert "各类资金发放合计0.1万元，环比下降88.9%，同比持平" in text
    assert "暂无就业培训记录" in text and "培训0" not in text


def test_january_is_compared_with_the_december_before(extracts):
    """2024年1月: 2,000 护理 + 900 生活 = 2,900元; December 2023 1,000元 (环比 +190.0%); January 2023 3,000元."""
    data = collect_for_extracts(extracts, 2024, month=1)
    text = "".join(s.text for s in key_points(data, "overview", most=12))
    assert text.startswith("2024年1月，全县各类资金发放合计0.29万元，环比增长190.0%，同比下降3.3%。")
    assert "为在册重度残疾人发放护理补贴2人次，环比增长100.0%，同比持平，发放金额0.2万元。" in text
    figures = {row[0]: row for row in section(brief_for(extracts, 2024, month=1), "本月主要指标").table}
    assert figures["资金发放合计（万元）"][2:4] == ("0.10", "+190.0%")


def test_the_months_reporting_gaps_are_of_the_month_chosen(extracts):
    """April 2024: 城关街道 had 生活补贴 in January–March and none in April (a gap of April, not of the as-of June);
    June: 龙山镇 without 护理补贴 (it had some in May)."""
    april = section(brief_for(extracts, 2024, month=4), "填报情况").paragraphs
    assert april == ("数据提示：城关街道4月尚无困难残疾人生活补贴发放记录（此前有记录），请核实是否漏报。",)
    june = " ".join(section(brief_for(extracts, 2024, month=6), "填报情况").paragraphs)
    assert "龙山镇6月尚无重度残疾人护理补贴发放记录" in june and "城关街道6月尚无困难残疾人生活补贴" in june


def test_the_laggards_are_held_at_the_months_end(extracts):
    """March 2024: 序时进度 at 31 March is 91/366 = 24.9%; 无障碍改造 (0 of 12, its retrofit is paid in May) is behind."""
    targets = section(brief_for(extracts, 2024, month=3), "年度目标进度")
    assert targets.heading.endswith("年度目标进度（截至3月31日）")
    text = "".join(targets.paragraphs)
    assert "截至2024年3月31日，全县年度目标序时进度为24.9%" in text
    assert "无障碍改造：截至3月31日完成年度目标的0.0%，低于序时进度24.9个百分点" in text
    assert "完成率" not in "".join(section(brief_for(extracts, 2024, month=3), "本月主要指标").paragraphs)


def test_a_month_still_running_says_so_in_the_title(tmp_path):
    extracts = open_extracts(write_set(tmp_path / "set", TABLES, date(2024, 6, 15)))
    brief = brief_for(extracts, 2024, month=6)
    assert brief.title == "XX县残联工作月度通报"
    assert brief.subtitle.startswith("2024年6月（截至6月15日）　范围：全县　数据截至2024年6月15日")
    assert key_points(collect_for_extracts(extracts, 2024, month=6), "overview")[0].text.startswith(
        "2024年6月（截至6月15日），全县"
    )
    deck = deck_for(extracts, 2024, month=6)
    assert deck.subtitle.startswith("2024年6月（截至6月15日）") and "2024年6月（截至6月15日）" in deck.footer
    assert all(slide.title.endswith("（2024年6月）") for slide in deck.slides)


def test_a_township_scopes_word_file_holds_only_its_township(extracts):
    document = Document(io.BytesIO(brief_docx(brief_for(extracts, 2024, [B], month=6))))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "龙山镇" in text and "2024年6月" in text and "月度通报" in text
    for other in ("城关街道", "青石镇", "高峰乡", "凤城街道"):
        assert other not in text
    ranking = document.tables[1]
    assert [cell.text for cell in ranking.rows[0].cells][:3] == ["名次", "乡镇（街道）", "资金发放合计（万元）"]
    assert len(ranking.rows) == 2  # its header and its one row: no 合计 of one township


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2024-13", "月份应写作 年-月，例如 2024-06，而不是“2024-13”。"),
        ("2024-07", "2024年7月在数据截至日（2024年6月30日）之后，尚无数据。"),
        ("2023-06", "月份 2023-06 不在2024年。"),
    ],
)
def test_the_command_refuses_a_bad_or_future_month_in_chinese(extracts, tmp_path, capsys, month, message):
    out = tmp_path / "brief.md"
    args = ["brief", "--data", str(extracts.folder), "--year", "2024", "--month", month]
    assert main([*args, "--format", "md", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"错误：{message}"
    assert not out.exists()


def test_the_command_writes_the_month_brief_from_the_month_alone(extracts, tmp_path, capsys):
    out = tmp_path / "brief.md"
    assert (
        main(["brief", "--data", str(extracts.folder), "--month", "2024-05", "--format", "md", "--out", str(out)]) == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# XX县残联工作月度通报\n\n2024年5月　范围：全县　数据截至2024年6月30日")
    assert "| 指标 | 本月 | 上月 | 环比 | 上年同月 | 同比 |" in text
    assert capsys.readouterr().out.strip() == f"月度通报已写入 {out}"


def test_the_word_tables_fill_the_text_width_and_a_townships_name_keeps_to_one_line(extracts):
    """Each table of the 通报 spans the 156 mm of text; the figures table's 指标 is its widest column, and the ranking's
    乡镇（街道） column holds its longest name on one line (the figures' columns as wide as their figures)."""
    brief = brief_for(extracts, 2024, month=6)
    for heading in ("本月主要指标", "各乡镇（街道）情况"):
        table = section(brief, heading)
        widths = [width.mm for width in column_widths(table.header, table.table)]
        assert abs(sum(widths) - 156) < 0.5, widths
    figures = section(brief, "本月主要指标")
    widths = [width.mm for width in column_widths(figures.header, figures.table)]
    assert widths[0] == max(widths) and widths[0] > 2 * widths[1]
    ranking = section(brief, "各乡镇（街道）情况")
    widths = [width.mm for width in column_widths(ranking.header, ranking.table)]
    longest = max(text_units(row[1]) for row in ranking.table)  # 城关街道: four characters
    assert widths[1] >= (longest + CELL_SIDES) * HALF_EM_MM
