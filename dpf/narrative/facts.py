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

    def indicators(self) -> pd.DataFrame:
        return compute_indicators(self.extracts, self.year, list(self.township_codes), month=self.month)

    def county_indicators(self) -> pd.DataFrame:
        if not self.township_codes:
            return self.indicators()
        return compute_indicators(self.extracts, self.year, month=self.month)

    def township_values(self, code: str, townships: tuple[str, ...]) -> dict[str, float | None]:
        values = township_values(self.extracts, self.year, code, list(townships), month=self.month)
        return {township: value for township, value in values.items() if self.access.allows(township)}

    def township_rank(self, code: str, township: str) -> int:
        """The place among ALL townships (only the place leaves here, as View.township_rank)."""
        everyone = list(run_query(self.extracts.con, "townships_in_order")["code"])
        return township_rank(township_values(self.extracts, self.year, code, everyone, month=self.month), township)

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
    subsidies' eligible persons not paid in the view's month (应补尽补)."""
    indicators = source.indicators()
    county = source.county_indicators() if township_codes else indicators
    last_year_known = (year - 1) in set(source.query("data_years", as_of=as_of)["year"])
    if not last_year_known:  # the extract starts this year: a flow's 上年同期 is unknown (—), not 0
        indicators, county = (without_last_year(frame) for frame in (indicators, county))
    if source.table_problem("townships"):
        townships = pd.DataFrame({"code": list(township_codes), "name": list(township_codes)})
    else:
        townships = source.query("townships_in_order")
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
    ranks = {}
    if len(township_codes) == 1 and not source.table_problem("townships"):
        for code in RANK_CODES:
            ranks[code] = source.township_rank(code, township_codes[0])
    idle = {}
    for row in lagging(data):
        values = source.township_values(row.code, scope)
        idle[row.code] = tuple(names[code] for code in scope if not number_or_zero(values.get(code)))
    gaps = {}
    if as_of.year == year and not source.table_problem("payments", "townships"):
        grid = source.query("reporting_gaps", year=year, as_of=as_of, programs=MONTHLY)
        grid = grid[grid["gap"] & (grid["month"] == as_of.month) & grid["code"].isin(scope)]
        for program in MONTHLY:
            gaps[PROGRAM_BY_CODE[program].name] = tuple(grid.loc[grid["program"] == program, "name"])
    coverage_month, unpaid = month or view_month(year, as_of), ()  # a month view's month, else the as-of month
    if not source.table_problem("persons", "payments", "townships"):
        unpaid = unpaid_by_program(source.subsidy_coverage(coverage_month))
    return replace(
        data,
        ranks=ranks,
        idle_townships=idle,
        reporting_gaps=gaps,
        scope_size=len(scope),
        coverage_month=coverage_month,
        unpaid=unpaid,
    )


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
