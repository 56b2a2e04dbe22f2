"""The briefing text (要点, 预警, the 工作简报): sentences in the register of a county 工作简报, written by rules.

Pure (no Streamlit, no DuckDB): it reads a `NarrativeInput` (dpf.narrative.facts collects one for a view) and returns
ordered `Sentence`s. Each sentence carries the facts it states (indicator code, what is said of it, the number as
written), so every number in the text can be traced to the indicator it names. Every number is written by
dpf.formatting (the project's number rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from string import Formatter

import pandas as pd

from dpf.contract.catalogue import COUNTY_LEVEL_CODES, INDICATOR_BY_CODE, NARRATIVE_RANKS
from dpf.figures.coverage import Unpaid, month_label
from dpf.figures.period import Period
from dpf.figures.schedule import Basis, Status, completed_months
from dpf.figures.targets import TargetRow, laggards_first
from dpf.formatting import (
    fmt_count,
    fmt_date,
    fmt_pct,
    fmt_pp,
    fmt_wan,
    fmt_year,
    round_up_units,
    scope_label,
    yoy_words,
)
from dpf.numbers import number_or_none

TOPICS = {
    "funds": "资金发放",
    "employment": "就业培训",
    "rehab": "康复服务",
    "targets": "年度目标进度",
    "alerts": "需关注的问题",
    "next": "下一步工作",
}
BASIS_LABELS = {"day": "按天计", "month": "按月计"}
# Stated for one township: its place among all townships by what NARRATIVE_RANKS names ("发放总额居全县第3位").
RANK_CODES = tuple(NARRATIVE_RANKS)


@dataclass(frozen=True)
class Fact:
    """One number a sentence states: of indicator `code`, what (`kind`), the value as written (display unit: 万元 for
    amounts, % and 个百分点 for rates, whole units for counts) and whether it is the whole county's (`county`)."""

    code: str
    kind: str  # value, yoy, mom (环比), target, completion, schedule, gap, need, shortfall, rank, townships, gaps, months,
    # targets (how many), status (how many stand so: code = the status as written)
    value: float
    county: bool = False


@dataclass(frozen=True)
class Sentence:
    topic: str  # a key of TOPICS
    text: str
    facts: tuple[Fact, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fact.code for fact in self.facts))


@dataclass(frozen=True)
class NarrativeInput:
    """What dpf computes for one view: indicators (with 同比 and targets) of the scope and of the county, the
    scope's evaluated targets, and for the 预警 the townships behind and the 填报 gaps of the as-of month."""

    year: int
    as_of: date
    townships: tuple[str, ...]  # names of the chosen townships; () = 全县
    indicators: pd.DataFrame  # compute_indicators of the scope
    county: pd.DataFrame  # compute_indicators of the whole county
    targets: tuple[TargetRow, ...] = ()
    has_targets: bool = True  # the folder has a usable targets table
    basis: Basis = "day"
    ranks: Mapping[str, int] = field(default_factory=dict)  # code -> the township's place (one township chosen)
    idle_townships: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lagging code -> townships at 0
    reporting_gaps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # programme name -> townships
    scope_size: int = 0  # townships in the scope (全县: all of them)
    last_year_known: bool = True  # the data hold last year (else the flows' 上年同期 are unknown, never 0)
    month: int | None = None  # a month view (月度通报): 1..12; None = 年初至今
    coverage_month: int = 0  # the month 应补尽补 speaks of (dpf.figures.coverage.view_month); 0 = not computed
    unpaid: tuple[Unpaid, ...] = ()  # the monthly subsidies with eligible persons not paid in that month
    # A month view's year so far up to the month's end (its as_of: the month's last day, or the data's as-of date in
    # a month still running): its targets are held against 序时进度 there, never the month's own figures.
    year_so_far: NarrativeInput | None = None

    @property
    def scope(self) -> str:
        return scope_label(list(self.townships))

    @property
    def year_ended(self) -> bool:
        return self.as_of >= date(self.year, 12, 31)

    @property
    def for_targets(self) -> NarrativeInput:
        """The input the targets are said from: a month view's year so far at the month's end, else the view."""
        return self.year_so_far or self

    @property
    def period(self) -> str:
        """截至2024年9月30日 / 2023年全年 (a year that has ended) / 2024年6月 / 2024年6月（截至6月15日）"""
        if self.month is not None:
            return Period(self.year, self.month).label(self.as_of)
        return fmt_year(self.year, self.as_of) if self.year_ended else f"截至{fmt_date(self.as_of)}"

    @property
    def opening(self) -> str:
        """截至2024年9月30日，全县 / 2023年全年，全县"""
        return f"{self.period}，{self.scope}"


# --- Numbers as written, with their facts -------------------------------------------------------------------------


def _stated(code: str, value: float, county: bool = False, unit: str | None = None) -> tuple[str, Fact]:
    """An indicator's value as written in text (in `unit` where a target counts it otherwise), and the fact it
    states (an amount in 万元, or in 元 where the text writes 元)."""
    unit = unit or INDICATOR_BY_CODE[code].unit
    if unit == "元":
        text = fmt_wan(value)
        return text, Fact(code, "value", written_number(text), county)
    if unit == "%":
        return fmt_pct(value), Fact(code, "value", round(value, 1), county)
    return fmt_count(round(value), unit), Fact(code, "value", round(value), county)


def written_number(text: str) -> float:
    """The number of an amount as written: '1,138.08万元' -> 1138.08, '400元' -> 400."""
    return float(text.removesuffix("元").removesuffix("万").replace(",", ""))


def stated_text(code: str, value: float, unit: str | None = None) -> str:
    """An indicator's value as the text writes it (in `unit` where a target counts it otherwise): 369.6万元,
    46,197人次, 96.2%."""
    return _stated(code, value, unit=unit)[0]


CHANGES = (("prior", "环比", "mom"), ("previous", "同比", "yoy"))  # column, word, fact kind: 环比 before 同比


def _yoy(
    code: str, frame_row: Mapping[str, object], county: bool = False, month: bool = False
) -> tuple[str, list[Fact]]:
    """The changes written right after a figure: 同比; in a month view 环比 (the month before), then 同比. An
    unknown change (no earlier figure, or a figure of 0) is left out, never said against 0."""
    value = number_or_none(frame_row["value"])
    is_rate = INDICATOR_BY_CODE[code].is_rate
    texts, facts = [], []
    for column, word, kind in CHANGES if month else CHANGES[1:]:
        base = number_or_none(frame_row.get(column))
        text = yoy_words(value, base, is_rate, word)
        if text is None:
            continue
        texts.append(f"，{text}")
        if text != f"{word}持平":  # 持平: no number said
            assert value is not None and base is not None  # yoy_words says nothing without both
            change = value - base if is_rate else 100.0 * (value - base) / base
            facts.append(Fact(code, kind, abs(round(change, 1)), county))
    return "".join(texts), facts


def _values(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Each indicator's row (value, previous, …) by its code (plain dicts: a Series per row costs ~0.3 ms)."""
    return {row["indicator"]: row for row in frame.to_dict("records")}


@dataclass(frozen=True)
class Item:
    """A sentence template: `{code}` placeholders filled with the indicators' values; `yoy` names the indicator
    whose 同比 is written right after its own figure. Said only when every value is known and one is not zero.
    `{parts}` lists the `parts` that are not zero, joined with 、 (扶持“阳光大棚”4个、助残基地2个); with none of them the
    item says `bare`, or nothing. `township` is the template for a township scope where the county's figure
    would be credited to it (the county's training classes: a township's training is its 参训人次)."""

    template: str
    yoy: str | None = None
    parts: tuple[str, ...] = ()
    bare: str | None = None
    township: str | None = None
    # A month view's words where they differ: distinct persons are 本月新增 (their first record of the year falls in
    # the month), the monthly subsidies' 人次 the persons 在册 that month; `month_yoy` the figure whose 环比 and 同比
    # are written (else `yoy`).
    month: str | None = None
    month_yoy: str | None = None

    @property
    def codes(self) -> list[str]:
        return [code for text in (self.template, *self.parts) for code in _placeholders(text) if code != "parts"]

    @property
    def county_level(self) -> bool:
        """Every figure of the item is held by the county (the catalogue's Indicator.county_level)."""
        return set(self.codes) <= COUNTY_LEVEL_CODES

    def for_township(self) -> Item:
        return Item(self.township, self.yoy, month=self.month and self.township) if self.township else self

    def for_month(self) -> Item:
        """The item in a month view's words (itself where they are the year's)."""
        if self.month is None:
            return self
        bare = self.month.split("，")[0] if self.bare else None  # as the year's: the template's first clause
        return Item(self.month, self.month_yoy or self.yoy, self.parts, bare)


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def _without_zero_clauses(template: str, values: Mapping[str, float | None], keep_first: bool = True) -> str:
    """The template without its clauses (split at ，) whose every figure is 0: 登记就业阶段残疾人12人, not
    …，达成就业意向0人. The first clause stays (it names what the sentence is about) unless `keep_first` is False
    (a month's words, whose every clause names its own: 发放补助资金26.32万元 without 本月新增托养0人)."""
    clauses = template.split("，")
    kept = [
        clause
        for index, clause in enumerate(clauses)
        if (index == 0 and keep_first)
        or not _placeholders(clause)
        or any(values.get(code) for code in _placeholders(clause))
    ]
    return "，".join(kept)


def _render(
    item: Item, rows: Mapping[str, Mapping[str, object]], county: bool = False, month: bool = False
) -> tuple[str, list[Fact]] | None:
    if month:
        item = item.for_month()
    found = {code: number_or_none(rows[code]["value"]) if code in rows else None for code in item.codes}
    values = {code: value for code, value in found.items() if value is not None}
    if len(values) < len(found) or not any(values.values()):
        return None
    template = item.template
    if item.parts:
        kept = [part for part in item.parts if any(values[code] for code in _placeholders(part))]
        if kept:
            template = item.template.replace("{parts}", "、".join(kept))
        elif item.bare is None:
            return None
        else:
            template = item.bare
    template = _without_zero_clauses(template, values, keep_first=not month)
    texts, facts = {}, []
    for code in _placeholders(template):
        texts[code], fact = _stated(code, values[code], county)
        facts.append(fact)
        if code == item.yoy:  # the change right after its own figure
            more, yoy_facts = _yoy(code, rows[code], county, month)
            texts[code] += more
            facts += yoy_facts
    return template.format(**texts), facts


FUNDS = (
    Item("各类资金发放合计{subsidies_total_amount}", "subsidies_total_amount"),
    Item(
        "发放重度残疾人护理补贴{nursing_subsidy_person_times}、{nursing_subsidy_amount}",
        "nursing_subsidy_amount",
        month="为在册重度残疾人发放护理补贴{nursing_subsidy_person_times}，发放金额{nursing_subsidy_amount}",
        month_yoy="nursing_subsidy_person_times",
    ),
    Item(
        "发放困难残疾人生活补贴{living_subsidy_person_times}、{living_subsidy_amount}",
        "living_subsidy_amount",
        month="为在册困难残疾人发放生活补贴{living_subsidy_person_times}，发放金额{living_subsidy_amount}",
        month_yoy="living_subsidy_person_times",
    ),
    Item("发放残疾人机动轮椅车燃油补贴{wheelchair_fuel_amount}", "wheelchair_fuel_amount"),
    Item(
        "“阳光家园”托养{sunshine_home_persons}，发放补助资金{sunshine_home_amount}",
        "sunshine_home_amount",
        month="发放“阳光家园”托养补助资金{sunshine_home_amount}，本月新增托养{sunshine_home_persons}",
    ),
    Item(
        "完成无障碍改造{accessibility_households}，发放改造资金{accessibility_amount}",
        "accessibility_households",
        month="发放无障碍改造资金{accessibility_amount}，本月新增完成无障碍改造{accessibility_households}",
    ),
)
EMPLOYMENT = (
    Item(
        "组织残疾人技能培训{training_batches}，累计培训{training_person_times}",
        "training_person_times",
        township="参加残疾人技能培训{training_person_times}",
        month="组织残疾人技能培训{training_batches}，培训{training_person_times}",
    ),
    Item(
        "扶持残疾人就业创业{entrepreneurship_persons}，发放扶持资金{entrepreneurship_amount}",
        "entrepreneurship_persons",
        month="发放就业创业扶持资金{entrepreneurship_amount}，本月新增扶持残疾人就业创业{entrepreneurship_persons}",
    ),
    Item(
        "扶持{parts}，发放扶持资金{greenhouse_base_amount}",
        parts=("“阳光大棚”{sunshine_greenhouse_projects}", "助残基地{assistance_base_projects}"),
        month="本月新增扶持{parts}，发放扶持资金{greenhouse_base_amount}",
    ),
    Item(
        "登记就业阶段残疾人{job_registrations}，达成就业意向{job_intentions}",
        "job_registrations",
        month="本月新增就业登记{job_registrations}，新增达成就业意向{job_intentions}",
    ),
    Item(
        "资助家庭困难残疾学生{student_aid_persons}，发放补助{student_aid_amount}",
        "student_aid_persons",
        month="发放家庭困难残疾学生资助{student_aid_amount}，本月新增资助残疾学生{student_aid_persons}",
    ),
    Item(
        "举办专项招聘会{job_fairs}，累计邀请企业{job_fair_enterprises}参与",
        month="举办专项招聘会{job_fairs}，邀请企业{job_fair_enterprises}参与",
    ),
    Item("开展惠残政策宣传{outreach_events}，发放宣传材料{outreach_leaflets}"),
)
REHAB = (
    Item(
        "登记康复需求{rehab_needs}，其中{parts}",
        parts=("基本医疗需求{rehab_needs_basic_medical}", "辅助器具需求{rehab_needs_assistive_device}"),
        bare="登记康复需求{rehab_needs}",
        month="新增登记康复需求{rehab_needs}，其中{parts}",
    ),
    Item("康复需求满足率{rehab_needs_met_rate}", "rehab_needs_met_rate"),
    Item(
        "残疾儿童康复救助{child_rehab_persons}",
        "child_rehab_persons",
        month="本月新增残疾儿童康复救助{child_rehab_persons}",
    ),
    Item(
        "家庭医生上门康复服务{home_rehab_persons}",
        "home_rehab_persons",
        month="本月新增家庭医生上门康复服务{home_rehab_persons}",
    ),
    Item(
        "救助困难精神残疾人{psychiatric_medication_persons}，发放药费补助{psychiatric_medication_amount}",
        "psychiatric_medication_persons",
        month="发放困难精神残疾人药费补助{psychiatric_medication_amount}，本月新增救助{psychiatric_medication_persons}",
    ),
    Item("为残疾儿童适配{parts}", parts=("假肢矫形器{prosthesis_fittings}", "辅助器具{device_fittings}")),
    Item("发放{parts}", parts=("辅助器具{devices_issued}", "人工耳蜗补贴{cochlear_implant_amount}")),
    Item("开展困难重度智力残疾人托养服务{respite_care_person_times}"),
    Item("开展集中评残{assessments_centralized}"),
    Item("上门评残{assessments_home}"),
    Item("办、换证{certificates_issued}"),
    Item(
        "开展志愿助残活动{volunteer_activities}，累计服务时长{volunteer_hours}",
        month="开展志愿助残活动{volunteer_activities}，服务时长{volunteer_hours}",
    ),
)
ITEMS = {"funds": FUNDS, "employment": EMPLOYMENT, "rehab": REHAB}
# A topic with none of these above zero in a scope whose table is readable has no records: said once.
TOPIC_TABLES = {"funds": "payments", "employment": "services", "rehab": "services"}
NOTHING_YET = {"funds": "暂无资金发放记录", "employment": "暂无就业培训记录", "rehab": "暂无康复服务记录"}


# --- The sections -----------------------------------------------------------------------------------------------


def topic_sentences(data: NarrativeInput, topic: str, opening: bool = True) -> list[Sentence]:
    """资金发放 / 就业培训 / 康复服务: one sentence per item with data; the first opens with the date and scope
    (unless `opening` is False: a topic following another in the same text)."""
    rows, county_rows = _values(data.indicators), _values(data.county)
    county_scope = not data.townships
    month = data.month is not None
    said: list[tuple[str, list[Fact]]] = []
    county_said: list[tuple[str, list[Fact]]] = []
    for item in ITEMS[topic]:
        if item.county_level and not county_scope:
            rendered = _render(item, county_rows, county=True, month=month)
            if rendered:
                county_said.append(rendered)
            continue
        rendered = _render(item if county_scope else item.for_township(), rows, month=month)
        if rendered:
            text, facts = rendered
            rank_code = next((code for code in item.codes if code in data.ranks), None)
            if rank_code is not None:
                place = data.ranks[rank_code]
                text += f"，{NARRATIVE_RANKS[rank_code]}居全县第{place}位"
                facts.append(Fact(rank_code, "rank", place))
            said.append((text, facts))
    sentences = []
    if not said and _table_readable(data.indicators, TOPIC_TABLES[topic]):
        sentences.append(Sentence(topic, f"{data.opening}{NOTHING_YET[topic]}。"))
    for index, (text, facts) in enumerate(said):
        lead = data.opening if index == 0 and opening else ""
        if lead and month:  # 2024年6月，全县新增就业登记18人: the opening has said the month
            text = text.removeprefix("本月")
        sentences.append(Sentence(topic, f"{lead}{text}。", tuple(facts)))
    for text, facts in county_said:
        sentences.append(Sentence(topic, f"全县层面{text}（县级活动，不分乡镇统计）。", tuple(facts)))
    return sentences


def _table_readable(frame: pd.DataFrame, table: str) -> bool:
    problems = frame.loc[frame["table"] == table, "problem"]
    return not problems.empty and problems.isna().all()


def target_sentence(row: TargetRow, data: NarrativeInput) -> Sentence:
    """One target: completion against 序时进度 (a count or amount), or against the target (a rate)."""
    progress = row.progress
    code = row.code
    value_text, value_fact = _stated(code, progress.value, unit=row.unit)
    facts = [value_fact]
    label = row.name
    target = row.target
    if progress.is_rate:
        diff = round(progress.value - target, 1)
        target_text, target_fact = _stated(code, target)
        facts.append(Fact(code, "target", target_fact.value))
        if diff == 0:
            tail = f"，达到目标（{target_text}）"
        else:
            tail = f"，{'高于' if diff > 0 else '低于'}目标（{target_text}）{fmt_pp(abs(diff))}"
            facts.append(Fact(code, "gap", abs(diff)))
        return Sentence("targets", f"{label}{value_text}{tail}。", tuple(facts))

    target_text, target_fact = _stated(code, target, unit=row.unit)
    facts.append(Fact(code, "target", target_fact.value))
    if progress.completion is None or progress.gap is None:  # a target of 0: nothing to complete, no 完成率
        return Sentence("targets", f"{label}{value_text}（年度目标为{target_text}，不计完成率）。", tuple(facts))
    completion = round(progress.completion, 1)
    head = f"{label}完成{value_text}" + (f"（{row.counted_as}）" if row.counted_as else "")
    if progress.status is Status.DONE:
        if completion <= 100.0:
            return Sentence("targets", f"{head}，已完成年度目标（{target_text}）。", tuple(facts))
        facts.append(Fact(code, "completion", completion))
        text = f"{head}，超额完成年度目标（{target_text}），完成率{fmt_pct(completion)}。"
        return Sentence("targets", text, tuple(facts))
    if progress.status is Status.NOT_STARTED:
        return Sentence("targets", f"{label}年度目标{target_text}，尚未开始。", (facts[1],))
    if value_fact.value == 0:  # nothing done yet: said in words, not as 完成0户 of the target's 0.0%
        facts = [facts[1]]
        text = f"{label}年度目标{target_text}，尚无完成"
    else:
        facts.append(Fact(code, "completion", completion))
        text = f"{head}，完成年度目标（{target_text}）的{fmt_pct(completion)}"
    if data.year_ended:
        shortfall_text, shortfall = _stated(code, target - progress.value, unit=row.unit)
        facts.append(Fact(code, "shortfall", shortfall.value))
        return Sentence("targets", f"{text}，全年未完成目标，差{shortfall_text}。", tuple(facts))
    gap = round(progress.gap, 1)
    if gap == 0:
        text += "，与序时进度持平"
    else:
        text += f"，{'超' if gap > 0 else '低于'}序时进度{fmt_pp(abs(gap))}"
        facts.append(Fact(code, "gap", abs(gap)))
    if progress.status is Status.SEVERELY_BEHIND and progress.needed_per_month:
        need_text, need = _need(code, progress.needed_per_month, row.unit)
        text += f"，严重滞后，每月还需完成约{need_text}"
        facts.append(Fact(code, "need", need))
    return Sentence("targets", f"{text}。", tuple(facts))


def _behind(row: TargetRow) -> tuple[float, float]:
    """(completion, gap) of a target behind 序时进度: a status other than 无目标 comes with both (evaluate_target)."""
    progress = row.progress
    assert progress.completion is not None and progress.gap is not None
    return progress.completion, progress.gap


def _need(code: str, per_month: float, unit: str) -> tuple[str, float]:
    """What each remaining month needs, in whole units of the target (rounded up) or, for an amount, in 万元."""
    if unit == "元":
        text = fmt_wan(per_month)
        return text, written_number(text)
    whole = round_up_units(per_month)
    return fmt_count(whole, unit), whole


def schedule_sentence(data: NarrativeInput) -> Sentence | None:
    """截至2024年9月30日，全县年度目标序时进度为75.0%（按天计）。 Nothing for a year that has ended. (A month view:
    at the month's end.)"""
    data = data.for_targets
    if data.year_ended or not data.targets:
        return None
    schedule = round(data.targets[0].progress.schedule, 1)
    text = (
        f"截至{fmt_date(data.as_of)}，{data.scope}年度目标序时进度为{fmt_pct(schedule)}（{BASIS_LABELS[data.basis]}）。"
    )
    return Sentence("targets", text, (Fact(data.targets[0].code, "schedule", schedule),))


def no_targets_text(data: NarrativeInput) -> str:
    """Why no target is said: none loaded for the year (未导入2023年目标), or the county's not shared out to the
    chosen townships."""
    data = data.for_targets
    if data.townships and data.county["target"].notna().any():
        return f"{data.year}年度目标只下达到全县，未分解到{data.scope}。"
    return f"未导入{data.year}年目标。"


def target_sentences(data: NarrativeInput) -> list[Sentence]:
    """年度目标进度: the schedule, then every target in the catalogue's order (a month view: the year so far at the
    month's end)."""
    data = data.for_targets
    if not data.has_targets:
        return [Sentence("targets", "数据中没有年度目标表，本期不含年度目标进度。")]
    if not data.indicators["target"].notna().any():
        return [Sentence("targets", no_targets_text(data))]
    if not data.targets:  # targets set, none with data yet: nothing to say
        return []
    opening = schedule_sentence(data)
    return ([opening] if opening else []) + [target_sentence(row, data) for row in data.targets]


def target_summary(data: NarrativeInput) -> list[Sentence]:
    """The targets counted by where they stand, for a text whose table lists them (the 简报): the schedule, then
    年度目标10项：严重滞后2项、低于序时1项、超序时4项、已完成2项、已达目标1项。 (each target is said once, in the table
    and, if lagging, in the 预警)."""
    data = data.for_targets
    if not data.has_targets or not data.targets:
        return target_sentences(data)
    counts: dict[str, int] = {}
    for row in laggards_first(data.targets):
        label = row.progress.status_label
        counts[label] = counts.get(label, 0) + 1
    parts = "、".join(f"{label}{count}项" for label, count in counts.items())
    facts = (Fact("", "targets", len(data.targets)), *(Fact(label, "status", n) for label, n in counts.items()))
    opening = schedule_sentence(data)
    summary = Sentence("targets", f"{data.scope}年度目标{len(data.targets)}项：{parts}。", facts)
    return ([opening] if opening else []) + [summary]


def with_data(indicators: pd.DataFrame, rows: Sequence[TargetRow]) -> list[TargetRow]:
    """The evaluated targets whose indicator has a value (nothing is said of a target without data)."""
    known = set(indicators.loc[indicators["value"].notna(), "indicator"])
    return [row for row in rows if row.code in known]


def lagging(data: NarrativeInput) -> list[TargetRow]:
    """Targets behind 序时进度 (counts and amounts), furthest behind first (a month view: at the month's end)."""
    data = data.for_targets
    behind = (Status.BEHIND, Status.SEVERELY_BEHIND)
    rows = [row for row in data.targets if row.progress.status in behind and not row.progress.is_rate]
    return sorted(laggards_first(rows), key=lambda row: _behind(row)[1])


def alert_sentences(data: NarrativeInput) -> list[Sentence]:
    """需关注的问题 / 预警: lagging targets with the townships that have nothing yet, the 填报 gaps (a month view: the
    targets at the month's end, the gaps of its month), then the monthly subsidies' eligible persons not paid in the
    month (应补未补) with their count per township."""
    return laggard_sentences(data) + gap_sentences(data) + unpaid_sentences(data)


def laggard_sentences(data: NarrativeInput) -> list[Sentence]:
    """The targets behind 序时进度 (a month view: at the month's end), with the townships that have nothing yet."""
    sentences = []
    held = data.for_targets
    on_day = f"截至{held.as_of.month}月{held.as_of.day}日" if data.month is not None else ""
    for row in lagging(data):
        label = row.name
        completion, gap = (round(number, 1) for number in _behind(row))
        facts = [Fact(row.code, "completion", completion)]
        if held.year_ended:
            text = f"{label}：全年完成年度目标的{fmt_pct(completion)}，未完成目标"
        else:
            text = f"{label}：{on_day}完成年度目标的{fmt_pct(completion)}，低于序时进度{fmt_pp(abs(gap))}"
            facts.append(Fact(row.code, "gap", abs(gap)))
        idle = held.idle_townships.get(row.code, ())
        if idle and len(held.townships) != 1 and expected_everywhere(row, held):
            none_yet = "尚无完成户" if row.unit == "户" else "尚无记录"
            text += f"，{_townships_text(idle)}{none_yet}"
            if len(idle) > 3:
                facts.append(Fact(row.code, "townships", len(idle)))
        sentences.append(Sentence("alerts", f"{text}。", tuple(facts)))
    return sentences


def gap_sentences(data: NarrativeInput) -> list[Sentence]:
    """The townships without two-subsidy records in the month (a month view's, else the as-of month) that had them
    before: said while the year runs, and in any month view."""
    sentences = []
    if data.month is not None or not data.year_ended:
        month = data.month or data.as_of.month
        for program, names in data.reporting_gaps.items():
            if names:
                facts = (Fact(program, "gaps", len(names)),) if len(names) > 3 else ()
                text = (
                    f"数据提示：{_townships_text(names)}{month}月尚无{program}发放记录（此前有记录），请核实是否漏报。"
                )
                sentences.append(Sentence("alerts", text, facts))
    return sentences


def unpaid_sentences(data: NarrativeInput) -> list[Sentence]:
    """The monthly subsidies' eligible persons not paid in the month (应补未补), one sentence each."""
    return [unpaid_sentence(unpaid, data) for unpaid in data.unpaid]


UNPAID_NAMED = 5  # townships named with their 应补未补 count; the others' are said together


def unpaid_sentence(unpaid: Unpaid, data: NarrativeInput) -> Sentence:
    """重度残疾人护理补贴2024年9月应补未补12人（覆盖率88.0%）：城关镇5人、龙山镇4人…，其余3个乡镇（街道）共3人。 — the
    eligible persons not paid in the month, counted per township (no names of persons)."""
    month = month_label(data.year, data.coverage_month, data.as_of)
    text = f"{unpaid.name}{month}应补未补{fmt_count(unpaid.unpaid, '人')}"
    facts = [Fact(unpaid.program, "unpaid", unpaid.unpaid)]
    if unpaid.coverage is not None:
        text += f"（覆盖率{fmt_pct(unpaid.coverage)}）"
        facts.append(Fact(unpaid.program, "coverage", round(unpaid.coverage, 1)))
    if len(data.townships) != 1 and unpaid.townships:
        named, rest = unpaid.townships[:UNPAID_NAMED], unpaid.townships[UNPAID_NAMED:]
        text += "：" + "、".join(f"{name}{fmt_count(count, '人')}" for _, name, count in named)
        facts += [Fact(f"{unpaid.program}|{code}", "unpaid", count) for code, _, count in named]
        if rest:
            others = sum(count for _, _, count in rest)
            text += f"，其余{len(rest)}个乡镇（街道）共{fmt_count(others, '人')}"
            facts += [Fact(unpaid.program, "unpaid_townships", len(rest)), Fact(unpaid.program, "unpaid_rest", others)]
    return Sentence("alerts", f"{text}，请核实是否漏发。", tuple(facts))


def expected_everywhere(row: TargetRow, data: NarrativeInput) -> bool:
    """Whether every township of the scope is expected to add to the target (at least one unit each), so that one
    with nothing yet is worth naming: a county target of 2 机构 among 23 townships is not."""
    return row.target >= (len(data.townships) or data.scope_size)


def next_steps(data: NarrativeInput) -> list[Sentence]:
    """下一步工作, from the 预警: each lagging target with its shortfall and what each remaining month needs.
    Nothing for a year that has ended (no month remains). A month view: from the month's end."""
    data = data.for_targets
    if data.year_ended:
        return []
    remaining = 12 - completed_months(data.year, data.as_of)
    sentences = []
    for row in lagging(data):
        progress = row.progress
        if not progress.needed_per_month:
            continue
        shortfall_text, shortfall = _stated(row.code, row.target - progress.value, unit=row.unit)
        target_text, target = _stated(row.code, row.target, unit=row.unit)
        need_text, need = _need(row.code, progress.needed_per_month, row.unit)
        text = (
            f"{row.name}：对照年度目标（{target_text}）尚差{shortfall_text}，"
            f"剩余{remaining}个月每月需完成约{need_text}。"
        )
        facts = (
            Fact(row.code, "target", target.value),
            Fact(row.code, "shortfall", shortfall.value),
            Fact(row.code, "months", remaining),
            Fact(row.code, "need", need),
        )
        sentences.append(Sentence("next", text, facts))
    return sentences


def _townships_text(names: Sequence[str]) -> str:
    """凤城街道、龙山镇 / 凤城街道等5个乡镇（街道）"""
    return scope_label(list(names))


def narrative(data: NarrativeInput) -> list[Sentence]:
    """Every sentence of the view, section by section (the 简报's order)."""
    sentences = []
    for topic in ("funds", "employment", "rehab"):
        sentences += topic_sentences(data, topic)
    sentences += target_sentences(data)
    return sentences + alert_sentences(data) + next_steps(data)


# --- 要点 of a page -------------------------------------------------------------------------------------------

PAGE_TOPICS = {
    "overview": ("funds", "employment", "rehab", "alerts"),
    "funds": ("funds",),
    "employment": ("employment",),
    "rehab": ("rehab",),
    "targets": ("targets", "alerts"),
}


def key_points(data: NarrativeInput, page: str, most: int = 6) -> list[Sentence]:
    """A page's 要点 (at most `most`): its topics' sentences; 总览 takes the first two of each topic."""
    topics = PAGE_TOPICS[page]
    by_topic = {topic: _sentences_of(data, topic) for topic in topics}
    if page == "overview":  # the date and scope said once, in the first sentence
        first = next((topic for topic in topics if by_topic[topic]), None)
        by_topic = {t: topic_sentences(data, t, t == first) if t in ITEMS else by_topic[t] for t in topics}
        picked = [s for topic in topics for s in by_topic[topic][: 1 if topic == "alerts" else 2]]
    elif page == "targets" and data.for_targets.has_targets and data.for_targets.targets:  # the schedule, then the
        held = data.for_targets  # furthest behind first (a month view: at the month's end)
        opening = schedule_sentence(held)
        picked = ([opening] if opening else []) + [target_sentence(row, held) for row in laggards_first(held.targets)]
    else:
        picked = [s for topic in topics for s in by_topic[topic]]
    return picked[:most]


def _sentences_of(data: NarrativeInput, topic: str) -> list[Sentence]:
    if topic == "targets":
        return target_sentences(data)
    if topic == "alerts":
        return alert_sentences(data)
    return topic_sentences(data, topic)


# --- The township ranking (the deck's slide, the 月度通报) ---------------------------------------------------


def ranking_headline(data: NarrativeInput, ranked: pd.DataFrame) -> str:
    """Who paid most and least by 资金发放合计 (the chart's measure, named); townships with nothing are said as
    such (暂无发放记录), never as 0万元."""
    period = data.period if data.month is not None else fmt_year(data.year, data.as_of)
    paid = ranked[ranked["amount_yuan"].fillna(0) > 0]
    idle = ranked.loc[ranked["amount_yuan"].fillna(0) <= 0, "name"].tolist()
    none = f"{scope_label(idle)}暂无资金发放记录。" if idle else ""
    if paid.empty:
        return f"{period}{data.scope}暂无资金发放记录。"
    top, bottom = paid.iloc[0], paid.iloc[-1]
    if len(paid) == 1:
        return f"{period}{top['name']}资金发放合计{fmt_wan(top['amount_yuan'])}。{none}"
    return (
        f"{period}各乡镇（街道）资金发放合计最多的是{top['name']}（{fmt_wan(top['amount_yuan'])}），"
        f"最少的是{bottom['name']}（{fmt_wan(bottom['amount_yuan'])}）。{none}"
    )
