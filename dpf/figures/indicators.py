"""The single source of every figure: the contract's indicator catalogue, computed in SQL.

`compute_indicators` is what pages, exports, briefings and tests call. Each indicator comes
with the same span a year earlier (同比) and the year's target for the scope. The queries take the
catalogue's entries of their table as parameters, so a new indicator is one entry in dpf.contract.catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pandas as pd

from dpf.contract.catalogue import INDICATOR_BY_CODE, INDICATORS, MEASURES, Indicator, indicator_definitions
from dpf.data.db import Extracts
from dpf.data.sql import run_query
from dpf.figures.period import Period
from dpf.numbers import number_or_none

# One query per source table (queries/indicators_TABLE.sql), so a broken table only blanks its own indicators.
INDICATOR_TABLES = tuple(MEASURES)
# The tables whose figures are flows over a span (every table but the persons, a stock).
FLOW_TABLES = frozenset(table for table in INDICATOR_TABLES if table != "persons")

# The per-table queries of one view run side by side, each on its own cursor: for small data most of a query's
# time is DuckDB planning it, which overlaps well on two cores.
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="dpf-sql")

COLUMNS = [
    "indicator",
    "name",
    "unit",
    "value",
    "previous",
    "prior",
    "month",
    "target",
    "note",
    "completion",
    "table",
    "problem",
]


class DataUnavailable(Exception):
    """The data folder cannot be used at all; the message is Chinese and user-facing."""


def resolve_as_of(extracts: Extracts, as_of: date | None = None) -> date:
    if as_of is not None:
        return as_of
    if extracts.manifest is None:
        raise DataUnavailable(extracts.manifest_problem or "数据缺少 manifest.json。")
    return extracts.manifest.as_of


def targets_for_scope(extracts: Extracts, year: int, townships: Sequence[str] = ()) -> pd.DataFrame:
    """Each indicator's target for the year and scope (columns of queries/targets_for_scope.sql)."""
    frame = run_query(extracts.con, "targets_for_scope", year=year, townships=list(townships))
    # A rate target (e.g. 满意率95%) applies to every part of the county as it stands.
    is_rate = frame["indicator"].map(lambda code: code in INDICATOR_BY_CODE and INDICATOR_BY_CODE[code].is_rate)
    frame["scope_target"] = frame["scope_target"].where(
        ~(is_rate & frame["scope_target"].isna()), frame["county_target"]
    )
    return frame


def indicator_query_params(table: str, indicators: Sequence[Indicator] = INDICATORS) -> dict[str, list[str]]:
    """The registry's entries of `table` as the parallel lists queries/indicators_TABLE.sql takes."""
    rows = indicator_definitions(table, indicators)
    return {
        "indicators": [indicator for indicator, _, _ in rows],
        "sources": [source for _, source, _ in rows],
        "measures": [measure for _, _, measure in rows],
    }


def indicator_values(
    extracts: Extracts,
    year: int,
    townships: Sequence[str],
    cuts: Sequence[date],
    *,
    by_township: bool = False,
    indicators: Sequence[Indicator] = INDICATORS,
    month: int | None = None,
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """Every computable indicator of the registry at each cut date: one query per source table, whatever the number
    of cuts.

    Returns (frame with columns cut, township, indicator, value, previous; the problem of each source table,
    Chinese or None). `township` is each township's code on its own when `by_township`, else None for the townships
    together. A table with a problem is not queried, so its indicators are absent from the frame.
    """
    tables = {table: extracts.problem(table) for table in INDICATOR_TABLES}
    usable = [t for t, problem in tables.items() if not problem]
    frame = _query_tables(extracts, usable, year, townships, cuts, by_township, indicators, month)
    return frame, tables


def _query_tables(
    extracts: Extracts,
    tables: Sequence[str],
    year: int,
    townships: Sequence[str],
    cuts: Sequence[date],
    by_township: bool,
    indicators: Sequence[Indicator] = INDICATORS,
    month: int | None = None,
) -> pd.DataFrame:
    params = {
        "year": year,
        "townships": list(townships),
        "cuts": list(cuts),
        "by_township": by_township,
        "month": month,
    }
    definitions = {table: indicator_query_params(table, indicators) for table in tables}
    jobs = [
        _POOL.submit(run_query, extracts.con, f"indicators_{table}", **params, **definitions[table])
        for table in tables
        if cuts and definitions[table]["indicators"]
    ]
    frames = [job.result() for job in jobs]
    if not frames:
        return pd.DataFrame(columns=["cut", "township", "indicator", "value", "previous"])
    frame = pd.concat(frames, ignore_index=True)
    frame["cut"] = pd.to_datetime(frame["cut"]).dt.date
    return frame


def township_values(
    extracts: Extracts,
    year: int,
    code: str,
    townships: Sequence[str],
    as_of: date | None = None,
    month: int | None = None,
) -> dict[str, float | None]:
    """One indicator for each township on its own (the 年度目标 ranking): one query on the indicator's source table
    with a township grain. None where the table has a problem or the indicator is undefined (a rate without cases)."""
    frame = township_frame(extracts, year, INDICATOR_BY_CODE[code].table, townships, as_of, month)
    return values_in(frame, code, townships)


def township_frame(
    extracts: Extracts,
    year: int,
    table: str,
    townships: Sequence[str],
    as_of: date | None = None,
    month: int | None = None,
) -> pd.DataFrame | None:
    """Every indicator of source `table` for each township on its own over the period (the year so far, or `month`)
    (columns cut, township, indicator, value, previous): one query serves all of the table's indicators. None when
    the table has a problem."""
    if extracts.problem(table):
        return None
    cut = resolve_as_of(extracts, as_of)  # the span ends at its last day or here; a need counts as met by this day
    return _query_tables(extracts, [table], year, townships, [cut], by_township=True, month=month)


def values_in(frame: pd.DataFrame | None, code: str, townships: Sequence[str]) -> dict[str, float | None]:
    """Indicator `code` of each of `townships` in a township_frame (None where missing, or for no frame)."""
    if frame is None:
        return dict.fromkeys(townships)
    row_values = frame.loc[frame["indicator"] == code].set_index("township")["value"]
    return {township: number_or_none(row_values.get(township)) for township in townships}


def compute_indicators(
    extracts: Extracts,
    year: int,
    townships: Sequence[str] = (),
    as_of: date | None = None,
    *,
    indicators: Sequence[Indicator] = INDICATORS,
    month: int | None = None,
) -> pd.DataFrame:
    """Every indicator of the registry (the catalogue's) for `year` (or its `month`) and township codes (empty =
    whole county).

    Columns: indicator, name, unit, value, previous (同比: the same span a year earlier), prior (环比: the month
    before, for a month; else NaN), month (the month, None for 年初至今), target, note, completion (%, value/target; a month has no target of its own),
    table, problem (Chinese message when the source table cannot be read, else None).
    """
    as_of = resolve_as_of(extracts, as_of)
    period = Period(year, month)
    codes = list(townships)
    scope_targets = (
        _POOL.submit(targets_for_scope, extracts, year, codes)
        if extracts.available("targets") and not period.is_month
        else None
    )
    prior_job = None
    if period.is_month:
        before = period.prior()
        prior_job = _POOL.submit(
            indicator_values,
            extracts,
            before.year,
            codes,
            [as_of],
            indicators=indicators,
            month=before.month,
        )
    values, problems = indicator_values(extracts, year, codes, [as_of], indicators=indicators, month=month)
    computed = {
        row.indicator: (number_or_none(row.value), number_or_none(row.previous))
        for row in values.itertuples(index=False)
    }
    prior: dict[str, float | None] = {}
    if prior_job is not None:
        prior = {row.indicator: number_or_none(row.value) for row in prior_job.result()[0].itertuples(index=False)}

    targets = {}
    if scope_targets is not None:
        for row in scope_targets.result().itertuples(index=False):
            targets[row.indicator] = (number_or_none(row.scope_target), row.note or None)

    if period.is_month:
        computed, prior = _without_empty_months(extracts, period, computed, prior, indicators)

    records = []
    for indicator in indicators:
        value, previous = computed.get(indicator.code, (None, None))
        target, note = targets.get(indicator.code, (None, None))
        completion = 100.0 * value / target if value is not None and target else None
        records.append(
            {
                "indicator": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "value": value,
                "previous": previous,
                "prior": prior.get(indicator.code),
                "month": month,
                "target": target,
                "note": note,
                "completion": completion,
                "table": indicator.table,
                "problem": problems.get(indicator.table),
            }
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def months_with_rows(extracts: Extracts) -> frozenset[tuple[str, date]]:
    """(source table, first day of a month) for every month each flow table has rows in: read once per opened
    folder (every month view, scope and county, asks the same county-wide question)."""
    found = extracts.memo.get("months_with_rows")
    if found is None:
        rows = run_query(extracts.con, "months_with_rows")
        found = frozenset((row.source, pd.Timestamp(row.month).date()) for row in rows.itertuples(index=False))
        extracts.memo["months_with_rows"] = found
    return found


def _without_empty_months(
    extracts: Extracts,
    period: Period,
    computed: dict[str, tuple[float | None, float | None]],
    prior: dict[str, float | None],
    indicators: Sequence[Indicator],
) -> tuple[dict[str, tuple[float | None, float | None]], dict[str, float | None]]:
    """A month's figures with the month, its 同比 month and its 环比 month unknown (None, shown —, never 0) for each
    source table that has no rows at all in that month (a stock such as the certified persons stays)."""
    last_year = Period(period.year - 1, period.month)
    before = period.prior()
    present = months_with_rows(extracts)
    flows = {indicator.code: indicator.table for indicator in indicators if indicator.table in FLOW_TABLES}
    for code, table in flows.items():
        value, previous = computed.get(code, (None, None))
        computed[code] = (
            value if (table, period.starts) in present else None,
            previous if (table, last_year.starts) in present else None,
        )
        if (table, before.starts) not in present:
            prior[code] = None
    return computed, prior


def without_last_year(frame: pd.DataFrame) -> pd.DataFrame:
    """compute_indicators' frame for a year whose previous year the data do not hold: the flows' 上年同期 (payments,
    services …) are unknown (NaN, shown —), not 0; the certified persons on last year's day stay (a stock, known from
    the certificates' dates)."""
    return frame.assign(previous=frame["previous"].where(frame["table"] == "persons"))


def township_table(extracts: Extracts) -> pd.DataFrame:
    """Townships in official order (code, name, kind, sort_order)."""
    return run_query(extracts.con, "townships_in_order")


def codes_for_names(extracts: Extracts, names: Sequence[str]) -> list[str]:
    """Township codes for names; raises ValueError listing the valid names for an unknown one."""
    table = township_table(extracts)
    by_name = dict(zip(table["name"], table["code"], strict=True))
    unknown = [name for name in names if name not in by_name]
    if unknown:
        valid = "、".join(table["name"])
        raise ValueError(f"未知的乡镇（街道）：{'、'.join(unknown)}。可选：{valid}")
    return [by_name[name] for name in names]


def data_years(extracts: Extracts, as_of: date | None = None) -> list[int]:
    """Years that have data up to the as-of date, newest first (always includes the as-of year)."""
    cut = resolve_as_of(extracts, as_of)
    years = [int(y) for y in run_query(extracts.con, "data_years", as_of=cut)["year"]]
    if cut.year not in years:
        years.insert(0, cut.year)
    return sorted(set(years), reverse=True)
