"""Words on the pages (AppTest on the demo set): one name per indicator, a rate target never a 完成率, a closed year
as a closed year, and the same rules in dpf's texts (the 简报, the deck, the 要点)."""

from __future__ import annotations

import json
import re

import pytest

from dpf.contract.catalogue import INDICATORS, PROGRAMS
from dpf.exports.brief import build_brief
from dpf.exports.deck import build_deck
from dpf.figures.indicators import codes_for_names
from dpf.narrative.facts import ExtractsSource, collect
from dpf.narrative.sentences import alert_sentences, next_steps, target_sentences
from tests.apptest_helpers import no_exception, run_page

LABELS = {indicator.label for indicator in INDICATORS}
PROGRAM_NAMES = {program.name for program in PROGRAMS}  # 应补未补 is said of a programme, by its catalogue name
NAMED = re.compile(r"^\*\*(?P<name>[^*]+)\*\*  \n")  # a target tile's first line


@pytest.fixture(scope="module")
def overview_2024(demo_dir):
    at = run_page(demo_dir)
    assert no_exception(at)
    return at


def test_target_tiles_name_indicators_by_their_label_and_a_rate_by_its_gap(overview_2024):
    tiles = [m.value for m in overview_2024.markdown if NAMED.match(m.value)]
    assert len(tiles) == 10
    assert {NAMED.match(tile)["name"] for tile in tiles} <= LABELS
    rate = next(tile for tile in tiles if tile.startswith("**精准康复服务满意率**"))
    assert "96.2% / 95.0%" in rate and "差距 **+1.2个百分点**" in rate and "完成率" not in rate


def test_a_closed_year_reads_as_the_whole_year(demo_dir):
    at = run_page(demo_dir, None, {"year": "2023"})
    assert no_exception(at)
    header = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if m.value.startswith("<strong>")]
    assert header == ["范围：全县　·　2023年全年　·　数据截至 2024年9月30日"]  # the caption line, its tags taken off
    assert any(i.value == "未导入2023年目标。" for i in at.info)  # the target tiles: none was loaded
    assert not any("没有设定" in m.value for m in [*at.markdown, *at.info])
    cards = {m.label: m for m in at.metric}  # the demo starts in 2023: a 上年同期 without data is —, never 0
    assert "上年同期：—" in cards["资金发放合计"].help and "上年同期：0" not in cards["技能培训"].help


@pytest.mark.parametrize("names", [(), ("龙山镇",)])
def test_every_indicator_named_in_the_texts_is_named_by_its_label(demo, names):
    """Target sentences, 预警 and 下一步 begin with the indicator's label; the 简报's table and the deck's targets
    chart name each by its label."""
    townships = tuple(codes_for_names(demo, list(names)))
    source = ExtractsSource(demo, 2024, townships)
    data = collect(source, 2024, demo.manifest.as_of, townships)
    leads = [s.text for s in (*target_sentences(data)[1:], *alert_sentences(data), *next_steps(data))]
    leads = [text for text in leads if not text.startswith("数据提示")]
    assert leads
    for text in leads:
        assert any(text.startswith(label) for label in LABELS | PROGRAM_NAMES), text
    table = next(section.table for section in build_brief(data, "XX县", "demo").sections if section.table)
    assert {row[0].rsplit(" ", 1)[0] for row in table} <= LABELS
    targets = build_deck(source, data, townships, "XX县", "demo").slides[1].chart
    assert targets is not None and set(targets.categories) <= LABELS


def test_a_closed_first_year_draws_no_last_year_on_the_programmes(demo_dir):
    """2023 on the demo: the extract starts in 2023, so 各项目 has no 上年同期 (no zero bars, no 0 on a card)."""
    slide = run_page(demo_dir, "funds.py", {"year": "2023", "briefing": "1", "funds_section": "各项目"})
    assert no_exception(slide)
    (chart,) = [c for c in slide.get("plotly_chart")]
    figure = json.loads(chart.proto.spec)
    assert [trace["name"] for trace in figure["data"] if trace["type"] == "bar"] == ["2023年"]
    assert figure["layout"]["title"]["text"] == "2023年各项目发放金额"
    footers = [a["text"] for a in figure["layout"]["annotations"] if a["text"].startswith("范围：")]
    assert footers == ["范围：全县　2023年全年　数据截至 2024年9月30日"]  # the chart's footer reads the year as closed
    page = run_page(demo_dir, "funds.py", {"year": "2023"}, section="各项目")
    helps = [
        m.help for m in page.metric if m.label.endswith("人次") or m.label.endswith("户") or m.label.endswith("个")
    ]
    assert helps and not any("上年同期：0" in text for text in helps)
