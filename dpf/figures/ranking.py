"""Which townships a long ranking draws: all of them up to MOST_BARS, beyond that the first and last RANK_ENDS in
rank order and the chosen ones wherever they stand (the dashboard's township charts and the deck's ranking slide)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dpf.formatting import fmt_count

# a ranking of more townships is cut (one county's 23 stay whole; a label needs 20 px and half a 1920×1080 slide's
# chart holds about 25, so 简报模式's frame names every township it draws)
MOST_BARS = 24
RANK_ENDS = 10  # bars kept at each end of a cut ranking
PLACE = "place"  # the column of a cut ranking's rows: each township's place among all (1 = largest)


def kept_places(chosen: Sequence[bool], most: int = MOST_BARS, ends: int = RANK_ENDS) -> list[bool]:
    """Per row of a ranking in rank order (either direction: both ends are kept), whether it is drawn: every row
    when there are at most `most`, else the first and last `ends` and each chosen row."""
    count = len(chosen)
    if count <= most:
        return [True] * count
    return [index < ends or index >= count - ends or bool(one) for index, one in enumerate(chosen)]


def cut_note(total: int, chosen: bool, ends: int = RANK_ENDS) -> str:
    """What a cut ranking's title adds: 前10位与后10位（及所选乡镇），共2,300个乡镇（街道）."""
    also = "及所选乡镇" if chosen else ""
    return f"前{ends}位与后{ends}位{also}，共{fmt_count(total, '个乡镇（街道）')}"


def with_place(name: str, place: int) -> str:
    """A township's name with its place in a cut ranking: 北山镇（第1,203）."""
    return f"{name}（第{fmt_count(place)}）"


def cut_rows(
    rows: pd.DataFrame, column: str, chosen: Sequence[bool], most: int = MOST_BARS, ends: int = RANK_ENDS
) -> pd.DataFrame:
    """`rows` (one per township, in the chart's rank order, either direction) as a long ranking draws them: all up to
    `most`; beyond that the kept_places rows, each with its place among all by `column` (PLACE; 1 = largest).
    The one rule of every township ranking: the dashboard's charts (ui.township_ranking) and the deck's slide."""
    if len(rows) <= most:
        return rows
    keep = kept_places(list(chosen), most, ends)
    places = rows[column].rank(ascending=False, method="min")
    return rows[keep].assign(**{PLACE: places[keep].astype("Int64")})
