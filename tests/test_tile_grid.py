"""The tile map's layout (dpf.figures.tile_grid) and the boundary file's checks (dpf.figures.township_shapes), on hand-made input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dpf.data.db import open_extracts
from dpf.figures.tile_grid import comparable, default_grid, fmt_comparable, read_grid, tile_positions
from dpf.figures.township_shapes import read_shapes, shape_file
from tests.extract_builder import town, write_set


def test_the_default_grid_is_near_square_in_official_order() -> None:
    codes = [f"t{i:02}" for i in range(23)]
    grid = default_grid(codes)
    assert grid["t00"] == (0, 0) and grid["t04"] == (0, 4) and grid["t05"] == (1, 0) and grid["t22"] == (4, 2)
    assert len(set(grid.values())) == 23


def test_a_complete_grid_is_used_shifted_to_the_top_left() -> None:
    positions, problem = tile_positions(["a", "b"], {"a": (3, 5), "b": (4, 7)})
    assert problem is None
    assert positions == {"a": (0, 0), "b": (1, 2)}


def test_an_incomplete_or_overlapping_grid_falls_back_with_a_line() -> None:
    positions, problem = tile_positions(["a", "b", "c"], {"a": (0, 0), "b": (0, 1)})
    assert positions == {"a": (0, 0), "b": (0, 1), "c": (1, 0)}
    assert "缺1个" in problem
    positions, problem = tile_positions(["a", "b"], {"a": (2, 2), "b": (2, 2)})
    assert positions == {"a": (0, 0), "b": (0, 1)}
    assert "重复" in problem
    assert tile_positions(["a"], None) == ({"a": (0, 0)}, None)


def test_values_are_made_comparable_between_townships() -> None:
    assert comparable(50_000.0, 40, "元") == 1250.0
    assert comparable(6, 400, "人次") == 15.0
    assert comparable(96.5, 0, "%") == 96.5
    assert comparable(6, 0, "人") is None and comparable(None, 10, "元") is None
    assert fmt_comparable(1250.4, "元") == "1,250元"
    assert fmt_comparable(15.04, "人次") == "15.0"
    assert fmt_comparable(96.54, "%") == "96.5%"


def _towns(tmp_path: Path, grid: list[tuple[int | None, int | None]] | None) -> Path:
    folder = write_set(
        tmp_path / "set",
        {"townships": [town("A1", "甲镇", "镇", 1), town("B2", "乙乡", "乡", 2)]},
        as_of=date(2024, 6, 30),
    )
    if grid is not None:
        table = pq.read_table(folder / "townships.parquet")
        table = table.append_column("grid_row", pa.array([r for r, _ in grid], pa.int16()))
        table = table.append_column("grid_col", pa.array([c for _, c in grid], pa.int16()))
        pq.write_table(table, folder / "townships.parquet")
    return folder


def test_the_grid_is_read_from_the_optional_columns(tmp_path) -> None:
    extracts = open_extracts(_towns(tmp_path, [(0, 1), (1, None)]))
    assert read_grid(extracts) == {"A1": (0, 1)}  # an unplaced township is left out (then the default grid)


def test_a_townships_table_without_the_columns_has_no_grid(tmp_path) -> None:
    assert read_grid(open_extracts(_towns(tmp_path, None))) is None


def _square(lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _geojson(path: Path, features: list[tuple[str, dict]]) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": c}, "geometry": g} for c, g in features],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


TOWNS = {"A1": "甲镇", "B2": "乙乡"}


def test_a_sound_file_gives_shapes_keyed_by_code(tmp_path) -> None:
    path = _geojson(tmp_path / "townships.geojson", [("B2", _square(110.1, 30)), ("A1", _square(110, 30))])
    assert shape_file(tmp_path) == path
    shapes, problem = read_shapes(path, TOWNS)
    assert problem is None
    assert [f["id"] for f in shapes.geojson["features"]] == ["A1", "B2"]
    assert shapes.center == (110.1, 30.05)


def test_unknown_missing_and_malformed_are_named(tmp_path) -> None:
    path = _geojson(tmp_path / "townships.json", [("A1", _square(110, 30)), ("Z9", _square(111, 30))])
    shapes, problem = read_shapes(path, TOWNS)
    assert shapes is None and "Z9" in problem and "方块图" in problem
    path = _geojson(tmp_path / "townships.json", [("A1", _square(110, 30))])
    assert "乙乡" in read_shapes(path, TOWNS)[1]
    path.write_text("{not json", encoding="utf-8")
    assert "格式不正确" in read_shapes(path, TOWNS)[1]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"id": "A1"}]}), encoding="utf-8")
    assert "格式不正确" in read_shapes(path, TOWNS)[1]


def test_a_grid_column_of_another_type_gives_no_grid(tmp_path) -> None:
    folder = _towns(tmp_path, None)
    table = pq.read_table(folder / "townships.parquet")
    days = pa.array([date(2024, 1, 1)] * 2)
    pq.write_table(table.append_column("grid_row", days).append_column("grid_col", days), folder / "townships.parquet")
    assert read_grid(open_extracts(folder)) in (None, {})  # never an error: the map falls back to official order
