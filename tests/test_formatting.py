"""The number rule (dpf.formatting), one row per case of docs' rule as the lead decided it."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dpf.formatting import (
    COUNT_COLUMN,
    PER_1000_COLUMN,
    RATE_COLUMN,
    WAN_COLUMN,
    YUAN_COLUMN,
    column_format,
    fmt_count,
    fmt_date,
    fmt_estimate,
    fmt_pct,
    fmt_pp,
    fmt_rate_with_n,
    fmt_value,
    fmt_wan,
    fmt_yuan,
    table_formats,
    yoy_delta,
    yoy_text,
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # 万元 to two decimals, a trailing zero dropped in cards and text
        (3_696_000, "元", "369.6万元"),
        (3_088_900, "元", "308.89万元"),
        (391_000, "元", "39.1万元"),
        (11_381_000, "元", "1,138.1万元"),
        (630_000, "元", "63万元"),
        (25_480, "元", "2.548万元"),  # the report writes 2.548万元
        (25_483, "元", "2.55万元"),
        (25_449, "元", "2.54万元"),
        (0, "元", "0万元"),
        (None, "元", "—"),
        # counts whole with 千分位
        (46_197, "人次", "46,197人次"),
        (46_197.0, "人次", "46,197人次"),
        (1.3, "个", "1个"),
        (0, "人", "0人"),
        (math.nan, "人", "—"),
        # rates one decimal with %
        (96.24, "%", "96.2%"),
        (100, "%", "100.0%"),
    ],
)
def test_values(value, unit, expected) -> None:
    assert fmt_value(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (11.7, "户", "约12户"),
        (0.3, "个", "约1个"),
        (1.3, "个", "约2个"),
        (12, "户", "12户"),
        (12.0000000001, "户", "12户"),  # float noise is not a unit more
        (1234.2, "人次", "约1,235人次"),
        (0, "户", "0户"),
        (2_500_000, "元", "250万元"),
        (96.24, "%", "96.2%"),
        (None, "户", "—"),
    ],
)
def test_estimates_round_up(value, unit, expected) -> None:
    assert fmt_estimate(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "previous", "unit", "cell", "card"),
    [
        (111.8, 100, "元", "+11.8%", "同比 +11.8%"),
        (97, 100, "人", "-3.0%", "同比 -3.0%"),
        (100.04, 100, "人", "持平", "同比持平"),
        (99.96, 100, "人", "持平", "同比持平"),  # -0.04% rounds to -0.0: still 持平
        (5, 0, "人", None, None),  # previous 0: no 同比
        (5, None, "人", None, None),
        (None, 5, "人", None, None),
        (96.2, 95.0, "%", "+1.2个百分点", "同比 +1.2个百分点"),
        (95.02, 95.0, "%", "持平", "同比持平"),
        (90.0, 95.0, "%", "-5.0个百分点", "同比 -5.0个百分点"),
        (0.0, 0.0, "%", "持平", "同比持平"),  # a rate's previous 0 is a value
    ],
)
def test_yoy(value, previous, unit, cell, card) -> None:
    assert yoy_delta(value, previous, unit) == cell
    assert yoy_text(value, previous, unit) == card


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fmt_count(12345.4, "人次"), "12,345人次"),
        (lambda: fmt_pct(None), "—"),
        (lambda: fmt_pp(1.24), "1.2个百分点"),
        (lambda: fmt_pp(-0.96, signed=True), "-1.0个百分点"),
        (lambda: fmt_yuan(1234.5), "1,234元"),  # banker's rounding of .5 is avoided by data: whole 元 either way
        (lambda: fmt_yuan(1235.6), "1,236元"),
        (lambda: fmt_wan(11_381_000, unit=False), "1,138.1"),
        (lambda: fmt_date(date(2024, 9, 30)), "2024年9月30日"),
        (lambda: fmt_rate_with_n(4, 6, "条"), "66.7%（共6条）"),  # few cases: how many, in Chinese, never "n=6"
        (lambda: fmt_rate_with_n(5, 10, "条"), "50.0%"),
        (lambda: fmt_rate_with_n(0, 0, "条"), "—"),
    ],
)
def test_small_formats(call, expected) -> None:
    assert call() == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("发放金额（万元）", WAN_COLUMN),
        ("合计（万元）", WAN_COLUMN),
        ("学员（人次）", COUNT_COLUMN),
        ("学员（人，去重）", COUNT_COLUMN),
        ("覆盖乡镇（个）", COUNT_COLUMN),
        ("培训完成率（%）", RATE_COLUMN),
        ("完成率（%）", RATE_COLUMN),
        ("人均发放（元/人）", YUAN_COLUMN),
        ("人均/个均（元）", YUAN_COLUMN),
        ("每千名持证残疾人上门康复（人）", PER_1000_COLUMN),
        ("乡镇（街道）", None),
        ("受益数量", None),
    ],
)
def test_column_formats(header, expected) -> None:
    assert column_format(header) == expected


def test_table_formats_infer_whole_numbers() -> None:
    frame = pd.DataFrame(
        {
            "乡镇（街道）": ["甲镇", "合计"],
            "受益数量": [46197.0, None],  # a None in the 合计 row makes it float: still whole numbers
            "发放金额（万元）": [369.6, 1138.1],
            "比值": [1.25, 2.0],
        }
    )
    assert table_formats(frame) == {"受益数量": COUNT_COLUMN, "发放金额（万元）": WAN_COLUMN, "比值": WAN_COLUMN}
