"""The optional township boundary file (townships.geojson or townships.json beside the extracts), read and checked.

Each feature names its township by code, in `properties.code` or as the feature's `id`; its geometry is a Polygon
or MultiPolygon in longitude/latitude. The file is used only when it is sound and matches the townships table
exactly: a malformed file, a feature whose code is no township and a township without a feature each give one
Chinese line naming them, and the tile map is drawn instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHAPE_FILES = ("townships.geojson", "townships.json")
GEOMETRIES = ("Polygon", "MultiPolygon")
MAX_NAMED = 5  # townships named in a message before "等N个"


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
    fallback = "，地图改用方块图显示。"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"] if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
        if not isinstance(features, list):
            raise ValueError("not a FeatureCollection")
        keyed: dict[str, dict[str, Any]] = {}
        points: list[tuple[float, float]] = []
        for feature in features:
            properties = feature.get("properties") or {}
            code = properties.get("code", feature.get("id"))
            geometry = feature.get("geometry") or {}
            if code is None or geometry.get("type") not in GEOMETRIES:
                raise ValueError("feature without code or polygon")
            points.extend(_points(geometry["coordinates"]))
            keyed[str(code)] = {"type": "Feature", "id": str(code), "properties": {}, "geometry": geometry}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
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
