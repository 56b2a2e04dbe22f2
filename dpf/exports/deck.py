"""The 汇报材料 of a view: its slides' titles, headline sentences (dpf.narrative.sentences) and chart figures (dpf queries).

`build_deck` reads a FigureSource (ui.context.View on the page, ExtractsSource on the command line), so the deck
shows the figures the page shows, cut to the session's scope. dpf.exports.deck_pptx writes it as PowerPoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from dpf import palette
from dpf.auth.access import OPEN_SCOPE, Scope
from dpf.contract.catalogue import CARD_GROUPS, INDICATOR_BY_CODE, PROGRAM_GROUPS, program_lists
from dpf.data.db import Extracts
from dpf.exports.brief import BASIS_EXPLAINED, NO_ALERTS, county_name, source_label, year_label
from dpf.figures.period import Period
from dpf.figures.ranking import MOST_BARS, PLACE, cut_note, cut_rows, with_place
from dpf.figures.schedule import Basis, Status
from dpf.figures.targets import laggards_first
from dpf.formatting import fmt_date, wan, yoy_text
from dpf.narrative.facts import ExtractsSource, FigureSource, collect
from dpf.narrative.sentences import (
    BASIS_LABELS,
    NarrativeInput,
    alert_sentences,
    key_points,
    lagging,
    no_targets_text,
    ranking_headline,
    schedule_sentence,
    stated_text,
    target_sentences,
    topic_sentences,
)
from dpf.numbers import number_or_zero

KPI_CODES = CARD_GROUPS["deck_kpis"]
REHAB_CODES = CARD_GROUPS["deck_rehab"]
DEFINITIONS = (
    "资金发放：按发放所属期统计，截至数据日；金额单位为万元。",
    "同比：与上年同期（同一起止日期）相比。",
    "完成率：已完成数 ÷ 年度目标；状态按完成率与序时进度之差判定（严重滞后、低于序时、超序时、已完成）。",
    "满意率等比率指标：达成值直接与目标比较，差距 = 达成值 − 目标（个百分点），不计完成率。",
    "乡镇排名：各乡镇（街道）本年资金发放合计，由高到低。",
)


@dataclass(frozen=True)
class Chart:
    """A native chart: `kind` bar (horizontal), column or stacked (columns); one tuple of values per series."""

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    colors: tuple[str, ...]
    axis_title: str  # 万元, 人次, %
    number_format: str = "#,##0"
    point_colors: tuple[str, ...] = ()  # per category, for the first series (the chosen townships)
    overlap: bool = False  # the series' bars drawn over one another (one series per status, blank elsewhere)


@dataclass(frozen=True)
class Slide:
    title: str
    headline: str
    chart: Chart | None = None
    note: str = ""  # one line where the chart would be (a missing table says why)
    bullets: tuple[str, ...] = ()
    kpis: tuple[tuple[str, str, str], ...] = ()  # label, value as written, 同比 as written ('' = none)
    charts: tuple[Chart, ...] = ()  # several charts side by side (one per unit) instead of `chart`

    @property
    def all_charts(self) -> tuple[Chart, ...]:
        return (self.chart,) if self.chart is not None else self.charts


@dataclass(frozen=True)
class Deck:
    title: str
    subtitle: str  # year and scope
    as_of: str  # 数据截至2024年9月30日
    source: str
    footer: str  # 范围 · 数据截至 · 来源 (the page number is added per slide)
    slides: tuple[Slide, ...]


def _missing(source: FigureSource, *tables: str) -> str:
    problem = source.table_problem(*tables)
    return f"数据暂不可用：{problem}" if problem else ""


def _first(sentences: Sequence, fallback: str) -> str:
    return sentences[0].text if sentences else fallback


def _row(data: NarrativeInput, code: str) -> pd.Series | None:
    rows = data.indicators[data.indicators["indicator"] == code]
    return rows.iloc[0] if not rows.empty and pd.notna(rows.iloc[0]["value"]) else None


def _series(data: NarrativeInput) -> int:
    """How many series a this-year-against-last chart draws: without last year in the extract its 上年同期 is
    unknown, not 0, and is left out."""
    return 2 if data.last_year_known else 1


def this_span(data: NarrativeInput) -> str:
    """A chart series' name for the view's figures: 2024年, or 2024年6月 in a month view."""
    return Period(data.year, data.month).name


def last_span(data: NarrativeInput) -> str:
    """The series a year earlier: 2023年同期, or 2023年6月 (上年同月) in a month view."""
    return Period(data.year, data.month).last_year_name


def changes_text(data: NarrativeInput, row: pd.Series, unit: str) -> str:
    """A KPI's changes as written: 同比 +4.2%; in a month view 环比 +0.4% · 同比 +4.2% ('' = none known)."""
    texts = [yoy_text(row["value"], row["previous"], unit)]
    if data.month is not None:
        texts.insert(0, yoy_text(row["value"], row["prior"], unit, "环比"))
    return " · ".join(text for text in texts if text)


def overview_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    kpis = []
    for code in KPI_CODES:
        row = _row(data, code)
        if row is not None:
            unit = INDICATOR_BY_CODE[code].unit
            kpis.append((INDICATOR_BY_CODE[code].label, stated_text(code, row["value"]), changes_text(data, row, unit)))
    headline = _first(key_points(data, "overview"), f"{data.opening}暂无可概括的数据。")
    note = _missing(source, "payments")
    if note:
        return Slide("总览", headline, note=note, kpis=tuple(kpis))
    groups = source.query("funds_by_program", **params, **program_lists())
    groups = groups[groups["level"] == "group"].set_index("program_group")
    names = tuple(group for group in PROGRAM_GROUPS if group in groups.index)
    against = "：本年与上年同期" if data.month is None else "：本月与上年同月"
    chart = Chart(
        "column",
        f"各类资金发放{against if data.last_year_known else ''}（万元）",
        names,
        (
            (this_span(data), tuple(wan(groups.loc[g, "amount_yuan"]) or 0.0 for g in names)),
            (last_span(data), tuple(wan(groups.loc[g, "previous_amount_yuan"]) or 0.0 for g in names)),
        )[: _series(data)],
        (palette.THIS_YEAR, palette.LAST_YEAR),
        "万元",
        "#,##0.00",
    )
    return Slide("总览", headline, chart, kpis=tuple(kpis))


def targets_slide(data: NarrativeInput) -> Slide:
    """The targets against 序时进度 (a month view: the year so far at the month's end)."""
    title = "年度目标完成情况"
    data = data.for_targets
    if not data.has_targets:
        return Slide(title, target_sentences(data)[0].text, note="数据中没有年度目标表，本页不含年度目标进度。")
    # a rate is held against its target, a target of 0 has no 完成率: neither is a bar of this chart
    rows = [r for r in laggards_first(data.targets) if not r.progress.is_rate and r.progress.completion is not None]
    rows = rows[:MOST_BARS]
    behind = lagging(data)
    headline = schedule_sentence(data)
    text = headline.text if headline else _first(target_sentences(data), no_targets_text(data))
    if behind:
        text += f"{len(behind)}项目标低于序时进度。"
    if not rows:
        return Slide(title, text, note=f"{data.year}年{data.scope}暂无可比较的年度目标。")
    statuses = sorted({row.progress.status for row in rows}, key=lambda status: status.rank)
    schedule = rows[0].progress.schedule
    chart = Chart(
        "bar",
        f"完成率（%，滞后在前；序时进度 {schedule:.1f}%）",
        tuple(row.name for row in rows),
        tuple((status.label, status_values(rows, status)) for status in statuses),
        tuple(status.color for status in statuses),
        "%",
        "0.0",
        overlap=True,
    )
    return Slide(title, text, chart)


def status_values(rows: Sequence, status: Status) -> tuple[float | None, ...]:
    """One series of the targets chart: each row's completion where it has `status`, else blank (so the legend has
    one entry per status, in its colour, over bars of that colour)."""
    return tuple(round(row.progress.completion, 1) if row.progress.status is status else None for row in rows)


def months_params(data: NarrativeInput, params: dict) -> tuple[dict, tuple[int, ...], str]:
    """A month-by-month chart's query parameters, months and span in words: the year so far (1 January to the
    as-of date; a month view: to the month's end, 1—6月)."""
    if data.month is None:
        return params, tuple(range(1, (data.as_of.month if data.as_of.year == data.year else 12) + 1)), "各月"
    through = {**params, "month": None, "as_of": data.for_targets.as_of}
    return through, tuple(range(1, data.month + 1)), f"1—{data.month}月" if data.month > 1 else "1月"


def funds_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    headline = "".join(s.text for s in topic_sentences(data, "funds")[:2]) or f"{data.opening}暂无资金发放记录。"
    note = _missing(source, "payments")
    if note:
        return Slide("资金发放", headline, note=note)
    catalogue = program_lists()
    params, months, span = months_params(data, params)
    monthly = source.query(
        "monthly_payments_by_group", **params, programs=catalogue["programs"], groups=catalogue["groups"]
    )
    monthly = monthly[monthly["year"] == data.year]
    grid = monthly.pivot_table(index="month", columns="program_group", values="amount_yuan", aggfunc="sum")
    groups = [group for group in PROGRAM_GROUPS if group in grid.columns]
    series = tuple((group, tuple(wan(grid[group].get(month)) or 0.0 for month in months)) for group in groups)
    chart = Chart(
        "stacked",
        f"{data.year}年{span}资金发放（按项目类别，万元）",
        tuple(f"{month}月" for month in months),
        series,
        tuple(palette.group_colour(group) for group in groups),
        "万元",
        "#,##0.00",
    )
    return Slide("资金发放", headline, chart)


def employment_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    headline = _first(topic_sentences(data, "employment"), f"{data.opening}暂无就业培训记录。")
    note = _missing(source, "services")
    if note:
        return Slide("就业培训", headline, note=note)
    params, months, span = months_params(data, params)
    monthly = source.query("employment_training_monthly", **params)

    def trainees(year: int) -> tuple[float, ...]:
        rows = monthly[monthly["year"] == year].set_index("month")["trainees"]
        return tuple(float(rows.get(month, 0)) for month in months)

    chart = Chart(
        "column",
        f"{span}残疾人技能培训（人次）" if data.month is not None else "各月残疾人技能培训（人次）",
        tuple(f"{month}月" for month in months),
        ((f"{data.year}年", trainees(data.year)), (f"{data.year - 1}年同期", trainees(data.year - 1)))[: _series(data)],
        (palette.THIS_YEAR, palette.LAST_YEAR),
        "人次",
    )
    return Slide("就业培训", headline, chart)


def rehab_slide(source: FigureSource, data: NarrativeInput) -> Slide:
    """康复服务 this year against last year's same span: one chart per unit (人, 人次, 件, 例), so no axis holds two."""
    headline = _first(topic_sentences(data, "rehab"), f"{data.opening}暂无康复服务记录。")
    note = _missing(source, "services")
    if note:
        return Slide("康复服务", headline, note=note)
    rows = [(code, _row(data, code)) for code in REHAB_CODES]
    by_unit: dict[str, list[tuple[str, pd.Series]]] = {}
    for code, row in rows:
        if row is not None:
            by_unit.setdefault(INDICATOR_BY_CODE[code].unit, []).append((code, row))
    charts = tuple(
        Chart(
            "column",
            f"单位：{unit}",
            tuple(INDICATOR_BY_CODE[code].label for code, _ in group),
            (
                (this_span(data), tuple(float(row["value"]) for _, row in group)),
                (last_span(data), tuple(number_or_zero(row["previous"]) for _, row in group)),
            )[: _series(data)],
            (palette.THIS_YEAR, palette.LAST_YEAR),
            unit,
        )
        for unit, group in by_unit.items()
    )
    return Slide("康复服务", headline, charts=charts)


def ranking_rows(ranking: pd.DataFrame) -> pd.DataFrame:
    """All townships by amount, the largest first; beyond MOST_BARS the top and bottom RANK_ENDS and the chosen."""
    ranked = ranking.sort_values(["amount_yuan", "sort_order"], ascending=[False, True]).reset_index(drop=True)
    return cut_rows(ranked, "amount_yuan", ranked["chosen"].tolist())


def ranking_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    title = "各乡镇（街道）资金发放排名"
    note = _missing(source, "payments", "townships")
    if note:
        return Slide(title, f"{data.opening}各乡镇（街道）排名暂不可用。", note=note)
    ranking = source.query("funds_by_township", **params, program="")
    if ranking.empty:
        return Slide(title, f"{data.opening}暂无各乡镇（街道）资金发放记录。", note="暂无数据。")
    shown = ranking_rows(ranking)
    headline = ranking_headline(data, ranking.sort_values(["amount_yuan", "sort_order"], ascending=[False, True]))
    cut = PLACE in shown
    labels = tuple(with_place(row["name"], row[PLACE]) if cut else row["name"] for _, row in shown.iterrows())
    chart = Chart(
        "bar",
        f"资金发放合计（万元）{'：' + cut_note(len(ranking), bool(data.townships)) if cut else ''}"
        + ("（黑色为所选乡镇）" if data.townships else ""),
        labels,
        ((this_span(data), tuple(wan(value) or 0.0 for value in shown["amount_yuan"])),),
        (palette.THIS_YEAR,),
        "万元",
        "#,##0.00",
        tuple(palette.CHOSEN if chosen and data.townships else palette.THIS_YEAR for chosen in shown["chosen"]),
    )
    return Slide(title, headline, chart)


def alerts_slide(data: NarrativeInput) -> Slide:
    alerts = tuple(sentence.text for sentence in alert_sentences(data))
    headline = f"{data.opening}需关注{len(alerts)}项问题。" if alerts else NO_ALERTS
    return Slide("需关注的问题", headline, bullets=alerts or (NO_ALERTS,))


MONTH_DEFINITIONS = (
    "本月：所选月份（数据截至日在该月内时，至数据截至日）；年度目标按月末（或数据截至日）的本年累计计。",
    "环比：与上月相比（1月与上年12月相比）；同比：与上年同月相比。",
    "本月新增：本年首次获得扶持或服务的人数；在册：本月领取补贴的人数。",
)


def closing_slide(data: NarrativeInput, source: str | None) -> Slide:
    basis = f"序时进度{BASIS_LABELS[data.basis]}：{BASIS_EXPLAINED[data.basis]}。"
    month_ranking = "乡镇排名：各乡镇（街道）本月资金发放合计，由高到低。"
    definitions = DEFINITIONS if data.month is None else (*MONTH_DEFINITIONS, *DEFINITIONS[2:4], month_ranking)
    return Slide(
        "口径说明",
        f"数据来源：{source_label(source)}，数据截至{fmt_date(data.as_of)}。",
        bullets=(*definitions, basis),
    )


def build_deck(
    source: FigureSource,
    data: NarrativeInput,
    township_codes: Sequence[str],
    county: str,
    source_name: str | None,
) -> Deck:
    """The deck of one view: 总览, 年度目标, 资金发放, 就业培训, 康复服务, 乡镇排名, 需关注的问题, 口径说明."""
    params = {"year": data.year, "townships": list(township_codes), "as_of": data.as_of, "month": data.month}
    slides = (
        overview_slide(source, data, params),
        targets_slide(data),
        funds_slide(source, data, params),
        employment_slide(source, data, params),
        rehab_slide(source, data),
        ranking_slide(source, data, params),
        alerts_slide(data),
        closing_slide(data, source_name),
    )
    as_of = f"数据截至{fmt_date(data.as_of)}"
    label = source_label(source_name)
    period = year_label(data) if data.month is None else data.period
    if data.month is not None:  # every slide's title says the month
        slides = tuple(replace(slide, title=f"{slide.title}（{this_span(data)}）") for slide in slides)
    return Deck(
        title=f"{county}残联工作汇报" if data.month is None else f"{county}残联工作月度汇报",
        subtitle=f"{period}　范围：{data.scope}",
        as_of=as_of,
        source=f"来源：{label}",
        footer=" · ".join(
            (f"范围：{data.scope}", *([period] if data.month is not None else []), as_of, f"来源：{label}")
        ),
        slides=slides,
    )


def deck_for(
    extracts: Extracts,
    year: int,
    township_codes: Sequence[str] = (),
    basis: Basis = "day",
    month: int | None = None,
    access: Scope = OPEN_SCOPE,
) -> Deck:
    """The deck of a data folder for a year (or its `month`) and township codes, as of its manifest (the command
    line; a 定时报告 cut to its recipient's `access`)."""
    source = ExtractsSource(extracts, year, tuple(township_codes), month, access=access)
    has_targets = extracts.available("targets")
    manifest = extracts.known_manifest()
    data = collect(source, year, manifest.as_of, township_codes, basis, has_targets=has_targets, month=month)
    return build_deck(source, data, township_codes, county_name(extracts.folder), manifest.source)
