"""应补尽补: how many of the persons eligible for the two monthly subsidies were paid in a month, per township and for
the scope (docs/data-contract.md, "应补尽补"), from queries/subsidy_coverage_by_township.sql.

The month is explicit: a month view passes its own; a 年初至今 view passes `view_month` (the as-of month, December
for a year that has ended). Pages read the query through the view (its rows cut to the session's townships) and then
`coverage_table`; the narrative and the command line call `subsidy_coverage`. Both give the same frame: one row per
township in scope and programme, then the programme's 合计 row (code None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dpf.contract.catalogue import PROGRAM_BY_CODE
from dpf.data.db import Extracts
from dpf.data.sql import run_query
from dpf.figures.period import Period
from dpf.numbers import number_or_none

QUERY = "subsidy_coverage_by_township"
COVERAGE_PROGRAMS = ("nursing_subsidy", "living_subsidy")  # the query's programmes, in its order
TOTAL = "合计"
COUNTS = ("eligible", "paid", "unpaid")


def view_month(year: int, as_of: date) -> int:
    """The month a 年初至今 view of `year` speaks of: the as-of month while the year runs, December once it ended."""
    return as_of.month if as_of.year == year else 12


def month_label(year: int, month: int, as_of: date) -> str:
    """2024年9月, or 2024年9月（截至9月15日） for a month the data do not cover to its end."""
    return Period(year, month).label(as_of)


def coverage_params(year: int, month: int, as_of: date, grades: Sequence[int]) -> dict[str, Any]:
    """The query's parameters; `grades` are the manifest's nursing_subsidy_grades (() when invalid: 无法计算)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    return {"year": year, "month": month, "as_of": as_of, "grades": [int(grade) for grade in grades]}


def coverage_table(frame: pd.DataFrame, townships: Sequence[str] = ()) -> pd.DataFrame:
    """The query's rows of the townships in scope (codes; empty = every row given) and each programme's 合计: the
    sums of eligible, paid and unpaid, coverage = paid ÷ eligible; NULL (无法计算) where the townships' are."""
    rows = frame[frame["code"].isin(list(townships))] if townships else frame
    parts = []
    for program in COVERAGE_PROGRAMS:
        own = rows[rows["program"] == program]
        known = own["eligible"].notna().any()
        total: dict[str, Any] = {"code": None, "name": TOTAL, "sort_order": None, "program": program}
        total["cut"] = own["cut"].iloc[0] if len(own) else None
        for column in COUNTS:
            total[column] = int(own[column].sum()) if known else None
        eligible, paid = total["eligible"], total["paid"]
        total["coverage"] = 100.0 * paid / eligible if known and eligible else None
        parts += [own, pd.DataFrame([total])]
    table = pd.concat([part for part in parts if len(part)], ignore_index=True)
    return table.astype({column: "Int64" for column in COUNTS}).astype({"coverage": "Float64"})


def subsidy_coverage(extracts: Extracts, year: int, month: int, townships: Sequence[str] = ()) -> pd.DataFrame:
    """应补尽补 of the two monthly subsidies in `month` of `year`, as of the manifest, per township in scope with the
    合计 rows (coverage_table's frame)."""
    manifest = extracts.known_manifest()
    params = coverage_params(year, month, manifest.as_of, manifest.nursing_subsidy_grades)
    return coverage_table(run_query(extracts.con, QUERY, **params), townships)


@dataclass(frozen=True)
class Unpaid:
    """应补未补 of one programme in a month for a scope: its 合计 and each township's own count (most first, > 0)."""

    program: str
    eligible: int
    paid: int
    unpaid: int
    coverage: float | None
    townships: tuple[tuple[str, str, int], ...]  # (code, name, unpaid)

    @property
    def name(self) -> str:
        return PROGRAM_BY_CODE[self.program].name


def unpaid_by_program(table: pd.DataFrame) -> tuple[Unpaid, ...]:
    """From coverage_table's frame: each programme whose coverage can be computed and that has eligible persons not
    paid in the month (a 预警)."""
    found = []
    for program in COVERAGE_PROGRAMS:
        rows = table[table["program"] == program]
        total = rows[rows["code"].isna()]
        if total.empty or pd.isna(total["unpaid"].iloc[0]) or int(total["unpaid"].iloc[0]) == 0:
            continue
        towns = rows[rows["code"].notna() & (rows["unpaid"].fillna(0) > 0)]
        towns = towns.sort_values(["unpaid", "sort_order"], ascending=[False, True])
        found.append(
            Unpaid(
                program,
                int(total["eligible"].iloc[0]),
                int(total["paid"].iloc[0]),
                int(total["unpaid"].iloc[0]),
                number_or_none(total["coverage"].iloc[0]),
                tuple(zip(towns["code"], towns["name"], (int(n) for n in towns["unpaid"]), strict=True)),
            )
        )
    return tuple(found)
