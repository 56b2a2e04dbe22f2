"""Long township rankings cut to what a person can read: beyond dpf.ranking.MOST_BARS townships a chart draws the
first and last RANK_ENDS and the chosen ones wherever they rank, each labelled with its place (第1,203), the title
says so, and a 显示全部 toggle draws them all. The rows come from the View, so a session's scope holds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dpf import ranking as ranking_rule
from dpf.formatting import fmt_count
from dpf.ranking import PLACE, cut_note, kept_places
from ui.context import View


def show_everyone(view: View, count: int, key: str, help_text: str) -> bool:
    """Whether the user asked for all `count` townships of a cut list (toggle `key`_all, 显示全部N个乡镇（街道）);
    briefing mode has no toggle, so never there."""
    everyone = f"显示全部{fmt_count(count, '个乡镇（街道）')}"
    return not view.briefing and st.toggle(everyone, key=f"{key}_all", help=help_text)


@dataclass(frozen=True)
class ShownRanking:
    """The rows a ranking chart draws (the caller's order; with PLACE when cut) and, when cut, the line under its
    title that says so (show_chart's subtitle)."""

    rows: pd.DataFrame
    note: str = ""


def shown_ranking(
    view: View, rows: pd.DataFrame, column: str, key: str, most: int | None = None, ends: int | None = None
) -> ShownRanking:
    """`rows` (one per township, `code`, in the chart's order) as a ranking by `column` draws them: all up to
    `most` (default dpf.ranking.MOST_BARS, read at each call), else the first and last `ends` (RANK_ENDS) and the
    chosen with their places, unless the user asks for all (toggle `key`_all; briefing mode has no toggle)."""
    most = ranking_rule.MOST_BARS if most is None else most
    ends = ranking_rule.RANK_ENDS if ends is None else ends
    if len(rows) <= most or show_everyone(view, len(rows), key, "全部乡镇（街道）画成一张长图，较慢。"):
        return ShownRanking(rows)
    keep = kept_places(rows["code"].isin(view.township_codes).tolist(), most, ends)
    places = rows[column].rank(ascending=False, method="min")
    shown = rows[keep].assign(**{PLACE: places[keep].astype("Int64")})
    return ShownRanking(shown, cut_note(len(rows), bool(view.township_codes), ends))
