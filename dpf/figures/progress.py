"""Month-by-month cumulative indicator values, for target projections and progress charts.

Runs the indicator SQL once per source table with every month end as a cut (the KPI cards
use the same queries with the as-of date as the only cut), so distinct-person indicators
stay distinct over the months cumulated and every figure agrees with the cards. Months that
start after the as-of date have no value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from dpf.data.db import Extracts
from dpf.figures.indicators import indicator_values, resolve_as_of
from dpf.figures.schedule import month_ends
from dpf.numbers import is_missing


def cumulative_by_month(
    extracts: Extracts, year: int, townships: Sequence[str] = (), as_of: date | None = None
) -> pd.DataFrame:
    """Every indicator's cumulative value at each month end of `year`, cut at the as-of date.

    Columns: month (1..12), indicator, value. The as-of month's value is the value at as-of;
    months after the as-of month are NaN. A source table that cannot be read gives NaN.
    """
    cut = resolve_as_of(extracts, as_of)
    cuts = {month: min(end, cut) for month, end in enumerate(month_ends(year), start=1) if end.replace(day=1) <= cut}
    values, _ = indicator_values(extracts, year, townships, sorted(set(cuts.values())))
    by_cut = {day: frame[["indicator", "value"]] for day, frame in values.groupby("cut")}
    frames = [by_cut[day].assign(month=month) for month, day in cuts.items() if day in by_cut]
    if not frames:
        return pd.DataFrame({"month": pd.Series(dtype="int64"), "indicator": [], "value": []})
    result = pd.concat(frames, ignore_index=True)
    # Months after as-of: present, empty, so every indicator always has 12 rows.
    full = pd.MultiIndex.from_product([range(1, 13), result["indicator"].unique()], names=["month", "indicator"])
    result = result.set_index(["month", "indicator"])["value"].astype("float64").reindex(full).reset_index()
    return result[["month", "indicator", "value"]]


def series_for(cumulative: pd.DataFrame, indicator: str) -> list[float]:
    """The 12 cumulative values of one indicator (NaN where unknown) from `cumulative_by_month`."""
    rows = cumulative[cumulative["indicator"] == indicator].set_index("month")["value"]
    return [float(rows.get(month, math.nan)) for month in range(1, 13)]


def monthly_increments(cumulative: Sequence[float]) -> list[float] | None:
    """Per-month increments of 12 cumulative values (the first month is its own value).

    None when no month has data (no usable pattern). Unknown months (NaN) count as 0 and a
    cumulative value that falls (a certificate cancelled, a need re-dated) adds nothing.
    """
    values = list(cumulative)
    if len(values) != 12:
        raise ValueError(f"need 12 cumulative values, got {len(values)}")
    if all(is_missing(v) for v in values):
        return None
    increments = []
    previous = 0.0
    for value in values:
        if is_missing(value):
            increments.append(0.0)
            continue
        increments.append(max(0.0, float(value) - previous))
        previous = max(previous, float(value))
    return increments
