"""The number rule's running-text wording (dpf.formatting): 万元 without a trailing zero, 同比 in words, whole units."""

from __future__ import annotations

import pytest

from dpf.formatting import fmt_pp, fmt_projection, fmt_wan, round_up_units, scope_label, yoy_words


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (3_696_000, "369.6万元"),
        (3_088_900, "308.89万元"),
        (391_000, "39.1万元"),
        (630_000, "63万元"),
        (25_480, "2.548万元"),  # as the report writes it: below 10万元 and exact to the 10元
        (25_483, "2.55万元"),
        (400, "400元"),  # below 0.1万元: 元, never 0.04万元
        (30, "30元"),
        (0, "0万元"),
        (11_381_000, "1,138.1万元"),
        (None, "—"),
    ],
)
def test_amounts_in_text_drop_a_trailing_zero(yuan, text):
    assert fmt_wan(yuan) == text


@pytest.mark.parametrize(
    ("value", "previous", "is_rate", "text"),
    [
        (111.8, 100, False, "同比增长11.8%"),
        (97, 100, False, "同比下降3.0%"),
        (100.04, 100, False, "同比持平"),
        (5, 0, False, None),
        (5, None, False, None),
        (96.2, 95.0, True, "同比提高1.2个百分点"),
        (94.0, 95.0, True, "同比降低1.0个百分点"),
        (95.02, 95.0, True, "同比持平"),
    ],
)
def test_yoy_in_words(value, previous, is_rate, text):
    assert yoy_words(value, previous, is_rate) == text


def test_points_and_whole_units():
    assert fmt_pp(abs(-33.24)) == "33.2个百分点"
    assert round_up_units(11.2) == 12
    assert round_up_units(12.0) == 12
    assert round_up_units(0.3) == 1
    assert round_up_units(0) == 0


@pytest.mark.parametrize(
    ("value", "target", "text"),
    [
        (1.7, 2, "约1.7个"),  # rounding up would reach the target the projection misses (预计能否完成: 不能)
        (1.99, 2, "约1.9个"),
        (2.3, 2, "约3个"),  # reached: rounded up as every projection
        (40.3, 60, "约41个"),  # rounding up stays short of the target: whole
        (2, 2, "2个"),
        (1.7, None, "约2个"),
    ],
)
def test_a_projection_never_contradicts_its_decision(value, target, text):
    assert fmt_projection(value, "个", target) == text


@pytest.mark.parametrize(
    ("names", "text"),
    [([], "全县"), (["城关街道", "龙山镇"], "城关街道、龙山镇"), (list("abcde"), "a等5个乡镇（街道）")],
)
def test_many_townships_are_townships_and_streets(names, text):
    assert scope_label(names) == text
