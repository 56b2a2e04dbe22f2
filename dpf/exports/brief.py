"""The 工作简报 of a view: title, 数据截至, the sections' sentences, the target table and a closing line; and a month
view's 月度通报 (`build_month_brief`: the month's figures with 环比/同比, the township ranking, the month's 填报 gaps,
the targets behind 序时进度 at the month's end; its tables from dpf.exports.month_tables).

`build_brief` puts it together from dpf.narrative.sentences; `brief_markdown` and dpf.exports.brief_docx.brief_docx write it.
`python -m dpf brief` (dpf.commands.brief) and the download on 总览 use the same functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dpf.auth.access import OPEN_SCOPE, Scope
from dpf.contract.catalogue import INDICATOR_BY_CODE
from dpf.data.db import Extracts
from dpf.exports.month_tables import DEFINITIONS as MONTH_DEFINITIONS
from dpf.exports.month_tables import (
    FIGURE_HEADER,
    RANKED_BY,
    figure_table,
    ranking_header,
    ranking_rows,
    ranking_table,
    township_figures,
)
from dpf.figures.schedule import Basis
from dpf.formatting import fmt_date, fmt_pct, fmt_pp, fmt_year
from dpf.narrative.facts import ExtractsSource, FigureSource, collect, collect_for_extracts
from dpf.narrative.sentences import (
    BASIS_LABELS,
    TOPIC_TABLES,
    TOPICS,
    NarrativeInput,
    Sentence,
    gap_sentences,
    key_points,
    laggard_sentences,
    narrative,
    no_targets_text,
    ranking_headline,
    schedule_sentence,
    stated_text,
    target_summary,
    with_data,
)

# What the manifest's `source` means, in words (the page header says the same).
SOURCE_LABELS = {"demo": "演示数据（合成数据，非真实个人信息）", "import": "县残联台账导入"}
DEFAULT_COUNTY = "XX县"  # a folder whose manifest names no county (the county's own report writes XX县 too)
BASIS_EXPLAINED = {"day": "截至数据日已过天数 ÷ 全年天数", "month": "已过完整月份 ÷ 12"}
TABLE_HEADER = ("指标", "年度目标", "完成", "完成率或差距", "序时进度", "状态")
NO_TARGETS = "数据中没有年度目标表，本简报不含年度目标进度。"
NO_ALERTS = "暂未发现滞后目标和填报缺口。"
NUMERALS = "一二三四五六七八九"  # the sections' headings: 一、资金发放


def year_label(data: NarrativeInput) -> str:
    """The period the figures cover: 2024年 while the year runs, 2023年全年 once it has ended."""
    return fmt_year(data.year, data.as_of)


def source_label(source: str | None) -> str:
    return SOURCE_LABELS.get(source or "", source or "未注明")


def county_name(folder: Path) -> str:
    """The county's name: manifest.json's optional `county` (e.g. 怀宁县), else XX县."""
    try:
        raw = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_COUNTY
    name = raw.get("county") if isinstance(raw, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else DEFAULT_COUNTY


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]
    table: tuple[tuple[str, ...], ...] = ()  # rows under `header`; () = no table
    header: tuple[str, ...] = TABLE_HEADER  # the table's column headers (the targets' by default)
    caption: str = ""  # one line above the table (what it ranks by)


@dataclass(frozen=True)
class Brief:
    title: str
    subtitle: str  # year, scope, 数据截至
    sections: tuple[Section, ...]
    closing: str
    note: str = ""  # one line under the subtitle (a folder without targets says so)


def target_table(data: NarrativeInput) -> tuple[tuple[str, ...], ...]:
    """指标, 年度目标, 完成, 完成率 (a rate: 差距 in 个百分点), 序时进度, 状态 for each target with data (a rate:
    its target, no 序时进度)."""
    rows = []
    for row in with_data(data.indicators, data.targets):
        progress = row.progress
        done = stated_text(row.code, progress.value, row.unit)
        aim = (row.name, stated_text(row.code, row.target, row.unit))
        if progress.is_rate:  # a rate is never a 完成率: its 达成值 against the target, the gap in 个百分点
            gap = f"差距{fmt_pp(progress.value - row.target, signed=True)}"
            rows.append((*aim, done, gap, "—", progress.status_label))
        else:
            rows.append((*aim, done, fmt_pct(progress.completion), fmt_pct(progress.schedule), progress.status.label))
    return tuple(rows)


def _paragraph(sentences: Sequence[Sentence]) -> tuple[str, ...]:
    return ("".join(s.text for s in sentences),) if sentences else ()


def _why_nothing(data: NarrativeInput, topic: str) -> str:
    """A section without sentences: its table's problem, else 暂无相关数据."""
    problems = data.indicators.loc[data.indicators["table"] == TOPIC_TABLES[topic], "problem"].dropna()
    return f"数据暂不可用：{problems.iloc[0]}" if not problems.empty else "暂无相关数据。"


def build_brief(data: NarrativeInput, county: str, source: str | None) -> Brief:
    sentences = narrative(data)
    by_topic = {topic: [s for s in sentences if s.topic == topic] for topic in TOPICS}
    sections = [
        Section(TOPICS[topic], _paragraph(by_topic[topic]) or (_why_nothing(data, topic),))
        for topic in ("funds", "employment", "rehab")
    ]
    if data.has_targets:  # the table lists every target; the text counts them (the laggards are said in 五)
        sections.append(Section(TOPICS["targets"], _paragraph(target_summary(data)), target_table(data)))
    sections.append(Section(TOPICS["alerts"], tuple(s.text for s in by_topic["alerts"]) or (NO_ALERTS,)))
    if by_topic["next"]:
        sections.append(Section(TOPICS["next"], tuple(s.text for s in by_topic["next"])))
    numbered = tuple(
        replace(section, heading=f"{NUMERALS[i]}、{section.heading}") for i, section in enumerate(sections)
    )
    closing = (
        f"数据来源：{source_label(source)}，数据截至{fmt_date(data.as_of)}。"
        f"序时进度{BASIS_LABELS[data.basis]}（{BASIS_EXPLAINED[data.basis]}）。"
    )
    return Brief(
        title=f"{county}残联工作简报",
        subtitle=f"{year_label(data)}　范围：{data.scope}　数据截至{fmt_date(data.as_of)}",
        sections=numbered,
        closing=closing,
        note="" if data.has_targets else NO_TARGETS,
    )


def brief_for(
    extracts: Extracts,
    year: int,
    township_codes: Sequence[str] = (),
    basis: Basis = "day",
    month: int | None = None,
    access: Scope = OPEN_SCOPE,
) -> Brief:
    """The 简报 of a data folder for a year and township codes, as of its manifest, cut to `access`; with `month`,
    that month's 月度通报."""
    if month is not None:
        return month_brief_for(extracts, year, month, township_codes, basis, access)
    data = collect_for_extracts(extracts, year, township_codes, basis, access)
    return build_brief(data, county_name(extracts.folder), extracts.known_manifest().source)


def brief_markdown(brief: Brief) -> str:
    lines = [f"# {brief.title}", "", brief.subtitle, ""] + ([brief.note, ""] if brief.note else [])
    for section in brief.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.table:
            lines += [section.caption, ""] if section.caption else []
            lines.append("| " + " | ".join(section.header) + " |")
            lines.append("|" + "---|" * len(section.header))
            lines += ["| " + " | ".join(row) + " |" for row in section.table]
            lines.append("")
    lines += ["---", "", brief.closing, ""]
    return "\n".join(lines)


# --- The 月度通报 of a month view -------------------------------------------------------------------------------


def _month_targets(data: NarrativeInput) -> Section:
    """The targets behind 序时进度 at the month's end (the year so far up to it)."""
    held = data.for_targets
    day = f"{held.as_of.month}月{held.as_of.day}日"
    heading = f"年度目标进度（截至{day}）"
    if not held.has_targets:
        return Section(heading, (NO_TARGETS,))
    if not held.indicators["target"].notna().any():
        return Section(heading, (no_targets_text(data),))
    opening = schedule_sentence(data)
    behind = tuple(s.text for s in laggard_sentences(data))
    said = (opening.text,) if opening else ()
    return Section(heading, said + (behind or (f"截至{day}，{data.scope}暂无低于序时进度的目标。",)))


def build_month_brief(
    source: FigureSource, data: NarrativeInput, township_codes: Sequence[str], county: str, source_name: str | None
) -> Brief:
    """The 月度通报 of a month view (`data.month` set)."""
    assert data.month is not None, "a 月度通报 is of one month"
    names = source.query("townships_in_order") if not source.table_problem("townships") else None
    points = "".join(s.text for s in key_points(data, "overview", most=12) if s.topic != "alerts")
    summary = (points or f"{data.opening}暂无可概括的数据。",)
    sections = [Section("本月主要指标", summary, figure_table(data), FIGURE_HEADER)]
    if names is None:
        sections.append(Section("各乡镇（街道）情况", (f"数据暂不可用：{source.table_problem('townships')}",)))
    else:
        chosen = names[names["code"].isin(township_codes)] if township_codes else names
        ranked = ranking_rows(chosen, township_figures(source, data, tuple(chosen["code"])))
        caption = f"各乡镇（街道）本月主要指标（按{INDICATOR_BY_CODE[RANKED_BY].label}由高到低排列）"
        sections.append(
            Section(
                "各乡镇（街道）情况",
                (ranking_headline(data, ranked.rename(columns={RANKED_BY: "amount_yuan"})),),
                ranking_table(data, ranked),
                ranking_header(),
                caption,
            )
        )
    gaps = tuple(s.text for s in gap_sentences(data))
    everyone = data.scope if data.townships else "各乡镇（街道）"
    sections.append(Section("填报情况", gaps or (f"{data.month}月{everyone}两项补贴均有发放记录，未发现填报缺口。",)))
    sections.append(_month_targets(data))
    numbered = tuple(replace(s, heading=f"{NUMERALS[i]}、{s.heading}") for i, s in enumerate(sections))
    closing = (
        f"数据来源：{source_label(source_name)}，数据截至{fmt_date(data.as_of)}。{''.join(MONTH_DEFINITIONS)}"
        f"序时进度{BASIS_LABELS[data.basis]}（{BASIS_EXPLAINED[data.basis]}），按月末计。"
    )
    return Brief(
        title=f"{county}残联工作月度通报",
        subtitle=f"{data.period}　范围：{data.scope}　数据截至{fmt_date(data.as_of)}",
        sections=numbered,
        closing=closing,
    )


def month_brief_for(
    extracts: Extracts,
    year: int,
    month: int,
    township_codes: Sequence[str] = (),
    basis: Basis = "day",
    access: Scope = OPEN_SCOPE,
) -> Brief:
    """The 月度通报 of a data folder for a month and township codes, as of its manifest, cut to `access`."""
    manifest = extracts.known_manifest()
    source = ExtractsSource(extracts, year, tuple(township_codes), month, access=access)
    has_targets = extracts.available("targets")
    data = collect(source, year, manifest.as_of, township_codes, basis, has_targets=has_targets, month=month)
    return build_month_brief(source, data, township_codes, county_name(extracts.folder), manifest.source)
