"""The tables of the 月度通报 (dpf.exports.brief.build_month_brief): the month's figures with 环比 and 同比, and the
township ranking with its 合计, as rows of text written by the number rule (dpf.formatting).

The townships' figures come from a FigureSource (ui.context.View on the page, ExtractsSource on the command line),
cut to the view's scope.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dpf.contract.catalogue import INDICATOR_BY_CODE, MONTHLY_PROGRAMS, PROGRAM_INDICATORS, Indicator
from dpf.formatting import MISSING, fmt_count, wan, yoy_delta
from dpf.narrative.facts import FigureSource
from dpf.narrative.sentences import NarrativeInput
from dpf.numbers import number_or_none

# The month's figures table: the 通报's key measures, in the order of the year's 简报.
FIGURE_CODES = (
    "subsidies_total_amount",
    "nursing_subsidy_person_times",
    "nursing_subsidy_amount",
    "living_subsidy_person_times",
    "living_subsidy_amount",
    "training_person_times",
    "job_registrations",
    "entrepreneurship_persons",
    "rehab_needs",
    "rehab_needs_met_rate",
    "child_rehab_persons",
    "home_rehab_persons",
    "certificates_issued",
)
FIGURE_HEADER = ("指标", "本月", "上月", "环比", "上年同月", "同比")
# The township ranking: its measures, ranked by the first (named in the table's caption).
RANKING_CODES = (
    "subsidies_total_amount",
    "nursing_subsidy_person_times",
    "living_subsidy_person_times",
    "training_person_times",
    "home_rehab_persons",
)
RANKED_BY = RANKING_CODES[0]
TOTAL = "合计"
MONTHLY_COUNTS = frozenset(PROGRAM_INDICATORS[program][1] for program in MONTHLY_PROGRAMS)  # 人次 = persons 在册
DEFINITIONS = (
    "环比：与上月相比（1月与上年12月相比）；同比：与上年同月相比；无上期数据时不计。",
    "本月新增：本年首次获得扶持或服务的人数（首次记录在本月）；在册：本月领取补贴的人数（每人每月一条）。",
)


def month_label(indicator: Indicator) -> str:
    """A row's name in the figures table: the catalogue's label with its unit (万元 for amounts) and what a month's
    count of persons is: 护理补贴人次（在册）, 就业登记（本月新增，人）, 资金发放合计（万元）."""
    unit = "万元" if indicator.is_amount else indicator.unit
    if indicator.code in MONTHLY_COUNTS:
        return f"{indicator.label}（在册）"
    if indicator.measure in ("persons", "projects") and indicator.table != "persons":
        return f"{indicator.label}（本月新增，{unit}）"
    return indicator.label if indicator.label.endswith(unit) else f"{indicator.label}（{unit}）"


def figure_cell(value: float | None, indicator: Indicator) -> str:
    """A figure in the table, its unit in the row's name: 万元 to two decimals, a rate to one, a whole count."""
    if value is None:
        return MISSING
    if indicator.is_amount:
        return f"{wan(value):,.2f}"
    return f"{value:.1f}" if indicator.is_rate else fmt_count(value)


def _change(value: object, base: object, unit: str) -> str:
    return yoy_delta(number_or_none(value), number_or_none(base), unit) or MISSING


def figure_table(data: NarrativeInput) -> tuple[tuple[str, ...], ...]:
    """指标, 本月, 上月, 环比, 上年同月, 同比 of each key measure (an unknown figure or change reads —, never 0)."""
    rows = {row["indicator"]: row for row in data.indicators.to_dict("records")}
    table = []
    for code in FIGURE_CODES:
        indicator, row = INDICATOR_BY_CODE[code], rows.get(code)
        if row is None:
            continue
        unit = indicator.unit
        value, prior, previous = (number_or_none(row[column]) for column in ("value", "prior", "previous"))
        table.append(
            (
                month_label(indicator),
                figure_cell(value, indicator),
                figure_cell(prior, indicator),
                _change(value, prior, unit),
                figure_cell(previous, indicator),
                _change(value, previous, unit),
            )
        )
    return tuple(table)


def ranking_header() -> tuple[str, ...]:
    """名次, 乡镇（街道）, then each measure with its unit (amounts in 万元)."""
    return ("名次", "乡镇（街道）", *(month_label(INDICATOR_BY_CODE[code]) for code in RANKING_CODES))


def _cell(code: str, value: float | None) -> str:
    """A ranking cell: 万元 to two decimals or a whole count, its unit in the header; — without a figure."""
    return figure_cell(value, INDICATOR_BY_CODE[code])


def township_figures(
    source: FigureSource, data: NarrativeInput, codes: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Each ranking measure's value for each township of `codes` on its own (the source's period); none for a
    measure the scope has no figure of (its table has no rows at all in the month: —, never 0)."""
    known = set(data.indicators.loc[data.indicators["value"].notna(), "indicator"])
    return {code: source.township_values(code, tuple(codes)) if code in known else {} for code in RANKING_CODES}


def ranking_rows(names: pd.DataFrame, figures: dict[str, dict[str, float | None]]) -> pd.DataFrame:
    """The townships (code, name, sort_order) with their figures, ranked by RANKED_BY, the largest first (a township
    without a figure last, in official order); `place` is shared by equal figures, None without a figure."""
    frame = names[["code", "name", "sort_order"]].copy()
    for measure, values in figures.items():
        frame[measure] = [number_or_none(values.get(code)) for code in frame["code"]]
    frame["_key"] = frame[RANKED_BY].astype(float)
    frame = frame.sort_values(["_key", "sort_order"], ascending=[False, True], na_position="last")
    ranked = frame[RANKED_BY].astype(float)
    frame["place"] = [None if pd.isna(v) else 1 + int((ranked > v).sum()) for v in ranked]
    return frame.drop(columns="_key").reset_index(drop=True)


def ranking_table(data: NarrativeInput, ranked: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """One row per township of the scope, then 合计 (the scope's own figures; omitted for a single township)."""
    rows = [
        (
            MISSING if row["place"] is None or pd.isna(row["place"]) else str(int(row["place"])),
            str(row["name"]),
            *(_cell(code, number_or_none(row[code])) for code in RANKING_CODES),
        )
        for row in ranked.to_dict("records")
    ]
    if len(rows) > 1:
        scope = {row["indicator"]: number_or_none(row["value"]) for row in data.indicators.to_dict("records")}
        rows.append(("", TOTAL, *(_cell(code, scope.get(code)) for code in RANKING_CODES)))
    return tuple(rows)
