"""The optional township boundary file (townships.geojson or townships.json beside the extracts), read and checked.

Each feature names its township by code, in `properties.code` or as the feature's `id`; its geometry is a Polygon
or MultiPolygon in longitude/latitude. The file is used only when it is sound and matches the townships table
exactly: a malformed file, a feature whose code is no township and a township without a feature each give one
Chinese line naming them, and the tile map is drawn instead.

A file from outside is bounded before it is parsed (a crafted or unsimplified file cannot stall the map tab or
exhaust memory): at most MAX_BYTES on disk and MAX_DEPTH levels of nesting (read from the raw bytes), then at most
MAX_FEATURES features and MAX_POINTS coordinate pairs. Each limit has its own Chinese line, and the tile map is used.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHAPE_FILES = ("townships.geojson", "townships.json")
GEOMETRIES = ("Polygon", "MultiPolygon")
MAX_NAMED = 5  # townships named in a message before "等N个"
MAX_BYTES = 5_000_000  # 5 MB; a county's simplified boundaries take well under 1 MB; the browser draws every point
MAX_DEPTH = 20  # a MultiPolygon FeatureCollection nests 8 levels deep
MAX_FEATURES = 5_000
MAX_POINTS = 200_000
FALLBACK = "，地图改用方块图显示。"
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class TooLarge(ValueError):
    """A limit of the boundary file was passed; the message is the Chinese line."""


@dataclass(frozen=True)
class Shapes:
    """A sound boundary file: a FeatureCollection whose features carry their township code as `id`."""

    geojson: dict[str, Any]
    center: tuple[float, float]  # (lon, lat) of the bounding box's middle
    zoom: float  # a map zoom that shows the whole bounding box


def shape_file(folder: Path) -> Path | None:
    """The boundary file in `folder`, or None when there is none (the tile map is then the map)."""
    for name in SHAPE_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def _named(codes: Sequence[str]) -> str:
    more = f"等{len(codes)}个" if len(codes) > MAX_NAMED else ""
    return "、".join(codes[:MAX_NAMED]) + more


def nesting_depth(raw: bytes, most: int | None = None) -> int:
    """How deep the JSON text's arrays and objects nest, read without parsing it (brackets inside strings skipped):
    innermost pairs are removed until none is left, one level a pass. Stops counting past `most`; unbalanced
    brackets (a malformed file, for the parser to refuse) end the count."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, delete=_NOT_BRACKETS)
    depth = 0
    while brackets and (most is None or depth <= most):
        inner = _INNERMOST.sub(b"", brackets)
        if inner == brackets:
            break
        brackets, depth = inner, depth + 1
    return depth


def _bounded_json(path: Path) -> Any:
    """The file parsed, once its size and nesting are within the limits (TooLarge otherwise)."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TooLarge(
            f"乡镇边界文件 {name} 过大（{size / 1e6:.1f} MB，上限 {MAX_BYTES / 1e6:g} MB），请先简化边界（如用 mapshaper）{FALLBACK}"
        )
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES or nesting_depth(raw, MAX_DEPTH) > MAX_DEPTH:
        raise TooLarge(f"乡镇边界文件 {name} 嵌套层数过多（上限 {MAX_DEPTH} 层），不是乡镇边界{FALLBACK}")
    return json.loads(raw.decode("utf-8-sig"))  # a BOM, as some GIS tools write, is fine


def _points(coordinates: Any) -> Iterator[tuple[float, float]]:
    """Every (lon, lat) of a Polygon's or MultiPolygon's nested coordinate lists."""
    if isinstance(coordinates, list) and len(coordinates) >= 2 and all(isinstance(c, int | float) for c in coordinates):
        yield float(coordinates[0]), float(coordinates[1])
    elif isinstance(coordinates, list):
        for part in coordinates:
            yield from _points(part)
    else:
        raise ValueError("coordinates")


def read_shapes(path: Path, townships: Mapping[str, str]) -> tuple[Shapes | None, str | None]:
    """The file's shapes for `townships` (name by code, in order), or None and one Chinese line saying what is
    wrong (a missing township by name, an unknown feature by its code)."""
    codes = list(townships)
    name = path.name
    fallback = FALLBACK
    try:
        data = _bounded_json(path)
        features = data["features"] if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
        if not isinstance(features, list):
            raise ValueError("not a FeatureCollection")
        if len(features) > MAX_FEATURES:
            raise TooLarge(f"乡镇边界文件 {name} 的要素过多（{len(features):,}个，上限 {MAX_FEATURES:,}个）{fallback}")
        keyed: dict[str, dict[str, Any]] = {}
        points: list[tuple[float, float]] = []
        for feature in features:
            properties = feature.get("properties") or {}
            code = properties.get("code", feature.get("id"))
            geometry = feature.get("geometry") or {}
            if code is None or geometry.get("type") not in GEOMETRIES:
                raise ValueError("feature without code or polygon")
            points.extend(_points(geometry["coordinates"]))
            if len(points) > MAX_POINTS:
                raise TooLarge(
                    f"乡镇边界文件 {name} 的坐标点过多（上限 {MAX_POINTS:,}个），请先简化边界（如用 mapshaper）{fallback}"
                )
            keyed[str(code)] = {"type": "Feature", "id": str(code), "properties": {}, "geometry": geometry}
    except TooLarge as limit:
        return None, str(limit)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return (
            None,
            f"乡镇边界文件 {name} 格式不正确（须为 GeoJSON 要素集合，每个要素带乡镇代码和多边形边界）{fallback}",
        )
    unknown = sorted(set(keyed) - set(codes))
    missing = [townships[code] for code in codes if code not in keyed]
    if unknown:
        return None, f"乡镇边界文件 {name} 中有乡镇（街道）表里没有的代码：{_named(unknown)}{fallback}"
    if missing:
        return None, f"乡镇边界文件 {name} 缺少这些乡镇（街道）的边界：{_named(missing)}{fallback}"
    if not points:
        return None, f"乡镇边界文件 {name} 没有边界坐标{fallback}"
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    span = max(max(lons) - min(lons), max(lats) - min(lats), 1e-6)
    center = ((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    zoom = max(0.0, min(16.0, math.log2(360.0 / span) - 0.2))  # the box about 500 px across (512 px tiles)
    geojson = {"type": "FeatureCollection", "features": [keyed[code] for code in codes]}
    return Shapes(geojson, center, zoom), None
