"""rehab_needs_met_rate means what the contract says: needs met by the data's as-of date, not by the year's end.

A hand-made set where the two readings differ: needs of 2023 met in 2024 count as met when 2023 is viewed at the
as-of date 2024-06-15 (the contract), though they were not met by 31 December 2023 (the span's end).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.figures.indicators import compute_indicators, indicator_values
from tests.extract_builder import A, B, need, person, town, write_set

AS_OF = date(2024, 6, 15)
NEEDS = [
    need("r1", "p1", "basic_medical", "2023-03-01", "2023-05-01"),  # met within 2023
    need("r2", "p1", "basic_medical", "2023-10-01", "2024-02-01"),  # met in 2024: met by as-of, not by year end
    need("r3", "p2", "assistive_device", "2023-11-01", "2024-06-15", township=B),  # met on the as-of day itself
    need("r4", "p2", "basic_medical", "2023-12-01", township=B),  # never met
    need("r5", "p1", "basic_medical", "2024-01-10", "2024-03-01"),
    need("r6", "p1", "basic_medical", "2024-02-10"),
    need("r7", "p1", "basic_medical", "2022-05-01", "2023-03-01"),  # 2022's need, met within 2023's span
]


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    tables = {
        "townships": [town(A, "城关街道", "街道", 1), town(B, "龙山镇", "镇", 2)],
        "persons": [person("p1", A), person("p2", B)],
        "payments": [],
        "services": [],
        "rehab_needs": NEEDS,
    }
    return open_extracts(write_set(tmp_path_factory.mktemp("met") / "set", tables, AS_OF))


def rate(extracts, year, townships=()):
    row = compute_indicators(extracts, year, townships).set_index("indicator").loc["rehab_needs_met_rate"]
    return row["value"], row["previous"]


def test_a_past_year_counts_needs_met_by_the_as_of_date(extracts):
    value, _ = rate(extracts, 2023)
    assert value == pytest.approx(300 / 4)  # r1 r2 r3 of r1..r4; by 2023-12-31 only r1 (25%)
    assert rate(extracts, 2023, (B,))[0] == pytest.approx(50.0)  # r3 met on the as-of day, r4 never
    assert rate(extracts, 2023, (A,))[0] == pytest.approx(100.0)  # r2, met in February 2024, counts


def test_the_current_year_and_its_previous_span(extracts):
    value, previous = rate(extracts, 2024)
    assert value == pytest.approx(50.0)  # r5 met, r6 not
    # 同比: 2023's needs up to 15 June 2023 (r1), met by 15 June 2023 — as things stood a year earlier.
    assert previous == pytest.approx(100.0)
    assert rate(extracts, 2022)[0] == pytest.approx(100.0)  # r7, met in 2023, long before the as-of date


def test_month_ends_count_needs_met_by_each_month_end(extracts):
    cuts = [date(2023, 12, 31), date(2024, 3, 31), AS_OF]
    frame, _ = indicator_values(extracts, 2023, (), cuts)
    rows = frame[frame["indicator"] == "rehab_needs_met_rate"]
    rates = {pd.Timestamp(cut).date(): value for cut, value in zip(rows["cut"], rows["value"], strict=True)}
    assert rates[date(2023, 12, 31)] == pytest.approx(25.0)  # as the data stood at the year's end: r1
    assert rates[date(2024, 3, 31)] == pytest.approx(50.0)  # r1 r2
    assert rates[AS_OF] == pytest.approx(75.0)  # r1 r2 r3


def test_township_queries_read_the_same_rule(extracts):
    coverage = run_query(extracts.con, "rehab_coverage_by_township", year=2023, as_of=AS_OF, month=None).set_index(
        "code"
    )
    assert coverage.loc[A, "met_rate"] == pytest.approx(100.0) and coverage.loc[B, "met_rate"] == pytest.approx(50.0)
    by_type = run_query(
        extracts.con, "rehab_needs_by_township_and_type", year=2023, townships=[], as_of=AS_OF, month=None
    )
    met = {(r.code, r.need): (r.met, r.recorded) for r in by_type.itertuples()}
    assert met[(A, "basic_medical")] == (2, 2) and met[(B, "assistive_device")] == (1, 1)
    assert met[(B, "basic_medical")] == (0, 1)
