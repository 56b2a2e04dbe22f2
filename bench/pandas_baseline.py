"""The obvious alternative, for the benchmark only: the overview's payment and service figures in pandas.

What a typical Streamlit app does: `pd.read_parquet` the extracts into DataFrames (cached in memory),
then filter and group them in pandas for every view. It mirrors queries/indicators_payments.sql and
queries/indicators_services.sql; tests/test_bench.py checks both give the same numbers. The dashboard
never uses this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from dpf.contract.catalogue import indicator_definitions
from dpf.contract.manifest import table_location

# (indicator, programme or '*' for all, measure) and (indicator, service, measure): the catalogue's definitions, as
# queries/indicators_payments.sql and queries/indicators_services.sql take them.
PAYMENT_MEASURES = indicator_definitions("payments")
SERVICE_MEASURES = indicator_definitions("services")

PAYMENT_COLUMNS = ["period", "program", "person_key", "project_key", "township_code", "amount_yuan"]
SERVICE_COLUMNS = ["served_on", "service", "person_key", "township_code", "quantity", "batch"]


@dataclass
class PandasExtracts:
    payments: pd.DataFrame
    services: pd.DataFrame


def load_frames(folder: Path) -> PandasExtracts:
    """Read payments and services into memory, with dates as datetimes and amounts as floats."""
    payments = pd.read_parquet(table_location(Path(folder), "payments"), columns=PAYMENT_COLUMNS)
    payments["period"] = pd.to_datetime(payments["period"])
    payments["amount_yuan"] = payments["amount_yuan"].astype("float64")
    services = pd.read_parquet(table_location(Path(folder), "services"), columns=SERVICE_COLUMNS)
    services["served_on"] = pd.to_datetime(services["served_on"])
    return PandasExtracts(payments, services)


def report_spans(year: int, as_of: date) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """queries/_macros.sql report_spans: this year to the as-of date, and the same span a year earlier."""
    value_end = min(date(year, 12, 31), as_of)
    previous_end = min(date(year - 1, 12, 31), _year_earlier(as_of))
    return {
        "value": (pd.Timestamp(year, 1, 1), pd.Timestamp(value_end)),
        "previous": (pd.Timestamp(year - 1, 1, 1), pd.Timestamp(previous_end)),
    }


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _scoped(frame: pd.DataFrame, day: str, span: tuple[pd.Timestamp, pd.Timestamp], townships: Sequence[str]):
    mask = frame[day].between(span[0], span[1])
    if townships:
        mask &= frame["township_code"].isin(list(townships))
    return frame[mask]


def _measured(frame: pd.DataFrame, key: str, sums: dict[str, str], distinct: dict[str, str]) -> pd.DataFrame:
    """Per `key`: rows, the named sums, distinct persons and the named distinct counts (the SQL's measures)."""
    spec = {"rows": (key, "size"), **{name: (column, "sum") for name, column in sums.items()}}
    spec |= {"persons": ("person_key", "nunique")} | {name: (c, "nunique") for name, c in distinct.items()}
    return frame.groupby(key).agg(**spec)


def _add(values: dict[str, dict[str, float]], span: str, definitions, measured: pd.DataFrame) -> None:
    """Add each (indicator, code or '*' for all, measure) of `definitions` from `measured` to `values[indicator]`."""
    for indicator, code, measure in definitions:
        column = measured[measure]
        figure = float(column.sum() if code == "*" else column.get(code, 0))
        slot = values.setdefault(indicator, {"value": 0.0, "previous": 0.0})
        slot[span] += figure


def pandas_indicators(data: PandasExtracts, year: int, townships: Sequence[str], as_of: date) -> pd.DataFrame:
    """indicator, value, previous for the payment and service indicators (the SQL's output, sorted)."""
    values: dict[str, dict[str, float]] = {}
    for span, bounds in report_spans(year, as_of).items():
        paid = _scoped(data.payments, "period", bounds, townships)
        by_program = _measured(paid, "program", {"amount": "amount_yuan"}, {"projects": "project_key"})
        _add(values, span, PAYMENT_MEASURES, by_program)
        served = _scoped(data.services, "served_on", bounds, townships)
        by_service = _measured(served, "service", {"quantity": "quantity"}, {"batches": "batch"})
        _add(values, span, SERVICE_MEASURES, by_service)
    frame = pd.DataFrame(
        [(indicator, v["value"], v["previous"]) for indicator, v in values.items()],
        columns=["indicator", "value", "previous"],
    )
    return frame.sort_values("indicator", ignore_index=True)
