"""What the narrative needs for one view, collected from a source of dpf figures.

A source is anything with the four methods of `FigureSource`: ui.context.View (cached per manifest) and
`ExtractsSource` (the command line, tests) both are, so the page and `dpf brief` state the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

import pandas as pd

from dpf.auth.access import OPEN_SCOPE, Scope, restrict_rows
from dpf.contract.catalogue import MONTHLY_PROGRAMS, PROGRAM_BY_CODE
from dpf.data.db import Extracts
from dpf.data.sql import run_query
from dpf.figures.coverage import subsidy_coverage, unpaid_by_program, view_month
from dpf.figures.indicators import compute_indicators, township_values, without_last_year
from dpf.figures.period import Period
from dpf.figures.schedule import Basis
from dpf.figures.targets import evaluate_targets
from dpf.narrative.sentences import RANK_CODES, NarrativeInput, lagging, with_data
from dpf.numbers import number_or_zero

MONTHLY = sorted(MONTHLY_PROGRAMS, key=lambda code: list(PROGRAM_BY_CODE).index(code))


class FigureSource(Protocol):
    def indicators(self) -> pd.DataFrame: ...
    def county_indicators(self) -> pd.DataFrame: ...
    def township_values(self, code: str, townships: tuple[str, ...]) -> dict[str, float | None]: ...
    def township_rank(self, code: str, township: str) -> int: ...
    def query(self, name: str, **params: Any) -> pd.DataFrame: ...
    def subsidy_coverage(self, month: int) -> pd.DataFrame: ...
    def table_problem(self, *tables: str) -> str | None: ...
    def through_month_end(self) -> FigureSource: ...


@dataclass(frozen=True)
class ExtractsSource:
    """dpf's figures for a year and township codes straight from the extracts (no cache). `access` cuts every
    query's rows and township values to a scope as a session's View does (dpf.auth.access): a 定时报告 to a
    township account holds nothing of the other townships but its own place among them."""

    extracts: Extracts
    year: int
    township_codes: tuple[str, ...] = ()
    month: int | None = None  # one month of the year; None = 年初至今
    access: Scope = OPEN_SCOPE
    as_of: date | None = None  # None: the manifest's

    def indicators(self) -> pd.DataFrame:
        codes = list(self.township_codes)
        return compute_indicators(self.extracts, self.year, codes, self.as_of, month=self.month)

    def county_indicators(self) -> pd.DataFrame:
        if not self.township_codes:
            return self.indicators()
        return compute_indicators(self.extracts, self.year, as_of=self.as_of, month=self.month)

    def township_values(self, code: str, townships: tuple[str, ...]) -> dict[str, float | None]:
        values = township_values(self.extracts, self.year, code, list(townships), self.as_of, self.month)
        return {township: value for township, value in values.items() if self.access.allows(township)}

    def through_month_end(self) -> ExtractsSource:
        """The year so far up to the end of the month (as ui.context.View.through_month_end): itself for 年初至今."""
        if self.month is None:
            return self
        as_of = self.as_of or self.extracts.known_manifest().as_of
        return replace(self, month=None, as_of=Period(self.year, self.month).cut(as_of))

    def township_rank(self, code: str, township: str) -> int:
        """The place among ALL townships (only the place leaves here, as View.township_rank)."""
        everyone = list(run_query(self.extracts.con, "townships_in_order")["code"])
        return township_rank(
            township_values(self.extracts, self.year, code, everyone, self.as_of, self.month), township
        )

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        return restrict_rows(run_query(self.extracts.con, name, **params), self.access)

    def subsidy_coverage(self, month: int) -> pd.DataFrame:
        return subsidy_coverage(self.extracts, self.year, month, self.township_codes)

    def table_problem(self, *tables: str) -> str | None:
        return self.extracts.problem(*tables)


def township_rank(values: dict[str, float | None], code: str) -> int:
    """The place of township `code` among all townships by value, the largest first (ties share a place)."""
    own = number_or_zero(values.get(code))
    return 1 + sum(1 for value in values.values() if number_or_zero(value) > own)


def collect(
    source: FigureSource,
    year: int,
    as_of: date,
    township_codes: Sequence[str] = (),
    basis: Basis = "day",
    has_targets: bool = True,
    month: int | None = None,
) -> NarrativeInput:
    """The narrative's input for the view: indicators, targets, ranks (one township), idle townships of the lagging
    targets, the townships without two-subsidy records in the as-of month that had them before, and the two
    subsidies' eligible persons not paid in the view's month (应补尽补). A month view's (`month`): the month's
    figures, the 填报 gaps and 应补尽补 of that month, and its targets from the year so far at the month's end
    (`year_so_far`)."""
    data = _figures(source, year, as_of, township_codes, basis, has_targets, month)
    townships = _townships(source, township_codes)
    scope = tuple(township_codes) or tuple(townships["code"])
    ranks = {}
    if len(township_codes) == 1 and not source.table_problem("townships"):
        for code in RANK_CODES:
            ranks[code] = source.township_rank(code, township_codes[0])
    gaps = {}
    if (month is not None or as_of.year == year) and not source.table_problem("payments", "townships"):
        grid = source.query("reporting_gaps", year=year, as_of=as_of, programs=MONTHLY)
        grid = grid[grid["gap"] & (grid["month"] == (month or as_of.month)) & grid["code"].isin(scope)]
        for program in MONTHLY:
            gaps[PROGRAM_BY_CODE[program].name] = tuple(grid.loc[grid["program"] == program, "name"])
    year_so_far = None
    if month is not None:
        cut = Period(year, month).cut(as_of)
        year_so_far = _figures(source.through_month_end(), year, cut, township_codes, basis, has_targets)
    coverage_month, unpaid = month or view_month(year, as_of), ()  # a month view's month, else the as-of month
    if not source.table_problem("persons", "payments", "townships"):
        unpaid = unpaid_by_program(source.subsidy_coverage(coverage_month))
    return replace(
        data,
        ranks=ranks,
        reporting_gaps=gaps,
        year_so_far=year_so_far,
        coverage_month=coverage_month,
        unpaid=unpaid,
    )


def _townships(source: FigureSource, township_codes: Sequence[str]) -> pd.DataFrame:
    """code, name of every township in order (the chosen codes as their names when the table cannot be read)."""
    if source.table_problem("townships"):
        return pd.DataFrame({"code": list(township_codes), "name": list(township_codes)})
    return source.query("townships_in_order")


def _figures(
    source: FigureSource,
    year: int,
    as_of: date,
    township_codes: Sequence[str],
    basis: Basis,
    has_targets: bool,
    month: int | None = None,
) -> NarrativeInput:
    """The view's indicators (scope and county), evaluated targets and the idle townships of the lagging ones."""
    indicators = source.indicators()
    county = source.county_indicators() if township_codes else indicators
    last_year_known = (year - 1) in set(source.query("data_years", as_of=as_of)["year"])
    if not last_year_known:  # the extract starts this year: a flow's 上年同期 is unknown (—), not 0
        indicators, county = (without_last_year(frame) for frame in (indicators, county))
    townships = _townships(source, township_codes)
    names = dict(zip(townships["code"], townships["name"], strict=True))
    scope = tuple(township_codes) or tuple(townships["code"])
    data = NarrativeInput(
        year=year,
        as_of=as_of,
        townships=tuple(names[code] for code in township_codes),
        indicators=indicators,
        county=county,
        targets=tuple(with_data(indicators, evaluate_targets(indicators, year, as_of, basis))),
        has_targets=has_targets,
        basis=basis,
        last_year_known=last_year_known,
        month=month,
    )
    idle = {}
    for row in lagging(data):
        values = source.township_values(row.code, scope)
        idle[row.code] = tuple(names[code] for code in scope if not number_or_zero(values.get(code)))
    return replace(data, idle_townships=idle, scope_size=len(scope))


def collect_for_extracts(
    extracts: Extracts,
    year: int,
    township_codes: Sequence[str] = (),
    basis: Basis = "day",
    access: Scope = OPEN_SCOPE,
    month: int | None = None,
) -> NarrativeInput:
    """The narrative's input for a view of a data folder (the command line, 定时报告, tests), as of its manifest."""
    source = ExtractsSource(extracts, year, tuple(township_codes), month=month, access=access)
    as_of = extracts.known_manifest().as_of
    return collect(source, year, as_of, township_codes, basis, has_targets=extracts.available("targets"), month=month)
