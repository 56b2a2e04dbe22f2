"""The boundary file's limits, checked before it is parsed: size, nesting depth, features and points each give
their own Chinese line (and no shapes), never a hang or an uncaught RecursionError; a sound file still reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpf.figures import township_shapes
from dpf.figures.township_shapes import nesting_depth, read_shapes

TOWNSHIPS = {"001": "城关街道", "002": "龙山镇"}


def square(lon: float, points: int = 5) -> list[list[list[float]]]:
    """A closed ring of `points` coordinate pairs around (lon, 30)."""
    ring = [[lon + 0.1 * (i % 2), 30 + 0.1 * (i // 2 % 2)] for i in range(points - 1)]
    return [[*ring, ring[0]]]


def write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def feature(code: str, rings: list) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": rings}}


def sound(path: Path) -> Path:
    return write(path, [feature(code, square(110 + i)) for i, code in enumerate(TOWNSHIPS)])


def test_a_sound_file_reads(tmp_path):
    shapes, problem = read_shapes(sound(tmp_path / "townships.geojson"), TOWNSHIPS)
    assert problem is None and [f["id"] for f in shapes.geojson["features"]] == ["001", "002"]


@pytest.mark.parametrize(
    ("raw", "most", "depth"),
    [
        (b"{}", None, 1),
        (b'{"a": [[1, 2], [3]]}', None, 3),
        (b'{"name": "[[[[{{{{\\"[[["}', None, 1),  # brackets and an escaped quote inside a string do not count
        (b"[" * 5000 + b"]" * 5000, None, 5000),
        (b"[" * 5000 + b"]" * 5000, 20, 21),  # counting stops past the limit
        (b"[" * 5000, None, 0),  # unbalanced: left to the parser, which refuses it
        (b"", None, 0),
    ],
)
def test_nesting_depth_is_read_from_the_raw_text(raw, most, depth):
    assert nesting_depth(raw, most) == depth


def test_an_unclosed_deep_file_is_malformed_not_a_recursion_error(tmp_path):
    path = tmp_path / "townships.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 5000, encoding="utf-8")
    shapes, problem = read_shapes(path, TOWNSHIPS)
    assert shapes is None and "格式不正确" in problem


def test_a_file_5000_levels_deep_is_refused_without_a_recursion_error(tmp_path):
    path = tmp_path / "townships.geojson"
    deep = "[" * 5000 + "]" * 5000
    path.write_text('{"type": "FeatureCollection", "features": [' + deep + "]}", encoding="utf-8")
    shapes, problem = read_shapes(path, TOWNSHIPS)
    assert shapes is None
    assert problem == "乡镇边界文件 townships.geojson 嵌套层数过多（上限 20 层），不是乡镇边界，地图改用方块图显示。"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = sound(tmp_path / "townships.geojson")
    monkeypatch.setattr(township_shapes, "MAX_BYTES", path.stat().st_size - 1)
    size, limit = path.stat().st_size / 1e6, (path.stat().st_size - 1) / 1e6
    shapes, problem = read_shapes(path, TOWNSHIPS)
    assert shapes is None
    assert problem == (
        f"乡镇边界文件 townships.geojson 过大（{size:.1f} MB，上限 {limit:g} MB），请先简化边界（如用 mapshaper），"
        "地图改用方块图显示。"
    )


def test_too_many_features_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(township_shapes, "MAX_FEATURES", 2)
    path = write(tmp_path / "t.geojson", [feature(code, square(110)) for code in ("001", "002", "003")])
    shapes, problem = read_shapes(path, TOWNSHIPS)
    assert shapes is None and problem == "乡镇边界文件 t.geojson 的要素过多（3个，上限 2个），地图改用方块图显示。"


@pytest.mark.parametrize(("points", "refused"), [(10, False), (11, True)])
def test_points_past_the_limit_are_refused(tmp_path, monkeypatch, points, refused):
    """Two features of 5 and `points` - 5 pairs against a limit of 10 pairs."""
    monkeypatch.setattr(township_shapes, "MAX_POINTS", 10)
    path = write(tmp_path / "t.geojson", [feature("001", square(110)), feature("002", square(111, points - 5))])
    shapes, problem = read_shapes(path, TOWNSHIPS)
    if refused:
        assert shapes is None
        assert (
            problem
            == "乡镇边界文件 t.geojson 的坐标点过多（上限 10个），请先简化边界（如用 mapshaper），地图改用方块图显示。"
        )
    else:
        assert problem is None and shapes is not None


def test_a_file_with_a_byte_order_mark_reads(tmp_path):
    """Some GIS tools write UTF-8 with a BOM; before the limits it was 格式不正确."""
    path = sound(tmp_path / "townships.geojson")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    shapes, problem = read_shapes(path, TOWNSHIPS)
    assert problem is None and len(shapes.geojson["features"]) == 2
