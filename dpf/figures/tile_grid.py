"""Where each township's tile goes on the tile map, and what value it shows.

The grid comes from the townships table's optional columns grid_row and grid_col (docs/data-contract.md); when
they are absent, incomplete or put two townships on one tile, the townships fill a near-square grid in official
order instead. The values are made comparable between townships of different sizes: amounts per certified person,
counts per 1,000 certified persons, rates as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from dpf.contract.catalogue import GRID_COLUMNS
from dpf.data.db import Extracts
from dpf.data.sql import run_query
from dpf.formatting import fmt_pct, fmt_per_thousand, fmt_yuan

Position = tuple[int, int]  # (row, column), row 0 at the top


def default_grid(codes: Sequence[str]) -> dict[str, Position]:
    """The townships in official order, row by row, in a near-square grid (23 townships: 5 columns, 5 rows)."""
    columns = max(1, math.ceil(math.sqrt(len(codes))))
    return {code: divmod(index, columns) for index, code in enumerate(codes)}


def tile_positions(codes: Sequence[str], grid: Mapping[str, Position] | None) -> tuple[dict[str, Position], str | None]:
    """Each township's tile: the given grid when it places every township on a tile of its own, else the default
    grid, with a Chinese line saying why the given one was not used (None when it was used or none was given)."""
    if not grid:
        return default_grid(codes), None
    missing = [code for code in codes if code not in grid]
    if missing:
        return default_grid(
            codes
        ), f"乡镇（街道）表的网格位置（grid_row、grid_col）缺{len(missing)}个，已按官方顺序排列。"
    taken: dict[Position, str] = {}
    for code in codes:
        if grid[code] in taken:
            return default_grid(codes), "乡镇（街道）表的网格位置（grid_row、grid_col）有重复，已按官方顺序排列。"
        taken[grid[code]] = code
    top = min(row for row, _ in taken)
    left = min(col for _, col in taken)
    return {code: (grid[code][0] - top, grid[code][1] - left) for code in codes}, None


def read_grid(extracts: Extracts) -> dict[str, Position] | None:
    """The townships table's grid_row/grid_col by code, or None when the table lacks the columns."""
    if extracts.problem("townships"):
        return None
    columns = set(extracts.con.table("townships").columns)
    if not set(GRID_COLUMNS) <= columns:
        return None
    try:
        rows = run_query(extracts.con, "township_grid")
    except duckdb.Error:  # a type no cast reads (the check warns about it): the default grid
        return None
    return {
        code: (int(row), int(col))
        for code, row, col in zip(rows["code"], rows["grid_row"], rows["grid_col"], strict=True)
        if pd.notna(row) and pd.notna(col)
    }


def comparable(value: float | None, certified: float | None, unit: str) -> float | None:
    """A township's value made comparable: % as it is, 元 per certified person, counts per 1,000 certified persons
    (None when the township has no certified person or no value)."""
    if value is None or value != value:
        return None
    if unit == "%":
        return value
    if not certified:
        return None
    return value / certified if unit == "元" else 1000.0 * value / certified


def fmt_comparable(value: float | None, unit: str) -> str:
    """A tile's label for `comparable(…, unit)`: 96.2%, 1,235元 or 12.3 (per 1,000, the unit in the title)."""
    if unit == "%":
        return fmt_pct(value)
    if unit == "元":
        return fmt_yuan(value)
    return fmt_per_thousand(value)


def comparable_unit(unit: str) -> str:
    """The unit of `comparable` for an indicator in `unit` (元/人, 人/千人 …)."""
    if unit == "%":
        return "%"
    if unit == "元":
        return "元/持证人"
    return f"{unit}/千名持证人"
