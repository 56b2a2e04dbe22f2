"""The one missing-value rule (dpf.numbers), 万元 table cells and month ends."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dpf.figures.schedule import month_end
from dpf.formatting import wan
from dpf.numbers import is_missing, number_or_none, number_or_zero


@pytest.mark.parametrize("value", [None, math.nan, np.float64("nan"), np.float32("nan"), pd.NA, pd.NaT])
def test_missing_values(value) -> None:
    assert is_missing(value)
    assert number_or_none(value) is None
    assert number_or_zero(value) == 0.0


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (0.0, 0.0), (np.int64(7), 7.0), (2.5, 2.5), ("3", 3.0)])
def test_present_values(value, expected) -> None:
    assert not is_missing(value)
    assert number_or_none(value) == expected
    assert number_or_zero(value) == expected


@pytest.mark.parametrize(
    ("yuan", "expected"), [(25480, 2.55), (3696000, 369.6), (0, 0.0), (-12345, -1.23), (None, None)]
)
def test_wan_cells(yuan, expected) -> None:
    assert wan(yuan) == expected
    assert wan(math.nan) is None


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2024, 2, date(2024, 2, 29)),
        (2023, 2, date(2023, 2, 28)),
        (2024, 4, date(2024, 4, 30)),
        (2024, 12, date(2024, 12, 31)),
    ],
)
def test_month_end(year, month, expected) -> None:
    assert month_end(year, month) == expected
