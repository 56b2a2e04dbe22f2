"""The number rule's running-text wording (dpf.formatting): 万元 without a trailing zero, 同比 in words, whole units."""

from __future__ import annotations

import pytest

from dpf.formatting import fmt_pp, fmt_wan, round_up_units, yoy_words


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
