"""Low vision: every pair of text and background colours dpf.palette gives keeps WCAG 2.1 AA's 4.5:1 (focus ring
and this year's marks 3:1), computed by palette.contrast_ratio, itself checked on known pairs."""

from __future__ import annotations

import pytest

from dpf import palette
from dpf.figures.schedule import Status


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the well-known grey just below 4.5:1
        ("#6b7280", "#f3f6f9", 4.46),  # the old MUTED on FAINT: a briefing title block's source line failed
    ],
)
def test_contrast_ratio_of_known_pairs(one, other, ratio):
    assert palette.contrast_ratio(one, other) == pytest.approx(ratio, abs=0.01)


TEXT_PAIRS = {
    "正文 on white": (palette.INK, palette.WHITE),
    "caption on white": (palette.MUTED, palette.WHITE),
    "caption on the sidebar and title block": (palette.MUTED, palette.FAINT),
    "title block text": (palette.INK, palette.FAINT),
    "缺报 cell": (palette.GAP_TEXT, palette.GAP_FILL),
    **{f"status {s.label}": (palette.readable_on(s.color), s.color) for s in Status},
    **{
        f"scale tile {share:.2f}": (palette.readable_on(palette.scale_colour(share)), palette.scale_colour(share))
        for share in [i / 20 for i in range(21)]
    },
}


@pytest.mark.parametrize("pair", TEXT_PAIRS.values(), ids=TEXT_PAIRS.keys())
def test_text_keeps_four_and_a_half_to_one(pair):
    assert palette.contrast_ratio(*pair) >= 4.5


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (Status.BEHIND, palette.INK),  # white on amber would be 2.8:1
        (Status.NOT_STARTED, palette.WHITE),
        (Status.SEVERELY_BEHIND, palette.WHITE),  # ink on red would be 2.7:1
        (Status.DONE, palette.WHITE),
    ],
)
def test_status_words_in_the_readable_colour(status, text):
    assert palette.readable_on(status.color) == text


def test_focus_ring_and_this_years_marks_stand_out_three_to_one():
    assert palette.contrast_ratio(palette.FOCUS_RING, palette.WHITE) >= 3
    assert palette.contrast_ratio(palette.FOCUS_RING, palette.FAINT) >= 3
    assert palette.contrast_ratio(palette.THIS_YEAR, palette.WHITE) >= 3


MARKS = sorted(set(palette.MEANINGS) | {palette.BORDER})


@pytest.mark.parametrize("colour", MARKS, ids=[palette.MEANINGS.get(c, "空白方块边框") for c in MARKS])
def test_every_chart_mark_stands_out_three_to_one_on_white(colour):
    """WCAG 2.1 1.4.11: a bar, line, tile or status fill against the chart's white background."""
    assert palette.contrast_ratio(colour, palette.WHITE) >= 3
