"""KPI cards: an indicator's value in its unit with 同比 against the same span last year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd
import streamlit as st

from dpf.contract.catalogue import COUNTY_LEVEL_NOTE, COUNTY_LEVEL_VALUE, INDICATOR_BY_CODE
from dpf.formatting import fmt_value, yoy_change, yoy_text
from dpf.numbers import number_or_none
from ui.briefing import tip

# Indicators where a fall is good news (none in the contract's catalogue yet; kept explicit).
LOWER_IS_BETTER: frozenset[str] = frozenset()


def kpi_card(row: pd.Series, label: str | None = None, townships: bool = False) -> None:
    """One st.metric for an indicator row of compute_indicators(); `townships`: the scope is some townships."""
    value = number_or_none(row["value"])
    if row.get("problem") and value is None:
        st.metric(label or row["name"], "—", help=tip(row["problem"]), border=True)
        return
    if townships and not value and row.name in INDICATOR_BY_CODE and INDICATOR_BY_CODE[row.name].county_level:
        county_level_card(label or row["name"], row["name"])
        return
    previous = number_or_none(row["previous"])
    help_text = f"{row['name']}。上年同期：{fmt_value(previous, row['unit'])}"
    # The text starts with 同比, so direction and colour are set from the sign of the change as shown (持平: grey).
    change = yoy_change(value, previous, row["unit"]) or 0.0
    arrow: Literal["up", "down", "off"] = "up" if change > 0 else "down" if change < 0 else "off"
    colour: Literal["gray", "green", "red"] = (
        "gray" if arrow == "off" else ("green" if (change > 0) != (row.name in LOWER_IS_BETTER) else "red")
    )
    st.metric(
        label or row["name"],
        fmt_value(value, row["unit"]),
        delta=yoy_text(value, previous, row["unit"]),
        delta_color=colour,
        delta_arrow=arrow,
        help=tip(help_text),
        border=True,
    )


def county_level_card(label: str, name: str) -> None:
    """The card of a county-level event count in a township scope: no township held one, and the county's are not
    split by township, so it says where they are counted instead of a 0 a leader would report as "nothing done"."""
    st.metric(
        label,
        COUNTY_LEVEL_VALUE,
        delta=COUNTY_LEVEL_NOTE,
        delta_color="gray",
        delta_arrow="off",
        help=tip(f"{name}多为县级活动，不属于某个乡镇，只在“全县”范围内计入。"),
        border=True,
    )


def kpi_grid(
    indicators: pd.DataFrame,
    codes: Sequence[str],
    per_row: int = 4,
    labels: dict | None = None,
    townships: bool = False,
) -> None:
    """Cards for `codes` (indicator codes) in rows of `per_row`, labelled as the catalogue says unless `labels` (a
    page's own wording for some codes) says otherwise; `townships`: the scope is some townships (kpi_card)."""
    frame = indicators.set_index("indicator")
    labels = labels or {}
    # One wrapping row of cards (`per_row` wide, ui.shell's CSS) rather than a row of columns per `per_row` cards:
    # a column is two more elements for the browser to lay out per card.
    with st.container(horizontal=True, key=f"kpi_grid_{per_row}_{codes[0]}"):
        for code in codes:
            kpi_card(frame.loc[code], labels.get(code, INDICATOR_BY_CODE[code].label), townships)
