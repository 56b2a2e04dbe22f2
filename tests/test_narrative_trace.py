"""Every number of every sentence is the indicator it names: numbers parsed out of the text, recomputed from
dpf.figures.indicators (and the schedule, the township values, the 填报 gaps) independently of dpf.narrative.sentences."""

from __future__ import annotations

import math
import random
import re

import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE, PROGRAMS
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.figures.coverage import subsidy_coverage, view_month
from dpf.figures.indicators import compute_indicators, township_table, township_values
from dpf.figures.period import Period
from dpf.figures.schedule import completed_months, schedule_share
from dpf.figures.targets import evaluate_targets
from dpf.narrative.facts import MONTHLY, collect_for_extracts
from dpf.narrative.sentences import UNPAID_NAMED, Fact, narrative, target_summary
from tests.narrative_fixture import write_narrative_set

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
NOT_FIGURES = re.compile(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?|\d{1,2}月(\d{1,2}日)?")


def numbers_in(text: str, scope: str) -> list[float]:
    """The figures of a sentence: dates, months and the scope's own wording (城关街道等5个乡镇) left out."""
    text = NOT_FIGURES.sub("", text.replace(scope, ""))
    return [float(match.replace(",", "")) for match in NUMBER.findall(text)]


TARGET_TOPICS = ("targets", "alerts", "next")  # a month view says them of the year so far at the month's end


class Recompute:
    """What each fact should say, from dpf's figures for the view (a month view: the month's figures, its targets
    from the year so far at the month's end)."""

    def __init__(self, extracts, year, townships, basis, as_of, month=None):
        self.extracts, self.year, self.townships, self.basis, self.as_of = extracts, year, townships, basis, as_of
        self.month = month
        self.cut = Period(year, month).cut(as_of) if month else as_of  # the day the targets are held at
        codes = list(townships)
        self.scope = rows_of(compute_indicators(extracts, year, codes, month=month))
        self.county = rows_of(compute_indicators(extracts, year, month=month))
        self.held = rows_of(compute_indicators(extracts, year, codes, self.cut)) if month else self.scope
        self.all_townships = list(township_table(extracts)["code"])

    def targets(self):
        frame = compute_indicators(self.extracts, self.year, list(self.townships), self.cut)
        known = frame.loc[frame["value"].notna()]
        return evaluate_targets(known, self.year, self.cut, self.basis)

    def expected(self, fact: Fact, topic: str = "") -> float:
        if fact.kind == "gaps":
            grid = run_query(self.extracts.con, "reporting_gaps", year=self.year, as_of=self.as_of, programs=MONTHLY)
            program = next(p.code for p in PROGRAMS if p.name == fact.code)
            chosen = self.townships or self.all_townships
            month = self.month or self.as_of.month
            grid = grid[grid["gap"] & (grid["month"] == month) & grid["code"].isin(chosen)]
            return len(grid[grid["program"] == program])
        if fact.kind.startswith("unpaid") or fact.kind == "coverage":
            return self.unpaid(fact)
        if fact.kind in ("targets", "status"):  # the 简报's count of targets, by where they stand
            rows = [r for r in self.targets() if fact.kind == "targets" or r.progress.status_label == fact.code]
            return len(rows)
        if fact.kind == "months":
            return 12 - completed_months(self.year, self.cut)
        indicator = INDICATOR_BY_CODE[fact.code]
        frame = self.held if topic in TARGET_TOPICS else self.county if fact.county else self.scope
        row = frame[fact.code]
        value, previous, target = row.value, row.previous, row.target
        schedule = schedule_share(self.year, self.cut, self.basis)
        if fact.kind == "value":
            return shown(indicator.unit, value)
        if fact.kind == "target":
            return shown(indicator.unit, target)
        if fact.kind in ("yoy", "mom"):  # 同比 against last year's span, 环比 against the month before
            base = previous if fact.kind == "yoy" else row.prior
            change = value - base if indicator.is_rate else 100 * (value - base) / base
            return abs(round(change, 1))
        if fact.kind == "completion":
            return round(100 * value / target, 1)
        if fact.kind == "schedule":
            return round(schedule, 1)
        if fact.kind == "gap":
            return abs(round(value - target if indicator.is_rate else 100 * value / target - schedule, 1))
        if fact.kind == "shortfall":
            return shown(indicator.unit, target - value)
        if fact.kind == "need":
            per_month = (target - value) / (12 - completed_months(self.year, self.cut))
            return round(per_month / 10_000, 2) if indicator.is_amount else max(1, math.ceil(per_month - 1e-9))
        if fact.kind == "rank":
            values = township_values(self.extracts, self.year, fact.code, self.all_townships, month=self.month)
            own = values[self.townships[0]] or 0
            return 1 + sum((v or 0) > own for v in values.values())
        if fact.kind == "townships":
            values = township_values(self.extracts, self.year, fact.code, self.all_townships, self.cut)
            chosen = self.townships or self.all_townships
            return sum(not values[code] for code in chosen)
        raise AssertionError(f"unknown fact kind {fact.kind}")

    def unpaid(self, fact: Fact) -> float:
        """应补尽补 of the view's month: the scope's 合计, a township's own count, or the townships not named."""
        program, _, township = fact.code.partition("|")
        table = subsidy_coverage(
            self.extracts, self.year, self.month or view_month(self.year, self.as_of), self.townships
        )
        rows = table[table["program"] == program]
        if township:
            return int(rows.loc[rows["code"] == township, "unpaid"].iloc[0])
        total = rows[rows["code"].isna()].iloc[0]
        if fact.kind == "unpaid":
            return int(total["unpaid"])
        if fact.kind == "coverage":
            return round(100 * int(total["paid"]) / int(total["eligible"]), 1)
        towns = rows[rows["code"].notna() & (rows["unpaid"] > 0)].sort_values(
            ["unpaid", "sort_order"], ascending=[False, True]
        )
        rest = towns.iloc[UNPAID_NAMED:]
        return len(rest) if fact.kind == "unpaid_townships" else int(rest["unpaid"].sum())


def rows_of(frame):
    return {r.indicator: r for r in frame.itertuples()}


def shown(unit: str, value: float) -> float:
    if (
        unit == "元"
    ):  # as written: 万元 (three decimals for a figure below 10万元 exact to the 10元), or 元 below 0.1万元
        if abs(value) < 1_000 and value:
            return round(value)
        exact_to_ten = abs(value) < 100_000 and round(value) % 10 == 0 and round(value) % 100 != 0
        return round(value / 10_000, 3 if exact_to_ten else 2)
    return round(value, 1) if unit == "%" else round(value)


def check_view(extracts, year, townships, basis, month=None):
    data = collect_for_extracts(extracts, year, townships, basis, month=month)
    recompute = Recompute(extracts, year, townships, basis, data.as_of, month)
    checked = 0
    for sentence in narrative(data) + target_summary(data):
        parsed = numbers_in(sentence.text, data.scope)
        assert parsed == pytest.approx([fact.value for fact in sentence.facts]), sentence.text
        for fact in sentence.facts:
            assert fact.value == pytest.approx(recompute.expected(fact, sentence.topic)), (sentence.text, fact)
            checked += 1
    return checked


def random_views(extracts, seed, count):
    rng = random.Random(seed)
    codes = list(township_table(extracts)["code"])
    for _ in range(count):
        size = rng.choice([0, 1, 1, 2, 5])
        yield rng.choice([2023, 2024]), tuple(rng.sample(codes, size)), rng.choice(["day", "month"])


def test_every_number_is_the_indicator_it_names_on_the_demo(demo):
    checked = sum(check_view(demo, *view) for view in random_views(demo, seed=20, count=6))
    assert checked > 100


def test_every_number_is_the_indicator_it_names_on_fixtures(tmp_path):
    checked = 0
    for without in ((), ("targets",), ("satisfaction", "rehab_needs")):
        extracts = open_extracts(write_narrative_set(tmp_path / "-".join(without or ("all",)), without))
        checked += sum(check_view(extracts, *view) for view in random_views(extracts, seed=len(without), count=8))
    assert checked > 50


def test_every_number_of_a_month_view_is_the_indicator_it_names(demo, tmp_path):
    """Month views (the month's figures with their 环比 and 同比, the targets at the month's end, the month's 填报
    gaps) on the demo and on the hand-made county, whose April has a gap and whose June a 护理补贴 gap."""
    rng = random.Random(6)
    codes = list(township_table(demo)["code"])
    views = [(demo, 2024, (), "day", 6), (demo, 2024, (codes[3],), "month", 1), (demo, 2023, (), "day", 12)]
    views += [(demo, rng.choice([2023, 2024]), tuple(rng.sample(codes, 2)), "day", rng.randint(1, 9))]
    fixture = open_extracts(write_narrative_set(tmp_path / "set"))
    views += [(fixture, 2024, (), "day", month) for month in (1, 4, 6)] + [(fixture, 2024, ("340000002",), "day", 6)]
    moms, checked = 0, 0
    for extracts, year, townships, basis, month in views:
        data = collect_for_extracts(extracts, year, townships, basis, month=month)
        moms += sum(f.kind == "mom" for s in narrative(data) for f in s.facts)
        checked += check_view(extracts, year, townships, basis, month)
    assert moms > 10 and checked > 100
