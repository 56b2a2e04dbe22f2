"""Every 同比 and 环比 stands right after the figure it qualifies, in every text of every view of the demo.

One test computes every view — both years, the whole county and every township, and month views (each month of 2024,
two of 2023) — in dpf (no AppTest): every page's 要点, the 预警, the Word 简报 (a month's 月度通报) and the deck's
text. It parses each sentence, finds the figure written just before each change (环比 then 同比) and recomputes that
figure's changes from the indicators' value, prior and previous (not from dpf.narrative.sentences).
It also checks that each rank names what it ranks by and that no township is credited with the county's work.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import ClassVar

import pandas as pd
import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE, NARRATIVE_RANKS
from dpf.data.db import open_extracts
from dpf.exports.brief import build_brief, build_month_brief
from dpf.exports.deck import build_deck
from dpf.figures.indicators import township_table
from dpf.formatting import fmt_value, yoy_text
from dpf.narrative.facts import ExtractsSource, collect
from dpf.narrative.sentences import PAGE_TOPICS, alert_sentences, key_points
from tests.extract_builder import A
from tests.narrative_fixture import write_narrative_set

FIGURE = r"(?P<figure>[\d,]+(?:\.\d+)?(?:万元|元|%|[^\d，。、；（）：]{1,2}?))"
WORDS = r"(?:增长|下降|提高|降低)[\d.]+(?:%|个百分点)|持平"
CHANGES = re.compile(FIGURE + rf"(?P<changes>(?:，(?:环比|同比)(?:{WORDS}))+)")
CHANGE = re.compile(rf"(环比|同比)({WORDS})")
COLUMNS = {"环比": "prior", "同比": "previous"}
ZERO = re.compile(r"(?<![\d.,])0(?:\.0+)?(?:万元|元|人次|人|户|个|次|期|条|件|例|份|小时)")
RANK = re.compile(r"，(?P<measure>[^，。]*)居全县第\d+位")


def expected_words(value: float, previous: float, is_rate: bool) -> str | None:
    """The change written after a figure, recomputed: 增长/下降 x% for amounts and counts, 提高/降低 x个百分点 for
    rates, 持平 when it rounds to 0.0; None without a previous value (or a previous 0)."""
    if pd.isna(value) or pd.isna(previous) or (not is_rate and previous == 0):
        return None
    change = round(value - previous if is_rate else 100 * (value - previous) / previous, 1)
    if change == 0:
        return "持平"
    up, down, unit = ("提高", "降低", "个百分点") if is_rate else ("增长", "下降", "%")
    return f"{up if change > 0 else down}{abs(change):.1f}{unit}"


def written(frame: pd.DataFrame) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Each figure as the text writes it -> the indicators with that figure and their known changes in words
    ({'环比': '增长0.4%', '同比': '增长4.2%'}; a change without an earlier figure is absent)."""
    figures: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for row in frame.to_dict("records"):
        if pd.isna(row["value"]):
            continue
        indicator = INDICATOR_BY_CODE[row["indicator"]]
        changes = {
            word: words
            for word, column in COLUMNS.items()
            if (words := expected_words(row["value"], row.get(column), indicator.is_rate)) is not None
        }
        figures.setdefault(fmt_value(row["value"], indicator.unit), []).append((row["indicator"], changes))
    return figures


def said_changes(match: re.Match) -> dict[str, str]:
    """The changes written after a figure, in their order: 环比 before 同比, each once."""
    said = CHANGE.findall(match["changes"])
    assert [word for word, _ in said] in (["环比"], ["同比"], ["环比", "同比"]), match[0]
    return dict(said)


def view_texts(source, data, deck) -> Iterator[str]:
    """Every sentence a leader can paste from the view: 要点 of every page, 预警, the 简报 (月度通报), the deck."""
    for page in PAGE_TOPICS:
        yield from (s.text for s in key_points(data, page, most=12))
    yield from (s.text for s in alert_sentences(data))
    if data.month is None:
        brief = build_brief(data, "XX县", "demo")
    else:
        brief = build_month_brief(source, data, source.township_codes, "XX县", "demo")
    for section in brief.sections:
        for paragraph in section.paragraphs:
            yield from (part + "。" for part in paragraph.split("。") if part)
    for slide in deck.slides:
        yield from (part + "。" for text in (slide.headline, *slide.bullets) for part in text.split("。") if part)


def check_view(source, data) -> int:
    scope, county = written(data.indicators), written(data.county)
    deck = build_deck(source, data, source.township_codes, "XX县", "demo")
    checked = 0
    for text in view_texts(source, data, deck):
        figures = county if text.startswith("全县层面") else scope
        for match in CHANGES.finditer(text):
            candidates = figures.get(match["figure"], [])
            assert candidates, f"{text}: {match['figure']} is no indicator's figure"
            # every known change of the figure is said, and only those: 环比 only in a month view
            assert said_changes(match) in [changes for _, changes in candidates], (text, match["figure"], candidates)
            checked += len(said_changes(match))
        for match in RANK.finditer(text):
            assert match["measure"] in NARRATIVE_RANKS.values(), f"{text}: the rank names no measure"
        if data.townships:
            assert "组织残疾人技能培训" not in text or text.startswith("全县层面"), text  # the county's classes
        assert not ZERO.search(text), f"{text}: a figure of nothing is left out, not written as 0"
    by_label = {INDICATOR_BY_CODE[r.indicator].label: r for r in data.indicators.itertuples()}
    for label, _, change in (kpi for slide in deck.slides for kpi in slide.kpis):
        row = by_label[label]
        unit = INDICATOR_BY_CODE[row.indicator].unit
        expected = [yoy_text(row.value, row.previous, unit)]
        if data.month is not None:
            expected.insert(0, yoy_text(row.value, row.prior, unit, "环比"))
        assert change == " · ".join(text for text in expected if text), label
        checked += bool(change)
    return checked


class SharedSource(ExtractsSource):
    """dpf's figures as ExtractsSource computes them, the county's and the per-township ones computed once for all
    the views of a period (as the dashboard's cache shares them)."""

    shared: ClassVar[dict] = {}

    def county_indicators(self) -> pd.DataFrame:
        key = (id(self.extracts), self.year, self.month, self.as_of, "county")
        if key not in self.shared:
            self.shared[key] = ExtractsSource(self.extracts, self.year, (), self.month, self.as_of).indicators()
        return self.shared[key] if self.township_codes else self.indicators()

    def township_values(self, code: str, townships: tuple[str, ...]) -> dict[str, float | None]:
        key = (id(self.extracts), self.year, self.month, self.as_of, code, townships)
        if key not in self.shared:
            self.shared[key] = super().township_values(code, townships)
        return self.shared[key]


@pytest.mark.parametrize("year", [2023, 2024])
def test_every_change_follows_its_own_figure_in_every_view(demo, year):
    codes = [()] + [(code,) for code in township_table(demo)["code"]]
    checked = 0
    for township_codes in codes:
        source = SharedSource(demo, year, township_codes)
        data = collect(source, year, demo.manifest.as_of, township_codes, has_targets=True)
        checked += check_view(source, data)
    # 2023: the demo starts in 2023, so no flow's 上年同期 is known and no 同比 is said (never one against 0); only the
    # deck's 持证残疾人 card (a stock, known on last year's day) has one per view
    assert checked > 100 if year == 2024 else checked <= len(codes)


MONTH_VIEWS = [(2024, month) for month in range(1, 10)] + [(2023, 1), (2023, 12)]


@pytest.mark.parametrize(("year", "month"), MONTH_VIEWS)
def test_every_change_follows_its_own_figure_in_every_month_view(demo, year, month):
    """A month view: each figure's 环比 (against its own prior: January against the December before) then its 同比,
    right after it; the county and four townships (the first, two sampled, the last) keep the run short."""
    everyone = list(township_table(demo)["code"])
    codes = [
        (),
        *((code,) for code in dict.fromkeys([everyone[0], *random.Random(month).sample(everyone, 2), everyone[-1]])),
    ]
    checked, month_on_month = 0, 0
    for township_codes in codes:
        source = SharedSource(demo, year, township_codes, month)
        data = collect(source, year, demo.manifest.as_of, township_codes, has_targets=True, month=month)
        checked += check_view(source, data)
        month_on_month += sum("环比" in s.text for s in key_points(data, "overview", most=12))
    # 2023年1月: nothing before it in the data (no 环比, no 同比 of a flow; only the deck's 持证残疾人 card, a stock,
    # known on the earlier days); every other month says 环比 in its 要点
    first = (year, month) == (2023, 1)
    assert checked <= len(codes) if first else checked > 20
    assert (month_on_month == 0) if first else month_on_month > 0


def test_the_parser_catches_a_change_after_the_wrong_figure():
    frame = pd.DataFrame(
        {
            "indicator": ["job_registrations", "job_intentions"],
            "value": [161.0, 41.0],
            "previous": [143.0, 58.0],
        }
    )
    figures = written(frame)
    wrong = CHANGES.search("登记就业阶段残疾人161人，达成就业意向41人，同比增长12.6%。")
    right = CHANGES.search("登记就业阶段残疾人161人，同比增长12.6%，达成就业意向41人。")
    assert wrong["figure"] == "41人" and said_changes(wrong) not in [c for _, c in figures[wrong["figure"]]]
    assert right["figure"] == "161人" and said_changes(right) in [c for _, c in figures[right["figure"]]]


def test_the_parser_catches_a_month_change_against_the_wrong_base():
    """环比 recomputed from the figure's own prior: one computed against last year's figure is caught."""
    frame = pd.DataFrame({"indicator": ["job_registrations"], "value": [18.0], "previous": [20.0], "prior": [12.0]})
    figures = written(frame)
    right = CHANGES.search("本月新增就业登记18人，环比增长50.0%，同比下降10.0%。")
    wrong = CHANGES.search("本月新增就业登记18人，环比下降10.0%，同比下降10.0%。")
    swapped = CHANGES.search("本月新增就业登记18人，同比下降10.0%，环比增长50.0%。")
    assert said_changes(right) in [c for _, c in figures["18人"]]
    assert said_changes(wrong) not in [c for _, c in figures["18人"]]
    with pytest.raises(AssertionError):
        said_changes(swapped)


@pytest.mark.parametrize(
    "without", [("payments",), ("services",), ("rehab_needs", "satisfaction"), ("targets",), ("townships",)]
)
def test_a_missing_table_says_nothing_of_its_figures(tmp_path, without):
    """Bad input: a folder without a table still gives every text; none states a 0 or a 同比 for what it lacks."""
    extracts = open_extracts(write_narrative_set(tmp_path / "set", without))
    for township_codes in ((), (A,)):
        source = SharedSource(extracts, 2024, township_codes)
        data = collect(source, 2024, extracts.manifest.as_of, township_codes, has_targets=extracts.available("targets"))
        check_view(source, data)
        deck = build_deck(source, data, township_codes, "XX县", "demo")
        for text in view_texts(source, data, deck):
            assert not ZERO.search(text), text
        lacking = {"payments": "资金发放", "services": "培训"}
        for table, word in lacking.items():
            if table in without:
                assert not any(word in s.text and "同比" in s.text for s in key_points(data, "overview")), word
