"""The 汇报材料 of a view: its slides' titles, headline sentences (dpf.narrative) and chart figures (dpf queries).

`build_deck` reads a FigureSource (ui.context.View on the page, ExtractsSource on the command line), so the deck
shows the figures the page shows, cut to the session's scope. dpf.deck_pptx writes it as PowerPoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dpf.brief import BASIS_EXPLAINED, NO_ALERTS, county_name, source_label
from dpf.catalogue import CARD_GROUPS, INDICATOR_BY_CODE, PROGRAM_GROUPS, program_lists
from dpf.db import Extracts
from dpf.formatting import fmt_date, fmt_wan, wan, yoy_text
from dpf.narrative import (
    BASIS_LABELS,
    NarrativeInput,
    alert_sentences,
    key_points,
    lagging,
    schedule_sentence,
    stated_text,
    target_sentences,
    topic_sentences,
)
from dpf.narrative_data import ExtractsSource, FigureSource, collect
from dpf.numbers import number_or_zero
from dpf.palette import CHOSEN_COLOR, LAST_YEAR_COLOR, PALETTE
from dpf.ranking import MOST_BARS, PLACE, cut_note, kept_places, with_place
from dpf.schedule import Basis
from dpf.targets import laggards_first

KPI_CODES = CARD_GROUPS["deck_kpis"]
REHAB_CODES = CARD_GROUPS["deck_rehab"]
DEFINITIONS = (
    "资金发放：按发放所属期统计，截至数据日；金额单位为万元。",
    "同比：与上年同期（同一起止日期）相比。",
    "完成率：已完成数 ÷ 年度目标；状态按完成率与序时进度之差判定（严重滞后、低于序时、超序时、已完成）。",
    "乡镇排名：各乡镇（街道）本年资金发放合计，由高到低。",
)


@dataclass(frozen=True)
class Chart:
    """A native chart: `kind` bar (horizontal), column or stacked (columns); one tuple of values per series."""

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    colors: tuple[str, ...]
    axis_title: str  # 万元, 人次, %
    number_format: str = "#,##0"
    point_colors: tuple[str, ...] = ()  # per category, for the first series (status colours, chosen townships)


@dataclass(frozen=True)
class Slide:
    title: str
    headline: str
    chart: Chart | None = None
    note: str = ""  # one line where the chart would be (a missing table says why)
    bullets: tuple[str, ...] = ()
    kpis: tuple[tuple[str, str, str], ...] = ()  # label, value as written, 同比 as written ('' = none)


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


def overview_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    kpis = []
    for code in KPI_CODES:
        row = _row(data, code)
        if row is not None:
            unit = INDICATOR_BY_CODE[code].unit
            kpis.append(
                (
                    INDICATOR_BY_CODE[code].label,
                    stated_text(code, row["value"]),
                    yoy_text(row["value"], row["previous"], unit) or "",
                )
            )
    headline = _first(key_points(data, "overview"), f"{data.opening}暂无可概括的数据。")
    note = _missing(source, "payments")
    if note:
        return Slide("总览", headline, note=note, kpis=tuple(kpis))
    groups = source.query("funds_by_program", **params, **program_lists())
    groups = groups[groups["level"] == "group"].set_index("program_group")
    names = tuple(group for group in PROGRAM_GROUPS if group in groups.index)
    chart = Chart(
        "column",
        "各类资金发放：本年与上年同期（万元）",
        names,
        (
            (f"{data.year}年", tuple(wan(groups.loc[g, "amount_yuan"]) or 0.0 for g in names)),
            (f"{data.year - 1}年同期", tuple(wan(groups.loc[g, "previous_amount_yuan"]) or 0.0 for g in names)),
        ),
        (PALETTE[0], LAST_YEAR_COLOR),
        "万元",
        "#,##0.00",
    )
    return Slide("总览", headline, chart, kpis=tuple(kpis))


def targets_slide(data: NarrativeInput) -> Slide:
    title = "年度目标完成情况"
    if not data.has_targets:
        return Slide(title, target_sentences(data)[0].text, note="数据中没有年度目标表，本页不含年度目标进度。")
    rows = [row for row in laggards_first(data.targets) if not row.progress.is_rate][:MOST_BARS]
    behind = lagging(data)
    headline = schedule_sentence(data)
    text = headline.text if headline else _first(target_sentences(data), f"{data.year}年{data.scope}没有设定年度目标。")
    if behind:
        text += f"{len(behind)}项目标低于序时进度。"
    if not rows:
        return Slide(title, text, note=f"{data.year}年{data.scope}暂无可比较的年度目标。")
    chart = Chart(
        "bar",
        "完成率与序时进度（%，滞后在前）",
        tuple(row.name for row in rows),
        (
            ("完成率", tuple(round(row.progress.completion, 1) for row in rows)),
            ("序时进度", tuple(round(row.progress.schedule, 1) for row in rows)),
        ),
        (PALETTE[0], LAST_YEAR_COLOR),
        "%",
        "0.0",
        tuple(row.progress.status.color for row in rows),
    )
    return Slide(title, text, chart)


def funds_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    headline = "".join(s.text for s in topic_sentences(data, "funds")[:2]) or f"{data.opening}暂无资金发放记录。"
    note = _missing(source, "payments")
    if note:
        return Slide("资金发放", headline, note=note)
    catalogue = program_lists()
    monthly = source.query(
        "monthly_payments_by_group", **params, programs=catalogue["programs"], groups=catalogue["groups"]
    )
    monthly = monthly[monthly["year"] == data.year]
    months = tuple(range(1, (data.as_of.month if data.as_of.year == data.year else 12) + 1))
    grid = monthly.pivot_table(index="month", columns="program_group", values="amount_yuan", aggfunc="sum")
    groups = [group for group in PROGRAM_GROUPS if group in grid.columns]
    series = tuple((group, tuple(wan(grid[group].get(month)) or 0.0 for month in months)) for group in groups)
    chart = Chart(
        "stacked",
        f"{data.year}年各月资金发放（按项目类别，万元）",
        tuple(f"{month}月" for month in months),
        series,
        tuple(PALETTE[PROGRAM_GROUPS.index(group) % len(PALETTE)] for group in groups),
        "万元",
        "#,##0.00",
    )
    return Slide("资金发放", headline, chart)


def employment_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    headline = _first(topic_sentences(data, "employment"), f"{data.opening}暂无就业培训记录。")
    note = _missing(source, "services")
    if note:
        return Slide("就业培训", headline, note=note)
    monthly = source.query("employment_training_monthly", **params)
    months = tuple(range(1, (data.as_of.month if data.as_of.year == data.year else 12) + 1))

    def trainees(year: int) -> tuple[float, ...]:
        rows = monthly[monthly["year"] == year].set_index("month")["trainees"]
        return tuple(float(rows.get(month, 0)) for month in months)

    chart = Chart(
        "column",
        "各月残疾人技能培训（人次）",
        tuple(f"{month}月" for month in months),
        ((f"{data.year}年", trainees(data.year)), (f"{data.year - 1}年同期", trainees(data.year - 1))),
        (PALETTE[1], LAST_YEAR_COLOR),
        "人次",
    )
    return Slide("就业培训", headline, chart)


def rehab_slide(source: FigureSource, data: NarrativeInput) -> Slide:
    headline = _first(topic_sentences(data, "rehab"), f"{data.opening}暂无康复服务记录。")
    note = _missing(source, "services")
    if note:
        return Slide("康复服务", headline, note=note)
    rows = [(code, _row(data, code)) for code in REHAB_CODES]
    rows = [(code, row) for code, row in rows if row is not None]
    labels = tuple(f"{INDICATOR_BY_CODE[code].label}（{INDICATOR_BY_CODE[code].unit}）" for code, _ in rows)
    chart = Chart(
        "bar",
        "康复服务：本年与上年同期",
        labels,
        (
            (f"{data.year}年", tuple(float(row["value"]) for _, row in rows)),
            (f"{data.year - 1}年同期", tuple(number_or_zero(row["previous"]) for _, row in rows)),
        ),
        (PALETTE[2], LAST_YEAR_COLOR),
        "人、人次、件",
    )
    return Slide("康复服务", headline, chart)


def ranking_rows(ranking: pd.DataFrame) -> pd.DataFrame:
    """All townships by amount, the largest first; beyond MOST_BARS the top and bottom RANK_ENDS and the chosen."""
    ranked = ranking.sort_values(["amount_yuan", "sort_order"], ascending=[False, True]).reset_index(drop=True)
    ranked[PLACE] = ranked.index + 1
    return ranked[kept_places(ranked["chosen"].tolist())]


def ranking_slide(source: FigureSource, data: NarrativeInput, params: dict) -> Slide:
    title = "各乡镇（街道）资金发放排名"
    note = _missing(source, "payments", "townships")
    if note:
        return Slide(title, f"{data.opening}各乡镇（街道）排名暂不可用。", note=note)
    ranking = source.query("funds_by_township", **params, program="")
    if ranking.empty:
        return Slide(title, f"{data.opening}暂无各乡镇（街道）资金发放记录。", note="暂无数据。")
    shown = ranking_rows(ranking)
    top, bottom = shown.iloc[0], shown.iloc[-1]
    headline = (
        f"{data.year}年各乡镇（街道）资金发放合计最多的是{top['name']}（{fmt_wan(top['amount_yuan'])}），"
        f"最少的是{bottom['name']}（{fmt_wan(bottom['amount_yuan'])}）。"
        if len(shown) > 1
        else f"{data.year}年{top['name']}资金发放合计{fmt_wan(top['amount_yuan'])}。"
    )
    cut = len(shown) < len(ranking)
    labels = tuple(with_place(row["name"], row[PLACE]) if cut else row["name"] for _, row in shown.iterrows())
    chart = Chart(
        "bar",
        f"资金发放合计（万元）{'：' + cut_note(len(ranking), bool(data.townships)) if cut else ''}",
        labels,
        ((f"{data.year}年", tuple(wan(value) or 0.0 for value in shown["amount_yuan"])),),
        (PALETTE[0],),
        "万元",
        "#,##0.00",
        tuple(CHOSEN_COLOR if chosen and data.townships else PALETTE[0] for chosen in shown["chosen"]),
    )
    return Slide(title, headline, chart)


def alerts_slide(data: NarrativeInput) -> Slide:
    alerts = tuple(sentence.text for sentence in alert_sentences(data))
    headline = f"{data.opening}需关注{len(alerts)}项问题。" if alerts else NO_ALERTS
    return Slide("需关注的问题", headline, bullets=alerts or (NO_ALERTS,))


def closing_slide(data: NarrativeInput, source: str | None) -> Slide:
    basis = f"序时进度{BASIS_LABELS[data.basis]}：{BASIS_EXPLAINED[data.basis]}。"
    return Slide(
        "口径说明",
        f"数据来源：{source_label(source)}，数据截至{fmt_date(data.as_of)}。",
        bullets=(*DEFINITIONS, basis),
    )


def build_deck(
    source: FigureSource,
    data: NarrativeInput,
    township_codes: Sequence[str],
    county: str,
    source_name: str | None,
) -> Deck:
    """The deck of one view: 总览, 年度目标, 资金发放, 就业培训, 康复服务, 乡镇排名, 需关注的问题, 口径说明."""
    params = {"year": data.year, "townships": list(township_codes), "as_of": data.as_of}
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
    return Deck(
        title=f"{county}残联工作汇报",
        subtitle=f"{data.year}年　范围：{data.scope}",
        as_of=as_of,
        source=f"来源：{label}",
        footer=f"范围：{data.scope} · {as_of} · 来源：{label}",
        slides=slides,
    )


def deck_for(extracts: Extracts, year: int, township_codes: Sequence[str] = (), basis: Basis = "day") -> Deck:
    """The deck of a data folder for a year and township codes, as of its manifest (the command line)."""
    source = ExtractsSource(extracts, year, tuple(township_codes))
    has_targets = extracts.available("targets")
    data = collect(source, year, extracts.manifest.as_of, township_codes, basis, has_targets=has_targets)
    return build_deck(source, data, township_codes, county_name(extracts.folder), extracts.manifest.source)
