"""`python -m dpf indicators`: every indicator for a year and townships, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pandas as pd

from dpf.db import open_extracts
from dpf.indicators import DataUnavailable, codes_for_names, compute_indicators, data_years, without_last_year
from dpf.safe_cells import csv_cell

EXPORT_COLUMNS = ["indicator", "name", "unit", "value", "previous", "target", "completion"]


def indicator_records(folder: Path, year: int, township_names: list[str]) -> list[dict]:
    extracts = open_extracts(folder)
    codes = codes_for_names(extracts, township_names) if township_names else []
    frame = compute_indicators(extracts, year, codes)
    if year - 1 not in data_years(extracts):  # last year not in the data: its flows' previous are unknown (null)
        frame = without_last_year(frame)
    frame = frame[EXPORT_COLUMNS]
    records = []
    for row in frame.to_dict(orient="records"):
        for key in ("value", "previous", "target", "completion"):
            value = row[key]
            row[key] = None if value is None or pd.isna(value) else round(float(value), 4)
        records.append(row)
    return records


def export_indicators(folder: Path, year: int, township_names: list[str], fmt: str = "table") -> int:
    try:
        records = indicator_records(folder, year, township_names)
    except (ValueError, DataUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if fmt == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
        print(buffer.getvalue(), end="")
    else:
        frame = pd.DataFrame.from_records(records, columns=EXPORT_COLUMNS)
        print(frame.to_string(index=False))
    return 0
