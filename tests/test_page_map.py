"""乡镇地图 in AppTest: every township once, a click chooses it, a township account sees only its own tile, and a
boundary file beside the extracts turns the map into a choropleth (or, broken, gives one line and the tiles)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from dpf.data.db import open_extracts
from dpf.figures.indicators import township_table
from dpf.figures.schedule import Status
from tests.apptest_helpers import data_folder, no_exception, run_page, with_accounts
from ui.plain_text import markdown_literal

LONGSHAN = "349001101"  # 龙山镇 in the demo set


def map_figure(at: AppTest, key: str) -> dict:
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(charts) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(charts[0].proto.spec)


def shown_codes(figure: dict) -> list[str]:
    """The township codes the map's traces draw (tiles' customdata, a choropleth's locations)."""
    return [code for trace in figure["data"] for code in trace.get("locations", trace.get("customdata", []))]


def codes_of(folder: Path) -> list[str]:
    return list(township_table(open_extracts(folder))["code"])


def click(at: AppTest, folder: Path, key: str, code: str) -> AppTest:
    """What the browser sends when a tile is clicked: the chart's selection state with the tile's customdata."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))
    states = at._tree.get_widget_states()
    selection = {"selection": {"points": [{"customdata": code}], "point_indices": [0], "box": [], "lasso": []}}
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps(selection)))
    with data_folder(folder):
        at._run(states)
    return at


@pytest.mark.parametrize(
    ("page", "section", "key"),
    [("overview.py", "乡镇地图", "overview_map"), ("rehab.py", "覆盖地图", "rehab_map")],
)
def test_the_map_holds_every_township_once(demo_copy, page, section, key) -> None:
    at = run_page(demo_copy, page, section=section)
    assert no_exception(at)
    figure = map_figure(at, key)
    assert figure["data"][0]["type"] == "scatter"
    shown = shown_codes(figure)
    assert sorted(shown) == sorted(codes_of(demo_copy)) and len(shown) == 23


def test_the_targets_map_colours_townships_by_status(demo_copy) -> None:
    at = run_page(demo_copy, "targets.py", {"year": "2024"}, section="乡镇地图")
    assert no_exception(at)
    trace = map_figure(at, "targets_map")["data"][0]
    assert len(trace["customdata"]) == len(set(trace["customdata"])) > 0
    assert set(trace["marker"]["color"]) <= {status.color for status in Status}


def test_a_click_on_a_tile_chooses_that_township_and_again_goes_back(demo_copy) -> None:
    at = run_page(demo_copy, "overview.py", section="乡镇地图")
    click(at, demo_copy, "overview_map", LONGSHAN)
    assert no_exception(at)
    assert at.session_state["township"] == ["龙山镇"]
    assert at.query_params["township"] == "龙山镇"  # the URL the sidebar filter is bound to
    figure = map_figure(at, "overview_map")
    assert "范围：龙山镇" in figure["layout"]["annotations"][0]["text"]
    widths = dict(zip(figure["data"][0]["customdata"], figure["data"][0]["marker"]["line"]["width"], strict=True))
    assert widths[LONGSHAN] == 5 and sorted(widths.values())[-2] == 1  # only the chosen tile is outlined
    click(at, demo_copy, "overview_map", LONGSHAN)
    assert at.session_state["township"] == []


def longshan_map(folder: Path, tmp_path: Path, monkeypatch) -> tuple[dict, AppTest]:
    """总览's map as the 龙山镇 account: the figure (which shows 龙山镇 alone) and the run."""
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(tmp_path / "audit"))
    with_accounts(monkeypatch, tmp_path, longshan=("township", (LONGSHAN,)))
    at = run_page(folder, "overview.py", section="乡镇地图", account="longshan")
    assert no_exception(at)
    figure = map_figure(at, "overview_map")
    assert shown_codes(figure) == [LONGSHAN]
    return figure, at


def test_a_township_account_sees_only_its_own_tile(demo_copy, tmp_path, monkeypatch) -> None:
    figure, _ = longshan_map(demo_copy, tmp_path, monkeypatch)
    assert "城关街道" not in json.dumps(figure, ensure_ascii=False)


def boundaries(folder: Path, codes: list[str]) -> Path:
    """Synthetic square 'boundaries', one per code, in a row of 0.1° squares."""
    features = []
    for index, code in enumerate(codes):
        lon, lat = 110 + 0.1 * (index % 6), 30 + 0.1 * (index // 6)
        ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
        features.append(
            {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    path = folder / "townships.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_a_boundary_file_makes_the_map_a_choropleth(demo_copy) -> None:
    boundaries(demo_copy, codes_of(demo_copy))
    st.cache_data.clear()
    at = run_page(demo_copy, "overview.py", section="乡镇地图")
    assert no_exception(at)
    figure = map_figure(at, "overview_map")
    assert {trace["type"] for trace in figure["data"]} == {"choroplethmap"}
    assert sorted(shown_codes(figure)) == sorted(codes_of(demo_copy))
    assert figure["layout"]["map"]["style"] == "white-bg"  # no tile server


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda path, codes: path.write_text("{broken", encoding="utf-8"), "格式不正确"),
        (lambda path, codes: boundaries(path.parent, [*codes, "999999999"]), "999999999"),
        (lambda path, codes: boundaries(path.parent, codes[1:]), "城关街道"),
    ],
    ids=["malformed", "unknown", "missing"],
)
def test_a_broken_boundary_file_falls_back_to_tiles_with_a_line(demo_copy, damage, named) -> None:
    damage(demo_copy / "townships.geojson", codes_of(demo_copy))
    st.cache_data.clear()
    at = run_page(demo_copy, "overview.py", section="乡镇地图")
    assert no_exception(at)
    lines = [w.value for w in at.warning if "边界文件" in w.value]
    assert len(lines) == 1 and named in lines[0] and "方块图" in lines[0]
    figure = map_figure(at, "overview_map")
    assert figure["data"][0]["type"] == "scatter" and len(shown_codes(figure)) == 23


def oversized(folder: Path, codes: list[str], megabytes: float = 41.6) -> Path:
    """A sound boundary file of `megabytes` (the size of an unsimplified county export): long rings, one per code."""
    pair = "[117.123456789012, 31.123456789012], "
    pairs = int(megabytes * 1_000_000 / len(pair) / len(codes))
    features = [
        f'{{"type": "Feature", "properties": {{"code": "{code}"}}, "geometry": {{"type": "Polygon", "coordinates": '
        f"[[{pair * pairs}[117.123456789012, 31.123456789012]]]}}}}"
        for code in codes
    ]
    path = folder / "townships.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}", encoding="utf-8")
    return path


def too_deep(folder: Path, codes: list[str]) -> Path:
    """Every township's feature, one of them with coordinates nested 5,000 deep."""
    boundaries(folder, codes)
    path = folder / "townships.geojson"
    deep = "[" * 5000 + "]" * 5000
    path.write_text(path.read_text(encoding="utf-8").replace('"coordinates": [', f'"coordinates": [{deep}, ', 1))
    return path


@pytest.mark.parametrize(
    ("damage", "line"),
    [
        (oversized, "乡镇边界文件 townships.geojson 过大（41.6 MB，上限 5 MB），请先简化边界（如用 mapshaper），"),
        (too_deep, "乡镇边界文件 townships.geojson 嵌套层数过多（上限 20 层），不是乡镇边界，"),
    ],
    ids=["41.6MB", "5000-deep"],
)
def test_an_outsized_boundary_file_gives_its_line_and_the_tiles(demo_copy, damage, line) -> None:
    """Before these limits the 41.6 MB file was parsed and drawn (104 s for the tab) and the deep one raised an
    uncaught RecursionError."""
    damage(demo_copy, codes_of(demo_copy))
    st.cache_data.clear()
    at = run_page(demo_copy, "overview.py", section="乡镇地图")
    assert no_exception(at)
    lines = [w.value for w in at.warning if "边界文件" in w.value]
    assert lines == [markdown_literal(line + "地图改用方块图显示。")]
    figure = map_figure(at, "overview_map")
    assert figure["data"][0]["type"] == "scatter" and len(shown_codes(figure)) == 23


def test_a_code_from_the_boundary_file_is_shown_as_plain_text(demo_copy) -> None:
    """A feature code written as a Markdown link (and a Streamlit colour directive) reaches the warning escaped, so
    it renders as the characters themselves (tests/browser/test_map.py sees no link in the browser)."""
    code = "[点此](https://evil.example/x_y) :red[危险]"
    boundaries(demo_copy, [*codes_of(demo_copy), code])
    st.cache_data.clear()
    at = run_page(demo_copy, "overview.py", section="乡镇地图")
    assert no_exception(at)
    [line] = [w.value for w in at.warning if "边界文件" in w.value]
    assert line == (
        "乡镇边界文件 townships\\.geojson 中有乡镇（街道）表里没有的代码："
        "\\[点此\\]\\(https\\:\u2060\\/\\/evil\\.example\\/x\\_y\\) \\:red\\[危险\\]，地图改用方块图显示。"
    )


@pytest.mark.parametrize("complete", [True, False], ids=["whole-file", "file-missing-another-township"])
def test_a_township_account_gets_its_own_boundary_and_no_other_name(demo_copy, tmp_path, monkeypatch, complete):
    """The boundary file is checked against the whole county, so a township account sees its own polygon; when
    the file is wrong, the account is told only that tiles are used (the full line names other townships)."""
    codes = codes_of(demo_copy)
    boundaries(demo_copy, codes if complete else [c for c in codes if c != "349001001"])  # without 城关街道
    st.cache_data.clear()
    figure, at = longshan_map(demo_copy, tmp_path, monkeypatch)
    assert figure["data"][0]["type"] == ("choroplethmap" if complete else "scatter")
    lines = [w.value for w in at.warning if "边界文件" in w.value]
    assert lines == ([] if complete else ["乡镇边界文件与乡镇（街道）表不一致，已改用方块图。"])


def test_a_map_slide_says_beside_its_tiles_how_many_townships_stand_where(demo_copy) -> None:
    """简报模式's 乡镇地图: beside the tiles, the townships per status (as many as the tiles of its colour, laggards
    first) and the lowest completions, lowest first."""
    at = run_page(demo_copy, "targets.py", {"year": "2024", "briefing": "1", "targets_section": "乡镇地图"})
    assert no_exception(at)
    trace = map_figure(at, "targets_map")["data"][0]
    tiles = Counter(trace["marker"]["color"])
    texts = [block.value for block in at.markdown]
    counts = texts[texts.index("**各状态乡镇（街道）数**") + 1].split("\n")
    statuses = sorted((s for s in Status if tiles[s.color]), key=lambda status: status.rank)
    assert counts == [f"- {s.emoji} {s.label}　{tiles[s.color]}个" for s in statuses]
    assert sum(tiles.values()) == 23
    lowest = texts[texts.index("**完成率最低的5个**") + 1].split("\n")
    # the five lines are the five smallest completions of the tiles (龙山镇<br>40.0%<br>严重滞后), lowest first
    tile_lines = sorted((float(rate.removesuffix("%")), f"- {name}　{rate}（{status}）")
                        for name, rate, status in (text.split("<br>") for text in trace["text"]))  # fmt: skip
    rate_of = dict((line, rate) for rate, line in tile_lines)
    assert [rate_of[line] for line in lowest] == [rate for rate, _ in tile_lines[:5]]
