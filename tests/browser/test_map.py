"""乡镇地图 in a real Chromium with the network cut off: the tile map draws, a click on a tile chooses that township,
and a boundary file beside the extracts draws a choropleth on a plain background (nothing fetched)."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from dpf.contract.demo import generate_demo
from dpf.data.db import open_extracts
from dpf.figures.indicators import township_table
from tests.browser import harness

pytestmark = pytest.mark.browser

MAP_TAB = "overview_section=%E4%B9%A1%E9%95%87%E5%9C%B0%E5%9B%BE"  # ?overview_section=乡镇地图
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def grid_set(tmp_path_factory):
    """A fresh demo set: it carries the demo's hand-made grid (grid_row, grid_col)."""
    return generate_demo(tmp_path_factory.mktemp("map") / "demo")


@pytest.fixture(scope="module")
def map_server(grid_set):
    running = harness.start_server(grid_set)
    yield running
    harness.stop_server(running)


@pytest.fixture
def offline(page):
    """The page with every request off this machine aborted; the aborted addresses are in page.blocked."""
    blocked: list[str] = []

    def route(request_route):
        if urlparse(request_route.request.url).hostname in LOCAL:
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.context.route("**/*", route)
    page.blocked = blocked
    return page


def tile_centre(page, index: int) -> tuple[float, float]:
    """Where tile `index` is on screen now (the chart scrolled into view)."""
    box = page.locator('[data-testid="stPlotlyChart"] g.trace.scatter path.point').nth(index).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_tile_map_draws_offline_and_a_click_chooses_a_township(offline, map_server, grid_set, screenshots_dir):
    page = offline
    harness.open_page(page, f"{map_server.url}/?{MAP_TAB}")
    assert harness.wait_charts_drawn(page, visible_only=True) == 1
    tiles = page.locator('[data-testid="stPlotlyChart"] g.trace.scatter path.point')
    assert tiles.count() == 23
    assert "城关街道" in page.locator('[data-testid="stPlotlyChart"]').inner_text()
    chart = page.locator('[data-testid="stPlotlyChart"]')
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(screenshots_dir / "map-tiles.png"))

    names = list(township_table(open_extracts(grid_set))["name"])
    index = names.index("龙山镇")
    page.mouse.click(*tile_centre(page, index))
    page.wait_for_function("() => decodeURIComponent(location.search).includes('township=龙山镇')", timeout=30_000)
    harness.wait_idle(page)
    chips = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] [data-tag]').all_inner_texts()
    assert [c.strip() for c in chips] == ["龙山镇"]
    assert "范围：龙山镇" in page.locator('[data-testid="stPlotlyChart"]').inner_text()
    assert not page.dialogs


def test_a_boundary_file_draws_a_choropleth_offline(offline, map_server, grid_set, screenshots_dir):
    page = offline
    codes = list(township_table(open_extracts(grid_set))["code"])
    features = []
    for index, code in enumerate(codes):  # synthetic boundaries: a 6-wide block of slightly uneven squares
        lon, lat = 110 + 0.1 * (index % 6), 30 - 0.1 * (index // 6)
        ring = [[lon, lat], [lon + 0.1, lat + 0.01], [lon + 0.1, lat + 0.1], [lon, lat + 0.09], [lon, lat]]
        features.append(
            {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    shapes = grid_set / "townships.geojson"
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    try:
        harness.open_page(page, f"{map_server.url}/?{MAP_TAB}")
        chart = page.locator('[data-testid="stPlotlyChart"]')
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => !!document.querySelector('[data-testid=\"stPlotlyChart\"] canvas')", timeout=30_000
        )
        page.wait_for_timeout(1500)  # the map's first frame
        chart.screenshot(path=str(screenshots_dir / "map-choropleth.png"))
        assert "边界文件" not in harness.main_text(page)  # a sound file: no fallback line
        assert page.locator('[data-testid="stPlotlyChart"] g.trace.scatter path.point').count() == 0
        box = page.locator('[data-testid="stPlotlyChart"] canvas').first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a township in the middle
        page.wait_for_function("() => decodeURIComponent(location.search).includes('township=')", timeout=30_000)
        harness.wait_idle(page)
        chips = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] [data-tag]').all_inner_texts()
        assert len(chips) == 1 and f"范围：{chips[0].strip()}" in harness.main_text(page)
    finally:
        shapes.unlink()


def test_a_code_written_as_a_link_is_shown_as_text_not_a_link(offline, map_server, grid_set):
    """A boundary file whose extra feature's code is a Markdown link and a colour directive: the warning shows the
    characters themselves, with no link (Markdown's, nor GFM's bare https://, www. and e-mail), colour or bold."""
    page = offline
    code = "[点此](https://evil.example/x_y) www.evil.example a@evil.example :red[危险] **粗**"
    codes = [*township_table(open_extracts(grid_set))["code"], code]
    ring = [[110, 30], [110.1, 30], [110.1, 30.1], [110, 30]]
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for code in codes
    ]
    shapes = grid_set / "townships.geojson"
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    try:
        harness.open_page(page, f"{map_server.url}/?{MAP_TAB}")
        alert = page.locator('[data-testid="stAlert"]').filter(has_text="边界文件")
        assert alert.count() == 1
        assert f"代码：{code}，地图改用方块图显示。" in alert.inner_text().replace("\u2060", "")
        assert alert.locator("a, strong, span[style*='color']").count() == 0
    finally:
        shapes.unlink()
