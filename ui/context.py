"""The view every page renders: data folder, year, townships and as-of, chosen in the sidebar."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dpf.auth.access import OPEN_SCOPE, Scope, restrict_rows
from dpf.contract.check import CheckResult
from dpf.data.db import Extracts
from dpf.figures.coverage import QUERY as COVERAGE_QUERY
from dpf.figures.coverage import coverage_params, coverage_table, view_month
from dpf.figures.indicators import without_last_year
from dpf.figures.period import Period
from dpf.figures.township_shapes import Shapes
from dpf.formatting import scope_label
from dpf.narrative.facts import township_rank
from ui.data import (
    cached_check,
    cached_county_township_values,
    cached_cumulative,
    cached_grid,
    cached_indicators,
    cached_query,
    cached_township_values,
    cached_townships,
    cached_years,
    open_cached,
    prefetch,
    township_boundaries,
)

_VIEW_KEY = "dpf_view"
BOUNDARY_FALLBACK = "乡镇边界文件与乡镇（街道）表不一致，已改用方块图。"


@dataclass(frozen=True)
class View:
    folder: str
    fingerprint: str
    year: int
    township_codes: tuple[str, ...]
    township_names: tuple[str, ...]
    as_of: date | None
    source: str
    is_demo: bool
    problem: str | None  # the whole folder is unusable (no folder, no manifest)
    briefing: bool = False  # 简报模式: larger type, no sidebar, a title block
    access: Scope = OPEN_SCOPE  # the townships this session may see (dpf.auth.access): every query result is cut to it
    account: str | None = None  # the logged-in account (None: login is off)
    month: int | None = None  # 期间: one month of the year (1..12), None = 年初至今

    @property
    def period(self) -> Period:
        return Period(self.year, self.month)

    @property
    def span(self) -> str:
        """The span in a title or a sentence: 2024年, or 2024年6月 for a month view."""
        return self.period.name

    @property
    def same_span_last_year(self) -> str:
        """What 同比 compares with: 上年同期, or 上年同月 for a month view."""
        return self.period.same_span_last_year

    @property
    def span_end(self) -> str:
        """The day a stock is counted: 2024年末, or 2024年6月末 for a month view."""
        return f"{self.span}末" if self.month else f"{self.year}年末"

    @property
    def period_label(self) -> str:
        """2024年6月（截至6月15日）, 2024年 or 2023年全年: what the view's figures cover."""
        return self.period.label(self.as_of)

    @property
    def extracts(self) -> Extracts:
        return open_cached(self.folder, self.fingerprint)

    @property
    def scope(self) -> str:
        return scope_label(list(self.township_names))

    @property
    def townships(self) -> list[str]:
        return list(self.township_codes)

    def through_month_end(self) -> View:
        """The year so far up to the end of the view's month (its as-of date when the month is still running): a
        month view's targets are held against 序时进度 at the month's end. A view of the year so far is itself."""
        if self.month is None or self.as_of is None:
            return self
        return replace(self, month=None, as_of=self.period.cut(self.as_of))

    def trend_params(self) -> dict[str, Any]:
        """The parameters of a month-by-month chart: the year so far, up to the end of a month view's month."""
        return self.through_month_end().scope_params()

    def scope_params(self) -> dict[str, Any]:
        """The parameters of a query over the view's year, townships and as-of date."""
        return {"year": self.year, "townships": self.townships, "as_of": self.as_of, "month": self.month}

    def county_params(self) -> dict[str, Any]:
        """The parameters of a query over the whole county in the view's period, up to its as-of date."""
        return {"year": self.year, "as_of": self.as_of, "month": self.month}

    def year_params(self) -> dict[str, Any]:
        """The parameters of a query over the view's whole year (such as its targets)."""
        return {"year": self.year}

    def indicators(self) -> pd.DataFrame:
        """The scope's indicators; without last year in the data its flows' 上年同期 are unknown (—), not 0."""
        frame = cached_indicators(self.folder, self.fingerprint, self.year, self.township_codes, self.month, self.as_of)
        return frame if self.last_year_known() else without_last_year(frame)

    def county_indicators(self) -> pd.DataFrame:
        """The whole county's indicators for the year (the benchmark a township is compared with)."""
        frame = cached_indicators(self.folder, self.fingerprint, self.year, (), self.month, self.as_of)
        return frame if self.last_year_known() else without_last_year(frame)

    def township_values(self, code: str, townships: tuple[str, ...]) -> dict[str, float | None]:
        """The value of indicator `code` in each of `townships` (codes) for the view's year."""
        values = cached_township_values(
            self.folder, self.fingerprint, self.year, code, townships, self.month, self.as_of
        )
        return {township: value for township, value in values.items() if self.access.allows(township)}

    def township_table(self) -> pd.DataFrame:
        """The townships (code, name, kind, sort_order) in official order that the session may see."""
        towns = cached_townships(self.folder, self.fingerprint)
        return towns[[self.access.allows(code) for code in towns["code"]]].reset_index(drop=True)

    def grid(self) -> dict[str, tuple[int, int]] | None:
        """The townships' tile positions from the optional grid columns (None: the default grid)."""
        return cached_grid(self.folder, self.fingerprint)

    def boundaries(self) -> tuple[Shapes | None, str | None]:
        """The optional boundary file and what is wrong with it; its problem names townships, so a session that may
        see only some is told just that the tile map is used instead."""
        shapes, problem = township_boundaries(self.folder, self.fingerprint)
        return shapes, (BOUNDARY_FALLBACK if problem and self.access.is_restricted else problem)

    def township_rank(self, code: str, township: str) -> int:
        """The place of `township` among ALL townships on indicator `code` (1 = largest): only the place leaves here,
        no other township's name or figure, so a township account may see its own rank (第5/23)."""
        values = cached_county_township_values(self.folder, self.fingerprint, self.year, code, self.month, self.as_of)
        return township_rank(values, township)

    def last_year_known(self) -> bool:
        """Whether the data hold the year before the view's (else its 上年同期 is unknown: —, never 0)."""
        return self.year - 1 in cached_years(self.folder, self.fingerprint)

    def cumulative(self, year: int) -> pd.DataFrame:
        """Every indicator's value at each month end of `year` in the view's scope, cut at its as-of date."""
        return cached_cumulative(self.folder, self.fingerprint, year, self.township_codes, self.as_of)

    def prefetch_cumulative(self, year: int) -> None:
        """Start cumulative(year) in the background (a month-end series takes one query per month)."""
        prefetch(cached_cumulative, self.folder, self.fingerprint, year, self.township_codes, self.as_of)

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """queries/NAME.sql, cached per manifest; pass `townships=view.townships` etc. explicitly. The rows of
        townships outside the session's scope are cut here (dpf.auth.access.restrict_rows), whatever the parameters."""
        return restrict_rows(cached_query(self.folder, self.fingerprint, name, params_key(params)), self.access)

    def coverage_params(self, month: int | None = None) -> dict[str, Any]:
        """应补尽补's query parameters: the view's year, `month` (None: the view's month, else the month it speaks of,
        view_month), its as-of date and the manifest's grades of 护理补贴."""
        as_of = self.as_of or date(self.year, 12, 31)
        manifest = self.extracts.manifest
        grades = manifest.nursing_subsidy_grades if manifest is not None else ()
        return coverage_params(self.year, month or self.month or view_month(self.year, as_of), as_of, grades)

    def subsidy_coverage(self, month: int | None = None) -> pd.DataFrame:
        """应补尽补 of the view's townships (the session's own only) and their 合计 (dpf.figures.coverage)."""
        return coverage_table(self.query(COVERAGE_QUERY, **self.coverage_params(month)), self.township_codes)

    def prefetch(self, name: str, **params: Any) -> None:
        """Start view.query(name, **params) in the background: a page lists its queries first, so they run side
        by side with its indicators instead of one after another. The arguments must be the later call's."""
        prefetch(cached_query, self.folder, self.fingerprint, name, params_key(params))

    def prefetch_county_indicators(self) -> None:
        """Start county_indicators() in the background when a township is chosen (else it is indicators())."""
        if self.township_codes:
            prefetch(cached_indicators, self.folder, self.fingerprint, self.year, (), self.month, self.as_of)

    def contract_check(self) -> CheckResult:
        """The data folder's full contract check (数据状况), cached per manifest; raises dpf.contract.check_store.FolderChanged
        when an import swapped the folder during the check."""
        return cached_check(self.folder, self.fingerprint)

    def table_problem(self, *tables: str) -> str | None:
        return self.problem or self.extracts.problem(*tables)


def params_key(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Query parameters as a hashable cache key (lists travel as tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def set_view(view: View) -> None:
    st.session_state[_VIEW_KEY] = view


def current_view() -> View:
    """The view the sidebar chose in this run (dashboard.py sets it up before any page runs)."""
    return st.session_state[_VIEW_KEY]
