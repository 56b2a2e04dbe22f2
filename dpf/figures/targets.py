"""Every target of a scope evaluated at once: the rows the 年度目标 page and the target tiles of other pages show.

Pure (no Streamlit, no DuckDB): it reads the frame dpf.figures.indicators.compute_indicators returns and, for the
projection, last year's month-end values from dpf.figures.progress.cumulative_by_month; dpf.figures.schedule does the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dpf.contract.catalogue import INDICATOR_BY_CODE, TARGET_UNITS
from dpf.figures.progress import monthly_increments, series_for
from dpf.figures.schedule import Basis, TargetProgress, evaluate_target
from dpf.numbers import number_or_none


@dataclass(frozen=True)
class TargetRow:
    """One evaluated target: what it measures (code, the catalogue's label, the target's unit) and where it stands."""

    code: str
    name: str
    unit: str
    progress: TargetProgress
    last_year_total: float | None = None  # the indicator's whole previous year, while this one runs (a count)

    @property
    def share_of_last_year(self) -> float | None:
        """The year so far as a share of the whole previous year, % (None: no previous year, or it was 0)."""
        if not self.last_year_total:
            return None
        return 100.0 * self.progress.value / self.last_year_total

    @property
    def target(self) -> float:
        """The target's figure: a row is only made for an indicator that has one (evaluate_targets)."""
        assert self.progress.target is not None
        return self.progress.target

    @property
    def counted_as(self) -> str:
        """How the indicator counts in the target's unit, where they differ (TARGET_UNITS), else ''."""
        return TARGET_UNITS.get(self.code, ("", ""))[1]


def target_unit(code: str) -> str:
    """The unit a target of `code` is set in: the plan's (TARGET_UNITS), else the indicator's."""
    return TARGET_UNITS.get(code, (INDICATOR_BY_CODE[code].unit,))[0]


@dataclass(frozen=True)
class TownshipTarget:
    """One township's share of a county target and where it stands."""

    code: str
    name: str
    progress: TargetProgress


def last_year_pattern(last_year: pd.DataFrame | None, code: str) -> list[float] | None:
    """Last year's monthly increments of an indicator from its month-end values (None: no data, or a rate)."""
    if last_year is None or INDICATOR_BY_CODE[code].is_rate:
        return None
    return monthly_increments(series_for(last_year, code))


def last_year_total(last_year: pd.DataFrame | None, code: str) -> float | None:
    """An indicator's whole previous year, its December cumulative value (None: no data, or a rate)."""
    if last_year is None or INDICATOR_BY_CODE[code].is_rate:
        return None
    return number_or_none(series_for(last_year, code)[-1])


def evaluate_targets(
    indicators: pd.DataFrame,
    year: int,
    as_of: date,
    basis: Basis = "day",
    codes: Sequence[str] | None = None,
    last_year: pd.DataFrame | None = None,
) -> list[TargetRow]:
    """The indicators of `codes` (None: all) that have a target in the scope, evaluated, in the frame's order.

    `last_year` (cumulative_by_month of the year before) gives the projection last year's monthly pattern; without
    it the projection follows this year's run rate. Indicators without a scope target are left out (see
    `without_target`).
    """
    frame = indicators.set_index("indicator")
    if codes is not None:
        frame = frame[frame.index.isin(list(codes))]
    rows = []
    for code, item in frame.iterrows():
        target = number_or_none(item["target"])
        if target is None:
            continue
        progress = evaluate_target(
            year,
            as_of,
            number_or_none(item["value"]),
            target,
            note=item["note"] or None,
            is_rate=INDICATOR_BY_CODE[code].is_rate,
            monthly_last_year=last_year_pattern(last_year, code),
            basis=basis,
        )
        total = last_year_total(last_year, code)
        rows.append(TargetRow(code, INDICATOR_BY_CODE[code].label, target_unit(code), progress, total))
    return rows


def without_target(indicators: pd.DataFrame, codes: Iterable[str]) -> list[str]:
    """The codes with no target in the scope (a county target not broken down to the chosen townships)."""
    frame = indicators.set_index("indicator")
    return [code for code in codes if number_or_none(frame.loc[code, "target"]) is None]


def laggards_first(rows: Iterable[TargetRow]) -> list[TargetRow]:
    """Worst status first (严重滞后 … 已完成); within a status the furthest behind schedule first."""
    return sorted(rows, key=_lag)


def township_targets(
    year: int,
    as_of: date,
    code: str,
    shares: pd.DataFrame,
    values: Mapping[str, float | None],
    basis: Basis = "day",
) -> list[TownshipTarget]:
    """Each township's share of the target of `code` (shares: township_code, township_name, target) against its
    value (`values` by township code), laggards first."""
    is_rate = INDICATOR_BY_CODE[code].is_rate
    records = [
        TownshipTarget(
            share.township_code,
            share.township_name,
            evaluate_target(
                year, as_of, values.get(share.township_code), float(share.target), is_rate=is_rate, basis=basis
            ),
        )
        for share in shares.itertuples(index=False)
    ]
    return sorted(records, key=_lag)


def _lag(row: TargetRow | TownshipTarget) -> tuple[int, float]:
    progress = row.progress
    return progress.status.rank, progress.gap if progress.gap is not None else 0.0
