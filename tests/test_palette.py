"""One colour, one meaning: dpf.palette decides every colour of the pages, their slides and the deck.

The figure walk runs every page and tab of the demo set (whole county, and 龙山镇 for the chosen-township marks)
and builds the deck, then checks each colour a figure draws against the palette: it is a palette colour (or on the
value scale), it means what the trace is named for (2024年 this year's blue, 两项补贴 its programme family, 严重滞后
its status), status colours appear only on charts of target status, and the chosen township's mark is no status
or programme colour. A grep finds no colour literal outside dpf/palette.py.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pptx import Presentation

from dpf import palette
from dpf.contract.catalogue import PROGRAM_BY_CODE, PROGRAM_GROUPS, PROGRAMS
from dpf.data.db import open_extracts
from dpf.exports.deck import deck_for
from dpf.exports.deck_pptx import deck_pptx
from dpf.figures.schedule import Status
from tests.apptest_helpers import REPO, declared_sections, no_exception, run_page
from ui.funds_tables import short_name

LITERAL = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|(?<![\w.])rgba?\(|RGBColor\(0x|RGBColor\.from_string")
PAGES = ["overview.py", "funds.py", "employment.py", "rehab.py", "targets.py"]
STATUS_BY_LABEL = {status.label: status.color for status in Status}
STATUS_COLOURS = set(palette.STATUS_COLOURS.values())


def expected_colour(name: str) -> str | None:
    """The one colour a trace (or deck series) of this name must have, when its name says what it is."""
    if re.fullmatch(r"\d{4}年", name):
        return palette.THIS_YEAR
    if re.match(r"\d{4}年同期", name):
        return palette.LAST_YEAR
    if name in STATUS_BY_LABEL:
        return STATUS_BY_LABEL[name]
    if name in PROGRAM_GROUPS:
        return palette.group_colour(name)
    programmes = {short_name(p.code): p.code for p in PROGRAMS}
    if name in programmes:
        return palette.program_colour(programmes[name])
    return None


def on_scale(colour: str) -> bool:
    """Whether `colour` lies on the value scale from SCALE_LOW to SCALE_HIGH (a tile's fill)."""
    low, high, value = palette.rgb(palette.SCALE_LOW), palette.rgb(palette.SCALE_HIGH), palette.rgb(colour)
    span = [h - lo for lo, h in zip(low, high, strict=True)]
    share = (value[2] - low[2]) / span[2]
    return 0 <= share <= 1 and all(abs(lo + s * share - v) <= 1.5 for lo, s, v in zip(low, span, value, strict=True))


def colours_of(value) -> list[str]:
    if isinstance(value, str):
        return [value.lower()]
    if isinstance(value, list):
        return [v.lower() for v in value if isinstance(v, str)]
    return []


def trace_colours(trace: dict) -> dict[str, list[str]]:
    """A trace's data colours by role: fill (bars, markers, heat-map scale), line, outline."""
    marker, line = trace.get("marker", {}) or {}, trace.get("line", {}) or {}
    scale = [c for _, c in trace.get("colorscale", []) or []] + [c for _, c in marker.get("colorscale", []) or []]
    return {
        "fill": colours_of(marker.get("color")) + [c.lower() for c in scale],
        "line": colours_of(line.get("color")),
        "outline": colours_of((marker.get("line") or {}).get("color")),
    }


def walk_pages(folder: Path) -> list[tuple[str, dict]]:
    """(page · tab · scope, figure spec) for every chart of every page and tab, whole county and 龙山镇."""
    figures = []
    for scope in ({}, {"township": "龙山镇"}):
        for page in PAGES:
            for section in declared_sections(page):
                at = run_page(folder, page, query=scope, section=section)
                assert no_exception(at), (page, section, scope)
                for chart in at.get("plotly_chart"):
                    figures.append((f"{page} · {section} · {scope or '全县'}", json.loads(chart.proto.spec)))
    return figures


@pytest.fixture(scope="module")
def figures(demo_dir) -> list[tuple[str, dict]]:
    return walk_pages(demo_dir)


def test_no_colour_literal_outside_the_palette():
    found = []
    for folder in ("dpf", "ui", "app_pages"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == REPO / "dpf" / "palette.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if LITERAL.search(line):
                    found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    for path in (REPO / "dashboard.py",):
        found += [
            f"{path.name}: {line}" for line in path.read_text(encoding="utf-8").splitlines() if LITERAL.search(line)
        ]
    assert found == []


def test_the_palette_gives_each_colour_one_meaning():
    data = [
        palette.THIS_YEAR,
        palette.LAST_YEAR,
        palette.CHOSEN,
        *palette.STATUS_COLOURS.values(),
        *palette.PROGRAM_COLOURS.values(),
        palette.OTHER_PROGRAM,
        *palette.GRADE_COLOURS,
    ]
    assert len(data) == len(set(data)) == len(set(palette.MEANINGS) - {palette.SCALE_LOW})
    assert not set(data) & palette.CHROME  # text, grid and reference lines never look like data
    assert {
        status.color for status in Status
    } == STATUS_COLOURS  # dpf.figures.schedule's statuses take theirs from here
    # every programme of a group in that group's family, the group in its first programme's colour
    assert set(palette.PROGRAM_COLOURS) == set(PROGRAM_BY_CODE)
    for group in PROGRAM_GROUPS:
        first = next(p.code for p in PROGRAMS if p.group == group)
        assert palette.group_colour(group) == palette.program_colour(first)


def test_every_page_figure_uses_palette_colours_with_their_one_meaning(figures):
    assert len(figures) >= 30
    chosen_seen = False
    for where, spec in figures:
        title = spec["layout"].get("title", {}).get("text", "")
        for trace in spec["data"]:
            roles = trace_colours(trace)
            for role, colours in roles.items():
                for colour in colours:
                    known = colour in palette.MEANINGS or colour in palette.CHROME
                    assert known or on_scale(colour), (where, title, trace.get("name"), role, colour)
                    if colour in STATUS_COLOURS:  # reserved for target status
                        assert "完成率" in title or trace.get("name") in STATUS_BY_LABEL, (where, title, colour)
            expected = expected_colour(str(trace.get("name", "")))
            if expected and trace.get("type") in ("bar", "scatter") and (roles["fill"] or roles["line"]):
                drawn = roles["fill"][:1] if trace["type"] == "bar" else (roles["line"] or roles["fill"])[:1]
                assert drawn == [expected], (where, title, trace.get("name"), drawn)
            if palette.CHOSEN in roles["fill"] + roles["outline"]:
                chosen_seen = True
    assert chosen_seen  # 龙山镇 is marked on the rankings and the maps


def test_the_chosen_outline_stands_out_on_every_status_tile(figures):
    maps = [
        spec
        for where, spec in figures
        if "龙山镇" in where and "各乡镇（街道）完成率与序时进度" in spec["layout"]["title"]["text"]
    ]
    assert maps
    for spec in maps:
        tiles = spec["data"][0]
        outlined = [
            fill
            for fill, edge in zip(tiles["marker"]["color"], tiles["marker"]["line"]["color"], strict=True)
            if edge == palette.CHOSEN
        ]
        assert outlined and palette.CHOSEN not in STATUS_COLOURS | set(palette.PROGRAM_COLOURS.values())


@pytest.mark.parametrize("townships", [(), ("349001101",)])
def test_every_deck_chart_uses_palette_colours_with_their_one_meaning(demo_dir, townships):
    deck = deck_for(open_extracts(demo_dir), 2024, townships)
    presentation = Presentation(io.BytesIO(deck_pptx(deck)))
    charts = [shape.chart for slide in presentation.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) >= 5
    for chart in charts:
        title = chart.chart_title.text_frame.text
        for series in chart.plots[0].series:
            colour = "#" + str(series.format.fill.fore_color.rgb).lower()
            assert colour in palette.MEANINGS, (title, series.name, colour)
            expected = expected_colour(series.name)
            assert expected is None or colour == expected, (title, series.name, colour)
            if colour in STATUS_COLOURS:
                assert series.name in STATUS_BY_LABEL, (title, series.name)
            for point in range(len(series.values)):
                fill = series.points[point].format.fill
                if fill.type is not None:
                    assert "#" + str(fill.fore_color.rgb).lower() in {palette.THIS_YEAR, palette.CHOSEN}, title
        if len(chart.plots[0].series) > 1 or "完成率" in title:  # a legend names every series drawn
            assert chart.has_legend, title


def test_status_marks_in_tables_and_target_tiles_wear_the_charts_colours(demo_dir):
    at = run_page(demo_dir, "targets.py")
    (table,) = [t for t in at.table if "状态" in t.value.columns]
    column = list(table.value.columns).index("状态")
    css = table.proto.arrow_data.styler.styles
    coloured = {
        int(row): colour
        for selectors, colour in re.findall(r"([^{}]+)\{ background-color: (#[0-9a-f]{6})", css)
        for row, col in re.findall(r"row(\d+)_col(\d+)", selectors)
        if int(col) == column
    }
    by_text = {status.text: status.color for status in Status}
    expected = {i: by_text[text] for i, text in enumerate(table.value["状态"]) if text in by_text}
    assert expected and coloured == expected  # every status cell in its status's colour, nothing else coloured
    overview = run_page(demo_dir, "overview.py")
    badges = re.findall(
        r'dpf-status-badge" style="background: (#[0-9a-f]{6});[^>]*>([^<]+)<', str([m.value for m in overview.markdown])
    )
    assert len(badges) >= 5
    for colour, label in badges:
        assert colour == STATUS_BY_LABEL.get(label, colour) and colour in STATUS_COLOURS, (label, colour)
