"""KPI cards: an indicator's value in its unit with 同比 against the same span last year (a month: 环比 too)."""

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

Arrow = Literal["up", "down", "off"]
Colour = Literal["gray", "green", "red"]


def kpi_card(row: pd.Series, label: str | None = None, townships: bool = False) -> None:
    """One st.metric for an indicator row of compute_indicators(); `townships`: the scope is some townships."""
    value = number_or_none(row["value"])
    if row.get("problem") and value is None:
        st.metric(label or row["name"], "—", help=tip(row["problem"]), border=True)
        return
    if townships and not value and row.name in INDICATOR_BY_CODE and INDICATOR_BY_CODE[row.name].county_level:
        county_level_card(label or row["name"], row["name"])
        return
    if is_month(row):
        month_card(row, value, month_label(row, label))
        return
    previous = number_or_none(row["previous"])
    help_text = f"{row['name']}。上年同期：{fmt_value(previous, row['unit'])}"
    # The text starts with 同比, so direction and colour are set from the sign of the change as shown (持平: grey).
    arrow, colour = _direction(row, [yoy_change(value, previous, row["unit"])])
    st.metric(
        label or row["name"],
        fmt_value(value, row["unit"]),
        delta=yoy_text(value, previous, row["unit"]),
        delta_color=colour,
        delta_arrow=arrow,
        help=tip(help_text),
        border=True,
    )


def is_month(row: pd.Series) -> bool:
    """The row is of a month view (compute_indicators(month=…))."""
    return number_or_none(row.get("month")) is not None


def month_label(row: pd.Series, label: str | None = None) -> str:
    """A card's label (the catalogue's unless given) in a month view, with what the figure counts where it matters
    (就业登记（本月新增）, 护理补贴人次（本月在册）)."""
    indicator = INDICATOR_BY_CODE.get(str(row.name))
    label = label or (indicator.label if indicator else str(row["name"]))
    basis = indicator.month_basis if indicator else None
    return f"{label}（{basis}）" if basis else label


def _direction(row: pd.Series, changes: Sequence[float | None]) -> tuple[Arrow, Colour]:
    """Arrow and colour from the changes shown: up/green when every known one rises, down/red when every one falls
    (the reverse for LOWER_IS_BETTER), grey and no arrow when they disagree, are flat or unknown."""
    known = [change for change in changes if change is not None]
    if not known or any(change == 0 for change in known) or len({change > 0 for change in known}) > 1:
        return "off", "gray"
    rising = known[0] > 0
    return ("up" if rising else "down"), ("green" if rising != (row.name in LOWER_IS_BETTER) else "red")


def month_card(row: pd.Series, value: float | None, label: str) -> None:
    """A month's card: the month's figure with 环比 (the month before) and 同比 (the same month last year)."""
    unit = row["unit"]
    prior, previous = number_or_none(row["prior"]), number_or_none(row["previous"])
    texts = [yoy_text(value, prior, unit, "环比"), yoy_text(value, previous, unit)]
    arrow, colour = _direction(row, [yoy_change(value, prior, unit), yoy_change(value, previous, unit)])
    help_text = f"{row['name']}。上月：{fmt_value(prior, unit)}；上年同月：{fmt_value(previous, unit)}"
    st.metric(
        label,
        fmt_value(value, unit),
        delta="　".join(text for text in texts if text) or None,
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
