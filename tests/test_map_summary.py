"""The words beside a 简报模式 map: counts per status and the lowest completions, or a value map's two ends."""

from __future__ import annotations

import pandas as pd
import pytest

from dpf.figures.schedule import Status
from ui.map_summary import map_summary, one_line

S, B, D = Status.SEVERELY_BEHIND, Status.BEHIND, Status.DONE


def value_rows(values: list[float | None]) -> pd.DataFrame:
    names = [f"镇{index:02d}" for index in range(len(values))]
    labels = ["—" if value is None else f"{value:.1f}%" for value in values]
    return pd.DataFrame({"code": names, "name": names, "value": values, "label": labels})


def test_a_status_map_counts_laggards_first_and_names_the_lowest_completions():
    rows = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "e", "f", "g"],
            "name": ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇", "己镇", "庚镇"],
            "value": [100.0, 0.0, 66.7, 40.0, 150.0, 33.3, 0.0],
            "label": ["100.0%<br>已完成", "0.0%<br>严重滞后", "66.7%<br>低于序时", "40.0%<br>严重滞后",
                      "150.0%<br>已完成", "33.3%<br>严重滞后", "0.0%<br>严重滞后"],
            "status": [D, S, B, S, D, S, S],
        }
    )  # fmt: skip
    assert map_summary(rows) == [
        ("各状态乡镇（街道）数", ["🔴 严重滞后　4个", "🟠 低于序时　1个", "🟢 已完成　2个"]),
        (
            "完成率最低的5个",
            [  # lowest first; equal values by name (乙 before 庚 in code-point order)
                "乙镇　0.0%（严重滞后）",
                "庚镇　0.0%（严重滞后）",
                "己镇　33.3%（严重滞后）",
                "丁镇　40.0%（严重滞后）",
                "丙镇　66.7%（低于序时）",
            ],
        ),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([20.0, None, 50.0], [("由高到低", ["镇02　50.0%", "镇00　20.0%"]), ("暂无数据", ["1个乡镇（街道）"])]),
        (
            [float(v) for v in range(12)],
            [
                ("最高的5个", ["镇11　11.0%", "镇10　10.0%", "镇09　9.0%", "镇08　8.0%", "镇07　7.0%"]),
                ("最低的5个", ["镇00　0.0%", "镇01　1.0%", "镇02　2.0%", "镇03　3.0%", "镇04　4.0%"]),
            ],
        ),
    ],
)
def test_a_value_map_names_its_ends(values, expected):
    assert map_summary(value_rows(values)) == expected


@pytest.mark.parametrize(
    ("label", "line"), [("40.0%<br>严重滞后", "40.0%（严重滞后）"), ("51.2%", "51.2%"), ("1<br>2<br>3", "1（2，3）")]
)
def test_a_tiles_label_on_one_line(label, line):
    assert one_line(label) == line
